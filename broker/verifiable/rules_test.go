package verifiable_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/verifiable"
)

var (
	yes = true
	no  = false
)

func TestSelectorKinds(t *testing.T) {
	cases := []struct {
		name string
		sel  verifiable.ConsumerVersionSelector
		want verifiable.SelectorKind
	}{
		{"main branch", verifiable.ConsumerVersionSelector{MainBranch: true}, verifiable.KindMainBranch},
		{"matching branch", verifiable.ConsumerVersionSelector{MatchingBranch: true}, verifiable.KindMatchingBranch},
		{"branch", verifiable.ConsumerVersionSelector{Branch: "feat"}, verifiable.KindBranch},
		{"latest for tag", verifiable.ConsumerVersionSelector{Tag: "prod", Latest: &yes}, verifiable.KindLatestTag},
		{"all for tag", verifiable.ConsumerVersionSelector{Tag: "prod"}, verifiable.KindAllTag},
		{"all for tag, latest=false", verifiable.ConsumerVersionSelector{Tag: "prod", Latest: &no}, verifiable.KindAllTag},
		{"deployed", verifiable.ConsumerVersionSelector{Deployed: true}, verifiable.KindDeployed},
		{"released", verifiable.ConsumerVersionSelector{Released: true, Environment: "prod"}, verifiable.KindReleased},
		{"deployed or released", verifiable.ConsumerVersionSelector{DeployedOrReleased: true}, verifiable.KindDeployedOrReleased},
		{"environment", verifiable.ConsumerVersionSelector{Environment: "prod"}, verifiable.KindEnvironment},
		{"latest", verifiable.ConsumerVersionSelector{Latest: &yes}, verifiable.KindLatest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, c.sel.Kind()) })
	}
}

func TestSelectorValidation(t *testing.T) {
	cases := []struct {
		name    string
		sel     verifiable.ConsumerVersionSelector
		branch  string
		wantErr string
	}{
		{"main branch", verifiable.ConsumerVersionSelector{MainBranch: true}, "", ""},
		{"main branch with consumer", verifiable.ConsumerVersionSelector{MainBranch: true, Consumer: "Foo"}, "", ""},
		{"empty selector", verifiable.ConsumerVersionSelector{Consumer: "Foo"}, "", "must specify a value for environment or tag or branch"},
		{"tag with deployed", verifiable.ConsumerVersionSelector{Tag: "x", Deployed: true}, "", "cannot specify the field(s) tag with the field(s) deployed"},
		{"tag and branch", verifiable.ConsumerVersionSelector{Tag: "x", Branch: "y"}, "", "cannot specify both a tag and a branch"},
		{"main branch with latest", verifiable.ConsumerVersionSelector{MainBranch: true, Latest: &yes}, "", "mainBranch selector can only be combined with consumer"},
		{"matching branch without provider branch", verifiable.ConsumerVersionSelector{MatchingBranch: true}, "", "providerVersionBranch must be specified"},
		{"matching branch with provider branch", verifiable.ConsumerVersionSelector{MatchingBranch: true}, "main", ""},
		{"branch with latest=false", verifiable.ConsumerVersionSelector{Branch: "x", Latest: &no}, "", "cannot specify a branch with latest=false"},
		{"fallback branch alone", verifiable.ConsumerVersionSelector{FallbackBranch: "x", Latest: &yes}, "", "fallbackBranch can only be set with branch"},
		{"fallback tag without latest", verifiable.ConsumerVersionSelector{Tag: "x", FallbackTag: "y"}, "", "fallbackTag can only be set if tag is set and latest is true"},
		{"fallback tag with latest", verifiable.ConsumerVersionSelector{Tag: "x", FallbackTag: "y", Latest: &yes}, "", ""},
		{"deployed and released", verifiable.ConsumerVersionSelector{Deployed: true, Released: true}, "", "cannot specify more than one"},
		{"environment with deployed", verifiable.ConsumerVersionSelector{Deployed: true, Environment: "prod"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := verifiable.Query{Selectors: []verifiable.ConsumerVersionSelector{{MainBranch: true}, c.sel}, ProviderBranch: c.branch}.Validate()
			if c.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, broker.Invalid, broker.ErrorCode(err))
			assert.Contains(t, err.Error(), c.wantErr)
			assert.Contains(t, err.Error(), "(at index 1)")
		})
	}
}

func TestExpandSplitsDeployedOrReleased(t *testing.T) {
	got := verifiable.Expand([]verifiable.ConsumerVersionSelector{{MainBranch: true}, {DeployedOrReleased: true, Environment: "prod"}})
	assert.Equal(t, []verifiable.ConsumerVersionSelector{{MainBranch: true}, {Deployed: true, Environment: "prod"}, {Released: true, Environment: "prod"}}, got)
}

func TestDefaultSelectors(t *testing.T) {
	cases := []struct {
		name string
		in   verifiable.ConsumerMainline
		want verifiable.ConsumerVersionSelector
	}{
		{"main branch with versions", verifiable.ConsumerMainline{Consumer: "A", MainBranch: "main", HasMainBranchVersions: true, HasMainBranchTag: true}, verifiable.ConsumerVersionSelector{MainBranch: true, Consumer: "A"}},
		{"only a tag named like the main branch", verifiable.ConsumerMainline{Consumer: "B", MainBranch: "master", HasMainBranchTag: true}, verifiable.ConsumerVersionSelector{Tag: "master", Latest: &yes, Consumer: "B"}},
		{"no main branch", verifiable.ConsumerMainline{Consumer: "C"}, verifiable.ConsumerVersionSelector{Latest: &yes, Consumer: "C"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := verifiable.DefaultSelectors([]verifiable.ConsumerMainline{c.in})
			assert.Equal(t, []verifiable.ConsumerVersionSelector{c.want, {Deployed: true}, {Released: true}}, got)
		})
	}
}

func TestDedupeMergesSameContent(t *testing.T) {
	main := verifiable.ConsumerVersionSelector{MainBranch: true}
	dep := verifiable.ConsumerVersionSelector{Deployed: true}
	got := verifiable.Dedupe("API", []verifiable.Selection{
		{Consumer: "Web", ConsumerVersion: "2", ConsumerVersionID: 2, SHA: "s1", Selector: main, Branch: "main"},
		{Consumer: "Mobile", ConsumerVersion: "m", ConsumerVersionID: 9, SHA: "s1", Selector: main, Branch: "main"},
		{Consumer: "Web", ConsumerVersion: "1", ConsumerVersionID: 1, SHA: "s1", Selector: dep, Environment: "prod"},
		{Consumer: "Web", ConsumerVersion: "0", ConsumerVersionID: 0, SHA: "s0", Selector: dep, Environment: "test"},
		{Consumer: "Web", ConsumerVersion: "2", ConsumerVersionID: 2, SHA: "s1", Selector: main, Branch: "main"},
	})
	require.Len(t, got, 3, "same content from the same consumer is verified once; other consumers stay separate")
	assert.Equal(t, "Mobile", got[0].Consumer)
	assert.Equal(t, "Web", got[1].Consumer)
	assert.Len(t, got[1].Selections, 2, "an exact duplicate selection is dropped")
	assert.Equal(t, "latest from main branch, deployed to prod", got[1].ShortDescription())
	assert.Equal(t, "deployed to test", got[2].ShortDescription())
}

func TestPending(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * time.Hour) }
	atp := func(d int) *time.Time { x := at(d); return &x }
	ok := func(branch string, when int) verifiable.PriorVerification {
		return verifiable.PriorVerification{Success: true, ProviderBranches: []string{branch}, CreatedAt: at(when)}
	}
	cases := []struct {
		name     string
		facts    []verifiable.PriorVerification
		pc       verifiable.PendingContext
		countWIP bool
		want     bool
	}{
		{"never verified, branch", nil, verifiable.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, true},
		{"verified by same branch", []verifiable.PriorVerification{ok("main", 5)}, verifiable.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, false},
		{"failed verification by same branch", []verifiable.PriorVerification{{Success: false, ProviderBranches: []string{"main"}, CreatedAt: at(5)}}, verifiable.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, true},
		{"verified by other branch before this branch existed", []verifiable.PriorVerification{ok("main", 1)}, verifiable.PendingContext{ProviderBranch: "feat", BranchCreatedAt: atp(3)}, true, false},
		{"verified by other branch after this branch existed", []verifiable.PriorVerification{ok("main", 5)}, verifiable.PendingContext{ProviderBranch: "feat", BranchCreatedAt: atp(3)}, true, true},
		{"branch not created yet inherits everything", []verifiable.PriorVerification{ok("main", 5)}, verifiable.PendingContext{ProviderBranch: "new"}, true, false},
		{"WIP verification ignored for WIP", []verifiable.PriorVerification{{Success: true, WIP: true, ProviderBranches: []string{"main"}, CreatedAt: at(5)}}, verifiable.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, false, true},
		{"no branch or tags, never verified", nil, verifiable.PendingContext{}, true, true},
		{"no branch or tags, verified by anyone", []verifiable.PriorVerification{ok("x", 1)}, verifiable.PendingContext{}, true, false},
		{"tags: one tag unverified", []verifiable.PriorVerification{{Success: true, ProviderTags: []string{"dev"}, CreatedAt: at(5)}},
			verifiable.PendingContext{ProviderTags: []string{"dev", "prod"}, TagFirstUsedAt: map[string]time.Time{"dev": at(0), "prod": at(1)}}, true, true},
		{"tags: all verified", []verifiable.PriorVerification{{Success: true, ProviderTags: []string{"dev", "prod"}, CreatedAt: at(5)}},
			verifiable.PendingContext{ProviderTags: []string{"dev", "prod"}, TagFirstUsedAt: map[string]time.Time{"dev": at(0), "prod": at(1)}}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, verifiable.IsPending(c.facts, c.pc, c.countWIP)) })
	}
}

func TestSelectWIP(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pc := verifiable.PendingContext{ProviderBranch: "main", BranchCreatedAt: &t0}
	cands := []verifiable.Selection{
		{Consumer: "Web", ConsumerVersion: "3", SHA: "feat", Branch: "feat-x"},
		{Consumer: "Web", ConsumerVersion: "2", SHA: "main", Branch: "main"},
		{Consumer: "Web", ConsumerVersion: "4", SHA: "verified", Branch: "feat-y"},
		{Consumer: "Web", ConsumerVersion: "5", SHA: "wipverified", Tag: "dev"},
	}
	explicit := []verifiable.Pact{{Consumer: "Web", SHA: "main"}}
	facts := map[string][]verifiable.PriorVerification{
		"verified":    {{Success: true, ProviderBranches: []string{"main"}, CreatedAt: t0.Add(time.Hour)}},
		"wipverified": {{Success: true, WIP: true, ProviderBranches: []string{"main"}, CreatedAt: t0.Add(time.Hour)}},
	}
	got := verifiable.SelectWIP("API", cands, explicit, facts, pc)
	require.Len(t, got, 2)
	assert.Equal(t, "feat", got[0].SHA)
	assert.True(t, got[0].WIP && got[0].Pending)
	assert.Equal(t, "wipverified", got[1].SHA, "a WIP verification does not end WIP")
	assert.Equal(t, "latest with tag dev", got[1].ShortDescription())

	assert.Empty(t, verifiable.SelectWIP("API", cands, nil, nil, verifiable.PendingContext{}), "no WIP without provider branch or tags")
}

func TestMetadataRoundTrip(t *testing.T) {
	v := verifiable.Pact{PendingCalculated: true, Pending: true, Selections: []verifiable.Selection{{Selector: verifiable.ConsumerVersionSelector{Tag: "prod", Latest: &yes}, Tag: "prod", ConsumerVersionID: 10}}}
	m := v.Metadata()
	assert.NotContains(t, m, "=")
	assert.Equal(t, verifiable.Metadata{Pending: true, ConsumerVersionIDs: []int64{10}}, verifiable.ParseMetadata(m))
	wip := verifiable.Pact{WIP: true, Selections: v.Selections}.Metadata()
	assert.Equal(t, verifiable.Metadata{WIP: true, Pending: true}, verifiable.ParseMetadata(wip))
	// The Ruby broker's own encoding of s[][t]=prod&s[][l]=true&s[][cv]=10:
	// byte for byte what Metadata writes without pending status.
	ruby := "cyU1QiU1RCU1QnQlNUQ9cHJvZCZzJTVCJTVEJTVCbCU1RD10cnVlJnMlNUIlNUQlNUJjdiU1RD0xMA"
	assert.Equal(t, verifiable.Metadata{ConsumerVersionIDs: []int64{10}}, verifiable.ParseMetadata(ruby))
	v.PendingCalculated = false
	assert.Equal(t, ruby, v.Metadata())
	assert.Equal(t, verifiable.Metadata{}, verifiable.ParseMetadata("!!not base64"))
}

func TestMetadataConsumerVersions(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := map[string][]int64{
		enc("s%5B%5D%5Bb%5D=main&s%5B%5D%5Bcv%5D=5&s%5B%5D%5Bt%5D=dev&s%5B%5D%5Bcv%5D=7&s%5B%5D%5Bcv%5D=5&p=true"): {5, 7},
		enc("w=true"):  nil,
		"":             nil,
		"!!not-base64": nil,
	}
	for seg, want := range cases {
		assert.Equal(t, want, verifiable.ParseMetadata(seg).ConsumerVersionIDs, seg)
	}
}
