package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecide: whatever query string arrives at /matrix or /can-i-deploy, parsing and deciding
// either answer or return a *ValidationError, and never panic.
func FuzzDecide(f *testing.F) {
	for _, s := range []string{
		"q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&environment=production",
		"q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvp&success[]=true&limit=2",
		"q[][pacticipant]=Foo&q[][latest]=true&q[][tag]=prod&ignore[][pacticipant]=Bar&ignore[][version]=10&tag=prod&latest=true",
		"latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1",
		"pacticipant=Foo&version=1&environment=production&ignore[]=Bar",
		"q[][pacticipant]=Foo&q[][mainBranch]=true&mainBranch=true&latest=true",
	} {
		f.Add(s)
	}
	m, err := NewMemory(prod(func(d *Data) {
		d.Pacticipants = []Pacticipant{{Name: "Bar", MainBranch: "main"}}
		d.Versions = append(d.Versions, VersionFact{Pacticipant: "Bar", Number: "11", Branches: []string{"main"}, Tags: []string{"prod"}})
		d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false), verified("Bar", "11", "Foo", "sha-a", true)}
		d.Releases = []Release{released("Bar", "11", "production")}
	}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (Query, error){ParseQuery, ParseCanIDeploy} {
			q, err := parse(s)
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("parse(%q) error %T %v is not a *ValidationError", s, err, err)
				}
				continue
			}
			res, err := Decide(context.Background(), m, q)
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("Decide(%+v): %v", q, err)
				}
				continue
			}
			if _, err := json.Marshal(NewBody(res, RenderOptions{BaseURL: "http://b"})); err != nil {
				t.Fatal(err)
			}
			_ = Text(res)
			if res.Summary.Reason == "" || len(res.Summary.Notices) == 0 {
				t.Fatalf("no reason for %q: %+v", s, res.Summary)
			}
		}
	})
}
