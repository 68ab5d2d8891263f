package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Store is what a clean needs from the database. Each Delete is one short
// transaction, so readers wait at most for one batch.
type Store interface {
	RetentionFacts(ctx context.Context) (Facts, error)
	// OverwrittenFacts returns the verification results of pact content
	// and provider version pairs verified more than once, and the
	// triggered webhooks.
	OverwrittenFacts(ctx context.Context) ([]Verification, []TriggeredWebhook, error)
	// DeleteVersions deletes versions with their pacts, verification
	// results, tags, branch entries, deployments and triggered webhooks,
	// and the pact contents no longer referenced.
	DeleteVersions(ctx context.Context, ids []int64) error
	DeleteVerifications(ctx context.Context, ids []int64) error
	DeleteTriggeredWebhooks(ctx context.Context, ids []int64) error
	// CleanLock takes the lock that lets one cleaner run at a time across
	// all brokers on the database; ok is false when another holds it.
	CleanLock(ctx context.Context) (unlock func(), ok bool, err error)
}

// Cleaner runs clean-ups: on demand with Run, or on the configured
// schedule with Start.
type Cleaner struct {
	Store  Store
	Config Config
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// BatchSize is how many rows the first transaction deletes; 0 means
	// 100. Later batches are sized so that one takes about BatchTime.
	BatchSize int
	// BatchTime is how long one delete transaction should take: 0 means
	// 50 ms. After each batch the cleaner rests as long as the batch took,
	// so it holds the database (SQLite's one write lock, a PostgreSQL
	// connection and its row locks) and a core at most half of the time,
	// and readers and writers are never queued behind a long delete.
	BatchTime time.Duration
	// Observe, when set, hears of each run (for metrics): its outcome
	// (deleted, dry_run, skipped or error) and the rows deleted by kind,
	// or for a dry run those it would delete.
	Observe func(outcome string, deleted map[string]int, at time.Time)

	stop chan struct{}
	done chan struct{}
}

// Report says what a run did, or with DryRun what it would have done.
type Report struct {
	DryRun bool
	// Skipped is true when another broker was cleaning.
	Skipped bool
	Plan    Plan
	// Verifications and TriggeredWebhooks are the overwritten rows.
	Verifications     []int64
	TriggeredWebhooks []int64
}

// Deleted counts the rows of each kind the run deleted (would delete).
func (r Report) Deleted() map[string]int {
	return map[string]int{"versions": len(r.Plan.Delete), "verification_results": len(r.Verifications), "triggered_webhooks": len(r.TriggeredWebhooks)}
}

func (c *Cleaner) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Run cleans once: under the clean lock it plans from the current facts
// and deletes in batches, or only reports with DryRun.
func (c *Cleaner) Run(ctx context.Context) (rep Report, err error) {
	rep.DryRun = c.Config.DryRun
	defer func() {
		outcome := "deleted"
		switch {
		case err != nil:
			outcome = "error"
		case rep.Skipped:
			outcome = "skipped"
		case rep.DryRun:
			outcome = "dry_run"
		}
		if c.Observe != nil {
			deleted := rep.Deleted() // what a dry run would delete
			if outcome != "deleted" && outcome != "dry_run" {
				deleted = nil
			}
			c.Observe(outcome, deleted, c.now())
		}
	}()
	unlock, ok, err := c.Store.CleanLock(ctx)
	if err != nil {
		return rep, fmt.Errorf("clean: take the clean lock: %w", err)
	}
	if !ok {
		rep.Skipped = true
		c.Log.Info("clean skipped: another broker is cleaning")
		return rep, nil
	}
	defer unlock()

	now := c.now()
	facts, err := c.Store.RetentionFacts(ctx)
	if err != nil {
		return rep, fmt.Errorf("clean: %w", err)
	}
	rep.Plan = Decide(c.Config.Keep, facts, now, c.Config.DeletionLimit)
	vs, tws, err := c.Store.OverwrittenFacts(ctx)
	if err != nil {
		return rep, fmt.Errorf("clean: %w", err)
	}
	rep.Verifications, rep.TriggeredWebhooks = Overwritten(vs, tws, now.Add(-c.Config.OverwrittenMaxAge), c.Config.DeletionLimit)
	c.logPlan(rep)
	if rep.DryRun {
		return rep, nil
	}
	ids := make([]int64, len(rep.Plan.Delete))
	for i, v := range rep.Plan.Delete {
		ids[i] = v.ID
	}
	for _, step := range []struct {
		ids []int64
		del func(context.Context, []int64) error
	}{
		{rep.TriggeredWebhooks, c.Store.DeleteTriggeredWebhooks},
		{rep.Verifications, c.Store.DeleteVerifications},
		{ids, c.Store.DeleteVersions},
	} {
		if err := c.batches(ctx, step.ids, step.del); err != nil {
			return rep, fmt.Errorf("clean: %w", err)
		}
	}
	c.Log.Info("clean done", "versions_deleted", len(ids), "verification_results_deleted", len(rep.Verifications),
		"triggered_webhooks_deleted", len(rep.TriggeredWebhooks), "took", c.now().Sub(now))
	return rep, nil
}

func (c *Cleaner) batches(ctx context.Context, ids []int64, del func(context.Context, []int64) error) error {
	size := c.BatchSize
	if size <= 0 {
		size = 100
	}
	target := c.BatchTime
	if target <= 0 {
		target = 50 * time.Millisecond
	}
	for len(ids) > 0 {
		n := min(size, len(ids))
		t0 := time.Now()
		if err := del(ctx, ids[:n]); err != nil {
			return err
		}
		took := time.Since(t0)
		ids = ids[n:]
		size = nextBatch(size, took, target)
		if len(ids) == 0 {
			break
		}
		rest := time.NewTimer(min(took, 10*target))
		select {
		case <-ctx.Done():
			rest.Stop()
			return ctx.Err()
		case <-rest.C:
		}
	}
	return nil
}

// maxBatch bounds a batch however fast the database deletes.
const maxBatch = 1000

// nextBatch sizes the next batch from how long the last one took: half
// as many after one over the target, twice as many after one under half
// of it, between 1 and maxBatch.
func nextBatch(size int, took, target time.Duration) int {
	switch {
	case took > target:
		return max(size/2, 1)
	case took < target/2:
		return min(size*2, maxBatch)
	}
	return size
}

// logPlan logs what goes per application (oldest and newest number), as
// the Ruby broker's dry run summarises it, not one line per version.
func (c *Cleaner) logPlan(rep Report) {
	prefix := ""
	if rep.DryRun {
		prefix = "[DRY RUN] "
	}
	type span struct {
		count       int
		first, last string
	}
	per := map[string]*span{}
	var order []string
	for _, v := range rep.Plan.Delete {
		s := per[v.Pacticipant]
		if s == nil {
			s = &span{first: v.Number}
			per[v.Pacticipant] = s
			order = append(order, v.Pacticipant)
		}
		s.count++
		s.last = v.Number
	}
	for _, p := range order {
		s := per[p]
		c.Log.Info(prefix+"clean: versions to delete", "pacticipant", p, "count", s.count, "from_version", s.first, "to_version", s.last)
	}
	selectors := make([]string, len(c.Config.Keep))
	for i, s := range c.Config.Keep {
		selectors[i] = fmt.Sprintf("%s kept %d", s.Source, rep.Plan.KeptBy[i])
	}
	c.Log.Info(prefix+"clean plan", "versions_to_delete", len(rep.Plan.Delete), "versions_unprotected", rep.Plan.Unprotected,
		"versions_kept", rep.Plan.Kept, "kept_only_as_deployed_released_or_main_head", rep.Plan.Guarded, "kept_by_selector", selectors,
		"verification_results_to_delete", len(rep.Verifications), "triggered_webhooks_to_delete", len(rep.TriggeredWebhooks))
}

// Start runs the clean on the configured schedule until Stop. A failed run
// is logged and the next one still comes.
func (c *Cleaner) Start() {
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-c.stop; cancel() }()
		for {
			// In UTC, as the official image runs, unless the expression
			// names a zone (CRON_TZ=).
			next := c.Config.Schedule.Next(c.now().UTC())
			t := time.NewTimer(time.Until(next))
			select {
			case <-c.stop:
				t.Stop()
				return
			case <-t.C:
			}
			if _, err := c.Run(ctx); err != nil && ctx.Err() == nil {
				c.Log.Error("clean failed; the next run is on schedule", "err", err)
			}
		}
	}()
}

// Stop ends the schedule, interrupting a running clean between batches
// (each batch is its own transaction, so nothing is half deleted), and
// waits for it until ctx ends.
func (c *Cleaner) Stop(ctx context.Context) error {
	if c.stop == nil {
		return nil
	}
	close(c.stop)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
