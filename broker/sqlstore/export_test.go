package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

// SeedShape describes a bulk-seeded broker for benchmarks.
type SeedShape struct {
	Provider  string
	Consumers int
	Versions  int
	// ContentEvery: consecutive versions share content in runs of this length.
	ContentEvery int
}

// SeedBulk writes a large broker in one transaction with multi-row inserts:
// every consumer version is on "main", every 50th is tagged "prod", the
// newest of each consumer is deployed to "production", and every other
// content was verified by provider version "p-main" on branch "main".
// Publishing through the Store would take minutes at this size.
func SeedBulk(ctx context.Context, s *Store, shape SeedShape) error {
	now := s.ts()
	err := s.write(ctx, func(r runner) error {
		ins := func(table string, cols []string, rows [][]any) error {
			const batch = 500
			for len(rows) > 0 {
				n := min(batch, len(rows))
				var b strings.Builder
				args := make([]any, 0, n*len(cols))
				fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
				for i, row := range rows[:n] {
					if i > 0 {
						b.WriteString(", ")
					}
					b.WriteString("(" + placeholders(len(cols)) + ")")
					args = append(args, row...)
				}
				if err := r.exec(ctx, b.String(), args...); err != nil {
					return fmt.Errorf("seed %s: %w", table, err)
				}
				rows = rows[n:]
			}
			return nil
		}
		const providerID, providerVersionID, envID = 1, 1, 1
		var pacticipants, versions, branches, branchVersions, tags, pactVersions, pubs, integrations, deployed, verifications [][]any
		pacticipants = append(pacticipants, []any{providerID, shape.Provider, "main", now, now})
		versions = append(versions, []any{providerVersionID, providerID, "p-main", now, now})
		branches = append(branches, []any{1, providerID, "main", now})
		branchVersions = append(branchVersions, []any{1, providerVersionID, now})
		vid, pvid, bid := int64(1), int64(0), int64(1)
		for c := range shape.Consumers {
			cid := int64(c + 2)
			pacticipants = append(pacticipants, []any{cid, fmt.Sprintf("Consumer %02d", c), "main", now, now})
			bid++
			branches = append(branches, []any{bid, cid, "main", now})
			integrations = append(integrations, []any{cid, providerID, now})
			for v := range shape.Versions {
				vid++
				t := now + vid
				versions = append(versions, []any{vid, cid, fmt.Sprintf("1.0.%d", v), t, t})
				branchVersions = append(branchVersions, []any{bid, vid, t})
				if v%50 == 0 {
					tags = append(tags, []any{vid, "prod", cid, t})
				}
				if v%shape.ContentEvery == 0 {
					pvid++
					sha := fmt.Sprintf("%040x", pvid)
					content := string(broker.PactDocument{"consumer": map[string]any{"name": fmt.Sprintf("Consumer %02d", c)},
						"provider": map[string]any{"name": shape.Provider}, "interactions": []any{map[string]any{"description": sha}}}.WithIDs())
					pactVersions = append(pactVersions, []any{pvid, cid, providerID, sha, content, t})
					if pvid%2 == 0 {
						verifications = append(verifications, []any{pvid, pvid, cid, providerID, providerVersionID, true, t})
					}
				}
				pubs = append(pubs, []any{vid, cid, providerID, vid, pvid, t, t})
				if v == shape.Versions-1 {
					deployed = append(deployed, []any{cid, fmt.Sprintf("dep-%d", cid), vid, cid, envID, t})
				}
			}
		}
		steps := []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"pacticipants", []string{"id", "name", "main_branch", "created_at", "updated_at"}, pacticipants},
			{"versions", []string{"id", "pacticipant_id", "number", "created_at", "updated_at"}, versions},
			{"branches", []string{"id", "pacticipant_id", "name", "created_at"}, branches},
			{"branch_versions", []string{"branch_id", "version_id", "created_at"}, branchVersions},
			{"tags", []string{"version_id", "name", "pacticipant_id", "created_at"}, tags},
			{"pact_versions", []string{"id", "consumer_id", "provider_id", "sha", "content", "created_at"}, pactVersions},
			{"pact_publications", []string{"id", "consumer_id", "provider_id", "consumer_version_id", "pact_version_id", "created_at", "updated_at"}, pubs},
			{"integrations", []string{"consumer_id", "provider_id", "created_at"}, integrations},
			{"environments", []string{"id", "uuid", "name", "display_name", "production", "created_at", "updated_at"}, [][]any{{envID, "env-production", "production", "Production", true, now, now}}},
			{"deployed_versions", []string{"id", "uuid", "version_id", "pacticipant_id", "environment_id", "created_at"}, deployed},
			{"verifications", []string{"id", "pact_version_id", "consumer_id", "provider_id", "provider_version_id", "success", "created_at"}, verifications},
		}
		for _, st := range steps {
			if err := ins(st.table, st.cols, st.rows); err != nil {
				return err
			}
		}
		if s.dialect == Postgres {
			for _, table := range []string{"pacticipants", "versions", "branches", "pact_versions", "pact_publications", "environments", "deployed_versions", "verifications"} {
				if err := r.exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, table, table)); err != nil {
					return err
				}
			}
			return nil
		}
		return r.exec(ctx, `ANALYZE`)
	})
	if err != nil || s.dialect != Postgres {
		return err
	}
	// Bulk-loaded tables have no visibility map yet (autovacuum would set
	// it soon); without it index-only scans visit the heap.
	_, err = s.db.ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}
