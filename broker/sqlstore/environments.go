package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
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

// CreateEnvironment implements broker.Environments.
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

const envCols = `e.id, e.uuid, e.name, e.display_name, e.production, e.contacts, e.created_at, e.updated_at`

func scanEnvironment(sc interface{ Scan(...any) error }, extra ...any) (broker.Environment, error) {
	var e broker.Environment
	var contacts sql.NullString
	var c, u int64
	if err := sc.Scan(append([]any{&e.ID, &e.UUID, &e.Name, &e.DisplayName, &e.Production, &contacts, &c, &u}, extra...)...); err != nil {
		return e, err
	}
	if contacts.Valid && contacts.String != "" {
		e.Contacts = []byte(contacts.String)
	}
	e.CreatedAt, e.UpdatedAt = fromTS(c), fromTS(u)
	return e, nil
}

// FindEnvironments implements broker.Environments.
func (s *Store) FindEnvironments(ctx context.Context, name string) ([]broker.Environment, error) {
	q, args := `SELECT `+envCols+` FROM environments e`, []any{}
	if name != "" {
		q, args = q+` WHERE e.name = ?`, append(args, name)
	}
	rows, err := s.read().query(ctx, q+` ORDER BY e.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("find environments: %w", err)
	}
	defer rows.Close()
	out := []broker.Environment{}
	for rows.Next() {
		e, err := scanEnvironment(rows)
		if err != nil {
			return nil, fmt.Errorf("find environments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (r runner) environment(ctx context.Context, uuid string) (broker.Environment, error) {
	e, err := scanEnvironment(r.row(ctx, `SELECT `+envCols+` FROM environments e WHERE e.uuid = ?`, uuid))
	if err != nil {
		return e, notFound(err, "no environment with uuid %s; list the environments (GET /environments, or pact broker list-environments) for their uuids", uuid)
	}
	return e, nil
}

// GetEnvironment implements broker.Environments.
func (s *Store) GetEnvironment(ctx context.Context, uuid string) (broker.Environment, error) {
	return s.read().environment(ctx, uuid)
}

// ReplaceEnvironment implements broker.Environments.
func (s *Store) ReplaceEnvironment(ctx context.Context, uuid string, env broker.Environment) (broker.Environment, error) {
	if env.DisplayName == "" {
		env.DisplayName = env.Name
	}
	var out broker.Environment
	err := s.write(ctx, func(r runner) error {
		cur, err := r.environment(ctx, uuid)
		if err != nil {
			return err
		}
		var n int
		if err := r.row(ctx, `SELECT COUNT(*) FROM environments WHERE name = ? AND id <> ?`, env.Name, cur.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return broker.Errorf(broker.Conflict, "another environment is already named %q; choose a different name", env.Name)
		}
		if err := r.exec(ctx, `UPDATE environments SET name = ?, display_name = ?, production = ?, contacts = ?, updated_at = ? WHERE id = ?`,
			env.Name, env.DisplayName, env.Production, nullJSON(env.Contacts), r.s.ts(), cur.ID); err != nil {
			return err
		}
		out, err = r.environment(ctx, uuid)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("replace environment: %w", err)
	}
	return out, nil
}

// DeleteEnvironment implements broker.Environments.
func (s *Store) DeleteEnvironment(ctx context.Context, uuid string) error {
	err := s.write(ctx, func(r runner) error {
		if _, err := r.environment(ctx, uuid); err != nil {
			return err
		}
		return r.exec(ctx, `DELETE FROM environments WHERE uuid = ?`, uuid)
	})
	if err != nil {
		return fmt.Errorf("delete environment: %w", err)
	}
	return nil
}
