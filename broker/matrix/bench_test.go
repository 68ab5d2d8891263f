package matrix

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

var (
	largeOnce sync.Once
	large     *Memory
	largeErr  error
)

// largeMemory builds the LargeScale broker once per test binary (about 8 s and 1.5 GB, so only
// benchmarks use it).
func largeMemory(tb testing.TB) *Memory {
	tb.Helper()
	largeOnce.Do(func() {
		start := time.Now()
		large, largeErr = NewMemory(Synthetic(LargeScale))
		tb.Logf("generated and indexed %+v in %s", LargeScale, time.Since(start).Round(time.Millisecond))
	})
	if largeErr != nil {
		tb.Fatal(largeErr)
	}
	if len(large.verifs) != LargeScale.Verifications || len(large.byNumber) != LargeScale.Versions {
		tb.Fatalf("generated %d verifications and %d versions", len(large.verifs), len(large.byNumber))
	}
	return large
}

// checkLargeDecision guards the benchmark against measuring a degenerate answer: app-000 consumes
// three providers with two production instances each, so there are six rows to check.
func checkLargeDecision(tb testing.TB, m *Memory) {
	tb.Helper()
	res, err := Decide(context.Background(), m, canIDeploy("app-000", "1.999.0", "production"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Integrations) != LargeScale.ProvidersEach || len(res.Rows) != 6 || res.Summary.Reason == "" {
		tb.Fatalf("unexpected decision: %v %v", res.Integrations, rowStrings(res.Rows))
	}
}

// BenchmarkCanIDeployToEnvironment: one can-i-deploy decision of a recent version to production
// over 200 applications, 200,000 versions and 1,000,000 verification results held in Memory.
func BenchmarkCanIDeployToEnvironment(b *testing.B) {
	m := largeMemory(b)
	checkLargeDecision(b, m)
	ctx := context.Background()
	perApp := LargeScale.Versions / LargeScale.Pacticipants
	i := 0
	for b.Loop() {
		app := fmt.Sprintf("app-%03d", i%LargeScale.Pacticipants)
		q := canIDeploy(app, fmt.Sprintf("1.%d.0", perApp-1-i%5), "production")
		if _, err := Decide(ctx, m, q); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkMatrixBrowse: the matrix page of one integration (every version of both, latest row per
// consumer and provider version, 100 rows).
func BenchmarkMatrixBrowse(b *testing.B) {
	m := largeMemory(b)
	ctx := context.Background()
	q := Query{Selectors: []Selector{{Pacticipant: "app-010"}, {Pacticipant: "app-017"}}, LatestBy: ByConsumerVersionAndProviderVersion}
	for b.Loop() {
		if _, err := Decide(ctx, m, q); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSyntheticIsDeterministic(t *testing.T) {
	small := Scale{Pacticipants: 20, Versions: 400, Verifications: 2000, ProvidersEach: 2, Seed: 7}
	a, b := Synthetic(small), Synthetic(small)
	if len(a.Verifications) != 2000 || len(a.Versions) != 400 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("Synthetic is not deterministic or has the wrong size")
	}
	m, err := NewMemory(a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Decide(context.Background(), m, canIDeploy("app-003", "1.19.0", "production"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Integrations) == 0 {
		t.Error("app-003 has no integrations")
	}
}

// counting counts the Facts queries a decision makes.
type counting struct {
	Facts
	calls map[string]int
}

func (c *counting) Pacticipant(ctx context.Context, name string) (Pacticipant, bool, error) {
	c.calls["Pacticipant"]++
	return c.Facts.Pacticipant(ctx, name)
}

func (c *counting) EnvironmentExists(ctx context.Context, name string) (bool, error) {
	c.calls["EnvironmentExists"]++
	return c.Facts.EnvironmentExists(ctx, name)
}

func (c *counting) Versions(ctx context.Context, s Selector) ([]Version, error) {
	c.calls["Versions"]++
	return c.Facts.Versions(ctx, s)
}

func (c *counting) Providers(ctx context.Context, consumer string, ids []int64) ([]string, error) {
	c.calls["Providers"]++
	return c.Facts.Providers(ctx, consumer, ids)
}

func (c *counting) Consumers(ctx context.Context, provider string) ([]string, error) {
	c.calls["Consumers"]++
	return c.Facts.Consumers(ctx, provider)
}

func (c *counting) Pacts(ctx context.Context, q PactQuery) ([]Publication, error) {
	c.calls["Pacts"]++
	return c.Facts.Pacts(ctx, q)
}

func (c *counting) Verifications(ctx context.Context, q VerificationQuery) ([]Verification, error) {
	c.calls["Verifications"]++
	return c.Facts.Verifications(ctx, q)
}

// The store's speed rests on a can-i-deploy to an environment making 7 + 2k small queries for k
// integrated applications, however big the broker is (see the package documentation).
func TestCanIDeployQueryCount(t *testing.T) {
	m, err := NewMemory(Synthetic(Scale{Pacticipants: 30, Versions: 600, Verifications: 3000, ProvidersEach: 3, Seed: 3}))
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"app-000", "app-010", "app-029"} {
		c := &counting{Facts: m, calls: map[string]int{}}
		res, err := Decide(context.Background(), c, canIDeploy(app, "1.19.0", "production"))
		if err != nil {
			t.Fatal(err)
		}
		k := len(res.Integrations)
		total := 0
		for _, n := range c.calls {
			total += n
		}
		if total != 7+2*k {
			t.Errorf("%s with %d integrations made %d queries %v, want %d", app, k, total, c.calls, 7+2*k)
		}
		if c.calls["Pacts"] != 1 || c.calls["Verifications"] != 1 {
			t.Errorf("%s: rows need one pact and one verification query, made %v", app, c.calls)
		}
	}
}
