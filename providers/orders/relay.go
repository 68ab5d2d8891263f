package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Publisher delivers one outbox message to its subscribers. A nil error means
// every subscriber accepted it; any error makes the relay try again later.
type Publisher interface {
	Publish(ctx context.Context, m Message) error
}

// Relay moves events from the outbox to a Publisher. Several relays may run
// against one database: each claims rows with FOR UPDATE SKIP LOCKED, so a
// row is delivered by one relay at a time. Delivery is at least once.
type Relay struct {
	DB        *sql.DB
	Publisher Publisher
	Logger    *slog.Logger     // default: slog.Default()
	Now       func() time.Time // default: time.Now

	BatchSize  int           // rows claimed per transaction; default 50
	Interval   time.Duration // pause between polls when idle; default 1s
	MinBackoff time.Duration // delay after the first failed attempt; default 1s
	MaxBackoff time.Duration // cap of the doubling delay; default 5m
}

func (r *Relay) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Relay) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Backoff is the delay before the next attempt after the given number of
// failed attempts: MinBackoff doubled per further failure, capped at MaxBackoff.
func (r *Relay) Backoff(attempts int) time.Duration {
	lo, hi := orDefault(r.MinBackoff, time.Second), orDefault(r.MaxBackoff, 5*time.Minute)
	d := lo
	for i := 1; i < attempts && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// RunOnce claims one batch of due, unpublished outbox rows, publishes each,
// and records the outcome: published rows are marked, failed ones get their
// attempt counted, the error kept in last_error and a later next_attempt_at.
// It returns how many rows were published and how many failed. The error is
// about the database, not about delivery.
func (r *Relay) RunOnce(ctx context.Context) (published, failed int, err error) {
	if r.DB == nil || r.Publisher == nil {
		return 0, 0, errors.New("outbox relay: DB and Publisher must be set")
	}
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox relay: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	now := r.now()
	rows, err := tx.QueryContext(ctx,
		`SELECT id, event_id, event_type, payload, attempts FROM outbox
		 WHERE published_at IS NULL AND next_attempt_at <= $1
		 ORDER BY next_attempt_at, id
		 LIMIT $2
		 FOR UPDATE SKIP LOCKED`, now, orDefault(r.BatchSize, 50))
	if err != nil {
		return 0, 0, fmt.Errorf("outbox relay: claim rows: %w", err)
	}
	type claimed struct {
		Message
		attempts int
	}
	var batch []claimed
	for rows.Next() {
		var c claimed
		var payload string
		if err := rows.Scan(&c.ID, &c.EventID, &c.Type, &payload, &c.attempts); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("outbox relay: read row: %w", err)
		}
		c.Payload = []byte(payload)
		batch = append(batch, c)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("outbox relay: read rows: %w", err)
	}
	if len(batch) == 0 {
		return 0, 0, nil
	}

	log := r.logger()
	for _, c := range batch {
		if perr := r.Publisher.Publish(ctx, c.Message); perr != nil {
			if ctx.Err() != nil {
				// Shutting down: leave the row untouched for the next run.
				return 0, 0, fmt.Errorf("outbox relay: %w", ctx.Err())
			}
			attempts := c.attempts + 1
			next := now.Add(r.Backoff(attempts))
			if _, err := tx.ExecContext(ctx,
				`UPDATE outbox SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`,
				c.ID, attempts, perr.Error(), next); err != nil {
				return 0, 0, fmt.Errorf("outbox relay: record failed attempt of event %s: %w", c.EventID, err)
			}
			log.Warn("outbox event not delivered; will retry",
				"eventId", c.EventID, "type", c.Type, "attempts", attempts, "retryAt", next, "err", perr)
			failed++
			continue
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE outbox SET attempts = attempts + 1, published_at = $2, last_error = NULL WHERE id = $1`,
			c.ID, r.now()); err != nil {
			return 0, 0, fmt.Errorf("outbox relay: mark event %s published: %w", c.EventID, err)
		}
		log.Debug("outbox event delivered", "eventId", c.EventID, "type", c.Type)
		published++
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("outbox relay: commit: %w", err)
	}
	return published, failed, nil
}

// Run polls the outbox until ctx is cancelled. A full batch is followed at
// once by the next; otherwise Run waits Interval. Database errors are logged
// and retried on the next poll. Run returns nil when ctx is cancelled.
func (r *Relay) Run(ctx context.Context) error {
	if r.DB == nil || r.Publisher == nil {
		return errors.New("outbox relay: DB and Publisher must be set")
	}
	batch := orDefault(r.BatchSize, 50)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		published, failed, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.logger().Error("outbox relay poll failed; retrying", "err", err, "retryIn", orDefault(r.Interval, time.Second))
		}
		if err == nil && published+failed >= batch {
			timer.Reset(0)
		} else {
			timer.Reset(orDefault(r.Interval, time.Second))
		}
	}
}
