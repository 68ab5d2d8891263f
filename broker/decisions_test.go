package broker_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
)

// The write path's decisions, without a database.

func TestDecidePublication(t *testing.T) {
	cases := []struct {
		name  string
		prior *broker.PriorPublication
		sha   string
		merge bool
		want  broker.PactOutcome
		code  broker.Code // set when refused
	}{
		{"first pact of the version", nil, "a", false, broker.PactCreated, ""},
		{"first pact, merge asked", nil, "a", true, broker.PactCreated, ""},
		{"same content again", &broker.PriorPublication{SHA: "a"}, "a", false, broker.PactContentSame, ""},
		{"same content, merge asked", &broker.PriorPublication{SHA: "a"}, "a", true, broker.PactContentSame, ""},
		{"other content, merge asked", &broker.PriorPublication{SHA: "a"}, "b", true, broker.PactMerged, ""},
		{"other content for a published version", &broker.PriorPublication{SHA: "a"}, "b", false, "", broker.Conflict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := broker.DecidePublication("Web", "1", "Orders", c.prior, c.sha, c.merge)
			if c.code != "" {
				require.Error(t, err)
				assert.Equal(t, c.code, broker.ErrorCode(err))
				assert.Contains(t, err.Error(), "Web version 1 and provider Orders", "the refusal names the pact")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION: changed content
// replaces the published pact; everything else decides as before.
func TestPublicationRulesAllowContentChange(t *testing.T) {
	allow := broker.PublicationRules{AllowContentChange: true}
	for _, c := range []struct {
		prior *broker.PriorPublication
		sha   string
		merge bool
		want  broker.PactOutcome
	}{
		{nil, "a", false, broker.PactCreated},
		{&broker.PriorPublication{SHA: "a"}, "a", false, broker.PactContentSame},
		{&broker.PriorPublication{SHA: "a"}, "b", true, broker.PactMerged},
		{&broker.PriorPublication{SHA: "a"}, "b", false, broker.PactOverwritten},
	} {
		got, err := allow.Decide("Web", "1", "Orders", c.prior, c.sha, c.merge)
		require.NoError(t, err)
		assert.Equal(t, c.want, got)
	}
	changed, _ := broker.ContentChange(broker.ContentChangeFacts{Outcome: broker.PactOverwritten})
	assert.True(t, changed, "an overwrite changes the content: contract_content_changed fires")
}

func TestMergePublication(t *testing.T) {
	prior := mustParse(t, `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"get","request":{"method":"GET","path":"/"},"response":{"status":200}}]}`)
	priorSHA := prior.ContentSHA()
	added := mustParse(t, `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"list","request":{"method":"GET","path":"/all"},"response":{"status":200}}]}`)
	merged, outcome, err := broker.MergePublication(broker.PriorPublication{SHA: priorSHA, Content: prior}, added)
	require.NoError(t, err)
	assert.Equal(t, broker.PactMerged, outcome)
	assert.NotEqual(t, priorSHA, merged.ContentSHA())

	again := mustParse(t, string(merged.WithIDs()))
	_, outcome, err = broker.MergePublication(broker.PriorPublication{SHA: merged.ContentSHA(), Content: again}, added)
	require.NoError(t, err)
	assert.Equal(t, broker.PactContentSame, outcome, "merging what is there already changes nothing")
}

func mustParse(t *testing.T, s string) broker.PactDocument {
	t.Helper()
	d, err := broker.ParsePact([]byte(s))
	require.NoError(t, err)
	return d
}

func TestContentChange(t *testing.T) {
	pact := broker.Pact{Consumer: "Web", Provider: "Orders", ConsumerVersion: "2"}
	none := broker.EarlierPact{}
	same := broker.EarlierPact{Found: true, SameContent: true}
	other := broker.EarlierPact{Found: true}
	cases := []struct {
		name    string
		outcome broker.PactOutcome
		tags    []string
		earlier map[string]broker.EarlierPact
		changed bool
		why     string
	}{
		{"merged", broker.PactMerged, nil, nil, true, "pact content modified since previous publication for Web version 2"},
		{"republished", broker.PactContentSame, nil, nil, false, ""},
		{"first untagged", broker.PactCreated, nil, map[string]broker.EarlierPact{"": none}, true, "first time untagged pact published"},
		{"untagged, changed", broker.PactCreated, nil, map[string]broker.EarlierPact{"": other}, true, "pact content has changed since previous untagged version"},
		{"untagged, same", broker.PactCreated, nil, map[string]broker.EarlierPact{"": same}, false, "pact content is the same as the previous untagged version"},
		{"first with a tag", broker.PactCreated, []string{"prod"}, map[string]broker.EarlierPact{"prod": none}, true,
			"first time any pact published for this consumer with consumer version tagged prod"},
		{"changed since a tag", broker.PactCreated, []string{"dev", "prod"}, map[string]broker.EarlierPact{"dev": same, "prod": other}, true,
			"pact content has changed since the last consumer version tagged with prod"},
		{"several reasons", broker.PactCreated, []string{"dev", "prod"}, map[string]broker.EarlierPact{"dev": none, "prod": other}, true,
			"first time any pact published for this consumer with consumer version tagged dev, pact content has changed since the last consumer version tagged with prod"},
		{"same as one tag", broker.PactCreated, []string{"prod"}, map[string]broker.EarlierPact{"prod": same}, false,
			"pact content is the same as previous version with tag prod and no new tags were applied"},
		{"same as several tags", broker.PactCreated, []string{"dev", "prod"}, map[string]broker.EarlierPact{"dev": same, "prod": same}, false,
			"pact content is the same as previous versions with tags dev, prod and no new tags were applied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			changed, why := broker.ContentChange(broker.ContentChangeFacts{Pact: pact, Outcome: c.outcome, Tags: c.tags, Earlier: c.earlier})
			assert.Equal(t, c.changed, changed)
			assert.Equal(t, c.why, why)
		})
	}
}

func TestRequiredVerifications(t *testing.T) {
	main := &broker.VersionRef{ID: 1, Number: "p1", Branch: "main"}
	p2 := broker.VersionRef{ID: 2, Number: "p2", Branch: "release"}
	in := func(v broker.VersionRef, env string) broker.EnvironmentVersion {
		return broker.EnvironmentVersion{Version: v, Environment: env}
	}
	type want struct {
		number string
		why    []string
	}
	cases := []struct {
		name string
		f    broker.RequiredVerificationFacts
		want []want
	}{
		{"nothing known", broker.RequiredVerificationFacts{}, nil},
		{"the main branch head", broker.RequiredVerificationFacts{MainBranchHead: main}, []want{{"p1", []string{"latest from main branch"}}}},
		{"deployed and released, once each with every reason",
			broker.RequiredVerificationFacts{MainBranchHead: main, Deployed: []broker.EnvironmentVersion{in(p2, "production"), in(*main, "test"), in(p2, "production")},
				Released: []broker.EnvironmentVersion{in(p2, "mobile")}},
			[]want{{"p1", []string{"latest from main branch", "deployed in test"}}, {"p2", []string{"deployed in production", "released in mobile"}}}},
		{"versions that verified are left out",
			broker.RequiredVerificationFacts{MainBranchHead: main, Deployed: []broker.EnvironmentVersion{in(p2, "production")}, Verified: map[int64]bool{1: true}},
			[]want{{"p2", []string{"deployed in production"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []want
			for _, r := range broker.RequiredVerifications(c.f) {
				got = append(got, want{r.Version.Number, r.Descriptions})
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestDecideDeployment(t *testing.T) {
	cases := []struct {
		name    string
		current []string
		version string
		want    broker.DeploymentDecision
	}{
		{"empty slot", nil, "2", broker.DeploymentDecision{Keep: -1}},
		{"another version is replaced", []string{"1"}, "2", broker.DeploymentDecision{Keep: -1, End: []int{0}}},
		{"the same version keeps its record", []string{"2"}, "2", broker.DeploymentDecision{Keep: 0}},
		{"every other version in the slot ends", []string{"1", "3"}, "2", broker.DeploymentDecision{Keep: -1, End: []int{0, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, broker.DecideDeployment(c.current, c.version))
		})
	}
}
