package broker_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
)

var (
	yes = true
	no  = false
)

func TestSelectorKinds(t *testing.T) {
	cases := []struct {
		name string
		sel  broker.Selector
		want broker.SelectorKind
	}{
		{"main branch", broker.Selector{MainBranch: true}, broker.KindMainBranch},
		{"matching branch", broker.Selector{MatchingBranch: true}, broker.KindMatchingBranch},
		{"branch", broker.Selector{Branch: "feat"}, broker.KindBranch},
		{"latest for tag", broker.Selector{Tag: "prod", Latest: &yes}, broker.KindLatestTag},
		{"all for tag", broker.Selector{Tag: "prod"}, broker.KindAllTag},
		{"all for tag, latest=false", broker.Selector{Tag: "prod", Latest: &no}, broker.KindAllTag},
		{"deployed", broker.Selector{Deployed: true}, broker.KindDeployed},
		{"released", broker.Selector{Released: true, Environment: "prod"}, broker.KindReleased},
		{"deployed or released", broker.Selector{DeployedOrReleased: true}, broker.KindDeployedOrReleased},
		{"environment", broker.Selector{Environment: "prod"}, broker.KindEnvironment},
		{"latest", broker.Selector{Latest: &yes}, broker.KindLatest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, c.sel.Kind()) })
	}
}

func TestSelectorValidation(t *testing.T) {
	cases := []struct {
		name    string
		sel     broker.Selector
		branch  string
		wantErr string
	}{
		{"main branch", broker.Selector{MainBranch: true}, "", ""},
		{"main branch with consumer", broker.Selector{MainBranch: true, Consumer: "Foo"}, "", ""},
		{"empty selector", broker.Selector{Consumer: "Foo"}, "", "must specify a value for environment or tag or branch"},
		{"tag with deployed", broker.Selector{Tag: "x", Deployed: true}, "", "cannot specify the field(s) tag with the field(s) deployed"},
		{"tag and branch", broker.Selector{Tag: "x", Branch: "y"}, "", "cannot specify both a tag and a branch"},
		{"main branch with latest", broker.Selector{MainBranch: true, Latest: &yes}, "", "mainBranch selector can only be combined with consumer"},
		{"matching branch without provider branch", broker.Selector{MatchingBranch: true}, "", "providerVersionBranch must be specified"},
		{"matching branch with provider branch", broker.Selector{MatchingBranch: true}, "main", ""},
		{"branch with latest=false", broker.Selector{Branch: "x", Latest: &no}, "", "cannot specify a branch with latest=false"},
		{"fallback branch alone", broker.Selector{FallbackBranch: "x", Latest: &yes}, "", "fallbackBranch can only be set with branch"},
		{"fallback tag without latest", broker.Selector{Tag: "x", FallbackTag: "y"}, "", "fallbackTag can only be set if tag is set and latest is true"},
		{"fallback tag with latest", broker.Selector{Tag: "x", FallbackTag: "y", Latest: &yes}, "", ""},
		{"deployed and released", broker.Selector{Deployed: true, Released: true}, "", "cannot specify more than one"},
		{"environment with deployed", broker.Selector{Deployed: true, Environment: "prod"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := broker.VerificationQuery{Selectors: []broker.Selector{{MainBranch: true}, c.sel}, ProviderBranch: c.branch}.Validate()
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
	got := broker.Expand([]broker.Selector{{MainBranch: true}, {DeployedOrReleased: true, Environment: "prod"}})
	assert.Equal(t, []broker.Selector{{MainBranch: true}, {Deployed: true, Environment: "prod"}, {Released: true, Environment: "prod"}}, got)
}

func TestDefaultSelectors(t *testing.T) {
	cases := []struct {
		name string
		in   broker.ConsumerMainline
		want broker.Selector
	}{
		{"main branch with versions", broker.ConsumerMainline{Consumer: "A", MainBranch: "main", HasMainBranchVersions: true, HasMainBranchTag: true}, broker.Selector{MainBranch: true, Consumer: "A"}},
		{"only a tag named like the main branch", broker.ConsumerMainline{Consumer: "B", MainBranch: "master", HasMainBranchTag: true}, broker.Selector{Tag: "master", Latest: &yes, Consumer: "B"}},
		{"no main branch", broker.ConsumerMainline{Consumer: "C"}, broker.Selector{Latest: &yes, Consumer: "C"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := broker.DefaultSelectors([]broker.ConsumerMainline{c.in})
			assert.Equal(t, []broker.Selector{c.want, {Deployed: true}, {Released: true}}, got)
		})
	}
}

func TestDedupeMergesSameContent(t *testing.T) {
	main := broker.Selector{MainBranch: true}
	dep := broker.Selector{Deployed: true}
	got := broker.Dedupe("API", []broker.SelectedPact{
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
	n := got[1].Notices("http://b/pacts/x")
	assert.Contains(t, n[0].Text, "the consumer versions matching the following criteria:\n    * latest version from the main branch 'main' (2)\n    * version currently deployed to prod (1)")
}

func TestPending(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * time.Hour) }
	atp := func(d int) *time.Time { x := at(d); return &x }
	ok := func(branch string, when int) broker.VerificationFact {
		return broker.VerificationFact{Success: true, ProviderBranches: []string{branch}, CreatedAt: at(when)}
	}
	cases := []struct {
		name     string
		facts    []broker.VerificationFact
		pc       broker.PendingContext
		countWIP bool
		want     bool
	}{
		{"never verified, branch", nil, broker.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, true},
		{"verified by same branch", []broker.VerificationFact{ok("main", 5)}, broker.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, false},
		{"failed verification by same branch", []broker.VerificationFact{{Success: false, ProviderBranches: []string{"main"}, CreatedAt: at(5)}}, broker.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, true, true},
		{"verified by other branch before this branch existed", []broker.VerificationFact{ok("main", 1)}, broker.PendingContext{ProviderBranch: "feat", BranchCreatedAt: atp(3)}, true, false},
		{"verified by other branch after this branch existed", []broker.VerificationFact{ok("main", 5)}, broker.PendingContext{ProviderBranch: "feat", BranchCreatedAt: atp(3)}, true, true},
		{"branch not created yet inherits everything", []broker.VerificationFact{ok("main", 5)}, broker.PendingContext{ProviderBranch: "new"}, true, false},
		{"WIP verification ignored for WIP", []broker.VerificationFact{{Success: true, WIP: true, ProviderBranches: []string{"main"}, CreatedAt: at(5)}}, broker.PendingContext{ProviderBranch: "main", BranchCreatedAt: atp(0)}, false, true},
		{"no branch or tags, never verified", nil, broker.PendingContext{}, true, true},
		{"no branch or tags, verified by anyone", []broker.VerificationFact{ok("x", 1)}, broker.PendingContext{}, true, false},
		{"tags: one tag unverified", []broker.VerificationFact{{Success: true, ProviderTags: []string{"dev"}, CreatedAt: at(5)}},
			broker.PendingContext{ProviderTags: []string{"dev", "prod"}, TagFirstUsedAt: map[string]time.Time{"dev": at(0), "prod": at(1)}}, true, true},
		{"tags: all verified", []broker.VerificationFact{{Success: true, ProviderTags: []string{"dev", "prod"}, CreatedAt: at(5)}},
			broker.PendingContext{ProviderTags: []string{"dev", "prod"}, TagFirstUsedAt: map[string]time.Time{"dev": at(0), "prod": at(1)}}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, broker.IsPending(c.facts, c.pc, c.countWIP)) })
	}
}

func TestSelectWIP(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pc := broker.PendingContext{ProviderBranch: "main", BranchCreatedAt: &t0}
	cands := []broker.SelectedPact{
		{Consumer: "Web", ConsumerVersion: "3", SHA: "feat", Branch: "feat-x"},
		{Consumer: "Web", ConsumerVersion: "2", SHA: "main", Branch: "main"},
		{Consumer: "Web", ConsumerVersion: "4", SHA: "verified", Branch: "feat-y"},
		{Consumer: "Web", ConsumerVersion: "5", SHA: "wipverified", Tag: "dev"},
	}
	explicit := []broker.VerifiablePact{{Consumer: "Web", SHA: "main"}}
	facts := map[string][]broker.VerificationFact{
		"verified":    {{Success: true, ProviderBranches: []string{"main"}, CreatedAt: t0.Add(time.Hour)}},
		"wipverified": {{Success: true, WIP: true, ProviderBranches: []string{"main"}, CreatedAt: t0.Add(time.Hour)}},
	}
	got := broker.SelectWIP("API", cands, explicit, facts, pc)
	require.Len(t, got, 2)
	assert.Equal(t, "feat", got[0].SHA)
	assert.True(t, got[0].WIP && got[0].Pending)
	assert.Equal(t, "wipverified", got[1].SHA, "a WIP verification does not end WIP")
	assert.Equal(t, "latest with tag dev", got[1].ShortDescription())
	assert.Contains(t, got[0].Notices("u")[0].Text, "'work in progress' pact")

	assert.Empty(t, broker.SelectWIP("API", cands, nil, nil, broker.PendingContext{}), "no WIP without provider branch or tags")
}

func TestMetadataRoundTrip(t *testing.T) {
	v := broker.VerifiablePact{PendingCalculated: true, Pending: true, Selections: []broker.SelectedPact{{Selector: broker.Selector{Tag: "prod", Latest: &yes}, Tag: "prod", ConsumerVersionID: 10}}}
	m := v.Metadata()
	assert.NotContains(t, m, "=")
	wip, pending := broker.ParseMetadata(m)
	assert.False(t, wip)
	assert.True(t, pending)
	wip, pending = broker.ParseMetadata(broker.VerifiablePact{WIP: true, Selections: v.Selections}.Metadata())
	assert.True(t, wip && pending)
	// The Ruby broker's own encoding of s[][t]=prod&s[][l]=true&s[][cv]=10.
	wip, pending = broker.ParseMetadata("cyU1QiU1RCU1QnQlNUQ9cHJvZCZzJTVCJTVEJTVCbCU1RD10cnVlJnMlNUIlNUQlNUJjdiU1RD0xMA")
	assert.False(t, wip || pending)
	wip, pending = broker.ParseMetadata("!!not base64")
	assert.False(t, wip || pending)
}

func TestContentSHA(t *testing.T) {
	parse := func(s string) broker.PactDocument {
		d, err := broker.ParsePact([]byte(s))
		require.NoError(t, err)
		return d
	}
	a := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"x","b":1,"a":2},{"description":"y"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	b := parse(`{"provider":{"name":"B"},"consumer":{"name":"Other"},"interactions":[{"description":"y"},{"a":2,"b":1,"description":"x","_id":"zzz"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	c := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"y"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	d := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"x","b":1,"a":2},{"description":"y"}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	assert.Equal(t, a.ContentSHA(), b.ContentSHA(), "key order, interaction order, names and _ids do not matter")
	assert.NotEqual(t, a.ContentSHA(), c.ContentSHA())
	assert.NotEqual(t, a.ContentSHA(), d.ContentSHA(), "the specification version matters")
	assert.Len(t, a.ContentSHA(), 40)
	stored := parse(string(a.WithIDs()))
	assert.Equal(t, a.ContentSHA(), stored.ContentSHA())
	assert.True(t, strings.Contains(string(a.WithIDs()), `"_id":"`))
	_, err := broker.ParsePact([]byte(`[1]`))
	assert.Equal(t, broker.Invalid, broker.ErrorCode(err))
}

// TestUnavailable: failures to reach the database are Unavailable (a 503
// the clients retry), whatever driver reports them; statement errors are
// not.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name string
		err  error
		want broker.Code
	}{
		{"connection refused", fmt.Errorf("list pacticipants: %w", refused), broker.Unavailable},
		{"reset", fmt.Errorf("query: %w", syscall.ECONNRESET), broker.Unavailable},
		{"bad connection", fmt.Errorf("query: %w", driver.ErrBadConn), broker.Unavailable},
		{"admin shutdown", sqlState("57P01"), broker.Unavailable},
		{"connection failure", sqlState("08006"), broker.Unavailable},
		{"syntax error", sqlState("42601"), ""},
		{"unique violation", sqlState("23505"), ""},
		{"plain", errors.New("boom"), ""},
		{"domain error wins", broker.Errorf(broker.NotFound, "no"), broker.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, broker.ErrorCode(c.err)) })
	}
}

type sqlState string

func (s sqlState) Error() string    { return "SQLSTATE " + string(s) }
func (s sqlState) SQLState() string { return string(s) }
