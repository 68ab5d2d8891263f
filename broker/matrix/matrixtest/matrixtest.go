// Package matrixtest is the conformance suite for matrix.Facts implementations: it states
// situations as matrix.Data, has the implementation load them, and checks that matrix.Decide
// reaches the same verdicts, counts, reasons and rows as with matrix.Memory. A store runs it as
//
//	matrixtest.Run(t, func(t *testing.T, d matrix.Data) matrix.Facts { return loadIntoNewStore(t, d) }, matrixtest.Options{})
//
// A loader must create things in the order Data lists them, because creation order decides which
// version is the latest: pacticipants (with their main branch) and environments; Versions in list
// order with their branches and tags; then each pact publication in order (creating consumer
// versions first mentioned there); each verification result in order (creating provider
// versions); each deployment in order (an Undeployed entry records the undeployment of that slot);
// each release in order (SupportEnded records the end of support).
package matrixtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/broker/matrix"
)

// Loader puts d into a fresh Facts implementation; it fails t if it cannot.
type Loader func(t *testing.T, d matrix.Data) matrix.Facts

// Options leaves out the cases an implementation cannot express, by design.
type Options struct {
	NoRevisions     bool // the store refuses changed content for a published version
	NoActivityOrder bool // the store's clock decides which rows are most recent
}

// Run checks every case of Cases against the Facts that load builds.
func Run(t *testing.T, load Loader, opt Options) {
	left := 0
	for _, c := range Cases {
		if c.Revisions && opt.NoRevisions || c.ActivityOrder && opt.NoActivityOrder {
			left++
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			Check(t, load(t, c.Data), c)
		})
	}
	if left > 0 {
		t.Logf("%d of %d cases left out by options %+v", left, len(Cases), opt)
	}
}

// Check asks c.Query of f and compares the answer with c.
func Check(t *testing.T, f matrix.Facts, c Case) {
	t.Helper()
	res, err := matrix.Decide(t.Context(), f, c.Query)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if got := Verdict(s.Deployable); got != c.Deployable {
		t.Errorf("deployable = %s, want %s", got, c.Deployable)
	}
	if got := [3]int{s.Success, s.Failed, s.Unknown}; got != c.Counts {
		t.Errorf("counts (success, failed, unknown) = %v, want %v", got, c.Counts)
	}
	if c.Ignored < 0 && s.Ignored != nil || c.Ignored >= 0 && (s.Ignored == nil || *s.Ignored != c.Ignored) {
		t.Errorf("ignored = %v, want %d", deref(s.Ignored), c.Ignored)
	}
	var kinds []matrix.ReasonKind
	for _, r := range s.Reasons {
		kinds = append(kinds, r.Kind)
	}
	if !slices.Equal(kinds, c.Reasons) {
		t.Errorf("reasons = %v, want %v\n%s", kinds, c.Reasons, s.Reason)
	}
	if got := RowStrings(res.Rows); !slices.Equal(got, c.Rows) {
		t.Errorf("rows:\n got %q\nwant %q", got, c.Rows)
	}
	for _, m := range c.Mention {
		if !strings.Contains(s.Reason, m) {
			t.Errorf("reason does not mention %q:\n%s", m, s.Reason)
		}
	}
	if len(s.Notices) != len(s.Reasons) {
		t.Fatalf("%d notices for %d reasons", len(s.Notices), len(s.Reasons))
	}
	for i, n := range s.Notices {
		if n.Type != s.Reasons[i].Kind.Type() || n.Text != s.Reasons[i].Text || n.Text == "" {
			t.Errorf("notice %d = %+v, reason %+v", i, n, s.Reasons[i])
		}
	}
}

// Verdict spells a deployable value: "yes", "no" or "unknown".
func Verdict(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// RowStrings renders rows as "Foo 1 > Bar 10 success" ("?" for no provider version, " ignored"
// appended to ignored rows).
func RowStrings(rows []matrix.Row) []string {
	var out []string
	for _, r := range rows {
		pv := "?"
		if r.ProviderVersion != nil {
			pv = r.ProviderVersion.Number
		}
		s := fmt.Sprintf("%s %s > %s %s %s", r.Pact.Consumer, r.Pact.ConsumerVersion.Number, r.Pact.Provider, pv, r.Status())
		if r.Ignored {
			s += " ignored"
		}
		out = append(out, s)
	}
	return out
}

func pact(consumer, version, provider, sha string) matrix.PactFact {
	return matrix.PactFact{Consumer: consumer, ConsumerVersion: version, Provider: provider, SHA: sha}
}

func verified(provider, version, consumer, sha string, ok bool) matrix.VerificationFact {
	return matrix.VerificationFact{Consumer: consumer, Provider: provider, SHA: sha, ProviderVersion: version, Success: ok}
}

func deployed(app, version, env, instance string) matrix.Deployment {
	return matrix.Deployment{Pacticipant: app, Version: version, Environment: env, ApplicationInstance: instance}
}

func released(app, version, env string) matrix.Release {
	return matrix.Release{Pacticipant: app, Version: version, Environment: env}
}

// canIDeploy is the query `pact broker can-i-deploy --pacticipant app --version v --to-environment env` sends.
func canIDeploy(app, version, env string, ignore ...matrix.Ignore) matrix.Query {
	return matrix.Query{Selectors: []matrix.Selector{{Pacticipant: app, Version: version}}, Environment: env,
		LatestBy: matrix.ByConsumerVersionAndProviderVersion, Ignore: ignore}
}

// canIDeployToTag is `--to TAG` (the tag-based predecessor of environments).
func canIDeployToTag(app, version, tag string) matrix.Query {
	return matrix.Query{Selectors: []matrix.Selector{{Pacticipant: app, Version: version}}, Tag: tag, Latest: true,
		LatestBy: matrix.ByConsumerVersionAndProvider}
}

// Case is one situation and the answer every Facts implementation must lead Decide to.
type Case struct {
	Name       string
	Data       matrix.Data
	Query      matrix.Query
	Deployable string // "yes", "no" or "unknown"
	Counts     [3]int // success, failed, unknown
	Ignored    int    // -1: no ignore selectors, so no count
	Reasons    []matrix.ReasonKind
	Rows       []string // "Foo 1 > Bar 10 success", "... unknown", "... ignored"
	Mention    []string // substrings the reason must contain, naming the versions involved
	// Revisions: the case republishes different content for a consumer version, which a store may
	// refuse (the Ruby broker does unless allow_dangerous_contract_modification is on).
	Revisions bool
	// ActivityOrder: the answer depends on which rows are most recent (limit), which follows the
	// store's clock; Memory, whose versions carry no times, orders by publication.
	ActivityOrder bool
}

// prod is the usual pair: consumer Foo with a pact on provider Bar, Bar 10 in production.
func prod(extra func(*matrix.Data)) matrix.Data {
	d := matrix.Data{
		Environments: []string{"production", "test"},
		Versions:     []matrix.VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10"}},
		Pacts:        []matrix.PactFact{pact("Foo", "1", "Bar", "sha-a")},
		Deployments:  []matrix.Deployment{deployed("Bar", "10", "production", "")},
	}
	if extra != nil {
		extra(&d)
	}
	return d
}

// Cases cover the decisions can-i-deploy must get right; see the names.
var Cases = []Case{
	{
		Name:       "never verified",
		Data:       prod(nil),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 1 > Bar 10 unknown"},
		Mention: []string{"version 1 of Foo", "the version of Bar currently in production (10)"},
	},
	{
		Name: "verified successfully by the provider version in the environment",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		Name: "verification failed",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "no", Counts: [3]int{0, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 10 failure"},
		Mention: []string{"The verification of the pact between version 1 of Foo and the version of Bar currently in production (10) failed"},
	},
	{
		Name: "failed then fixed by the same provider version",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		Name: "failed then fixed, every row kept without latestby",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}}, Environment: "production"},
		Deployable: "no", Counts: [3]int{1, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 10 success", "Foo 1 > Bar 10 failure"},
	},
	{
		Name: "provider not deployed to the target",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "test", "")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 1 > Bar ? unknown"},
		Mention: []string{"the version of Bar in production (none is recorded as deployed or released there)"},
	},
	{
		Name:       "provider with no consumers deployed: no missing dependencies",
		Data:       prod(nil),
		Query:      canIDeploy("Bar", "10", "production"),
		Deployable: "yes", Counts: [3]int{0, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NothingMissing},
	},
	{
		Name: "provider whose deployed consumer's pact it verified",
		Data: prod(func(d *matrix.Data) {
			d.Versions = append(d.Versions, matrix.VersionFact{Pacticipant: "Bar", Number: "11"})
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", ""))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Bar", "11", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		Name: "provider that has not verified the pact of the consumer already deployed",
		Data: prod(func(d *matrix.Data) {
			d.Versions = append(d.Versions, matrix.VersionFact{Pacticipant: "Bar", Number: "11"})
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", ""))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Bar", "11", "production"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 1 > Bar ? unknown"},
		Mention: []string{"the version of Foo currently in production (1) and version 11 of Bar"},
	},
	{
		Name: "provider with two consumer versions deployed on two instances, one not verified",
		Data: prod(func(d *matrix.Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-b"))
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", "eu"), deployed("Foo", "2", "production", "us"))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Bar", "10", "production"),
		Deployable: "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 2 > Bar ? unknown", "Foo 1 > Bar 10 success"},
		Mention: []string{"one of the versions of Foo currently in production (2) and version 10 of Bar"},
	},
	{
		Name: "several deployed instances of the provider, one failed",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "no", Counts: [3]int{1, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 11 failure", "Foo 1 > Bar 10 success"},
		Mention: []string{"one of the versions of Bar currently in production (11) failed"},
	},
	{
		Name: "several deployed instances of the provider, one never verified",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 1 > Bar 11 unknown", "Foo 1 > Bar 10 success"},
		Mention: []string{"There is no verified pact between version 1 of Foo and one of the versions of Bar currently in production (11)"},
	},
	{
		Name: "several deployed instances of the provider, all verified",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{2, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 success"},
	},
	{
		Name: "redeployment to the same instance replaces the failing version",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "production", ""), deployed("Bar", "11", "production", "")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		Name: "undeployed version no longer counts",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = []matrix.Deployment{deployed("Bar", "10", "production", "a"), deployed("Bar", "11", "production", "b"),
				{Pacticipant: "Bar", Version: "10", Environment: "production", ApplicationInstance: "a", Undeployed: true}}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		Name: "released versions still supported are all checked",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = nil
			d.Releases = []matrix.Release{released("Bar", "10", "production"), released("Bar", "11", "production")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "no", Counts: [3]int{1, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
		Mention: []string{"one of the versions of Bar currently in production (10) failed"},
	},
	{
		Name: "released version whose support ended no longer counts",
		Data: prod(func(d *matrix.Data) {
			d.Deployments = nil
			d.Releases = []matrix.Release{{Pacticipant: "Bar", Version: "10", Environment: "production", SupportEnded: true}, released("Bar", "11", "production")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		Name: "ignore a provider that failed",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Bar"}),
		Deployable: "yes", Counts: [3]int{0, 0, 0}, Ignored: 1,
		Reasons: []matrix.ReasonKind{matrix.NothingMissing},
		Rows:    []string{"Foo 1 > Bar 10 failure ignored"},
	},
	{
		Name:       "ignore a provider that is not deployed yet",
		Data:       prod(func(d *matrix.Data) { d.Deployments = nil }),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Bar"}),
		Deployable: "yes", Counts: [3]int{0, 0, 0}, Ignored: 1,
		Reasons: []matrix.ReasonKind{matrix.NothingMissing},
		Rows:    []string{"Foo 1 > Bar ? unknown ignored"},
	},
	{
		Name: "ignore the failing provider version",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Bar", Version: "10"}),
		Deployable: "yes", Counts: [3]int{0, 0, 0}, Ignored: 1,
		Reasons: []matrix.ReasonKind{matrix.NothingMissing},
		Rows:    []string{"Foo 1 > Bar 10 failure ignored"},
	},
	{
		Name: "ignore another version of the provider than the failing one",
		Data: prod(func(d *matrix.Data) {
			d.Versions = append(d.Versions, matrix.VersionFact{Pacticipant: "Bar", Number: "9"})
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Bar", Version: "9"}),
		Deployable: "no", Counts: [3]int{0, 1, 0}, Ignored: 0,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 10 failure"},
	},
	{
		Name:       "ignore an application that does not exist",
		Data:       prod(nil),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Nope"}),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: 0,
		Reasons: []matrix.ReasonKind{matrix.IgnoreNotFound, matrix.NotVerified},
		Mention: []string{"WARN: Nothing to ignore for any version of Nope (no such pacticipant)"},
		Rows:    []string{"Foo 1 > Bar 10 unknown"},
	},
	{
		Name: "ignore a version that does not exist",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production", matrix.Ignore{Pacticipant: "Bar", Version: "99"}),
		Deployable: "no", Counts: [3]int{0, 1, 0}, Ignored: 0,
		Reasons: []matrix.ReasonKind{matrix.IgnoreNotFound, matrix.VerificationFailed},
		Mention: []string{"version 99 of Bar (unknown to the broker)"},
		Rows:    []string{"Foo 1 > Bar 10 failure"},
	},
	{
		Name: "unknown version of the application to deploy",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "9", "production"),
		Deployable: "no", Counts: [3]int{0, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VersionNotFound},
		Mention: []string{"Version 9 of Foo is unknown"},
	},
	{
		Name: "content inherited by a new consumer version counts as verified",
		Data: prod(func(d *matrix.Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-a"))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "2", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 2 > Bar 10 success"},
	},
	{
		Name: "changed content is not covered by the old verification",
		Data: prod(func(d *matrix.Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-b"))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "2", "production"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 2 > Bar 10 unknown"},
	},
	{
		Name:      "republished content for the same version: only the latest revision counts",
		Revisions: true,
		Data: prod(func(d *matrix.Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "1", "Bar", "sha-b"))
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 1 > Bar 10 unknown"},
	},
	{
		Name: "tag as the target: the latest tagged provider version counts, not newer untagged ones",
		Data: prod(func(d *matrix.Data) {
			d.Versions = []matrix.VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10", Tags: []string{"prod"}}, {Pacticipant: "Bar", Number: "11"}}
			d.Deployments = nil
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		Query:      canIDeployToTag("Foo", "1", "prod"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		Name: "tag as the target with no version tagged",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      canIDeployToTag("Foo", "1", "prod"),
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Mention: []string{"the latest version of Bar tagged prod (no version has that tag)"},
		Rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		Name: "environment as the target ignores tags named like the environment",
		Data: prod(func(d *matrix.Data) {
			d.Versions = []matrix.VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10", Tags: []string{"production"}}, {Pacticipant: "Bar", Number: "11"}}
			d.Deployments = []matrix.Deployment{deployed("Bar", "11", "production", "")}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "no", Counts: [3]int{0, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 11 failure"},
	},
	{
		Name: "main branch as the target (can-i-merge)",
		Data: prod(func(d *matrix.Data) {
			d.Pacticipants = []matrix.Pacticipant{{Name: "Bar", MainBranch: "main"}}
			d.Versions = append(d.Versions, matrix.VersionFact{Pacticipant: "Bar", Number: "12", Branches: []string{"main"}}, matrix.VersionFact{Pacticipant: "Bar", Number: "13", Branches: []string{"feat"}})
			d.Verifications = []matrix.VerificationFact{verified("Bar", "12", "Foo", "sha-a", true), verified("Bar", "13", "Foo", "sha-a", false)}
		}),
		Query: matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}}, MainBranch: true, Latest: true,
			LatestBy: matrix.ByConsumerVersionAndProvider},
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 12 success"},
	},
	{
		Name: "main branch as the target when the provider has none",
		Data: prod(func(d *matrix.Data) {
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}}, MainBranch: true, LatestBy: matrix.ByConsumerVersionAndProviderVersion},
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Mention: []string{"a version of Bar on its main branch (no version is on it)"},
		Rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		Name: "branch selector for the application to deploy warns about race conditions",
		Data: prod(func(d *matrix.Data) {
			d.Versions = []matrix.VersionFact{{Pacticipant: "Foo", Number: "1", Branches: []string{"feat"}}, {Pacticipant: "Bar", Number: "10"}}
			d.Verifications = []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		Query: matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Branch: "feat", Latest: true}}, Environment: "production",
			LatestBy: matrix.ByConsumerVersionAndProviderVersion},
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NoVersionNumber, matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		Name: "application in both roles, everything verified",
		Data: matrix.Data{
			Environments: []string{"production"},
			Pacts:        []matrix.PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []matrix.VerificationFact{
				verified("Orders", "o5", "Gateway", "sha-go", true), verified("Users", "u3", "Orders", "sha-ou", true)},
			Deployments: []matrix.Deployment{deployed("Gateway", "g1", "production", ""), deployed("Users", "u3", "production", "")},
		},
		Query:      canIDeploy("Orders", "o5", "production"),
		Deployable: "yes", Counts: [3]int{2, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Gateway g1 > Orders o5 success", "Orders o5 > Users u3 success"},
	},
	{
		Name: "application in both roles, its consumer's pact not verified",
		Data: matrix.Data{
			Environments:  []string{"production"},
			Pacts:         []matrix.PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []matrix.VerificationFact{verified("Users", "u3", "Orders", "sha-ou", true)},
			Deployments:   []matrix.Deployment{deployed("Gateway", "g1", "production", ""), deployed("Users", "u3", "production", "")},
		},
		Query:      canIDeploy("Orders", "o5", "production"),
		Deployable: "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Gateway g1 > Orders ? unknown", "Orders o5 > Users u3 success"},
		Mention: []string{"the version of Gateway currently in production (g1) and version o5 of Orders"},
	},
	{
		Name: "application in both roles, its provider not deployed",
		Data: matrix.Data{
			Environments:  []string{"production"},
			Pacts:         []matrix.PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []matrix.VerificationFact{verified("Orders", "o5", "Gateway", "sha-go", true)},
			Deployments:   []matrix.Deployment{deployed("Gateway", "g1", "production", "")},
		},
		Query:      canIDeploy("Orders", "o5", "production"),
		Deployable: "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Gateway g1 > Orders o5 success", "Orders o5 > Users ? unknown"},
	},
	{
		Name: "two applications with pacts on each other, both versions given",
		Data: matrix.Data{
			Pacts:         []matrix.PactFact{pact("Foo", "1", "Bar", "sha-fb"), pact("Bar", "10", "Foo", "sha-bf")},
			Verifications: []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-fb", true)},
		},
		Query: matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar", Version: "10"}},
			LatestBy: matrix.ByConsumerVersionAndProviderVersion},
		Deployable: "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Bar 10 > Foo ? unknown", "Foo 1 > Bar 10 success"},
		Mention: []string{"version 10 of Bar and version 1 of Foo"},
	},
	{
		Name: "old consumer version without the pact of a provider added later",
		Data: matrix.Data{
			Environments:  []string{"production"},
			Pacts:         []matrix.PactFact{pact("Foo", "1", "Bar", "sha-a"), pact("Foo", "2", "Bar", "sha-a"), pact("Foo", "2", "Baz", "sha-z")},
			Verifications: []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)},
			Deployments:   []matrix.Deployment{deployed("Bar", "10", "production", "")},
		},
		Query:      canIDeploy("Foo", "1", "production"),
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		Name: "single selector without a target compares with the latest versions and warns",
		Data: matrix.Data{
			Pacts:         []matrix.PactFact{pact("Foo", "1", "Bar", "sha-a")},
			Verifications: []matrix.VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "20", "Foo", "sha-x", true)},
		},
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}}, Latest: true, LatestBy: matrix.ByConsumerVersionAndProvider},
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NoEnvironment, matrix.NotVerified},
		Mention: []string{"WARN: No target environment", "the latest version of Bar (20)"},
		Rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		Name:       "latestby cvp keeps the newest provider version per consumer version",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar"}}, LatestBy: matrix.ByConsumerVersionAndProvider},
		Deployable: "yes", Counts: [3]int{1, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		Name:       "latestby cvpv keeps every provider version",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar"}}, LatestBy: matrix.ByConsumerVersionAndProviderVersion},
		Deployable: "no", Counts: [3]int{1, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed},
		Rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
		Mention: []string{"version 1 of Foo and any version of Bar failed"},
	},
	{
		Name:       "latestby cp keeps one row per integration",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: matrix.ByConsumerAndProvider},
		Deployable: "unknown", Counts: [3]int{0, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 3 > Bar ? unknown"},
	},
	{
		Name:       "no latestby keeps every verification",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}},
		Deployable: "unknown", Counts: [3]int{3, 2, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.VerificationFailed, matrix.NotVerified},
		Rows: []string{"Foo 3 > Bar ? unknown", "Foo 2 > Bar 11 success", "Foo 2 > Bar 10 success", "Foo 2 > Bar 10 failure",
			"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
	},
	{
		Name:       "success filter keeps successful rows",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: matrix.ByConsumerVersionAndProviderVersion, Success: []matrix.Status{matrix.Succeeded}},
		Deployable: "yes", Counts: [3]int{3, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.AllVerified},
		Rows:    []string{"Foo 2 > Bar 11 success", "Foo 2 > Bar 10 success", "Foo 1 > Bar 11 success"},
	},
	{
		Name:          "limit keeps the most recent rows",
		ActivityOrder: true,
		Data:          browse(),
		Query:         matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: matrix.ByConsumerVersionAndProviderVersion, Limit: 2},
		Deployable:    "unknown", Counts: [3]int{1, 0, 1}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NotVerified},
		Rows:    []string{"Foo 3 > Bar ? unknown", "Foo 2 > Bar 11 success"},
	},
	{
		Name:       "one application alone lists its rows in both roles",
		Data:       browse(),
		Query:      matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Bar", Version: "10"}}, LatestBy: matrix.ByConsumerVersionAndProviderVersion},
		Deployable: "no", Counts: [3]int{1, 1, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NoEnvironment, matrix.VerificationFailed},
		Rows:    []string{"Foo 2 > Bar 10 success", "Foo 1 > Bar 10 failure"},
	},
	{
		Name:       "consumer with no pacts and no consumers",
		Data:       matrix.Data{Environments: []string{"production"}, Versions: []matrix.VersionFact{{Pacticipant: "Lonely", Number: "1"}}},
		Query:      canIDeploy("Lonely", "1", "production"),
		Deployable: "yes", Counts: [3]int{0, 0, 0}, Ignored: -1,
		Reasons: []matrix.ReasonKind{matrix.NothingMissing},
	},
}

func browse() matrix.Data {
	return matrix.Data{
		Versions: []matrix.VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Foo", Number: "2"}, {Pacticipant: "Foo", Number: "3"},
			{Pacticipant: "Bar", Number: "10"}, {Pacticipant: "Bar", Number: "11"}},
		Pacts: []matrix.PactFact{pact("Foo", "1", "Bar", "sha-1"), pact("Foo", "2", "Bar", "sha-2"), pact("Foo", "3", "Bar", "sha-3")},
		Verifications: []matrix.VerificationFact{
			verified("Bar", "10", "Foo", "sha-1", false), verified("Bar", "11", "Foo", "sha-1", true),
			verified("Bar", "10", "Foo", "sha-2", false), verified("Bar", "10", "Foo", "sha-2", true), verified("Bar", "11", "Foo", "sha-2", true),
		},
	}
}
