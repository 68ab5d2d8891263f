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
	// BatchSize is how many rows one transaction deletes; 0 means 100.
	BatchSize int
	// Observe, when set, hears of each run (for metrics): its outcome
	// (deleted, dry_run, skipped or error) and the rows deleted by kind.
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
			deleted := rep.Deleted()
			if outcome != "deleted" {
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
	for len(ids) > 0 {
		n := min(size, len(ids))
		if err := del(ctx, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
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
			next := c.Config.Schedule.Next(c.now())
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
