package matrix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Shorthand for stating situations.

func pact(consumer, version, provider, sha string) PactFact {
	return PactFact{Consumer: consumer, ConsumerVersion: version, Provider: provider, SHA: sha}
}

func verified(provider, version, consumer, sha string, ok bool) VerificationFact {
	return VerificationFact{Consumer: consumer, Provider: provider, SHA: sha, ProviderVersion: version, Success: ok}
}

func deployed(app, version, env, instance string) Deployment {
	return Deployment{Pacticipant: app, Version: version, Environment: env, ApplicationInstance: instance}
}

func released(app, version, env string) Release {
	return Release{Pacticipant: app, Version: version, Environment: env}
}

// canIDeploy is the query `pact broker can-i-deploy --pacticipant app --version v --to-environment env` sends.
func canIDeploy(app, version, env string, ignore ...Ignore) Query {
	return Query{Selectors: []Selector{{Pacticipant: app, Version: version}}, Environment: env,
		LatestBy: ByConsumerVersionAndProviderVersion, Ignore: ignore}
}

// canIDeployToTag is `--to TAG` (the tag-based predecessor of environments).
func canIDeployToTag(app, version, tag string) Query {
	return Query{Selectors: []Selector{{Pacticipant: app, Version: version}}, Tag: tag, Latest: true,
		LatestBy: ByConsumerVersionAndProvider}
}

type decideCase struct {
	name       string
	data       Data
	query      Query
	deployable string // "yes", "no" or "unknown"
	counts     [3]int // success, failed, unknown
	ignored    int    // -1: no ignore selectors, so no count
	reasons    []ReasonKind
	rows       []string // "Foo 1 > Bar 10 success", "... unknown", "... ignored"
	mention    []string // substrings the reason must contain, naming the versions involved
}

// prod is the usual pair: consumer Foo with a pact on provider Bar, Bar 10 in production.
func prod(extra func(*Data)) Data {
	d := Data{
		Environments: []string{"production", "test"},
		Versions:     []VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10"}},
		Pacts:        []PactFact{pact("Foo", "1", "Bar", "sha-a")},
		Deployments:  []Deployment{deployed("Bar", "10", "production", "")},
	}
	if extra != nil {
		extra(&d)
	}
	return d
}

var decideCases = []decideCase{
	{
		name:       "never verified",
		data:       prod(nil),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 1 > Bar 10 unknown"},
		mention: []string{"version 1 of Foo", "the version of Bar currently in production (10)"},
	},
	{
		name:       "verified successfully by the provider version in the environment",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)} }),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		name:       "verification failed",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)} }),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "no", counts: [3]int{0, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 10 failure"},
		mention: []string{"The verification of the pact between version 1 of Foo and the version of Bar currently in production (10) failed"},
	},
	{
		name: "failed then fixed by the same provider version",
		data: prod(func(d *Data) {
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		name: "failed then fixed, every row kept without latestby",
		data: prod(func(d *Data) {
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Environment: "production"},
		deployable: "no", counts: [3]int{1, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 10 success", "Foo 1 > Bar 10 failure"},
	},
	{
		name: "provider not deployed to the target",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "test", "")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 1 > Bar ? unknown"},
		mention: []string{"the version of Bar in production (none is recorded as deployed or released there)"},
	},
	{
		name:       "provider with no consumers deployed: no missing dependencies",
		data:       prod(nil),
		query:      canIDeploy("Bar", "10", "production"),
		deployable: "yes", counts: [3]int{0, 0, 0}, ignored: -1,
		reasons: []ReasonKind{NothingMissing},
	},
	{
		name: "provider whose deployed consumer's pact it verified",
		data: prod(func(d *Data) {
			d.Versions = append(d.Versions, VersionFact{Pacticipant: "Bar", Number: "11"})
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", ""))
			d.Verifications = []VerificationFact{verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Bar", "11", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		name: "provider that has not verified the pact of the consumer already deployed",
		data: prod(func(d *Data) {
			d.Versions = append(d.Versions, VersionFact{Pacticipant: "Bar", Number: "11"})
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", ""))
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Bar", "11", "production"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 1 > Bar ? unknown"},
		mention: []string{"the version of Foo currently in production (1) and version 11 of Bar"},
	},
	{
		name: "provider with two consumer versions deployed on two instances, one not verified",
		data: prod(func(d *Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-b"))
			d.Deployments = append(d.Deployments, deployed("Foo", "1", "production", "eu"), deployed("Foo", "2", "production", "us"))
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Bar", "10", "production"),
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 2 > Bar ? unknown", "Foo 1 > Bar 10 success"},
		mention: []string{"one of the versions of Foo currently in production (2) and version 10 of Bar"},
	},
	{
		name: "several deployed instances of the provider, one failed",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "no", counts: [3]int{1, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 11 failure", "Foo 1 > Bar 10 success"},
		mention: []string{"one of the versions of Bar currently in production (11) failed"},
	},
	{
		name: "several deployed instances of the provider, one never verified",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 1 > Bar 11 unknown", "Foo 1 > Bar 10 success"},
		mention: []string{"There is no verified pact between version 1 of Foo and one of the versions of Bar currently in production (11)"},
	},
	{
		name: "several deployed instances of the provider, all verified",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "production", "blue"), deployed("Bar", "11", "production", "green")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{2, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 success"},
	},
	{
		name: "redeployment to the same instance replaces the failing version",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "production", ""), deployed("Bar", "11", "production", "")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		name: "undeployed version no longer counts",
		data: prod(func(d *Data) {
			d.Deployments = []Deployment{deployed("Bar", "10", "production", "a"), deployed("Bar", "11", "production", "b"),
				{Pacticipant: "Bar", Version: "10", Environment: "production", ApplicationInstance: "a", Undeployed: true}}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		name: "released versions still supported are all checked",
		data: prod(func(d *Data) {
			d.Deployments = nil
			d.Releases = []Release{released("Bar", "10", "production"), released("Bar", "11", "production")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "no", counts: [3]int{1, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
		mention: []string{"one of the versions of Bar currently in production (10) failed"},
	},
	{
		name: "released version whose support ended no longer counts",
		data: prod(func(d *Data) {
			d.Deployments = nil
			d.Releases = []Release{{Pacticipant: "Bar", Version: "10", Environment: "production", SupportEnded: true}, released("Bar", "11", "production")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		name:       "ignore a provider that failed",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)} }),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar"}),
		deployable: "yes", counts: [3]int{0, 0, 0}, ignored: 1,
		reasons: []ReasonKind{NothingMissing},
		rows:    []string{"Foo 1 > Bar 10 failure ignored"},
	},
	{
		name:       "ignore a provider that is not deployed yet",
		data:       prod(func(d *Data) { d.Deployments = nil }),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar"}),
		deployable: "yes", counts: [3]int{0, 0, 0}, ignored: 1,
		reasons: []ReasonKind{NothingMissing},
		rows:    []string{"Foo 1 > Bar ? unknown ignored"},
	},
	{
		name:       "ignore the failing provider version",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)} }),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar", Version: "10"}),
		deployable: "yes", counts: [3]int{0, 0, 0}, ignored: 1,
		reasons: []ReasonKind{NothingMissing},
		rows:    []string{"Foo 1 > Bar 10 failure ignored"},
	},
	{
		name: "ignore another version of the provider than the failing one",
		data: prod(func(d *Data) {
			d.Versions = append(d.Versions, VersionFact{Pacticipant: "Bar", Number: "9"})
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)}
		}),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar", Version: "9"}),
		deployable: "no", counts: [3]int{0, 1, 0}, ignored: 0,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 10 failure"},
	},
	{
		name:       "ignore an application that does not exist",
		data:       prod(nil),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Nope"}),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: 0,
		reasons: []ReasonKind{IgnoreNotFound, NotVerified},
		mention: []string{"WARN: Nothing to ignore for any version of Nope (no such pacticipant)"},
		rows:    []string{"Foo 1 > Bar 10 unknown"},
	},
	{
		name:       "ignore a version that does not exist",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)} }),
		query:      canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar", Version: "99"}),
		deployable: "no", counts: [3]int{0, 1, 0}, ignored: 0,
		reasons: []ReasonKind{IgnoreNotFound, VerificationFailed},
		mention: []string{"version 99 of Bar (unknown to the broker)"},
		rows:    []string{"Foo 1 > Bar 10 failure"},
	},
	{
		name:       "unknown version of the application to deploy",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)} }),
		query:      canIDeploy("Foo", "9", "production"),
		deployable: "no", counts: [3]int{0, 0, 0}, ignored: -1,
		reasons: []ReasonKind{VersionNotFound},
		mention: []string{"Version 9 of Foo is unknown"},
	},
	{
		name: "content inherited by a new consumer version counts as verified",
		data: prod(func(d *Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-a"))
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "2", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 2 > Bar 10 success"},
	},
	{
		name: "changed content is not covered by the old verification",
		data: prod(func(d *Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "2", "Bar", "sha-b"))
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "2", "production"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 2 > Bar 10 unknown"},
	},
	{
		name: "republished content for the same version: only the latest revision counts",
		data: prod(func(d *Data) {
			d.Pacts = append(d.Pacts, pact("Foo", "1", "Bar", "sha-b"))
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 1 > Bar 10 unknown"},
	},
	{
		name: "tag as the target: the latest tagged provider version counts, not newer untagged ones",
		data: prod(func(d *Data) {
			d.Versions = []VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10", Tags: []string{"prod"}}, {Pacticipant: "Bar", Number: "11"}}
			d.Deployments = nil
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		query:      canIDeployToTag("Foo", "1", "prod"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		name: "tag as the target with no version tagged",
		data: prod(func(d *Data) {
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query:      canIDeployToTag("Foo", "1", "prod"),
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		mention: []string{"the latest version of Bar tagged prod (no version has that tag)"},
		rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		name: "environment as the target ignores tags named like the environment",
		data: prod(func(d *Data) {
			d.Versions = []VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Bar", Number: "10", Tags: []string{"production"}}, {Pacticipant: "Bar", Number: "11"}}
			d.Deployments = []Deployment{deployed("Bar", "11", "production", "")}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "11", "Foo", "sha-a", false)}
		}),
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "no", counts: [3]int{0, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 11 failure"},
	},
	{
		name: "main branch as the target (can-i-merge)",
		data: prod(func(d *Data) {
			d.Pacticipants = []Pacticipant{{Name: "Bar", MainBranch: "main"}}
			d.Versions = append(d.Versions, VersionFact{Pacticipant: "Bar", Number: "12", Branches: []string{"main"}}, VersionFact{Pacticipant: "Bar", Number: "13", Branches: []string{"feat"}})
			d.Verifications = []VerificationFact{verified("Bar", "12", "Foo", "sha-a", true), verified("Bar", "13", "Foo", "sha-a", false)}
		}),
		query: Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, MainBranch: true, Latest: true,
			LatestBy: ByConsumerVersionAndProvider},
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 12 success"},
	},
	{
		name:       "main branch as the target when the provider has none",
		data:       prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)} }),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, MainBranch: true, LatestBy: ByConsumerVersionAndProviderVersion},
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		mention: []string{"a version of Bar on its main branch (no version is on it)"},
		rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		name: "branch selector for the application to deploy warns about race conditions",
		data: prod(func(d *Data) {
			d.Versions = []VersionFact{{Pacticipant: "Foo", Number: "1", Branches: []string{"feat"}}, {Pacticipant: "Bar", Number: "10"}}
			d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)}
		}),
		query: Query{Selectors: []Selector{{Pacticipant: "Foo", Branch: "feat", Latest: true}}, Environment: "production",
			LatestBy: ByConsumerVersionAndProviderVersion},
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{NoVersionNumber, AllVerified},
		rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		name: "application in both roles, everything verified",
		data: Data{
			Environments: []string{"production"},
			Pacts:        []PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []VerificationFact{
				verified("Orders", "o5", "Gateway", "sha-go", true), verified("Users", "u3", "Orders", "sha-ou", true)},
			Deployments: []Deployment{deployed("Gateway", "g1", "production", ""), deployed("Users", "u3", "production", "")},
		},
		query:      canIDeploy("Orders", "o5", "production"),
		deployable: "yes", counts: [3]int{2, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Gateway g1 > Orders o5 success", "Orders o5 > Users u3 success"},
	},
	{
		name: "application in both roles, its consumer's pact not verified",
		data: Data{
			Environments:  []string{"production"},
			Pacts:         []PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []VerificationFact{verified("Users", "u3", "Orders", "sha-ou", true)},
			Deployments:   []Deployment{deployed("Gateway", "g1", "production", ""), deployed("Users", "u3", "production", "")},
		},
		query:      canIDeploy("Orders", "o5", "production"),
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Gateway g1 > Orders ? unknown", "Orders o5 > Users u3 success"},
		mention: []string{"the version of Gateway currently in production (g1) and version o5 of Orders"},
	},
	{
		name: "application in both roles, its provider not deployed",
		data: Data{
			Environments:  []string{"production"},
			Pacts:         []PactFact{pact("Gateway", "g1", "Orders", "sha-go"), pact("Orders", "o5", "Users", "sha-ou")},
			Verifications: []VerificationFact{verified("Orders", "o5", "Gateway", "sha-go", true)},
			Deployments:   []Deployment{deployed("Gateway", "g1", "production", "")},
		},
		query:      canIDeploy("Orders", "o5", "production"),
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Gateway g1 > Orders o5 success", "Orders o5 > Users ? unknown"},
	},
	{
		name: "two applications with pacts on each other, both versions given",
		data: Data{
			Pacts:         []PactFact{pact("Foo", "1", "Bar", "sha-fb"), pact("Bar", "10", "Foo", "sha-bf")},
			Verifications: []VerificationFact{verified("Bar", "10", "Foo", "sha-fb", true)},
		},
		query: Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar", Version: "10"}},
			LatestBy: ByConsumerVersionAndProviderVersion},
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Bar 10 > Foo ? unknown", "Foo 1 > Bar 10 success"},
		mention: []string{"version 10 of Bar and version 1 of Foo"},
	},
	{
		name: "old consumer version without the pact of a provider added later",
		data: Data{
			Environments:  []string{"production"},
			Pacts:         []PactFact{pact("Foo", "1", "Bar", "sha-a"), pact("Foo", "2", "Bar", "sha-a"), pact("Foo", "2", "Baz", "sha-z")},
			Verifications: []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true)},
			Deployments:   []Deployment{deployed("Bar", "10", "production", "")},
		},
		query:      canIDeploy("Foo", "1", "production"),
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 10 success"},
	},
	{
		name: "single selector without a target compares with the latest versions and warns",
		data: Data{
			Pacts:         []PactFact{pact("Foo", "1", "Bar", "sha-a")},
			Verifications: []VerificationFact{verified("Bar", "10", "Foo", "sha-a", true), verified("Bar", "20", "Foo", "sha-x", true)},
		},
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Latest: true, LatestBy: ByConsumerVersionAndProvider},
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NoEnvironment, NotVerified},
		mention: []string{"WARN: No target environment", "the latest version of Bar (20)"},
		rows:    []string{"Foo 1 > Bar ? unknown"},
	},
	{
		name:       "latestby cvp keeps the newest provider version per consumer version",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar"}}, LatestBy: ByConsumerVersionAndProvider},
		deployable: "yes", counts: [3]int{1, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 1 > Bar 11 success"},
	},
	{
		name:       "latestby cvpv keeps every provider version",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}, {Pacticipant: "Bar"}}, LatestBy: ByConsumerVersionAndProviderVersion},
		deployable: "no", counts: [3]int{1, 1, 0}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed},
		rows:    []string{"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
		mention: []string{"version 1 of Foo and any version of Bar failed"},
	},
	{
		name:       "latestby cp keeps one row per integration",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: ByConsumerAndProvider},
		deployable: "unknown", counts: [3]int{0, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 3 > Bar ? unknown"},
	},
	{
		name:       "no latestby keeps every verification",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}},
		deployable: "unknown", counts: [3]int{3, 2, 1}, ignored: -1,
		reasons: []ReasonKind{VerificationFailed, NotVerified},
		rows: []string{"Foo 3 > Bar ? unknown", "Foo 2 > Bar 11 success", "Foo 2 > Bar 10 success", "Foo 2 > Bar 10 failure",
			"Foo 1 > Bar 11 success", "Foo 1 > Bar 10 failure"},
	},
	{
		name:       "success filter keeps successful rows",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: ByConsumerVersionAndProviderVersion, Success: []Status{Succeeded}},
		deployable: "yes", counts: [3]int{3, 0, 0}, ignored: -1,
		reasons: []ReasonKind{AllVerified},
		rows:    []string{"Foo 2 > Bar 11 success", "Foo 2 > Bar 10 success", "Foo 1 > Bar 11 success"},
	},
	{
		name:       "limit keeps the most recent rows",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: ByConsumerVersionAndProviderVersion, Limit: 2},
		deployable: "unknown", counts: [3]int{1, 0, 1}, ignored: -1,
		reasons: []ReasonKind{NotVerified},
		rows:    []string{"Foo 3 > Bar ? unknown", "Foo 2 > Bar 11 success"},
	},
	{
		name:       "one application alone lists its rows in both roles",
		data:       browse(),
		query:      Query{Selectors: []Selector{{Pacticipant: "Bar", Version: "10"}}, LatestBy: ByConsumerVersionAndProviderVersion},
		deployable: "no", counts: [3]int{1, 1, 0}, ignored: -1,
		reasons: []ReasonKind{NoEnvironment, VerificationFailed},
		rows:    []string{"Foo 2 > Bar 10 success", "Foo 1 > Bar 10 failure"},
	},
	{
		name:       "consumer with no pacts and no consumers",
		data:       Data{Environments: []string{"production"}, Versions: []VersionFact{{Pacticipant: "Lonely", Number: "1"}}},
		query:      canIDeploy("Lonely", "1", "production"),
		deployable: "yes", counts: [3]int{0, 0, 0}, ignored: -1,
		reasons: []ReasonKind{NothingMissing},
	},
}

// browse: Foo 1 failed by Bar 10 and fixed by Bar 11; Foo 2 failed then fixed by Bar 10 and verified by
// Bar 11; Foo 3 has new content nobody verified.
func browse() Data {
	return Data{
		Versions: []VersionFact{{Pacticipant: "Foo", Number: "1"}, {Pacticipant: "Foo", Number: "2"}, {Pacticipant: "Foo", Number: "3"},
			{Pacticipant: "Bar", Number: "10"}, {Pacticipant: "Bar", Number: "11"}},
		Pacts: []PactFact{pact("Foo", "1", "Bar", "sha-1"), pact("Foo", "2", "Bar", "sha-2"), pact("Foo", "3", "Bar", "sha-3")},
		Verifications: []VerificationFact{
			verified("Bar", "10", "Foo", "sha-1", false), verified("Bar", "11", "Foo", "sha-1", true),
			verified("Bar", "10", "Foo", "sha-2", false), verified("Bar", "10", "Foo", "sha-2", true), verified("Bar", "11", "Foo", "sha-2", true),
		},
	}
}

func TestDecide(t *testing.T) {
	for _, tc := range decideCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMemory(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Decide(context.Background(), m, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			if got := verdict(s.Deployable); got != tc.deployable {
				t.Errorf("deployable = %s, want %s", got, tc.deployable)
			}
			if got := [3]int{s.Success, s.Failed, s.Unknown}; got != tc.counts {
				t.Errorf("counts (success, failed, unknown) = %v, want %v", got, tc.counts)
			}
			if tc.ignored < 0 && s.Ignored != nil || tc.ignored >= 0 && (s.Ignored == nil || *s.Ignored != tc.ignored) {
				t.Errorf("ignored = %v, want %d", deref(s.Ignored), tc.ignored)
			}
			var kinds []ReasonKind
			for _, r := range s.Reasons {
				kinds = append(kinds, r.Kind)
			}
			if !slices.Equal(kinds, tc.reasons) {
				t.Errorf("reasons = %v, want %v\n%s", kinds, tc.reasons, s.Reason)
			}
			if got := rowStrings(res.Rows); !slices.Equal(got, tc.rows) {
				t.Errorf("rows:\n got %q\nwant %q", got, tc.rows)
			}
			for _, m := range tc.mention {
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
		})
	}
}

func verdict(b *bool) string {
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

func rowStrings(rows []Row) []string {
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

func TestDecideRejectsBadQueries(t *testing.T) {
	tests := []struct {
		name    string
		query   Query
		mention string
	}{
		{"unknown environment is an error, not a yes", canIDeploy("Foo", "1", "staging"), "no environment named staging"},
		{"unknown pacticipant", canIDeploy("Wiffle", "1", "production"), "no pacticipant named Wiffle"},
		{"no selectors", Query{Environment: "production"}, "at least one selector"},
		{"selector without a name", Query{Selectors: []Selector{{Version: "1"}}}, "needs a pacticipant name"},
		{"version and latest", Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1", Latest: true}}}, "both a version number and latest"},
		{"two targets", Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Tag: "prod", Environment: "production"}, "only one target"},
		{"latest with environment", Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Latest: true, Environment: "production"}, "latest cannot be combined"},
		{"ignore without a name", canIDeploy("Foo", "1", "production", Ignore{Version: "2"}), "ignore selector needs a pacticipant name"},
		{"negative limit", Query{Selectors: []Selector{{Pacticipant: "Foo"}}, Limit: -1}, "limit must be"},
		{"unknown latestby", Query{Selectors: []Selector{{Pacticipant: "Foo"}}, LatestBy: "xyz"}, "latestby"},
	}
	m, err := NewMemory(prod(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Decide(context.Background(), m, tt.query)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Decide = %+v, %v; want a *ValidationError", res.Summary, err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

type failingFacts struct{ Facts }

func (failingFacts) Versions(context.Context, Selector) ([]Version, error) {
	return nil, errors.New("database is down")
}

func TestDecideWrapsStoreErrors(t *testing.T) {
	m, err := NewMemory(prod(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decide(context.Background(), failingFacts{m}, canIDeploy("Foo", "1", "production"))
	if err == nil || !strings.Contains(err.Error(), "database is down") || !strings.Contains(err.Error(), "Foo") {
		t.Fatalf("error = %v, want the store error with the application named", err)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Fatal("a store failure must not look like a bad query")
	}
}

func TestNewMemoryRejectsUnplaceableFacts(t *testing.T) {
	for name, d := range map[string]Data{
		"deployment to unknown environment": {Deployments: []Deployment{deployed("Bar", "1", "nowhere", "")}},
		"release to unknown environment":    {Releases: []Release{released("Bar", "1", "nowhere")}},
		"pact without provider":             {Pacts: []PactFact{{Consumer: "Foo", ConsumerVersion: "1", SHA: "x"}}},
		"verification without SHA":          {Verifications: []VerificationFact{{Consumer: "Foo", Provider: "Bar", ProviderVersion: "1"}}},
		"version without number":            {Versions: []VersionFact{{Pacticipant: "Foo"}}},
		"pacticipant without name":          {Pacticipants: []Pacticipant{{MainBranch: "main"}}},
	} {
		if _, err := NewMemory(d); err == nil {
			t.Errorf("%s: NewMemory succeeded", name)
		}
	}
}
