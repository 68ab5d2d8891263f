package matrix

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, query string
		want        Query
	}{
		{"rust cli can-i-deploy to an environment",
			"q[][pacticipant]=Foo&q[][version]=1.2.3&latestby=cvpv&environment=production",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1.2.3"}}, LatestBy: "cvpv", Environment: "production"}},
		{"rust cli can-i-deploy without a target",
			"q[][pacticipant]=Foo&q[][version]=1.2.3&latestby=cvp&latest=true",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1.2.3"}}, LatestBy: "cvp", Latest: true}},
		{"rust cli can-i-deploy --to with ignores",
			"q[][pacticipant]=Foo&q[][version]=1&ignore[][pacticipant]=Bar&ignore[][version]=2&ignore[][pacticipant]=Baz&tag=prod&latestby=cvp&latest=true",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Ignore: []Ignore{{"Bar", "2"}, {"Baz", ""}},
				Tag: "prod", LatestBy: "cvp", Latest: true}},
		{"rust cli can-i-merge",
			"q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true&mainBranch=true",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, LatestBy: "cvp", Latest: true, MainBranch: true}},
		{"rust cli selector flags",
			"q[][pacticipant]=Foo&q[][latest]=true&q[][tag]=dev&q[][pacticipant]=Bar&q[][branch]=feat&q[][pacticipant]=Baz&q[][mainBranch]=true&q[][pacticipant]=Qux&q[][environment]=test&latestby=cvpv",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Latest: true, Tag: "dev"}, {Pacticipant: "Bar", Branch: "feat"},
				{Pacticipant: "Baz", MainBranch: true}, {Pacticipant: "Qux", Environment: "test"}}, LatestBy: "cvpv"}},
		{"verifier replaying a sorted pact query",
			"ignore[][pacticipant]=Foo&ignore[][version]=3%2e4%2e5&latestby=cvpv&q[][pacticipant]=Bar&q[][pacticipant]=Foo&q[][tag]=prod&q[][version]=4%2e5%2e6",
			Query{Selectors: []Selector{{Pacticipant: "Bar", Version: "4.5.6"}, {Pacticipant: "Foo", Tag: "prod"}},
				Ignore: []Ignore{{"Foo", "3.4.5"}}, LatestBy: "cvpv"}},
		{"success filter list", "q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv&success[]=true&success[]=&success[]=false",
			Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: "cvpv", Success: []Status{Succeeded, Unverified, Failed}}},
		{"success filter single", "q[][pacticipant]=Foo&success=true",
			Query{Selectors: []Selector{{Pacticipant: "Foo"}}, Success: []Status{Succeeded}}},
		{"limit", "q[][pacticipant]=Foo&limit=7", Query{Selectors: []Selector{{Pacticipant: "Foo"}}, Limit: 7}},
		{"empty values mean absent", "q[][pacticipant]=Foo&q[][version]=&latestby=&limit=&tag=&environment=",
			Query{Selectors: []Selector{{Pacticipant: "Foo"}}}},
		{"ignore given as a plain value is not a list", "q[][pacticipant]=Foo&ignore=Bar", Query{Selectors: []Selector{{Pacticipant: "Foo"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q)\n got %+v\nwant %+v", tt.query, got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, tt := range []struct{ name, query, mention string }{
		{"limit zero", "q[][pacticipant]=Foo&limit=0", "limit"},
		{"limit not a number", "q[][pacticipant]=Foo&limit=ten", "limit"},
		{"q as a string", "q=Foo", "q"},
		{"bad escape", "q[][pacticipant]=%zz", "percent"},
		{"ambiguous sorted selectors", "q[][version]=1&q[][pacticipant]=A&q[][version]=2", "q[][pacticipant]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuery(tt.query)
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("error = %v, want a *ValidationError mentioning %q", err, tt.mention)
			}
		})
	}
}

func TestParseCanIDeploy(t *testing.T) {
	tests := []struct {
		name, query string
		want        Query
	}{
		{"to an environment", "pacticipant=Foo&version=1&environment=production",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Environment: "production", LatestBy: "cvpv"}},
		{"to a tag", "pacticipant=Foo&version=1&to=prod",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Tag: "prod", Latest: true, LatestBy: "cvp"}},
		{"ignore names", "pacticipant=Foo&version=1&environment=production&ignore[]=Bar&ignore[]=Baz",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Environment: "production", LatestBy: "cvpv",
				Ignore: []Ignore{{Pacticipant: "Bar"}, {Pacticipant: "Baz"}}}},
		{"ignore selectors", "pacticipant=Foo&version=1&environment=production&ignore[][pacticipant]=Bar&ignore[][version]=2",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Environment: "production", LatestBy: "cvpv",
				Ignore: []Ignore{{Pacticipant: "Bar", Version: "2"}}}},
		{"single ignore value", "pacticipant=Foo&version=1&to=prod&ignore=Bar",
			Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}}, Tag: "prod", Latest: true, LatestBy: "cvp",
				Ignore: []Ignore{{Pacticipant: "Bar"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCanIDeploy(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCanIDeploy(%q)\n got %+v\nwant %+v", tt.query, got, tt.want)
			}
		})
	}
}

func TestParseCanIDeployErrors(t *testing.T) {
	for _, tt := range []struct{ name, query, mention string }{
		{"nothing", "", "pacticipant is required"},
		{"no version", "pacticipant=Foo&environment=production", "version is required"},
		{"no target", "pacticipant=Foo&version=1", "give the environment"},
		{"both targets", "pacticipant=Foo&version=1&to=prod&environment=production", "not both"},
		{"malformed", "pacticipant=%", "percent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCanIDeploy(tt.query)
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("error = %v, want a *ValidationError mentioning %q", err, tt.mention)
			}
		})
	}
}

func TestShortcutQueries(t *testing.T) {
	if q := LatestTaggedToTag("Foo", "dev", "prod"); !reflect.DeepEqual(q, Query{Selectors: []Selector{{Pacticipant: "Foo", Latest: true, Tag: "dev"}},
		Tag: "prod", Latest: true, LatestBy: "cvp"}) {
		t.Errorf("LatestTaggedToTag = %+v", q)
	}
	if q := LatestOnBranchToEnvironment("Foo", "main", "production"); !reflect.DeepEqual(q, Query{Selectors: []Selector{{Pacticipant: "Foo", Latest: true, Branch: "main"}},
		Environment: "production", LatestBy: "cvpv"}) {
		t.Errorf("LatestOnBranchToEnvironment = %+v", q)
	}
	if q := CanIMerge("Foo", "1"); !reflect.DeepEqual(q, Query{Selectors: []Selector{{Pacticipant: "Foo", Version: "1"}},
		MainBranch: true, Latest: true, LatestBy: "cvp"}) {
		t.Errorf("CanIMerge = %+v", q)
	}
}

func TestForIntegration(t *testing.T) {
	q, err := ForIntegration("Foo", "Bar", "latestby=cvpv&limit=5&q[][pacticipant]=Ignored")
	if err != nil {
		t.Fatal(err)
	}
	want := Query{Selectors: []Selector{{Pacticipant: "Foo"}, {Pacticipant: "Bar"}}, LatestBy: "cvpv", Limit: 5}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("got %+v, want %+v", q, want)
	}
	if _, err := ForIntegration("Foo", "Bar", "limit=0"); err == nil {
		t.Error("a bad limit was accepted")
	}
}
