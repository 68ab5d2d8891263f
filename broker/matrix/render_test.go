package matrix

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestNewBodyLinksAndDetails(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("AEST", 10*3600))
	m, err := NewMemory(Data{
		Environments: []string{"production"},
		Pacts:        []PactFact{{Consumer: "Foo Thing", ConsumerVersion: "1.0/rc", Provider: "Bar", SHA: "abc", CreatedAt: at}},
		Verifications: []VerificationFact{
			{Consumer: "Foo Thing", Provider: "Bar", SHA: "abc", ProviderVersion: "2", Success: true, VerifiedAt: at}},
		Deployments: []Deployment{deployed("Bar", "2", "production", "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Decide(context.Background(), m, canIDeploy("Foo Thing", "1.0/rc", "production", Ignore{Pacticipant: "Baz"}))
	if err != nil {
		t.Fatal(err)
	}
	body := NewBody(res, RenderOptions{BaseURL: "https://broker", Details: func(app string, v Version) VersionDetails {
		if app != "Bar" {
			return VersionDetails{}
		}
		return VersionDetails{
			Branches:     []BranchInfo{{Name: "feat/x", Latest: false}, {Name: "main", Latest: true}},
			Tags:         []TagInfo{{Name: "prod", Latest: true}},
			Environments: []EnvironmentInfo{{UUID: "u-1", Name: "production", DisplayName: "Production", Production: true, CreatedAt: at}},
		}
	}})
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, want := range []string{
		`"ignored":0`,
		`"href":"https://broker/pacticipants/Foo%20Thing/versions/1.0%2Frc"`,
		`"href":"https://broker/pacts/provider/Bar/consumer/Foo%20Thing/version/1.0%2Frc"`,
		`"href":"https://broker/pacts/provider/Bar/consumer/Foo%20Thing/pact-version/abc/metadata/Y3ZuPTEuMCUyRnJj/verification-results/1"`,
		`"createdAt":"2026-01-01T17:04:05+00:00"`,
		`"verifiedAt":"2026-01-01T17:04:05+00:00"`,
		`"branch":"main"`,
		`"href":"https://broker/pacticipants/Bar/branches/feat%2Fx/versions/2"`,
		`{"name":"prod","latest":true,"_links":{"self":{"href":"https://broker/pacticipants/Bar/versions/2/tags/prod"}}}`,
		`{"uuid":"u-1","name":"production","displayName":"Production","production":true,"createdAt":"2026-01-01T17:04:05+00:00","_links":{"self":{"title":"Environment","name":"production","href":"https://broker/environments/u-1"}}}`,
		`"notices":[{"type":"warning","text":"WARN: Nothing to ignore`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("body lacks %s\n%s", want, s)
		}
	}
	if strings.Contains(s, `"ignored":true`) {
		t.Error("a considered row is marked ignored")
	}
}

func TestNewBodyIgnoredRowsAndEmptyMatrix(t *testing.T) {
	m, err := NewMemory(prod(func(d *Data) { d.Verifications = []VerificationFact{verified("Bar", "10", "Foo", "sha-a", false)} }))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Decide(context.Background(), m, canIDeploy("Foo", "1", "production", Ignore{Pacticipant: "Bar"}))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(NewBody(res, RenderOptions{}))
	if !strings.Contains(string(raw), `"ignored":true`) || !strings.Contains(string(raw), `"deployable":true`) {
		t.Errorf("ignored row not rendered: %s", raw)
	}
	res, err = Decide(context.Background(), m, canIDeploy("Bar", "10", "production"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(NewBody(res, RenderOptions{}))
	if !strings.Contains(string(raw), `"matrix":[]`) || strings.Contains(string(raw), `"ignored"`) {
		t.Errorf("want an empty matrix array and no ignored count: %s", raw)
	}
}

func TestSegmentEscapesLikeRuby(t *testing.T) {
	for in, want := range map[string]string{
		"Foo Thing": "Foo%20Thing", "a/b": "a%2Fb", "1.2.3-rc_1~x": "1.2.3-rc_1~x", "a+b&c=d": "a%2Bb%26c%3Dd", "é": "%C3%A9",
	} {
		if got := segment(in); got != want {
			t.Errorf("segment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStringers(t *testing.T) {
	for s, want := range map[Status]string{Unverified: "unknown", Succeeded: "success", Failed: "failure"} {
		if s.String() != want {
			t.Errorf("%d = %s", s, s)
		}
	}
	for k := VersionNotFound; k <= NothingMissing; k++ {
		if k.String() == "ReasonKind?" || k.Type() == "" {
			t.Errorf("kind %d has no name or type", k)
		}
	}
	if ReasonKind(99).String() != "ReasonKind?" {
		t.Error("unknown kind")
	}
}

func TestPreVerified(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m, err := NewMemory(Data{
		Environments: []string{"production"},
		Pacts: []PactFact{{Consumer: "Foo", ConsumerVersion: "1", Provider: "Bar", SHA: "same", CreatedAt: t0},
			{Consumer: "Foo", ConsumerVersion: "2", Provider: "Bar", SHA: "same", CreatedAt: t0.Add(2 * time.Hour)}},
		Verifications: []VerificationFact{{Consumer: "Foo", Provider: "Bar", SHA: "same", ProviderVersion: "10", Success: true, VerifiedAt: t0.Add(time.Hour)}},
		Deployments:   []Deployment{deployed("Bar", "10", "production", "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for version, want := range map[string]bool{"1": false, "2": true} {
		res, err := Decide(context.Background(), m, canIDeploy("Foo", version, "production"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 || res.Rows[0].PreVerified() != want || verdict(res.Summary.Deployable) != "yes" {
			t.Errorf("Foo %s: rows %v, pre-verified want %v, verdict %s", version, rowStrings(res.Rows), want, verdict(res.Summary.Deployable))
		}
	}
}
