// Package storetest is the conformance suite every storage implementation
// of the broker (Store) must pass: every service (pacticipants, versions,
// pacts, verifications, pacts for verification, environments, deployments,
// webhooks and their outbox, the matrix facts, health, field usage). Implementations
// call Run from their tests with a constructor returning an empty, migrated
// store.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// PactJSON returns a minimal V3 pact between consumer and provider whose
// content is determined by the interaction descriptions.
func PactJSON(consumer, provider string, descriptions ...string) []byte {
	inter := []map[string]any{}
	for _, d := range descriptions {
		inter = append(inter, map[string]any{
			"description": d,
			"request":     map[string]any{"method": "GET", "path": "/" + d},
			"response":    map[string]any{"status": 200},
		})
	}
	b, _ := json.Marshal(map[string]any{
		"consumer":     map[string]any{"name": consumer},
		"provider":     map[string]any{"name": provider},
		"interactions": inter,
		"metadata":     map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	})
	return b
}

// Publish publishes one pact through PublishContracts and fails the test on
// error.
func Publish(tb testing.TB, s broker.Store, consumer, version, branch, provider string, tags []string, descriptions ...string) broker.PublishResult {
	tb.Helper()
	res, err := s.PublishContracts(context.Background(), broker.PublishRequest{
		Pacticipant: consumer, Version: version, Branch: branch, Tags: tags,
		Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: provider, Content: PactJSON(consumer, provider, descriptions...)}},
	})
	require.NoError(tb, err, "publish %s %s -> %s", consumer, version, provider)
	return res
}

// Store is what Run checks: every service of the broker, the reads of
// pacts for verification, field usage and provider contracts.
type Store interface {
	broker.Store
	verifiable.Facts
	broker.FieldUsage
	broker.ProviderContractStore
}

// Deploy records that version number of pacticipant now runs in the
// environment called environment (on instance, "" for the unnamed one) and
// fails the test on error.
func Deploy(tb testing.TB, s broker.Store, pacticipant, number, environment, instance string) broker.DeployedVersion {
	tb.Helper()
	env := environmentNamed(tb, s, environment)
	d, _, err := s.DeployVersion(context.Background(), pacticipant, number, env.UUID, instance)
	require.NoError(tb, err, "deploy %s %s to %s", pacticipant, number, environment)
	return d
}

// Release records that version number of pacticipant is released in the
// environment called environment and fails the test on error.
func Release(tb testing.TB, s broker.Store, pacticipant, number, environment string) broker.ReleasedVersion {
	tb.Helper()
	env := environmentNamed(tb, s, environment)
	rv, _, err := s.ReleaseVersion(context.Background(), pacticipant, number, env.UUID)
	require.NoError(tb, err, "release %s %s in %s", pacticipant, number, environment)
	return rv
}

func environmentNamed(tb testing.TB, s broker.Store, name string) broker.Environment {
	tb.Helper()
	envs, err := s.FindEnvironments(context.Background(), name)
	require.NoError(tb, err)
	require.Len(tb, envs, 1, "environment %q", name)
	return envs[0]
}

// Run runs the conformance suite. newStore must return a new, empty store
// for each call (its cleanup registered on t).
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Pacticipants", testPacticipants},
		{"PublishCreatesVersionBranchTags", testPublishCreates},
		{"ContentStoredOncePerSHA", testContentOncePerSHA},
		{"ConflictingContentIsRefusedAtomically", testConflictAtomic},
		{"MergeAddsInteractions", testMerge},
		{"ContentChangedByTag", testContentChanged},
		{"NamesRoundTrip", testNames},
		{"GetPactVariants", testGetPactVariants},
		{"LegacyPutPact", testPutPact},
		{"LargeContent", testLargeContent},
		{"VerificationsAttachToContent", testVerifications},
		{"SelectorsResolve", testSelectors},
		{"PendingAndWIP", testPendingWIP},
		{"DefaultSelectors", testDefaultSelectors},
		{"FallbackSelectors", testFallbacks},
		{"ConcurrentPublishes", testConcurrentPublishes},
		{"MainBranchAutoDetected", testMainBranchDetect},
		{"TagsAndBranches", testTagsBranches},
		{"DeleteCascades", testDeleteCascades},
		{"DeleteVerification", testDeleteVerification},
		{"DeleteBranchVersion", testDeleteBranchVersion},
		{"EnvironmentsAndDeployments", testEnvironmentsAndDeployments},
		{"ConcurrentDeployments", testConcurrentDeployments},
		{"Webhooks", testWebhooks},
		{"WebhookOutbox", testWebhookOutbox},
		{"Matrix", testMatrix},
		{"Health", testHealth},
		{"FieldUsage", testFieldUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

func code(t *testing.T, err error, want broker.Code) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, want, broker.ErrorCode(err), "error: %v", err)
}

func testPacticipants(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.GetPacticipant(ctx, "Foo")
	code(t, err, broker.NotFound)

	main := "main"
	p, err := s.CreatePacticipant(ctx, "Foo", broker.PacticipantUpdate{MainBranch: &main})
	require.NoError(t, err)
	assert.Equal(t, "Foo", p.Name)
	assert.Equal(t, "main", p.MainBranch)
	_, err = s.CreatePacticipant(ctx, "Foo", broker.PacticipantUpdate{})
	code(t, err, broker.Conflict)

	url := "https://git.example/foo"
	p, created, err := s.UpdatePacticipant(ctx, "Foo", broker.PacticipantUpdate{RepositoryURL: &url}, false)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, url, p.RepositoryURL)
	assert.Equal(t, "main", p.MainBranch, "PATCH keeps unspecified fields")

	_, _, err = s.UpdatePacticipant(ctx, "Bar", broker.PacticipantUpdate{}, false)
	code(t, err, broker.NotFound)
	_, created, err = s.UpdatePacticipant(ctx, "Bar", broker.PacticipantUpdate{RepositoryURL: &url}, true)
	require.NoError(t, err)
	assert.True(t, created)

	list, total, err := s.ListPacticipants(ctx, broker.Page{Number: 1, Size: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, total)
	require.Len(t, list, 1)
	assert.Equal(t, "Bar", list[0].Name)
	list, _, err = s.ListPacticipants(ctx, broker.Page{Number: 2, Size: 1})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Foo", list[0].Name)

	require.NoError(t, s.DeletePacticipant(ctx, "Bar"))
	code(t, s.DeletePacticipant(ctx, "Bar"), broker.NotFound)
}

func testPublishCreates(t *testing.T, s Store) {
	ctx := context.Background()
	res := Publish(t, s, "Foo", "1.0.0", "feat/x", "Bar", []string{"dev", "qa"}, "a")
	assert.True(t, res.VersionCreated)
	require.Len(t, res.Pacts, 1)
	assert.Equal(t, broker.PactCreated, res.Pacts[0].Outcome)
	assert.False(t, res.Pacts[0].ProviderHasVerifications)

	v, err := s.GetVersion(ctx, "Foo", "1.0.0")
	require.NoError(t, err)
	require.Len(t, v.Branches, 1)
	assert.Equal(t, "feat/x", v.Branches[0].Branch)
	assert.True(t, v.Branches[0].Latest)
	assert.ElementsMatch(t, []string{"dev", "qa"}, tagNames(v.Tags))

	_, err = s.GetPacticipant(ctx, "Bar")
	require.NoError(t, err, "the provider is created by publishing")

	res = Publish(t, s, "Foo", "1.0.0", "feat/x", "Bar", nil, "a")
	assert.False(t, res.VersionCreated)
	assert.Equal(t, broker.PactContentSame, res.Pacts[0].Outcome)

	_, err = s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Foo", Version: "2",
		Contracts: []broker.Contract{{ConsumerName: "Other", ProviderName: "Bar", Content: PactJSON("Other", "Bar", "a")}}})
	code(t, err, broker.Invalid)
	_, err = s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Foo", Version: "2",
		Contracts: []broker.Contract{{ConsumerName: "Foo", ProviderName: "Bar", Content: []byte("{not json")}}})
	code(t, err, broker.Invalid)
	_, err = s.GetVersion(ctx, "Foo", "2")
	code(t, err, broker.NotFound)
}

func tagNames(ts []broker.Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func testContentOncePerSHA(t *testing.T, s Store) {
	ctx := context.Background()
	r1 := Publish(t, s, "Foo", "1", "main", "Bar", nil, "a", "b")
	// Same interactions in another order: same content.
	r2 := Publish(t, s, "Foo", "2", "main", "Bar", nil, "b", "a")
	r3 := Publish(t, s, "Foo", "3", "main", "Bar", nil, "a", "c")
	assert.Equal(t, r1.Pacts[0].Pact.SHA, r2.Pacts[0].Pact.SHA)
	assert.NotEqual(t, r1.Pacts[0].Pact.SHA, r3.Pacts[0].Pact.SHA)

	p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar", SHA: r1.Pacts[0].Pact.SHA})
	require.NoError(t, err)
	assert.Equal(t, "2", p.ConsumerVersion, "by SHA resolves to the newest version with that content")
	doc, err := broker.ParsePact(p.Content)
	require.NoError(t, err)
	for _, it := range doc["interactions"].([]any) {
		assert.NotEmpty(t, it.(map[string]any)["_id"], "stored interactions carry an _id")
	}
	assert.Equal(t, r1.Pacts[0].Pact.SHA, doc.ContentSHA(), "the _ids do not change the SHA")
}

func testConflictAtomic(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Foo", "1", "main", "Bar", nil, "a")
	_, err := s.PublishContracts(ctx, broker.PublishRequest{
		Pacticipant: "Foo", Version: "1", Tags: []string{"prod"},
		Contracts: []broker.Contract{
			{ConsumerName: "Foo", ProviderName: "Baz", Content: PactJSON("Foo", "Baz", "z")},
			{ConsumerName: "Foo", ProviderName: "Bar", Content: PactJSON("Foo", "Bar", "changed")},
		},
	})
	code(t, err, broker.Conflict)
	assert.Contains(t, err.Error(), "Cannot change the content of the pact for Foo version 1 and provider Bar")

	_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Baz"})
	code(t, err, broker.NotFound)
	v, err := s.GetVersion(ctx, "Foo", "1")
	require.NoError(t, err)
	assert.Empty(t, v.Tags, "nothing of a refused publication is written")
	_, err = s.GetPacticipant(ctx, "Baz")
	code(t, err, broker.NotFound)
}

func testMerge(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Foo", "1", "", "Bar", nil, "a")
	res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Foo", Version: "1",
		Contracts: []broker.Contract{{ConsumerName: "Foo", ProviderName: "Bar", Content: PactJSON("Foo", "Bar", "b"), Merge: true}}})
	require.NoError(t, err)
	assert.Equal(t, broker.PactMerged, res.Pacts[0].Outcome)
	p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar", Version: "1"})
	require.NoError(t, err)
	doc, err := broker.ParsePact(p.Content)
	require.NoError(t, err)
	assert.Len(t, doc["interactions"], 2)
}

// testContentChanged pins the contract_content_changed rule: a change is
// new content, or the first pact for one of the version's tags (or the
// first untagged one), compared with the previous version's pact.
func testContentChanged(t *testing.T, s Store) {
	ctx := context.Background()
	steps := []struct {
		version      string
		tags         []string
		interactions []string
		changed      bool
		reason       string
	}{
		{"1", []string{"dev"}, []string{"a"}, true, "first time any pact published for this consumer with consumer version tagged dev"},
		{"2", []string{"dev"}, []string{"a"}, false, "pact content is the same as previous version with tag dev and no new tags were applied"},
		{"3", []string{"dev"}, []string{"b"}, true, "pact content has changed since the last consumer version tagged with dev"},
		{"4", []string{"dev", "prod"}, []string{"b"}, true, "first time any pact published for this consumer with consumer version tagged prod"},
		{"5", nil, []string{"b"}, true, "first time untagged pact published"},
		{"6", nil, []string{"b"}, false, "pact content is the same as the previous untagged version"},
		{"7", nil, []string{"c"}, true, "pact content has changed since previous untagged version"},
	}
	for _, st := range steps {
		res := Publish(t, s, "Foo", st.version, "", "Bar", st.tags, st.interactions...)
		assert.Equal(t, st.changed, res.Pacts[0].ContentChanged, "version %s", st.version)
		assert.Equal(t, st.reason, res.Pacts[0].ContentChangeReason, "version %s", st.version)
	}
	res := Publish(t, s, "Foo", "7", "", "Bar", nil, "c")
	assert.False(t, res.Pacts[0].ContentChanged, "republishing the same content for the same version")
	assert.Empty(t, res.Pacts[0].ContentChangeReason)

	res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Foo", Version: "7",
		Contracts: []broker.Contract{{ConsumerName: "Foo", ProviderName: "Bar", Content: PactJSON("Foo", "Bar", "d"), Merge: true}}})
	require.NoError(t, err)
	assert.True(t, res.Pacts[0].ContentChanged, "a merge that adds interactions")
	assert.Equal(t, "pact content modified since previous publication for Foo version 7", res.Pacts[0].ContentChangeReason)
}

func testNames(t *testing.T, s Store) {
	ctx := context.Background()
	for _, n := range []struct{ consumer, version, branch, tag, provider string }{
		{"Foo Service", "1.0.0+build.7", "feat/new thing", "v1.0", "Bar/API"},
		{"Zürich Café", "ä/ö", "fix/ü", "prod.eu", "Ωmega"},
	} {
		Publish(t, s, n.consumer, n.version, n.branch, n.provider, []string{n.tag}, "a")
		p, err := s.GetPact(ctx, broker.PactRef{Consumer: n.consumer, Provider: n.provider, Branch: n.branch})
		require.NoError(t, err)
		assert.Equal(t, n.version, p.ConsumerVersion)
		p, err = s.GetPact(ctx, broker.PactRef{Consumer: n.consumer, Provider: n.provider, Tag: n.tag})
		require.NoError(t, err)
		assert.Equal(t, n.version, p.ConsumerVersion)
		b, err := s.GetBranch(ctx, n.consumer, n.branch)
		require.NoError(t, err)
		assert.Equal(t, n.version, b.LatestVersion)
	}
}

func testGetPactVariants(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Foo", "1", "main", "Bar", []string{"prod"}, "a")
	Publish(t, s, "Foo", "2", "feat", "Bar", nil, "b")
	Publish(t, s, "Foo", "3", "main", "Bar", []string{"dev"}, "c")
	cases := []struct {
		name string
		ref  broker.PactRef
		want string
	}{
		{"latest", broker.PactRef{}, "3"},
		{"version", broker.PactRef{Version: "2"}, "2"},
		{"tag", broker.PactRef{Tag: "prod"}, "1"},
		{"branch", broker.PactRef{Branch: "feat"}, "2"},
		{"untagged", broker.PactRef{Untagged: true}, "2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.ref.Consumer, c.ref.Provider = "Foo", "Bar"
			p, err := s.GetPact(ctx, c.ref)
			require.NoError(t, err)
			assert.Equal(t, c.want, p.ConsumerVersion)
		})
	}
	_, err := s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar", Tag: "nope"})
	code(t, err, broker.NotFound)

	latest, err := s.LatestPacts(ctx)
	require.NoError(t, err)
	require.Len(t, latest, 1)
	assert.Equal(t, "3", latest[0].ConsumerVersion)

	ps, err := s.ProviderPacts(ctx, "Bar", broker.PactFilter{Latest: true, Tag: "prod"})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, "1", ps[0].ConsumerVersion)
	ps, err = s.ProviderPacts(ctx, "Bar", broker.PactFilter{MainBranch: true})
	require.NoError(t, err)
	assert.Len(t, ps, 2)
	ps, err = s.ProviderPacts(ctx, "Bar", broker.PactFilter{})
	require.NoError(t, err)
	assert.Len(t, ps, 3)
	vs, err := s.PactVersions(ctx, "Foo", "Bar")
	require.NoError(t, err)
	assert.Len(t, vs, 3)
}

// largePact is a pact of more than a MiB: n interactions named prefix-i.
func largePact(t *testing.T, prefix string, n int) []byte {
	t.Helper()
	d := make([]string, n)
	for i := range d {
		d[i] = fmt.Sprintf("%s-%05d: an interaction whose description is long enough", prefix, i)
	}
	b := PactJSON("Foo", "Bar", d...)
	require.Greater(t, len(b), 1<<20)
	return b
}

// testLargeContent: a content over a MiB (which the SQLite store looks up
// and indexes before its write transaction) is stored once per SHA with
// its field-usage index, published, put or merged.
func testLargeContent(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 8000
	a, b, c := largePact(t, "a", n), largePact(t, "b", n), largePact(t, "c", n)
	publish := func(version string, content []byte, merge bool) broker.PublishedPact {
		t.Helper()
		res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Foo", Version: version, Branch: "main",
			Contracts: []broker.Contract{{ConsumerName: "Foo", ProviderName: "Bar", Content: bytes.Clone(content), Merge: merge}}})
		require.NoError(t, err)
		require.Len(t, res.Pacts, 1)
		return res.Pacts[0]
	}
	indexed := func(version string) int {
		t.Helper()
		facts := usageFacts(t, s, "Bar", fieldusage.Filter{})
		require.Contains(t, facts, "Foo "+version)
		return len(facts["Foo "+version].Index.Interactions)
	}
	content := func(version string) broker.PactDocument {
		t.Helper()
		p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar", Version: version})
		require.NoError(t, err)
		doc, err := broker.ParsePact(p.Content)
		require.NoError(t, err)
		return doc
	}

	first := publish("1", a, false)
	assert.Equal(t, broker.PactCreated, first.Outcome)
	assert.Equal(t, n, indexed("1"))
	assert.Len(t, content("1")["interactions"], n)

	again := publish("2", a, false)
	assert.Equal(t, broker.PactCreated, again.Outcome)
	assert.Equal(t, first.Pact.SHA, again.Pact.SHA, "the content stored for version 1")
	assert.Equal(t, n, indexed("2"))

	p, created, err := s.PutPact(ctx, "Foo", "Bar", "3", bytes.Clone(a), false)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, first.Pact.SHA, p.SHA)
	assert.Equal(t, first.Pact.SHA, mustParse(t, p.Content).ContentSHA(), "PUT answers the stored content")

	p, created, err = s.PutPact(ctx, "Foo", "Bar", "4", bytes.Clone(b), false)
	require.NoError(t, err)
	assert.True(t, created)
	assert.NotEqual(t, first.Pact.SHA, p.SHA)
	assert.Len(t, content("4")["interactions"], n)

	// The index of a merge is the merged content's, not that of the
	// content sent.
	publish("5", a, false)
	merged := publish("5", c, true)
	assert.Equal(t, broker.PactMerged, merged.Outcome)
	assert.Len(t, content("5")["interactions"], 2*n)
	assert.Equal(t, 2*n, indexed("5"))
}

func mustParse(t *testing.T, content []byte) broker.PactDocument {
	t.Helper()
	doc, err := broker.ParsePact(content)
	require.NoError(t, err)
	return doc
}

func testPutPact(t *testing.T, s Store) {
	ctx := context.Background()
	_, created, err := s.PutPact(ctx, "Foo", "Bar", "1", PactJSON("Foo", "Bar", "a"), false)
	require.NoError(t, err)
	assert.True(t, created)
	_, created, err = s.PutPact(ctx, "Foo", "Bar", "1", PactJSON("Foo", "Bar", "a"), false)
	require.NoError(t, err)
	assert.False(t, created)
	_, _, err = s.PutPact(ctx, "Foo", "Bar", "1", PactJSON("Foo", "Bar", "b"), false)
	code(t, err, broker.Conflict)
	_, _, err = s.PutPact(ctx, "Foo", "Bar", "1", PactJSON("Foo", "Bar", "b"), true)
	require.NoError(t, err)
	_, _, err = s.PutPact(ctx, "Foo", "Baz", "1", PactJSON("Foo", "Bar", "b"), false)
	code(t, err, broker.Invalid)
	require.NoError(t, s.DeletePact(ctx, "Foo", "Bar", "1"))
	_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar"})
	code(t, err, broker.NotFound)
}

func testVerifications(t *testing.T, s Store) {
	ctx := context.Background()
	r1 := Publish(t, s, "Foo", "1", "main", "Bar", nil, "a")
	sha := r1.Pacts[0].Pact.SHA
	v, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Foo", Provider: "Bar", SHA: sha, ProviderVersion: "9", Success: true,
		TestResults: json.RawMessage(`[{"interactionId":"x","success":true}]`), VerifiedBy: json.RawMessage(`{"implementation":"Pact-Rust"}`)})
	require.NoError(t, err)
	assert.True(t, v.Success)
	assert.Equal(t, "9", v.ProviderVersion)
	_, err = s.GetVersion(ctx, "Bar", "9")
	require.NoError(t, err, "the provider version is created by the verification")

	got, err := s.GetVerification(ctx, "Foo", "Bar", sha, v.Number)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"interactionId":"x","success":true}]`, string(got.TestResults))

	// Same content for a new consumer version inherits the result.
	r2 := Publish(t, s, "Foo", "2", "main", "Bar", nil, "a")
	assert.True(t, r2.Pacts[0].ProviderHasVerifications)
	latest, err := s.LatestVerification(ctx, "Foo", "Bar", r2.Pacts[0].Pact.SHA)
	require.NoError(t, err)
	assert.Equal(t, v.Number, latest.Number)

	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Foo", Provider: "Bar", SHA: "nope", ProviderVersion: "9"})
	code(t, err, broker.NotFound)
	has, err := s.ProviderHasVerifications(ctx, "Bar")
	require.NoError(t, err)
	assert.True(t, has)
}

func seedSelectors(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "w1", "main", "API", []string{"prod"}, "w-a")
	Publish(t, s, "Web", "w2", "main", "API", nil, "w-b")
	Publish(t, s, "Web", "w3", "feat-x", "API", []string{"dev"}, "w-c")
	Publish(t, s, "Mobile", "m1", "master", "API", []string{"prod"}, "m-a")
	Publish(t, s, "Mobile", "m2", "feat-x", "API", nil, "m-b")
	Publish(t, s, "Other", "o1", "main", "Elsewhere", nil, "o")
	_, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
	require.NoError(t, err)
	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "test", UUID: "16926ef3-590f-4e3f-838e-719717aa88c9"})
	require.NoError(t, err)
	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "test"})
	code(t, err, broker.Conflict)
	envs, err := s.FindEnvironments(ctx, "")
	require.NoError(t, err)
	require.Len(t, envs, 2)
	assert.Equal(t, "production", envs[0].Name)
	assert.Equal(t, "16926ef3-590f-4e3f-838e-719717aa88c9", envs[1].UUID)
	Deploy(t, s, "Web", "w1", "production", "")
	Deploy(t, s, "Web", "w2", "test", "")
	Release(t, s, "Mobile", "m1", "production")
}

func versions(ps []verifiable.Selection) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ConsumerVersion)
	}
	return out
}

func testSelectors(t *testing.T, s Store) {
	seedSelectors(t, s)
	ctx := context.Background()
	yes, no := true, false
	cases := []struct {
		name string
		sel  verifiable.ConsumerVersionSelector
		want []string
	}{
		{"mainBranch", verifiable.ConsumerVersionSelector{MainBranch: true}, []string{"m1", "w2"}},
		{"mainBranch for one consumer", verifiable.ConsumerVersionSelector{MainBranch: true, Consumer: "Web"}, []string{"w2"}},
		{"branch", verifiable.ConsumerVersionSelector{Branch: "feat-x"}, []string{"m2", "w3"}},
		{"matchingBranch (provider branch filled in)", verifiable.ConsumerVersionSelector{MatchingBranch: true, Branch: "feat-x"}, []string{"m2", "w3"}},
		{"latest tag", verifiable.ConsumerVersionSelector{Tag: "prod", Latest: &yes}, []string{"m1", "w1"}},
		{"all with tag", verifiable.ConsumerVersionSelector{Tag: "prod", Latest: &no}, []string{"m1", "w1"}},
		{"latest overall", verifiable.ConsumerVersionSelector{Latest: &yes}, []string{"m2", "w3"}},
		{"deployed anywhere", verifiable.ConsumerVersionSelector{Deployed: true}, []string{"w1", "w2"}},
		{"deployed to test", verifiable.ConsumerVersionSelector{Deployed: true, Environment: "test"}, []string{"w2"}},
		{"released", verifiable.ConsumerVersionSelector{Released: true}, []string{"m1"}},
		{"environment alone", verifiable.ConsumerVersionSelector{Environment: "production"}, []string{"w1", "m1"}},
		{"unknown branch", verifiable.ConsumerVersionSelector{Branch: "nope"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.SelectPacts(ctx, "API", c.sel)
			require.NoError(t, err)
			assert.ElementsMatch(t, c.want, versions(got))
		})
	}
	got, err := s.SelectPacts(ctx, "No Such Provider", verifiable.ConsumerVersionSelector{MainBranch: true})
	require.NoError(t, err)
	assert.Empty(t, got)

	// Deploying another version to the same environment replaces it.
	Deploy(t, s, "Web", "w3", "production", "")
	got, err = s.SelectPacts(ctx, "API", verifiable.ConsumerVersionSelector{Deployed: true, Environment: "production"})
	require.NoError(t, err)
	assert.Equal(t, []string{"w3"}, versions(got))
	assert.Equal(t, "production", got[0].Environment)
	_, _, err = s.DeployVersion(ctx, "Web", "w3", "no-such-environment", "")
	code(t, err, broker.NotFound)
}

func testPendingWIP(t *testing.T, s Store) {
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	main := Publish(t, s, "Web", "w1", "main", "API", nil, "a").Pacts[0].Pact.SHA
	yes := true
	q := verifiable.Query{Selectors: []verifiable.ConsumerVersionSelector{{MainBranch: true}}, ProviderBranch: "main", IncludePending: true, WIPSince: &start}

	got, err := verifiable.Find(ctx, s, "API", q)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].Pending, "never verified: pending")

	// Verified by the provider's main branch: no longer pending.
	_, _, err = s.AddBranchVersion(ctx, "API", "main", "p1")
	require.NoError(t, err)
	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "API", SHA: main, ProviderVersion: "p1", Success: true})
	require.NoError(t, err)
	got, err = verifiable.Find(ctx, s, "API", q)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.False(t, got[0].Pending)

	// A feature branch of the consumer publishes new content: WIP.
	feat := Publish(t, s, "Web", "w2", "feat-y", "API", nil, "a", "new").Pacts[0].Pact.SHA
	got, err = verifiable.Find(ctx, s, "API", q)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, feat, got[1].SHA)
	assert.True(t, got[1].WIP)
	assert.True(t, got[1].Pending)
	assert.Equal(t, "latest from branch feat-y", got[1].ShortDescription())

	// Successfully verified by provider main (not as WIP): no longer WIP.
	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "API", SHA: feat, ProviderVersion: "p1", Success: true})
	require.NoError(t, err)
	got, err = verifiable.Find(ctx, s, "API", q)
	require.NoError(t, err)
	assert.Len(t, got, 1)

	// A new provider branch created after main verified inherits nothing.
	_, _, err = s.AddBranchVersion(ctx, "API", "feat-z", "p2")
	require.NoError(t, err)
	q2 := q
	q2.ProviderBranch = "feat-z"
	q2.Selectors = []verifiable.ConsumerVersionSelector{{Latest: &yes, Consumer: "Web"}}
	got, err = verifiable.Find(ctx, s, "API", q2)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.False(t, got[0].Pending, "verified by main before feat-z was created: not pending")
}

func testDefaultSelectors(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "w1", "main", "API", nil, "a")
	Publish(t, s, "Web", "w2", "feat", "API", nil, "b")
	Publish(t, s, "Cli", "c1", "", "API", nil, "c")
	got, err := verifiable.Find(ctx, s, "API", verifiable.Query{})
	require.NoError(t, err)
	var desc []string
	for _, p := range got {
		desc = append(desc, fmt.Sprintf("%s %s %s", p.Consumer, p.Selections[0].ConsumerVersion, p.ShortDescription()))
	}
	assert.Equal(t, []string{"Cli c1 latest", "Web w1 latest from main branch"}, desc)
}

func testMainBranchDetect(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "1", "feat", "API", nil, "a")
	p, err := s.GetPacticipant(ctx, "Web")
	require.NoError(t, err)
	assert.Empty(t, p.MainBranch)
	Publish(t, s, "Web", "2", "master", "API", nil, "a")
	Publish(t, s, "Web", "3", "main", "API", nil, "a")
	p, err = s.GetPacticipant(ctx, "Web")
	require.NoError(t, err)
	assert.Equal(t, "master", p.MainBranch, "the first candidate used wins")
	_, _, err = s.AddTag(ctx, "Tagger", "1", "develop")
	require.NoError(t, err)
	p, err = s.GetPacticipant(ctx, "Tagger")
	require.NoError(t, err)
	assert.Equal(t, "develop", p.MainBranch)
}

func testTagsBranches(t *testing.T, s Store) {
	ctx := context.Background()
	_, created, err := s.AddTag(ctx, "Condor", "1.3.0", "prod")
	require.NoError(t, err)
	assert.True(t, created)
	_, created, err = s.AddTag(ctx, "Condor", "1.3.0", "prod")
	require.NoError(t, err)
	assert.False(t, created)
	v, err := s.LatestVersion(ctx, "Condor", "prod")
	require.NoError(t, err)
	assert.Equal(t, "1.3.0", v.Number)
	require.NoError(t, s.DeleteTag(ctx, "Condor", "1.3.0", "prod"))
	_, err = s.GetTag(ctx, "Condor", "1.3.0", "prod")
	code(t, err, broker.NotFound)

	_, created, err = s.AddBranchVersion(ctx, "Condor", "feat/a", "1")
	require.NoError(t, err)
	assert.True(t, created)
	_, created, err = s.AddBranchVersion(ctx, "Condor", "feat/a", "1")
	require.NoError(t, err)
	assert.False(t, created)
	_, _, err = s.AddBranchVersion(ctx, "Condor", "feat/a", "2")
	require.NoError(t, err)
	lv, err := s.LatestBranchVersion(ctx, "Condor", "feat/a")
	require.NoError(t, err)
	assert.Equal(t, "2", lv.Number)
	bs, err := s.ListBranches(ctx, "Condor")
	require.NoError(t, err)
	require.Len(t, bs, 1)
	require.NoError(t, s.DeleteBranch(ctx, "Condor", "feat/a"))
	_, err = s.GetVersion(ctx, "Condor", "2")
	require.NoError(t, err, "deleting a branch keeps its versions")
	code(t, s.DeleteBranch(ctx, "Condor", "feat/a"), broker.NotFound)

	b := "https://ci/1"
	v, created, err = s.PutVersion(ctx, "Condor", "5", broker.VersionUpdate{BuildURL: &b})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, b, v.BuildURL)
	vs, total, err := s.ListVersions(ctx, "Condor", broker.Page{})
	require.NoError(t, err)
	assert.Equal(t, 4, total)
	assert.Equal(t, "5", vs[0].Number, "newest first")
	require.NoError(t, s.DeleteVersion(ctx, "Condor", "5"))
	code(t, s.DeleteVersion(ctx, "Condor", "5"), broker.NotFound)
}

func testDeleteCascades(t *testing.T, s Store) {
	ctx := context.Background()
	r := Publish(t, s, "Foo", "1", "main", "Bar", []string{"t"}, "a")
	_, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Foo", Provider: "Bar", SHA: r.Pacts[0].Pact.SHA, ProviderVersion: "1", Success: true})
	require.NoError(t, err)
	require.NoError(t, s.DeletePacticipant(ctx, "Foo"))
	_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar"})
	code(t, err, broker.NotFound)
	latest, err := s.LatestPacts(ctx)
	require.NoError(t, err)
	assert.Empty(t, latest)
	has, err := s.ProviderHasVerifications(ctx, "Bar")
	require.NoError(t, err)
	assert.False(t, has)
}

func testDeleteVerification(t *testing.T, s Store) {
	ctx := context.Background()
	sha := Publish(t, s, "Foo", "1", "main", "Bar", nil, "a").Pacts[0].Pact.SHA
	record := func(provider string, success bool) broker.Verification {
		v, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Foo", Provider: "Bar", SHA: sha, ProviderVersion: provider, Success: success})
		require.NoError(t, err)
		return v
	}
	first, second := record("1", true), record("2", false)

	require.NoError(t, s.DeleteVerification(ctx, "Foo", "Bar", sha, second.Number))
	_, err := s.GetVerification(ctx, "Foo", "Bar", sha, second.Number)
	code(t, err, broker.NotFound)
	code(t, s.DeleteVerification(ctx, "Foo", "Bar", sha, second.Number), broker.NotFound)
	latest, err := s.LatestVerification(ctx, "Foo", "Bar", sha)
	require.NoError(t, err)
	assert.Equal(t, first.Number, latest.Number, "the one before is the latest again")
	_, err = s.GetVersion(ctx, "Bar", "2")
	require.NoError(t, err, "the provider version stays")
	code(t, s.DeleteVerification(ctx, "Foo", "Other", sha, first.Number), broker.NotFound)
	code(t, s.DeleteVerification(ctx, "Foo", "Bar", "no-such-sha", first.Number), broker.NotFound)

	// Content kept for its result alone goes with the result.
	require.NoError(t, s.DeletePact(ctx, "Foo", "Bar", "1"))
	require.NoError(t, s.DeleteVerification(ctx, "Foo", "Bar", sha, first.Number))
	has, err := s.ProviderHasVerifications(ctx, "Bar")
	require.NoError(t, err)
	assert.False(t, has)
}

func testDeleteBranchVersion(t *testing.T, s Store) {
	ctx := context.Background()
	for _, n := range []string{"1", "2"} {
		_, _, err := s.AddBranchVersion(ctx, "Condor", "feat/a", n)
		require.NoError(t, err)
	}
	require.NoError(t, s.DeleteBranchVersion(ctx, "Condor", "feat/a", "2"))
	code(t, s.DeleteBranchVersion(ctx, "Condor", "feat/a", "2"), broker.NotFound)
	lv, err := s.LatestBranchVersion(ctx, "Condor", "feat/a")
	require.NoError(t, err)
	assert.Equal(t, "1", lv.Number, "the branch's head is the newest version left on it")
	v, err := s.GetVersion(ctx, "Condor", "2")
	require.NoError(t, err, "the version stays")
	assert.Empty(t, v.Branches)

	require.NoError(t, s.DeleteBranchVersion(ctx, "Condor", "feat/a", "1"))
	b, err := s.GetBranch(ctx, "Condor", "feat/a")
	require.NoError(t, err, "the branch stays, as in the Ruby broker")
	assert.Empty(t, b.LatestVersion)
	code(t, s.DeleteBranchVersion(ctx, "Condor", "no-branch", "1"), broker.NotFound)
	code(t, s.DeleteBranchVersion(ctx, "Nobody", "feat/a", "1"), broker.NotFound)
}

func testFallbacks(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "w1", "main", "API", []string{"main"}, "a")
	Publish(t, s, "Web", "w2", "feat-a", "API", []string{"feat-a"}, "b")
	yes := true
	cases := []struct {
		name     string
		sel      verifiable.ConsumerVersionSelector
		version  string
		fallback bool
		desc     string
	}{
		{"branch found", verifiable.ConsumerVersionSelector{Branch: "feat-a", FallbackBranch: "main"}, "w2", false, "latest from branch feat-a"},
		{"branch missing, fallback used", verifiable.ConsumerVersionSelector{Branch: "feat-b", FallbackBranch: "main"}, "w1", true, "latest from branch main"},
		{"tag found", verifiable.ConsumerVersionSelector{Tag: "feat-a", FallbackTag: "main", Latest: &yes}, "w2", false, "latest with tag feat-a"},
		{"tag missing, fallback used", verifiable.ConsumerVersionSelector{Tag: "feat-b", FallbackTag: "main", Latest: &yes}, "w1", true, "latest with tag main"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := verifiable.Find(ctx, s, "API", verifiable.Query{Selectors: []verifiable.ConsumerVersionSelector{c.sel}})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, c.version, got[0].Selections[0].ConsumerVersion)
			assert.Equal(t, c.fallback, got[0].Selections[0].Fallback)
			assert.Equal(t, c.desc, got[0].ShortDescription())
		})
	}
}

// testConcurrentPublishes races publications the way CI pipelines do: new
// pacticipants and contents created by many requests at once must all
// succeed, and racing different contents for one version must leave
// exactly one winner and Conflicts for the rest.
func testConcurrentPublishes(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 8
	errs := make(chan error, 3*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Racer", Version: fmt.Sprintf("v%d", i), Branch: "main",
				Contracts: []broker.Contract{{ConsumerName: "Racer", ProviderName: "Track", Content: PactJSON("Racer", "Track", "same")}}})
			errs <- err
		})
		wg.Go(func() {
			_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Racer", Version: "shared", Branch: "main",
				Contracts: []broker.Contract{{ConsumerName: "Racer", ProviderName: "Track", Content: PactJSON("Racer", "Track", "same")}}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	vs, total, err := s.ListVersions(ctx, "Racer", broker.Page{})
	require.NoError(t, err)
	assert.Equal(t, n+1, total)
	assert.Len(t, vs, n+1)

	results := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Racer", Version: "contested",
				Contracts: []broker.Contract{{ConsumerName: "Racer", ProviderName: "Track", Content: PactJSON("Racer", "Track", fmt.Sprintf("variant %d", i))}}})
			results <- err
		})
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		if err == nil {
			won++
			continue
		}
		assert.Equal(t, broker.Conflict, broker.ErrorCode(err), "a lost race is a Conflict, not %v", err)
	}
	assert.Equal(t, 1, won)
}
