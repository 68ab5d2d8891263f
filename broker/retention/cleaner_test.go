package retention

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeStore records what a clean deletes.
type fakeStore struct {
	mu       sync.Mutex
	facts    Facts
	batches  [][]int64
	locked   bool
	observed chan string
}

func (f *fakeStore) RetentionFacts(context.Context) (Facts, error) { return f.facts, nil }
func (f *fakeStore) OverwrittenFacts(context.Context) ([]Verification, []TriggeredWebhook, error) {
	return nil, nil, nil
}
func (f *fakeStore) DeleteVersions(_ context.Context, ids []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, slices.Clone(ids))
	return nil
}
func (f *fakeStore) DeleteVerifications(context.Context, []int64) error     { return nil }
func (f *fakeStore) DeleteTriggeredWebhooks(context.Context, []int64) error { return nil }
func (f *fakeStore) CleanLock(context.Context) (func(), bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.locked {
		return nil, false, nil
	}
	f.locked = true
	return func() { f.mu.Lock(); f.locked = false; f.mu.Unlock() }, true, nil
}

// soon is a schedule that fires every 10 ms.
type soon struct{}

func (soon) Next(t time.Time) time.Time { return t.Add(10 * time.Millisecond) }

// The scheduled clean runs on its schedule, deletes the unprotected
// versions oldest first in batches, reports each run, and stops.
func TestCleanerRunsOnSchedule(t *testing.T) {
	f := &fakeStore{facts: facts()}
	runs := make(chan string, 10)
	c := &Cleaner{Store: f, Config: Config{Keep: sel(t, `[{"tag": "prod"}]`), DeletionLimit: 100, Schedule: soon{}},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }, BatchSize: 2,
		Observe: func(outcome string, deleted map[string]int, _ time.Time) {
			select {
			case runs <- outcome:
			default:
			}
		}}
	c.Start()
	select {
	case outcome := <-runs:
		if outcome != "deleted" {
			t.Fatalf("first run: %s", outcome)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the schedule never ran the clean")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Kept: f1, f3, b2 (prod), f2 (deployed), f4 (main head), b1 (supported); the rest go.
	if want := []int64{7, 8}; !slices.Equal(f.batches[0], want) {
		t.Errorf("first run deleted %v first, want %v", f.batches, want)
	}
}
