package matrix

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// The scenarios of the Ruby broker's spec/lib/pact_broker/matrix/integration_spec.rb and
// integration_ignore_spec.rb, restated as Data, with the verdicts and reason kinds of their approval
// files (testdata/matrix_integration*_spec.approved.json). Every approval key must be covered.

var rubyReasonKinds = map[string]ReasonKind{
	"PactBroker::Matrix::PactNotEverVerifiedByProvider":                    NotVerified,
	"PactBroker::Matrix::PactNotVerifiedByRequiredProviderVersion":         NotVerified,
	"PactBroker::Matrix::VerificationFailed":                               VerificationFailed,
	"PactBroker::Matrix::SpecifiedVersionDoesNotExist":                     VersionNotFound,
	"PactBroker::Matrix::IgnoreSelectorDoesNotExist":                       IgnoreNotFound,
	"PactBroker::Matrix::NoEnvironmentSpecified":                           NoEnvironment,
	"PactBroker::Matrix::SelectorWithoutPacticipantVersionNumberSpecified": NoVersionNumber,
	"PactBroker::Matrix::Successful":                                       AllVerified,
	"PactBroker::Matrix::NoDependenciesMissing":                            NothingMissing,
}

type parityScenario struct {
	prefix string // of the approval keys (RSpec full descriptions) it covers
	data   Data
	query  Query
}

func toProd(sels ...Selector) Query {
	return Query{Selectors: sels, Latest: true, Tag: "prod", LatestBy: ByConsumerVersionAndProvider}
}

func v(app, number string, tags ...string) VersionFact {
	return VersionFact{Pacticipant: app, Number: number, Tags: tags}
}

func sel(app, version string) Selector { return Selector{Pacticipant: app, Version: version} }

var integrationScenarios = []parityScenario{
	{"find find ", Data{Versions: []VersionFact{v("bar", "2", "prod")}, Pacts: []PactFact{pact("foo", "1", "bar", "a")},
		Verifications: []VerificationFact{verified("bar", "2", "foo", "a", true)}},
		toProd(Selector{Pacticipant: "foo"})},
	{"find when deploying a version of a provider with multiple versions of a consumer in production that is missing a verification",
		Data{Versions: []VersionFact{v("Foo", "1", "prod"), v("Bar", "10", "test"), v("Foo", "2", "prod")},
			Pacts:         []PactFact{pact("Foo", "1", "Bar", "a"), pact("Foo", "2", "Bar", "b")},
			Verifications: []VerificationFact{verified("Bar", "10", "Foo", "a", true)}},
		Query{Selectors: []Selector{{Pacticipant: "Bar", Latest: true, Tag: "test"}}, Tag: "prod", LatestBy: ByConsumerVersionAndProvider}},
	{"find when deploying a consumer that has not been verified by any providers",
		Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Foo", "1", "Baz", "b")}}, toProd(sel("Foo", "1"))},
	{"find when deploying a consumer that has two providers in prod, but it is not verified by one of the prod provider versions",
		Data{Versions: []VersionFact{v("Foo", "3.0.0"), v("Bar", "10.0.0", "prod"), v("Baz", "20", "prod"), v("Foo", "2.0.0"), v("Bar", "11.0.0", "prod")},
			Pacts: []PactFact{pact("Foo", "3.0.0", "Bar", "a"), pact("Foo", "3.0.0", "Baz", "b"), pact("Foo", "2.0.0", "Bar", "c")},
			Verifications: []VerificationFact{verified("Bar", "10.0.0", "Foo", "a", true), verified("Baz", "20", "Foo", "b", true),
				verified("Bar", "11.0.0", "Foo", "c", true)}},
		toProd(sel("Foo", "3.0.0"))},
	{"find when deploying an old version of a consumer that has added a new provider since that version",
		Data{Versions: []VersionFact{v("Bar", "2", "prod")},
			Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Foo", "2", "Bar", "b"), pact("Foo", "2", "Wiffle", "c")},
			Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true), verified("Bar", "3", "Foo", "b", true),
				verified("Wiffle", "10", "Foo", "c", true)}},
		toProd(sel("Foo", "1"))},
	{"find when the specified version does not exist",
		Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}}, Query{Selectors: []Selector{sel("Bar", "5")}}},
	{"find when deploying a provider to prod for the first time and the consumer is not yet deployed",
		Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}, Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true)}},
		toProd(sel("Bar", "2"))},
	{"find when deploying a consumer to prod for the first time and the provider is not yet deployed",
		Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}, Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true)}},
		toProd(sel("Foo", "1"))},
	{"find when deploying an app that is both a consumer and a provider to prod for the first time and the downstream provider is not yet deployed",
		Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Bar", "2", "Baz", "b")},
			Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true)}},
		toProd(sel("Bar", "2"))},
	{"find when deploying an app that is both a consumer and a provider to prod for the first time and the downstream provider has been deployed",
		Data{Versions: []VersionFact{v("Baz", "4", "prod")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Bar", "2", "Baz", "b")},
			Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true), verified("Baz", "4", "Bar", "b", true)}},
		toProd(sel("Bar", "2"))},
	{"find when deploying a provider where the pact has not been verified",
		Data{Versions: []VersionFact{v("Bar", "2")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}}, toProd(sel("Bar", "2"))},
	{"find when deploying a consumer where the pact has been verified, but not by the required provider version",
		Data{Versions: []VersionFact{v("Bar", "2", "prod"), v("Bar", "3")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a")},
			Verifications: []VerificationFact{verified("Bar", "3", "Foo", "a", true)}},
		toProd(sel("Foo", "1"))},
	{"find when two applications have pacts with each other (nureva use case) when both application versions are specified explictly",
		nureva(), Query{Selectors: []Selector{sel("ServiceA", "1"), sel("ServiceB", "100")}, LatestBy: ByConsumerVersionAndProviderVersion}},
	{"find when two applications have pacts with each other (nureva use case) when only one application is specified",
		nureva(), Query{Selectors: []Selector{sel("ServiceB", "100")}, Latest: true, LatestBy: ByConsumerVersionAndProvider}},
	{"find specifying a provider which has multiple prod versions of one consumer (explicit) and a single version of another (inferred) with inferred selectors",
		catAndDog(), Query{Selectors: []Selector{sel("Bar", "2"), {Pacticipant: "Foo", Tag: "prod"}}, Latest: true, Tag: "prod"}},
	{"find specifying a provider which has multiple prod versions of one consumer (explicit) and a single version of another (inferred) without inferred selectors",
		catAndDog(), Query{Selectors: []Selector{sel("Bar", "2"), {Pacticipant: "Foo", Tag: "prod"}}}},
	{"find when there is a consumer with two providers, and only one of them has a verification, and the consumer and the verified provider are explicitly specified",
		Data{Versions: []VersionFact{v("Bar", "2", "prod")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Foo", "1", "Wiffle", "b")},
			Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true)}},
		Query{Selectors: []Selector{sel("Foo", "1"), {Pacticipant: "Bar", Tag: "prod", Latest: true}}, LatestBy: ByConsumerVersionAndProviderVersion}},
	{"find when a provider version has no verification results with the consumer version already in the environment",
		Data{Versions: []VersionFact{v("Foo", "1"), v("Bar", "1"), v("NotInTest", "1", "test"), v("Bar", "2")},
			Pacts:         []PactFact{pact("Foo", "1", "Bar", "a"), pact("NotInTest", "1", "Bar", "b")},
			Verifications: []VerificationFact{verified("Bar", "1", "Foo", "a", true), verified("Bar", "1", "NotInTest", "b", true)}},
		Query{Selectors: []Selector{sel("Bar", "2")}, Latest: true, Tag: "test", LatestBy: ByConsumerVersionAndProvider}},
	{"find when adding a new provider c1 v2",
		newProvider(), Query{Selectors: []Selector{sel("c1", "2")}, Latest: true, Tag: "test", LatestBy: ByConsumerVersionAndProvider}},
	{"find when adding a new provider p2 v1",
		newProvider(), Query{Selectors: []Selector{sel("p2", "1")}, Latest: true, Tag: "test", LatestBy: ByConsumerVersionAndProvider}},
	{"find when the consumer version currently deployed has no pacts with a provider",
		Data{Versions: []VersionFact{v("c1", "1"), v("c1", "2", "prod")}, Pacts: []PactFact{pact("c1", "1", "p1", "a")},
			Verifications: []VerificationFact{verified("p1", "1", "c1", "a", true)}},
		toProd(sel("p1", "1"))},
	{"find when an unresolved selector resolves to more than one resolved selector (ie. all tags)",
		Data{Versions: []VersionFact{v("bar", "1", "prod"), v("bar", "2", "prod")}, Pacts: []PactFact{pact("foo", "1", "bar", "a")},
			Verifications: []VerificationFact{verified("bar", "1", "foo", "a", true), verified("bar", "2", "foo", "a", false)}},
		Query{Selectors: []Selector{sel("foo", "1")}, Tag: "prod", LatestBy: ByConsumerVersionAndProvider}},
}

func nureva() Data {
	// Creation order as in the Ruby fixture: ServiceA 99 (as a provider) before ServiceA 1.
	return Data{Versions: []VersionFact{v("ServiceB", "100"), v("ServiceA", "99"), v("ServiceA", "1")},
		Pacts:         []PactFact{pact("ServiceB", "100", "ServiceA", "a"), pact("ServiceA", "1", "ServiceB", "b")},
		Verifications: []VerificationFact{verified("ServiceA", "99", "ServiceB", "a", true), verified("ServiceB", "100", "ServiceA", "b", true)}}
}

// Foo 1 and 2 (prod) verified by Bar 2, Foo 3 failed by Bar 2, Cat 20 (prod) unverified, Dog 40 verified.
func catAndDog() Data {
	return Data{Versions: []VersionFact{v("Foo", "1", "prod"), v("Foo", "2", "prod"), v("Foo", "3"), v("Cat", "20", "prod"), v("Dog", "40")},
		Pacts: []PactFact{pact("Foo", "1", "Bar", "a"), pact("Foo", "2", "Bar", "b"), pact("Foo", "3", "Bar", "c"),
			pact("Cat", "20", "Bar", "d"), pact("Dog", "40", "Bar", "e")},
		Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true), verified("Bar", "2", "Foo", "b", true),
			verified("Bar", "2", "Foo", "c", false), verified("Bar", "2", "Dog", "e", true)}}
}

func newProvider() Data {
	return Data{Versions: []VersionFact{v("c1", "1", "test"), v("p1", "1", "test")},
		Pacts:         []PactFact{pact("c1", "1", "p1", "a"), pact("c1", "2", "p2", "b")},
		Verifications: []VerificationFact{verified("p1", "1", "c1", "a", true), verified("p2", "1", "c1", "b", true)}}
}

func ignoreScenarios() []parityScenario {
	const consumer = "find when deploying a consumer and ignoring a provider "
	const provider = "find when deploying a provider and ignoring a consumer "
	deployFoo := func(ignore ...Ignore) Query {
		q := toProd(sel("Foo", "1"))
		q.Ignore = ignore
		return q
	}
	deployFooAndBar := func(ignore ...Ignore) Query {
		q := deployFoo(ignore...)
		q.Selectors = append(q.Selectors, Selector{Pacticipant: "Bar", Tag: "prod", Latest: true})
		return q
	}
	deployBar := func(ignore ...Ignore) Query {
		q := toProd(sel("Bar", "2"))
		q.Ignore = ignore
		return q
	}
	bar := Ignore{Pacticipant: "Bar"}
	missing := Data{Versions: []VersionFact{v("Bar", "2", "prod")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}}
	failed := Data{Versions: []VersionFact{v("Bar", "2", "prod")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a")},
		Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", false)}}
	notDeployed := Data{Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}, Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", true)}}
	fooProdFailed := Data{Versions: []VersionFact{v("Foo", "1", "prod")}, Pacts: []PactFact{pact("Foo", "1", "Bar", "a")},
		Verifications: []VerificationFact{verified("Bar", "2", "Foo", "a", false)}}
	return []parityScenario{
		{consumer + "with a missing verification from a provider deployment_status_summary", missing, deployFoo(bar)},
		{consumer + "with a missing verification from a provider without any ignore selectors", missing, deployFoo()},
		{consumer + "with a failed verification from a provider deployment_status_summary", failed, deployFoo(bar)},
		{consumer + "with a failed verification from a provider without any ignore selectors", failed, deployFoo()},
		{consumer + "with a failed verification from a provider when ignoring the specific provider version", failed, deployFoo(Ignore{"Bar", "2"})},
		{consumer + "with a failed verification from a provider when ignoring a different specific provider version", failed, deployFoo(Ignore{"Bar", "999"})},
		{consumer + "when the provider has not been deployed deployment_status_summary", notDeployed, deployFoo(bar)},
		{consumer + "when the provider has not been deployed without any ignore selectors", notDeployed, deployFoo()},
		{consumer + "when the consumer and provider have been specified deployment_status_summary", failed, deployFooAndBar(bar)},
		{consumer + "when the consumer and provider have been specified without any ignore selectors", failed, deployFooAndBar()},
		{consumer + "when the consumer and provider have been specified and the provider version specified does not exist deployment_status_summary", notDeployed, deployFooAndBar(bar)},
		{consumer + "when the consumer and provider have been specified and the provider version specified does not exist without any ignore selectors", notDeployed, deployFooAndBar()},
		{consumer + "when the provider to ignore does not exist", Data{Pacts: []PactFact{pact("Foo", "1", "NotBar", "a")},
			Verifications: []VerificationFact{verified("NotBar", "2", "Foo", "a", true)}}, deployFoo(bar)},
		{consumer + "when the provider version to ignore does not exist", notDeployed, deployFoo(Ignore{"Bar", "999"})},
		{provider + "with a missing verification from a provider", Data{Versions: []VersionFact{v("Foo", "1", "prod"), v("Bar", "2")},
			Pacts: []PactFact{pact("Foo", "1", "Bar", "a")}}, deployBar()},
		{provider + "with a failed verification from a provider deployment_status_summary", fooProdFailed, deployBar(Ignore{Pacticipant: "Foo"})},
		{provider + "with a failed verification from a provider without any ignore selectors", fooProdFailed, deployBar()},
		{provider + "with a failed verification from a provider when ignoring the specific consumer version", fooProdFailed, deployBar(Ignore{"Foo", "1"})},
		{provider + "with a failed verification from a provider when ignoring the wrong specific consumer version", fooProdFailed, deployBar(Ignore{"Foo", "wrong"})},
	}
}

func TestParityWithRubyIntegrationSpecs(t *testing.T) {
	for file, scenarios := range map[string][]parityScenario{
		"matrix_integration_spec.approved.json":        integrationScenarios,
		"matrix_integration_ignore_spec.approved.json": ignoreScenarios(),
	} {
		approvals := loadJSON(t, file)
		covered := map[string]bool{}
		for _, sc := range scenarios {
			prefix := "PactBroker::Matrix::Service " + sc.prefix
			var keys []string
			for k := range approvals {
				if strings.HasPrefix(k, prefix) {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 {
				t.Errorf("%s: no approval starts with %q", file, prefix)
				continue
			}
			t.Run(sc.prefix, func(t *testing.T) {
				m, err := NewMemory(sc.data)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Decide(context.Background(), m, sc.query)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range res.Summary.Reasons {
					got = append(got, r.Kind.String())
				}
				slices.Sort(got)
				for _, k := range keys {
					covered[k] = true
					approval := approvals[k].(map[string]any)
					var want []string
					for _, name := range approval["reasons"].([]any) {
						kind, ok := rubyReasonKinds[name.(string)]
						if !ok {
							t.Fatalf("unmapped Ruby reason %s", name)
						}
						want = append(want, kind.String())
					}
					slices.Sort(want)
					if g, w := verdict(res.Summary.Deployable), verdictOf(approval["deployable"]); g != w {
						t.Errorf("%s:\ndeployable = %s, Ruby %s\n%s", k, g, w, res.Summary.Reason)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s:\nreasons = %v, Ruby %v\n%s", k, got, want, res.Summary.Reason)
					}
				}
			})
		}
		for k := range approvals {
			if !covered[k] {
				t.Errorf("%s: approval %q is not covered by a scenario", file, k)
			}
		}
	}
}
