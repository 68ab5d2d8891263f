package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/accord-cdc/accord/broker/retention"
)

var _ retention.Store = (*Store)(nil)

// cleanLockKey is the PostgreSQL advisory lock one cleaner holds at a time
// (the migration lock is 7428105).
const cleanLockKey = 7428106

// CleanLock implements retention.Store: an advisory lock on a connection
// of its own on PostgreSQL, so brokers sharing the database take turns and
// a broker that dies releases it with its connection.
func (s *Store) CleanLock(ctx context.Context) (func(), bool, error) {
	if s.dialect != Postgres {
		if !s.cleaning.TryLock() {
			return nil, false, nil
		}
		return s.cleaning.Unlock, true, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, cleanLockKey).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, cleanLockKey)
		conn.Close()
	}, true, nil
}

// RetentionFacts implements retention.Store. The queries run in one read
// transaction so the facts are one moment's; DeleteVersions checks the
// guards again as it deletes.
func (s *Store) RetentionFacts(ctx context.Context) (retention.Facts, error) {
	f, err := s.retentionFacts(ctx)
	if err != nil {
		return f, fmt.Errorf("retention facts: %w", err)
	}
	return f, nil
}

func (s *Store) retentionFacts(ctx context.Context) (retention.Facts, error) {
	f := retention.Facts{MainBranches: map[string]string{}}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.dialect == Postgres, Isolation: isolation(s.dialect)})
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	r := runner{s: s, tx: tx}
	pos := map[int64]int{}
	err = scanRows(ctx, r, `SELECT v.id, p.name, v.number, v.created_at FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id ORDER BY v.id`, func(rows *sql.Rows) error {
		var v retention.Version
		var created int64
		if err := rows.Scan(&v.ID, &v.Pacticipant, &v.Number, &created); err != nil {
			return err
		}
		v.CreatedAt = fromTS(created)
		pos[v.ID] = len(f.Versions)
		f.Versions = append(f.Versions, v)
		return nil
	})
	if err != nil {
		return f, err
	}
	at := func(id int64) *retention.Version {
		if i, ok := pos[id]; ok {
			return &f.Versions[i]
		}
		return nil // created after the versions were read
	}
	heads := map[int64]int64{}
	if err := scanRows(ctx, r, `SELECT branch_id, MAX(version_id) FROM branch_versions GROUP BY branch_id`, func(rows *sql.Rows) error {
		var b, v int64
		err := rows.Scan(&b, &v)
		heads[b] = v
		return err
	}); err != nil {
		return f, err
	}
	if err := scanRows(ctx, r, `SELECT bv.version_id, bv.branch_id, b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id`, func(rows *sql.Rows) error {
		var vid, bid int64
		var name string
		if err := rows.Scan(&vid, &bid, &name); err != nil {
			return err
		}
		if v := at(vid); v != nil {
			v.Branches = append(v.Branches, name)
			if heads[bid] == vid {
				v.BranchHeads = append(v.BranchHeads, name)
			}
		}
		return nil
	}); err != nil {
		return f, err
	}
	for _, q := range []struct {
		sql  string
		into func(*retention.Version, string)
	}{
		{`SELECT version_id, name FROM tags`, func(v *retention.Version, s string) { v.Tags = append(v.Tags, s) }},
		{`SELECT d.version_id, e.name FROM deployed_versions d JOIN environments e ON e.id = d.environment_id WHERE d.undeployed_at IS NULL`,
			func(v *retention.Version, s string) { v.DeployedIn = append(v.DeployedIn, s) }},
		{`SELECT rv.version_id, e.name FROM released_versions rv JOIN environments e ON e.id = rv.environment_id WHERE rv.support_ended_at IS NULL`,
			func(v *retention.Version, s string) { v.SupportedIn = append(v.SupportedIn, s) }},
	} {
		if err := scanRows(ctx, r, q.sql, func(rows *sql.Rows) error {
			var vid int64
			var name string
			if err := rows.Scan(&vid, &name); err != nil {
				return err
			}
			if v := at(vid); v != nil {
				q.into(v, name)
			}
			return nil
		}); err != nil {
			return f, err
		}
	}
	err = scanRows(ctx, r, `SELECT name, main_branch FROM pacticipants WHERE main_branch <> ''`, func(rows *sql.Rows) error {
		var p, b string
		err := rows.Scan(&p, &b)
		f.MainBranches[p] = b
		return err
	})
	return f, err
}

// isolation gives PostgreSQL's read one snapshot for all its queries;
// SQLite's transactions are snapshots already.
func isolation(d Dialect) sql.IsolationLevel {
	if d == Postgres {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

// scanRows runs q and calls each for every row.
func scanRows(ctx context.Context, r runner, q string, each func(*sql.Rows) error, args ...any) error {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OverwrittenFacts implements retention.Store.
func (s *Store) OverwrittenFacts(ctx context.Context) ([]retention.Verification, []retention.TriggeredWebhook, error) {
	vs, tws, err := s.overwrittenFacts(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("overwritten data: %w", err)
	}
	return vs, tws, nil
}

func (s *Store) overwrittenFacts(ctx context.Context) ([]retention.Verification, []retention.TriggeredWebhook, error) {
	r := s.read()
	var vs []retention.Verification
	err := scanRows(ctx, r, `SELECT v.id, v.pact_version_id, v.provider_version_id, v.created_at FROM verifications v
		JOIN (SELECT pact_version_id, provider_version_id FROM verifications GROUP BY pact_version_id, provider_version_id HAVING COUNT(*) > 1) d
		ON d.pact_version_id = v.pact_version_id AND d.provider_version_id = v.provider_version_id`, func(rows *sql.Rows) error {
		var v retention.Verification
		var c int64
		err := rows.Scan(&v.ID, &v.PactVersionID, &v.ProviderVersionID, &c)
		v.CreatedAt = fromTS(c)
		vs = append(vs, v)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var tws []retention.TriggeredWebhook
	err = scanRows(ctx, r, `SELECT id, webhook_id, consumer_id, provider_id, created_at, status FROM triggered_webhooks`, func(rows *sql.Rows) error {
		var t retention.TriggeredWebhook
		var c int64
		var status string
		err := rows.Scan(&t.ID, &t.WebhookID, &t.ConsumerID, &t.ProviderID, &c, &status)
		t.CreatedAt = fromTS(c)
		t.Pending = status == "not_run" || status == "retrying"
		tws = append(tws, t)
		return err
	})
	return vs, tws, err
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// DeleteVersions implements retention.Store, in one transaction. A version
// deployed, released or made a main-branch head since the facts were read
// is left alone: the guards are checked again here.
func (s *Store) DeleteVersions(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in := placeholders(len(ids))
	args := int64Args(ids)
	return s.write(ctx, func(r runner) error {
		// The contents these versions published or verified; those left
		// unreferenced afterwards go too.
		var contents []int64
		if err := scanRows(ctx, r, `SELECT pact_version_id FROM pact_publications WHERE consumer_version_id IN (`+in+`)
			UNION SELECT pact_version_id FROM verifications WHERE provider_version_id IN (`+in+`)`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			contents = append(contents, id)
			return err
		}, append(args, args...)...); err != nil {
			return err
		}
		err := r.exec(ctx, `DELETE FROM versions WHERE id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM deployed_versions d WHERE d.version_id = versions.id AND d.undeployed_at IS NULL)
			AND NOT EXISTS (SELECT 1 FROM released_versions rv WHERE rv.version_id = versions.id AND rv.support_ended_at IS NULL)
			AND NOT EXISTS (SELECT 1 FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id
				JOIN pacticipants p ON p.id = b.pacticipant_id AND p.main_branch = b.name
				WHERE bv.version_id = versions.id AND bv.version_id = (SELECT MAX(h.version_id) FROM branch_versions h WHERE h.branch_id = b.id))`, args...)
		if err != nil {
			return fmt.Errorf("delete versions: %w", err)
		}
		return deleteUnreferencedContents(ctx, r, contents)
	})
}

func deleteUnreferencedContents(ctx context.Context, r runner, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	r.contentsMayGo()
	err := r.exec(ctx, `DELETE FROM pact_versions WHERE id IN (`+placeholders(len(ids))+`)
		AND NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pact_versions.id)
		AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.pact_version_id = pact_versions.id)`, int64Args(ids)...)
	if err != nil {
		return fmt.Errorf("delete unreferenced pact contents: %w", err)
	}
	return nil
}

// DeleteVerifications implements retention.Store.
func (s *Store) DeleteVerifications(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := placeholders(len(ids)), int64Args(ids)
	return s.write(ctx, func(r runner) error {
		// Content whose pacts were deleted lived on for these results.
		var contents []int64
		if err := scanRows(ctx, r, `SELECT DISTINCT pact_version_id FROM verifications WHERE id IN (`+in+`)`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			contents = append(contents, id)
			return err
		}, args...); err != nil {
			return err
		}
		if err := r.exec(ctx, `DELETE FROM verifications WHERE id IN (`+in+`)`, args...); err != nil {
			return err
		}
		return deleteUnreferencedContents(ctx, r, contents)
	})
}

// DeleteTriggeredWebhooks implements retention.Store; their delivery logs
// (webhook_executions) go with them. A delivery still pending stays.
func (s *Store) DeleteTriggeredWebhooks(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.write(ctx, func(r runner) error {
		return r.exec(ctx, `DELETE FROM triggered_webhooks WHERE id IN (`+placeholders(len(ids))+`) AND status NOT IN ('not_run', 'retrying')`, int64Args(ids)...)
	})
}
