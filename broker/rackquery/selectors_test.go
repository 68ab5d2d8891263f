package rackquery

import (
	"errors"
	"strings"
	"testing"
)

func TestSelectors(t *testing.T) {
	tests := []struct {
		name, query, key, want string
	}{
		// Rack-shaped queries (every element starts with pacticipant) are untouched.
		{"rust cli: one selector", "q[][pacticipant]=Foo&q[][version]=1.2.3&latestby=cvp&latest=true", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.3"}]`},
		{"rust cli: two selectors in argv order", "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][latest]=true&q[][tag]=prod&latestby=cvpv", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "latest"=>"true", "tag"=>"prod"}]`},
		{"ui: names only", "q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv", "q",
			`[{"pacticipant"=>"Foo"}, {"pacticipant"=>"Bar"}]`},
		{"rack keeps a version that follows its own pacticipant", "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1"}, {"pacticipant"=>"Bar"}]`},
		{"ignore list", "ignore[][pacticipant]=Bar&ignore[][version]=2&ignore[][pacticipant]=Baz", "ignore",
			`[{"pacticipant"=>"Bar", "version"=>"2"}, {"pacticipant"=>"Baz"}]`},
		{"absent", "latestby=cvp", "q", `[]`},

		// Key-grouped queries replayed from pact files are regrouped (rules in the package doc).
		{"sorted: two versions", "latestby=cvpv&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1%2e2%2e3&q[][version]=4%2e5%2e6", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "version"=>"4.5.6"}]`},
		{"sorted: plus means space", "latestby=cvpv&q[][pacticipant]=Foo+Thing&q[][pacticipant]=Bar&q[][version]=1%2e2%2e3&q[][version]=4%2e5%2e6", "q",
			`[{"pacticipant"=>"Foo Thing", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "version"=>"4.5.6"}]`},
		{"sorted: latest tagged target goes to the unversioned selector", "latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][tag]=prod&q[][version]=1%2e2%2e3", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "latest"=>"true", "tag"=>"prod"}]`},
		{"sorted: latest target", "latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1%2e2%2e4", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.4"}, {"pacticipant"=>"Bar", "latest"=>"true"}]`},
		{"sorted: deployed provider first, tag for consumer", "ignore[][pacticipant]=Foo&ignore[][version]=3%2e4%2e5&latestby=cvpv&q[][pacticipant]=Bar&q[][pacticipant]=Foo&q[][tag]=prod&q[][version]=4%2e5%2e6", "q",
			`[{"pacticipant"=>"Bar", "version"=>"4.5.6"}, {"pacticipant"=>"Foo", "tag"=>"prod"}]`},
		{"rust cli pact: partially sorted", "latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][tag]=prod&q[][version]=1%2e2%2e3&q[][pacticipant]=Bar", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "latest"=>"true", "tag"=>"prod"}]`},
		{"rust cli pact: partially sorted, latest only", "latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][version]=1%2e2%2e4&q[][pacticipant]=Bar", "q",
			`[{"pacticipant"=>"Foo", "version"=>"1.2.4"}, {"pacticipant"=>"Bar", "latest"=>"true"}]`},
		{"sorted: unknown pacticipants still pair up", "latestby=cvpv&q[][pacticipant]=Wiffle&q[][pacticipant]=Meep&q[][version]=1%2e2%2e3&q[][version]=9%2e9%2e9", "q",
			`[{"pacticipant"=>"Wiffle", "version"=>"1.2.3"}, {"pacticipant"=>"Meep", "version"=>"9.9.9"}]`},
		{"sorted: more tags than unversioned selectors go to all in order", "q[][pacticipant]=A&q[][pacticipant]=B&q[][tag]=x&q[][tag]=y&q[][version]=1", "q",
			`[{"pacticipant"=>"A", "version"=>"1", "tag"=>"x"}, {"pacticipant"=>"B", "tag"=>"y"}]`},
		{"no pacticipant at all is left for validation", "q[][version]=1&q[][version]=2", "q",
			`[{"version"=>"1"}, {"version"=>"2"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Selectors(params, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if s := NewArray(got...).String(); s != tt.want {
				t.Errorf("Selectors(%q)\n got %s\nwant %s", tt.query, s, tt.want)
			}
		})
	}
}

func TestSelectorsErrors(t *testing.T) {
	tests := []struct {
		name, query string
		check       func(error) bool
	}{
		{"more versions than pacticipants", "q[][version]=1&q[][pacticipant]=A&q[][version]=2", isAmbiguous("version")},
		{"more tags than pacticipants", "q[][tag]=x&q[][pacticipant]=A&q[][tag]=y", isAmbiguous("tag")},
		{"q as a hash", "q[pacticipant]=Foo", isType("q", Array, Hash)},
		{"q as a string", "q=Foo", isType("q", Array, String)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Selectors(params, "q")
			if err == nil {
				t.Fatalf("Selectors = %v, want an error", got)
			}
			if !tt.check(err) {
				t.Errorf("wrong error %T: %v", err, err)
			}
			if !strings.Contains(err.Error(), "q") {
				t.Errorf("message %q does not name the parameter", err)
			}
		})
	}
}

func isAmbiguous(key string) func(error) bool {
	return func(err error) bool {
		var ae *AmbiguousError
		return errors.As(err, &ae) && ae.Key == key
	}
}

func TestSelectorsSortedAmbiguity(t *testing.T) {
	// The documented divergence from Rack: sorted keys with several pacticipants first.
	params, _ := Parse("q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1")
	got, err := Selectors(params, "q")
	if err != nil {
		t.Fatal(err)
	}
	if s := NewArray(got...).String(); s != `[{"pacticipant"=>"Foo", "version"=>"1"}, {"pacticipant"=>"Bar"}]` {
		t.Errorf("got %s", s)
	}
	// Not sorted (version before pacticipant): Rack's grouping stands.
	params, _ = Parse("q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][tag]=prod")
	got, _ = Selectors(params, "q")
	if s := NewArray(got...).String(); s != `[{"pacticipant"=>"Foo", "version"=>"1"}, {"pacticipant"=>"Bar", "tag"=>"prod"}]` {
		t.Errorf("got %s", s)
	}
}
