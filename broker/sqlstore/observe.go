package sqlstore

import (
	"context"
	"fmt"
)

// PendingWebhooks counts the triggered webhooks waiting for a delivery
// attempt — the outbox's depth — for the metrics.
func (s *Store) PendingWebhooks(ctx context.Context) (int, error) {
	var n int
	if err := s.read().row(ctx, `SELECT COUNT(*) FROM triggered_webhooks WHERE status IN ('not_run', 'retrying')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending webhooks: %w", err)
	}
	return n, nil
}
