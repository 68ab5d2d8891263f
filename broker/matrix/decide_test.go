package matrix

import (
	"context"
	"errors"
	"fmt"
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

func verdict(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
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
