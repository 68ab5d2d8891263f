package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/accord-cdc/accord/broker"
)

var _ broker.Operations = (*Store)(nil)

// Integrations implements broker.Operations.
func (s *Store) Integrations(ctx context.Context) ([]broker.Integration, error) {
	var out []broker.Integration
	err := scanRows(ctx, s.read(), `SELECT c.name, p.name, i.created_at FROM integrations i
		JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id ORDER BY c.name, p.name`, func(rows *sql.Rows) error {
		var in broker.Integration
		var c int64
		err := rows.Scan(&in.Consumer, &in.Provider, &c)
		in.CreatedAt = fromTS(c)
		out = append(out, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	return out, nil
}

// DeleteIntegration implements broker.Operations, in one transaction. It
// differs from the Ruby broker in one way: a version currently deployed or
// released stays, as retention keeps it, since can-i-deploy answers for it.
func (s *Store) DeleteIntegration(ctx context.Context, consumer, provider string) error {
	err := s.write(ctx, func(r runner) error {
		c, err := r.pacticipant(ctx, consumer)
		if err != nil {
			return err
		}
		p, err := r.pacticipant(ctx, provider)
		if err != nil {
			return err
		}
		var exists int
		if err := r.row(ctx, `SELECT COUNT(*) FROM integrations WHERE consumer_id = ? AND provider_id = ?`, c.ID, p.ID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return broker.Errorf(broker.NotFound, "there is no integration between consumer %q and provider %q", consumer, provider)
		}
		r.contentsMayGo()
		for _, q := range []string{
			// Triggered webhooks and their logs go by cascade.
			`DELETE FROM pact_publications WHERE consumer_id = ? AND provider_id = ?`,
			`DELETE FROM verifications WHERE consumer_id = ? AND provider_id = ?`,
			`DELETE FROM pact_versions WHERE consumer_id = ? AND provider_id = ?`,
			`DELETE FROM webhooks WHERE consumer_id = ? AND provider_id = ?`,
			`DELETE FROM integrations WHERE consumer_id = ? AND provider_id = ?`,
		} {
			if err := r.exec(ctx, q, c.ID, p.ID); err != nil {
				return err
			}
		}
		// Versions of either left with no pact or result.
		if err := r.exec(ctx, `DELETE FROM versions WHERE pacticipant_id IN (?, ?)
			AND NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.consumer_version_id = versions.id)
			AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.provider_version_id = versions.id)
			AND NOT EXISTS (SELECT 1 FROM deployed_versions d WHERE d.version_id = versions.id AND d.undeployed_at IS NULL)
			AND NOT EXISTS (SELECT 1 FROM released_versions rv WHERE rv.version_id = versions.id AND rv.support_ended_at IS NULL)`, c.ID, p.ID); err != nil {
			return err
		}
		// Either pacticipant left with nothing goes too.
		return r.exec(ctx, `DELETE FROM pacticipants WHERE id IN (?, ?)
			AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.pacticipant_id = pacticipants.id)
			AND NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.consumer_id = pacticipants.id OR pv.provider_id = pacticipants.id)
			AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.consumer_id = pacticipants.id OR w.provider_id = pacticipants.id)`, c.ID, p.ID)
	})
	if err != nil {
		return fmt.Errorf("delete integration: %w", err)
	}
	return nil
}

// DeleteAllIntegrations implements broker.Operations. Environments stay:
// they are configuration, not data.
func (s *Store) DeleteAllIntegrations(ctx context.Context) error {
	return s.write(ctx, func(r runner) error {
		r.contentsMayGo()
		for _, t := range []string{"webhook_executions", "triggered_webhooks", "webhooks", "verifications", "pact_publications",
			"pact_versions", "integrations", "deployed_versions", "released_versions", "tags", "branch_versions", "branches",
			"labels", "versions", "pacticipants"} {
			if err := r.exec(ctx, `DELETE FROM `+t); err != nil {
				return fmt.Errorf("delete all integrations: %s: %w", t, err)
			}
		}
		return nil
	})
}

// DeleteBranches implements broker.Operations.
func (s *Store) DeleteBranches(ctx context.Context, pacticipant string, keep []string) ([]string, error) {
	var deleted []string
	err := s.write(ctx, func(r runner) error {
		deleted = nil
		p, err := r.pacticipant(ctx, pacticipant)
		if err != nil {
			return err
		}
		var ids []int64
		if err := scanRows(ctx, r, `SELECT id, name FROM branches WHERE pacticipant_id = ? ORDER BY name`, func(rows *sql.Rows) error {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			if name == p.MainBranch || contains(keep, name) {
				return nil
			}
			ids = append(ids, id)
			deleted = append(deleted, name)
			return nil
		}, p.ID); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		return r.exec(ctx, `DELETE FROM branches WHERE id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	})
	if err != nil {
		return nil, fmt.Errorf("delete branches: %w", err)
	}
	return deleted, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Counts implements broker.Operations with the Ruby broker's /metrics
// keys. Like it, "matrix" is -1: counting the matrix costs too much.
func (s *Store) Counts(ctx context.Context) (map[string]any, error) {
	r := s.read()
	n := func(q string) (int64, error) {
		var v int64
		err := r.row(ctx, q).Scan(&v)
		return v, err
	}
	var err error
	count := func(q string) int64 {
		if err != nil {
			return 0
		}
		var v int64
		v, err = n(q)
		return v
	}
	when := func(q string) any {
		if err != nil {
			return nil
		}
		var v sql.NullInt64
		if err = r.row(ctx, q).Scan(&v); err != nil || !v.Valid {
			return nil
		}
		return fromTS(v.Int64).Format(time.RFC3339)
	}
	distribution := func(q string) map[string]int64 {
		out := map[string]int64{}
		if err != nil {
			return out
		}
		err = scanRows(ctx, r, q, func(rows *sql.Rows) error {
			var k, v int64
			e := rows.Scan(&k, &v)
			out[fmt.Sprint(k)] = v
			return e
		})
		return out
	}
	m := map[string]any{
		"pacticipants": map[string]any{
			"count":                  count(`SELECT COUNT(*) FROM pacticipants`),
			"withMainBranchSetCount": count(`SELECT COUNT(*) FROM pacticipants WHERE main_branch <> ''`),
		},
		"integrations":     map[string]any{"count": count(`SELECT COUNT(*) FROM (SELECT DISTINCT consumer_id, provider_id FROM pact_publications) x`)},
		"pactPublications": map[string]any{"count": count(`SELECT COUNT(*) FROM pact_publications`), "first": when(`SELECT MIN(created_at) FROM pact_publications`), "last": when(`SELECT MAX(created_at) FROM pact_publications`)},
		"pactVersions":     map[string]any{"count": count(`SELECT COUNT(*) FROM pact_versions`)},
		// A consumer version has one revision of each pact here: publishing
		// again replaces it.
		"pactRevisionsPerConsumerVersion": map[string]any{"distribution": distribution(`SELECT c, COUNT(*) FROM (SELECT COUNT(*) AS c FROM pact_publications GROUP BY consumer_version_id, provider_id) x GROUP BY c ORDER BY 1`)},
		"verificationResults": map[string]any{
			"count":         count(`SELECT COUNT(*) FROM verifications`),
			"successCount":  count(`SELECT COUNT(*) FROM verifications WHERE success`),
			"failureCount":  count(`SELECT COUNT(*) FROM verifications WHERE NOT success`),
			"distinctCount": count(`SELECT COUNT(*) FROM (SELECT DISTINCT provider_version_id, pact_version_id, success FROM verifications) x`),
			"first":         when(`SELECT MIN(created_at) FROM verifications`),
			"last":          when(`SELECT MAX(created_at) FROM verifications`),
		},
		"verificationResultsPerPactVersion": map[string]any{"distribution": distribution(`SELECT c, COUNT(*) FROM (SELECT COUNT(*) AS c FROM verifications GROUP BY pact_version_id) x GROUP BY c ORDER BY 1`)},
		"pacticipantVersions": map[string]any{
			"count":                      count(`SELECT COUNT(*) FROM versions`),
			"withUserCreatedBranchCount": count(`SELECT COUNT(DISTINCT version_id) FROM branch_versions`),
			"withBranchCount":            count(`SELECT COUNT(DISTINCT version_id) FROM branch_versions`),
			"withBranchSetCount":         count(`SELECT COUNT(DISTINCT version_id) FROM branch_versions`),
		},
		"webhooks": map[string]any{"count": count(`SELECT COUNT(*) FROM webhooks`)},
		"tags": map[string]any{
			"count":                        count(`SELECT COUNT(*) FROM tags`),
			"distinctCount":                count(`SELECT COUNT(DISTINCT name) FROM tags`),
			"distinctWithPacticipantCount": count(`SELECT COUNT(*) FROM (SELECT DISTINCT name, pacticipant_id FROM tags) x`),
		},
		"triggeredWebhooks": map[string]any{"count": count(`SELECT COUNT(*) FROM triggered_webhooks`)},
		"webhookExecutions": map[string]any{"count": count(`SELECT COUNT(*) FROM webhook_executions`)},
		"matrix":            map[string]any{"count": -1},
		"environments":      map[string]any{"count": count(`SELECT COUNT(*) FROM environments`)},
		"deployedVersions": map[string]any{
			"count":                  count(`SELECT COUNT(*) FROM deployed_versions`),
			"userCreatedCount":       count(`SELECT COUNT(*) FROM deployed_versions WHERE NOT auto_created`),
			"currentlyDeployedCount": count(`SELECT COUNT(*) FROM deployed_versions WHERE undeployed_at IS NULL`),
		},
		"releasedVersions": map[string]any{
			"count":                   count(`SELECT COUNT(*) FROM released_versions`),
			"currentlySupportedCount": count(`SELECT COUNT(*) FROM released_versions WHERE support_ended_at IS NULL`),
		},
	}
	if err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	return m, nil
}
