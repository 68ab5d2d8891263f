package retention

import (
	"slices"
	"testing"
	"time"
)

var now = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return now.AddDate(0, 0, -n) }

func sel(t *testing.T, js string) []Selector {
	t.Helper()
	s, err := ParseSelectors([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// facts: Foo (main branch "main") and Bar (no main branch), oldest first.
func facts() Facts {
	return Facts{
		MainBranches: map[string]string{"Foo": "main"},
		Versions: []Version{
			{ID: 1, Pacticipant: "Foo", Number: "f1", CreatedAt: daysAgo(400), Branches: []string{"main"}, Tags: []string{"prod"}},
			{ID: 2, Pacticipant: "Foo", Number: "f2", CreatedAt: daysAgo(300), Branches: []string{"main"}, DeployedIn: []string{"production"}},
			{ID: 3, Pacticipant: "Foo", Number: "f3", CreatedAt: daysAgo(200), Branches: []string{"feat"}, BranchHeads: []string{"feat"}, Tags: []string{"prod"}},
			{ID: 4, Pacticipant: "Foo", Number: "f4", CreatedAt: daysAgo(100), Branches: []string{"main"}, BranchHeads: []string{"main"}, Tags: []string{"dev"}},
			{ID: 5, Pacticipant: "Bar", Number: "b1", CreatedAt: daysAgo(500), SupportedIn: []string{"mobile"}},
			{ID: 6, Pacticipant: "Bar", Number: "b2", CreatedAt: daysAgo(95), Tags: []string{"prod"}},
			{ID: 7, Pacticipant: "Bar", Number: "b3", CreatedAt: daysAgo(10), Branches: []string{"main"}, BranchHeads: []string{"main"}},
			{ID: 8, Pacticipant: "Bar", Number: "b4", CreatedAt: daysAgo(1)},
		},
	}
}

func numbers(vs []Version) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Number)
	}
	return out
}

func TestDecide(t *testing.T) {
	for name, tc := range map[string]struct {
		keep  string
		limit int
		want  []string // deleted, oldest first
	}{
		// Only the guards: deployed f2, supported b1, Foo's main head f4.
		"guards alone":                         {`[{"pacticipant": "Nobody"}]`, 100, []string{"f1", "f3", "b2", "b3", "b4"}},
		"max age":                              {`[{"max_age": 90}]`, 100, []string{"f1", "f3", "b2"}},
		"max age counts from the day's start":  {`[{"max_age": 95}]`, 100, []string{"f1", "f3"}},
		"latest per application":               {`[{"latest": true}]`, 100, []string{"f1", "f3", "b2", "b3"}},
		"latest per tag":                       {`[{"tag": true, "latest": true}]`, 100, []string{"f1", "b3", "b4"}},
		"latest with a tag name":               {`[{"tag": "prod", "latest": true}]`, 100, []string{"f1", "b3", "b4"}},
		"every tagged version":                 {`[{"tag": "prod"}]`, 100, []string{"b3", "b4"}},
		"branch heads":                         {`[{"branch": true, "latest": true}]`, 100, []string{"f1", "b2", "b4"}},
		"every version on a branch":            {`[{"branch": "main"}]`, 100, []string{"f3", "b2", "b4"}},
		"main branch ignores apps without one": {`[{"mainBranch": true}]`, 100, []string{"f3", "b2", "b3", "b4"}},
		"per application":                      {`[{"pacticipant": "Bar"}]`, 100, []string{"f1", "f3"}},
		"criteria combine":                     {`[{"pacticipant": "Foo", "tag": "prod", "latest": true}]`, 100, []string{"f1", "b2", "b3", "b4"}},
		"environment":                          {`[{"environment": "mobile"}]`, 100, []string{"f1", "f3", "b2", "b3", "b4"}},
		"limit takes the oldest":               {`[{"pacticipant": "Nobody"}]`, 2, []string{"f1", "f3"}},
		"defaults keep a lot": {
			`[{"tag": true, "latest": true}, {"branch": true, "latest": true}, {"latest": true}, {"deployed": true}, {"released": true}, {"max_age": 90}]`,
			100, []string{"f1"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := Decide(sel(t, tc.keep), facts(), now, tc.limit)
			if got := numbers(p.Delete); !slices.Equal(got, tc.want) {
				t.Fatalf("deletes %v, want %v", got, tc.want)
			}
			if p.Kept+p.Unprotected != len(facts().Versions) {
				t.Errorf("kept %d + unprotected %d != %d versions", p.Kept, p.Unprotected, len(facts().Versions))
			}
		})
	}
}

// Whatever the selectors, deployed, supported and main-head versions stay.
func TestDecideGuardsHoldForAnyKeep(t *testing.T) {
	for _, keep := range []string{`[{"pacticipant": "Nobody"}]`, `[{"deployed": true}]`, `[{"max_age": 0}]`, `[{"tag": "none", "latest": true}]`} {
		p := Decide(sel(t, keep), facts(), now, 1000)
		for _, v := range p.Delete {
			if len(v.DeployedIn) > 0 || len(v.SupportedIn) > 0 || v.Number == "f4" {
				t.Errorf("%s: plans to delete protected %s", keep, v.Number)
			}
		}
		if p.Guarded == 0 {
			t.Errorf("%s: nothing counted as guarded", keep)
		}
	}
}

func TestDecideCountsPerSelector(t *testing.T) {
	p := Decide(sel(t, `[{"latest": true}, {"tag": "prod"}]`), facts(), now, 100)
	if !slices.Equal(p.KeptBy, []int{2, 3}) {
		t.Fatalf("kept by = %v", p.KeptBy)
	}
}

func TestOverwritten(t *testing.T) {
	cutoff := daysAgo(7)
	vs := []Verification{
		{ID: 1, PactVersionID: 1, ProviderVersionID: 1, CreatedAt: daysAgo(30)}, // superseded by 2, old: goes
		{ID: 2, PactVersionID: 1, ProviderVersionID: 1, CreatedAt: daysAgo(20)}, // latest of its pair
		{ID: 3, PactVersionID: 1, ProviderVersionID: 2, CreatedAt: daysAgo(30)}, // latest of another pair
		{ID: 4, PactVersionID: 2, ProviderVersionID: 2, CreatedAt: daysAgo(1)},  // superseded but young
		{ID: 5, PactVersionID: 2, ProviderVersionID: 2, CreatedAt: daysAgo(1)},
	}
	tws := []TriggeredWebhook{
		{ID: 1, WebhookID: 1, ConsumerID: 1, ProviderID: 2, CreatedAt: daysAgo(30)},                // goes
		{ID: 2, WebhookID: 1, ConsumerID: 1, ProviderID: 2, CreatedAt: daysAgo(30), Pending: true}, // still to deliver
		{ID: 3, WebhookID: 1, ConsumerID: 1, ProviderID: 2, CreatedAt: daysAgo(29)},                // latest
		{ID: 4, WebhookID: 2, ConsumerID: 1, ProviderID: 2, CreatedAt: daysAgo(30)},                // latest of its webhook
	}
	v, tw := Overwritten(vs, tws, cutoff, 10)
	if !slices.Equal(v, []int64{1}) || !slices.Equal(tw, []int64{1}) {
		t.Fatalf("verifications %v, triggered %v", v, tw)
	}
	if v, _ := Overwritten(append(vs, Verification{ID: 6, PactVersionID: 1, ProviderVersionID: 1, CreatedAt: daysAgo(1)}), nil, cutoff, 1); !slices.Equal(v, []int64{1}) {
		t.Fatalf("limited: %v", v)
	}
}

func TestNextBatch(t *testing.T) {
	target := 50 * time.Millisecond
	for _, c := range []struct {
		size int
		took time.Duration
		want int
	}{
		{100, 200 * time.Millisecond, 50},
		{1, time.Second, 1},
		{100, 10 * time.Millisecond, 200},
		{800, time.Millisecond, maxBatch},
		{100, 30 * time.Millisecond, 100},
		{100, 50 * time.Millisecond, 100},
	} {
		if got := nextBatch(c.size, c.took, target); got != c.want {
			t.Errorf("nextBatch(%d, %s) = %d, want %d", c.size, c.took, got, c.want)
		}
	}
}
