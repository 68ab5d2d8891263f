package sqlstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// webhooksChannel is the PostgreSQL notification channel a transaction
// that queued webhook deliveries notifies on commit.
const webhooksChannel = "accord_webhooks_queued"

// ListenWebhooksQueued calls wake whenever a transaction of any broker on
// this PostgreSQL database that queued webhook deliveries commits, until
// ctx ends: LISTEN on a connection of its own, connected again (after a
// pause) when it breaks, with a wake after each reconnection for what was
// queued meanwhile. On SQLite it does nothing: one broker process serves a
// file, and WebhooksQueued wakes it. Either way the dispatcher's polling
// stays the fallback.
func (s *Store) ListenWebhooksQueued(ctx context.Context, wake func()) {
	if s.dialect != Postgres {
		return
	}
	go func() {
		for pause := time.Duration(0); ctx.Err() == nil; pause = min(max(2*pause, 100*time.Millisecond), 5*time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
			err := s.listen(ctx, wake)
			if ctx.Err() == nil {
				s.Log.Warn("listening for queued webhooks failed; polling meanwhile", "err", err)
			}
		}
	}()
}

func (s *Store) listen(ctx context.Context, wake func()) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+webhooksChannel); err != nil {
		return err
	}
	wake() // whatever was queued while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
