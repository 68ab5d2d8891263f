package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/accord-cdc/accord/broker"
)

const pacticipantCols = `id, name, display_name, repository_url, repository_name, repository_namespace, main_branch, created_at, updated_at`

func scanPacticipant(sc interface{ Scan(...any) error }) (broker.Pacticipant, error) {
	var p broker.Pacticipant
	var c, u int64
	err := sc.Scan(&p.ID, &p.Name, &p.DisplayName, &p.RepositoryURL, &p.RepositoryName, &p.RepositoryNamespace, &p.MainBranch, &c, &u)
	p.CreatedAt, p.UpdatedAt = fromTS(c), fromTS(u)
	return p, err
}

// ListPacticipants implements broker.Pacticipants.
func (s *Store) ListPacticipants(ctx context.Context, page broker.Page) ([]broker.Pacticipant, int, error) {
	r := s.read()
	var total int
	if err := r.row(ctx, `SELECT COUNT(*) FROM pacticipants`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list pacticipants: %w", err)
	}
	q := `SELECT ` + pacticipantCols + ` FROM pacticipants ORDER BY name`
	args := []any{}
	if page.Size > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, page.Size, (max(page.Number, 1)-1)*page.Size)
	}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list pacticipants: %w", err)
	}
	defer rows.Close()
	var out []broker.Pacticipant
	for rows.Next() {
		p, err := scanPacticipant(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list pacticipants: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

func (r runner) pacticipant(ctx context.Context, name string) (broker.Pacticipant, error) {
	p, err := scanPacticipant(r.row(ctx, `SELECT `+pacticipantCols+` FROM pacticipants WHERE name = ?`, name))
	if err != nil {
		return p, notFound(err, "no pacticipant named %q; check the spelling (names are case-sensitive) or publish a pact for it first", name)
	}
	return p, nil
}

// GetPacticipant implements broker.Pacticipants.
func (s *Store) GetPacticipant(ctx context.Context, name string) (broker.Pacticipant, error) {
	return s.read().pacticipant(ctx, name)
}

// ensurePacticipant returns the id of the named pacticipant, creating it.
func (r runner) ensurePacticipant(ctx context.Context, name string) (int64, bool, error) {
	if name == "" {
		return 0, false, broker.Errorf(broker.Invalid, "a pacticipant name cannot be blank")
	}
	var id int64
	err := r.row(ctx, `SELECT id FROM pacticipants WHERE name = ?`, name).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	now := r.s.ts()
	err = r.row(ctx, `INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id`, name, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // created concurrently
		err = r.row(ctx, `SELECT id FROM pacticipants WHERE name = ?`, name).Scan(&id)
		return id, false, err
	}
	return id, err == nil, err
}

// CreatePacticipant implements broker.Pacticipants.
func (s *Store) CreatePacticipant(ctx context.Context, name string, u broker.PacticipantUpdate) (broker.Pacticipant, error) {
	var p broker.Pacticipant
	err := s.write(ctx, func(r runner) error {
		_, created, err := r.ensurePacticipant(ctx, name)
		if err != nil {
			return err
		}
		if !created {
			return broker.Errorf(broker.Conflict, "a pacticipant named %q already exists; use PATCH /pacticipants/%s to change it", name, name)
		}
		p, err = r.applyPacticipant(ctx, name, u)
		return err
	})
	if err != nil {
		return p, fmt.Errorf("create pacticipant: %w", err)
	}
	return p, nil
}

func (r runner) applyPacticipant(ctx context.Context, name string, u broker.PacticipantUpdate) (broker.Pacticipant, error) {
	p, err := r.pacticipant(ctx, name)
	if err != nil {
		return p, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		} else if u.Replace {
			*dst = ""
		}
	}
	set(&p.DisplayName, u.DisplayName)
	set(&p.RepositoryURL, u.RepositoryURL)
	set(&p.RepositoryName, u.RepositoryName)
	set(&p.RepositoryNamespace, u.RepositoryNamespace)
	set(&p.MainBranch, u.MainBranch)
	p.UpdatedAt = fromTS(r.s.ts())
	err = r.exec(ctx, `UPDATE pacticipants SET display_name = ?, repository_url = ?, repository_name = ?, repository_namespace = ?, main_branch = ?, updated_at = ? WHERE id = ?`,
		p.DisplayName, p.RepositoryURL, p.RepositoryName, p.RepositoryNamespace, p.MainBranch, p.UpdatedAt.UnixMicro(), p.ID)
	return p, err
}

// UpdatePacticipant implements broker.Pacticipants.
func (s *Store) UpdatePacticipant(ctx context.Context, name string, u broker.PacticipantUpdate, create bool) (broker.Pacticipant, bool, error) {
	var (
		p       broker.Pacticipant
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		var err error
		if create {
			if _, created, err = r.ensurePacticipant(ctx, name); err != nil {
				return err
			}
		}
		p, err = r.applyPacticipant(ctx, name, u)
		return err
	})
	if err != nil {
		return p, false, fmt.Errorf("update pacticipant: %w", err)
	}
	return p, created, nil
}

// DeletePacticipant implements broker.Pacticipants.
func (s *Store) DeletePacticipant(ctx context.Context, name string) error {
	return s.write(ctx, func(r runner) error {
		p, err := r.pacticipant(ctx, name)
		if err != nil {
			return err
		}
		r.contentsMayGo() // its pacts' contents go by cascade
		return r.exec(ctx, `DELETE FROM pacticipants WHERE id = ?`, p.ID)
	})
}

// mainBranchCandidates become the main branch of a pacticipant without one
// when first used as a branch or tag name.
var mainBranchCandidates = []string{"develop", "main", "master"}

func (r runner) maybeSetMainBranch(ctx context.Context, pacticipantID int64, name string) error {
	if !slices.Contains(mainBranchCandidates, name) {
		return nil
	}
	return r.exec(ctx, `UPDATE pacticipants SET main_branch = ? WHERE id = ? AND main_branch = ''`, name, pacticipantID)
}

func (r runner) pacticipantByID(ctx context.Context, id int64) (broker.Pacticipant, error) {
	return scanPacticipant(r.row(ctx, `SELECT `+pacticipantCols+` FROM pacticipants WHERE id = ?`, id))
}

// ensurePacticipantRow returns the named pacticipant, creating it.
func (r runner) ensurePacticipantRow(ctx context.Context, name string) (broker.Pacticipant, error) {
	p, err := scanPacticipant(r.row(ctx, `SELECT `+pacticipantCols+` FROM pacticipants WHERE name = ?`, name))
	if !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	id, _, err := r.ensurePacticipant(ctx, name)
	if err != nil {
		return p, err
	}
	return r.pacticipantByID(ctx, id)
}
