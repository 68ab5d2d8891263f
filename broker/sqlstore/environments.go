package sqlstore

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/accord-cdc/accord/broker"
)

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CreateEnvironment implements broker.Store.
func (s *Store) CreateEnvironment(ctx context.Context, env broker.Environment) (broker.Environment, error) {
	if env.UUID == "" {
		env.UUID = newUUID()
	}
	if env.DisplayName == "" {
		env.DisplayName = env.Name
	}
	err := s.write(ctx, func(r runner) error {
		now := r.s.ts()
		var n int
		if err := r.row(ctx, `SELECT COUNT(*) FROM environments WHERE name = ? OR uuid = ?`, env.Name, env.UUID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return broker.Errorf(broker.Conflict, "an environment named %q (or with uuid %s) already exists", env.Name, env.UUID)
		}
		env.CreatedAt = fromTS(now)
		env.UpdatedAt = env.CreatedAt
		return r.row(ctx, `INSERT INTO environments (uuid, name, display_name, production, contacts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			env.UUID, env.Name, env.DisplayName, env.Production, nullJSON(env.Contacts), now, now).Scan(&env.ID)
	})
	if err != nil {
		return env, fmt.Errorf("create environment: %w", err)
	}
	return env, nil
}

func (r runner) versionAndEnv(ctx context.Context, pacticipant, number, environment string) (pid, vid, eid int64, err error) {
	v, err := r.version(ctx, pacticipant, number)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := r.row(ctx, `SELECT pacticipant_id FROM versions WHERE id = ?`, v.ID).Scan(&pid); err != nil {
		return 0, 0, 0, err
	}
	if err := r.row(ctx, `SELECT id FROM environments WHERE name = ?`, environment).Scan(&eid); err != nil {
		return 0, 0, 0, notFound(err, "no environment named %q; create it first", environment)
	}
	return pid, v.ID, eid, nil
}

// RecordDeployment implements broker.Store: the version replaces whatever
// was deployed to the same environment and target.
func (s *Store) RecordDeployment(ctx context.Context, pacticipant, number, environment, target string) error {
	return s.write(ctx, func(r runner) error {
		pid, vid, eid, err := r.versionAndEnv(ctx, pacticipant, number, environment)
		if err != nil {
			return err
		}
		now := r.s.ts()
		if err := r.exec(ctx, `UPDATE deployed_versions SET undeployed_at = ? WHERE pacticipant_id = ? AND environment_id = ? AND target = ? AND undeployed_at IS NULL AND version_id <> ?`,
			now, pid, eid, target, vid); err != nil {
			return err
		}
		var n int
		if err := r.row(ctx, `SELECT COUNT(*) FROM deployed_versions WHERE version_id = ? AND environment_id = ? AND target = ? AND undeployed_at IS NULL`, vid, eid, target).Scan(&n); err != nil || n > 0 {
			return err
		}
		return r.exec(ctx, `INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_id, target, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			newUUID(), vid, pid, eid, target, now)
	})
}

// RecordRelease implements broker.Store.
func (s *Store) RecordRelease(ctx context.Context, pacticipant, number, environment string) error {
	return s.write(ctx, func(r runner) error {
		pid, vid, eid, err := r.versionAndEnv(ctx, pacticipant, number, environment)
		if err != nil {
			return err
		}
		return r.exec(ctx, `INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_id, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (version_id, environment_id) DO UPDATE SET support_ended_at = NULL`, newUUID(), vid, pid, eid, r.s.ts())
	})
}

// ListEnvironments implements broker.Store.
func (s *Store) ListEnvironments(ctx context.Context) ([]broker.Environment, error) {
	rows, err := s.read().query(ctx, `SELECT id, uuid, name, display_name, production, created_at FROM environments ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	defer rows.Close()
	var out []broker.Environment
	for rows.Next() {
		var e broker.Environment
		var c int64
		if err := rows.Scan(&e.ID, &e.UUID, &e.Name, &e.DisplayName, &e.Production, &c); err != nil {
			return nil, fmt.Errorf("list environments: %w", err)
		}
		e.CreatedAt = fromTS(c)
		out = append(out, e)
	}
	return out, rows.Err()
}
