package brokertest

import (
	"testing"

	"github.com/accord-cdc/accord/broker/sqlstore"
)

// orphans count rows that point at something deleted, or content nothing
// uses any more: after any delete, every one must be zero.
var orphans = map[string]string{
	"unreferenced pact contents":    `SELECT COUNT(*) FROM pact_versions pv WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pv.id) AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.pact_version_id = pv.id)`,
	"publications without version":  `SELECT COUNT(*) FROM pact_publications pp WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = pp.consumer_version_id)`,
	"verifications without version": `SELECT COUNT(*) FROM verifications x WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = x.provider_version_id)`,
	"versions without pacticipant":  `SELECT COUNT(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM pacticipants p WHERE p.id = v.pacticipant_id)`,
	"tags without version":          `SELECT COUNT(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = t.version_id)`,
	"branch entries":                `SELECT COUNT(*) FROM branch_versions bv WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = bv.version_id) OR NOT EXISTS (SELECT 1 FROM branches b WHERE b.id = bv.branch_id)`,
	"labels without pacticipant":    `SELECT COUNT(*) FROM labels l WHERE NOT EXISTS (SELECT 1 FROM pacticipants p WHERE p.id = l.pacticipant_id)`,
	"integrations":                  `SELECT COUNT(*) FROM integrations i WHERE NOT EXISTS (SELECT 1 FROM pacticipants p WHERE p.id = i.consumer_id) OR NOT EXISTS (SELECT 1 FROM pacticipants p WHERE p.id = i.provider_id)`,
	"triggered webhooks":            `SELECT COUNT(*) FROM triggered_webhooks tw WHERE NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = tw.webhook_id)`,
	"triggered by deleted results":  `SELECT COUNT(*) FROM triggered_webhooks tw WHERE tw.verification_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.id = tw.verification_id)`,
	"webhook logs":                  `SELECT COUNT(*) FROM webhook_executions e WHERE NOT EXISTS (SELECT 1 FROM triggered_webhooks tw WHERE tw.id = e.triggered_webhook_id)`,
	"deployments without version":   `SELECT COUNT(*) FROM deployed_versions d WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = d.version_id)`,
	"releases without version":      `SELECT COUNT(*) FROM released_versions r WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = r.version_id)`,
}

// AssertNoOrphans fails tb for every kind of orphan row s holds, checked
// with SQL on the database itself (not through the services, which would
// not show what they no longer reach).
func AssertNoOrphans(tb testing.TB, s *sqlstore.Store) {
	tb.Helper()
	for what, q := range orphans {
		var n int
		if err := s.DB().QueryRowContext(tb.Context(), q).Scan(&n); err != nil {
			tb.Fatalf("count orphan %s: %v", what, err)
		}
		if n != 0 {
			tb.Errorf("%d orphan rows: %s", n, what)
		}
	}
}
