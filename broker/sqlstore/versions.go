package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/accord-cdc/accord/broker"
)

// ensureVersion returns the id of a version, creating it (and the
// pacticipant) when missing.
func (r runner) ensureVersion(ctx context.Context, pacticipantID int64, number string) (int64, bool, error) {
	if number == "" {
		return 0, false, broker.Errorf(broker.Invalid, "a version number cannot be blank")
	}
	// Insert first: publishing usually brings a new version.
	var id int64
	now := r.s.ts()
	err := r.row(ctx, `INSERT INTO versions (pacticipant_id, number, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pacticipant_id, number) DO NOTHING RETURNING id`,
		pacticipantID, number, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = r.row(ctx, `SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?`, pacticipantID, number).Scan(&id)
		return id, false, err
	}
	return id, err == nil, err
}

func (r runner) ensureBranchVersion(ctx context.Context, pacticipantID, versionID int64, branch string) (bool, error) {
	created, err := r.ensureBranchVersionOnly(ctx, pacticipantID, versionID, branch)
	if err != nil || !created {
		return created, err
	}
	return true, r.maybeSetMainBranch(ctx, pacticipantID, branch)
}

func (r runner) ensureBranchVersionOnly(ctx context.Context, pacticipantID, versionID int64, branch string) (bool, error) {
	if branch == "" {
		return false, broker.Errorf(broker.Invalid, "a branch name cannot be blank")
	}
	now := r.s.ts()
	// Usually the branch exists and the version is new on it: one statement.
	var n int64
	err := r.row(ctx, `INSERT INTO branch_versions (branch_id, version_id, created_at)
		SELECT b.id, ?, ? FROM branches b WHERE b.pacticipant_id = ? AND b.name = ?
		ON CONFLICT (branch_id, version_id) DO NOTHING RETURNING version_id`, versionID, now, pacticipantID, branch).Scan(&n)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	var branchID int64
	err = r.row(ctx, `SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?`, pacticipantID, branch).Scan(&branchID)
	if errors.Is(err, sql.ErrNoRows) {
		if err = r.exec(ctx, `INSERT INTO branches (pacticipant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (pacticipant_id, name) DO NOTHING`, pacticipantID, branch, now); err == nil {
			err = r.row(ctx, `SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?`, pacticipantID, branch).Scan(&branchID)
		}
	}
	if err != nil {
		return false, err
	}
	err = r.row(ctx, `INSERT INTO branch_versions (branch_id, version_id, created_at) VALUES (?, ?, ?) ON CONFLICT (branch_id, version_id) DO NOTHING RETURNING version_id`, branchID, versionID, now).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// addBranchKnowingMain is ensureBranchVersion for a caller that holds the
// pacticipant row: main-branch detection runs only while it is unset.
func (r runner) addBranchKnowingMain(ctx context.Context, p *broker.Pacticipant, versionID int64, branch string) error {
	if p.MainBranch != "" {
		_, err := r.ensureBranchVersionOnly(ctx, p.ID, versionID, branch)
		return err
	}
	if _, err := r.ensureBranchVersion(ctx, p.ID, versionID, branch); err != nil {
		return err
	}
	if slices.Contains(mainBranchCandidates, branch) {
		p.MainBranch = branch
	}
	return nil
}

func (r runner) ensureTag(ctx context.Context, pacticipantID, versionID int64, tag string) (bool, error) {
	if tag == "" {
		return false, broker.Errorf(broker.Invalid, "a tag name cannot be blank")
	}
	var n int64
	err := r.row(ctx, `INSERT INTO tags (version_id, name, pacticipant_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (version_id, name) DO NOTHING RETURNING version_id`,
		versionID, tag, pacticipantID, r.s.ts()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, r.maybeSetMainBranch(ctx, pacticipantID, tag)
}

const versionCols = `v.id, p.name, v.number, v.build_url, v.created_at`

func (r runner) scanVersions(ctx context.Context, q string, args ...any) ([]broker.Version, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []broker.Version
	for rows.Next() {
		var v broker.Version
		var c int64
		if err := rows.Scan(&v.ID, &v.Pacticipant, &v.Number, &v.BuildURL, &c); err != nil {
			rows.Close()
			return nil, err
		}
		v.CreatedAt = fromTS(c)
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, r.fillVersions(ctx, out)
}

// fillVersions loads the branches and tags of versions.
func (r runner) fillVersions(ctx context.Context, vs []broker.Version) error {
	if len(vs) == 0 {
		return nil
	}
	ids := make([]any, len(vs))
	pos := map[int64]int{}
	for i, v := range vs {
		ids[i] = v.ID
		pos[v.ID] = i
	}
	rows, err := r.query(ctx, `SELECT bv.version_id, b.name, bv.created_at,
		(SELECT MAX(h.version_id) FROM branch_versions h WHERE h.branch_id = b.id)
		FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id
		WHERE bv.version_id IN (`+placeholders(len(ids))+`) ORDER BY bv.created_at, b.name`, ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var vid, c, head int64
		var name string
		if err := rows.Scan(&vid, &name, &c, &head); err != nil {
			rows.Close()
			return err
		}
		vs[pos[vid]].Branches = append(vs[pos[vid]].Branches, broker.BranchVersion{Branch: name, Latest: head == vid, CreatedAt: fromTS(c)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = r.query(ctx, `SELECT version_id, name, created_at FROM tags WHERE version_id IN (`+placeholders(len(ids))+`) ORDER BY created_at, name`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var vid, c int64
		var name string
		if err := rows.Scan(&vid, &name, &c); err != nil {
			return err
		}
		vs[pos[vid]].Tags = append(vs[pos[vid]].Tags, broker.Tag{Name: name, CreatedAt: fromTS(c)})
	}
	return rows.Err()
}

func (r runner) version(ctx context.Context, pacticipant, number string) (broker.Version, error) {
	vs, err := r.scanVersions(ctx, `SELECT `+versionCols+` FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ? AND v.number = ?`, pacticipant, number)
	if err != nil {
		return broker.Version{}, err
	}
	if len(vs) == 0 {
		return broker.Version{}, broker.Errorf(broker.NotFound, "no version %q of pacticipant %q; check the number or publish it first", number, pacticipant)
	}
	return vs[0], nil
}

// GetVersion implements broker.Versions.
func (s *Store) GetVersion(ctx context.Context, pacticipant, number string) (broker.Version, error) {
	return s.read().version(ctx, pacticipant, number)
}

// LatestVersion implements broker.Versions.
func (s *Store) LatestVersion(ctx context.Context, pacticipant, tag string) (broker.Version, error) {
	r := s.read()
	var vs []broker.Version
	var err error
	if tag == "" {
		vs, err = r.scanVersions(ctx, `SELECT `+versionCols+` FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ? ORDER BY v.id DESC LIMIT 1`, pacticipant)
	} else {
		vs, err = r.scanVersions(ctx, `SELECT `+versionCols+` FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id JOIN tags t ON t.version_id = v.id AND t.name = ? WHERE p.name = ? ORDER BY v.id DESC LIMIT 1`, tag, pacticipant)
	}
	if err != nil {
		return broker.Version{}, fmt.Errorf("latest version: %w", err)
	}
	if len(vs) == 0 {
		if tag != "" {
			return broker.Version{}, broker.Errorf(broker.NotFound, "pacticipant %q has no version tagged %q", pacticipant, tag)
		}
		return broker.Version{}, broker.Errorf(broker.NotFound, "pacticipant %q has no versions; publish a pact or create a version first", pacticipant)
	}
	return vs[0], nil
}

func pageClause(page broker.Page) (string, []any) {
	if page.Size <= 0 {
		return "", nil
	}
	return ` LIMIT ? OFFSET ?`, []any{page.Size, (max(page.Number, 1) - 1) * page.Size}
}

// ListVersions implements broker.Versions.
func (s *Store) ListVersions(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Version, int, error) {
	r := s.read()
	p, err := r.pacticipant(ctx, pacticipant)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := r.row(ctx, `SELECT COUNT(*) FROM versions WHERE pacticipant_id = ?`, p.ID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list versions: %w", err)
	}
	lim, args := pageClause(page)
	vs, err := r.scanVersions(ctx, `SELECT `+versionCols+` FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE v.pacticipant_id = ? ORDER BY v.id DESC`+lim, append([]any{p.ID}, args...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list versions: %w", err)
	}
	return vs, total, nil
}

// PutVersion implements broker.Versions.
func (s *Store) PutVersion(ctx context.Context, pacticipant, number string, u broker.VersionUpdate) (broker.Version, bool, error) {
	var (
		v       broker.Version
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		pid, _, err := r.ensurePacticipant(ctx, pacticipant)
		if err != nil {
			return err
		}
		vid, c, err := r.ensureVersion(ctx, pid, number)
		if err != nil {
			return err
		}
		created = c
		if u.BuildURL != nil || u.Replace {
			b := ""
			if u.BuildURL != nil {
				b = *u.BuildURL
			}
			if err := r.exec(ctx, `UPDATE versions SET build_url = ?, updated_at = ? WHERE id = ?`, b, r.s.ts(), vid); err != nil {
				return err
			}
		}
		for _, t := range u.Tags {
			if _, err := r.ensureTag(ctx, pid, vid, t); err != nil {
				return err
			}
		}
		v, err = r.version(ctx, pacticipant, number)
		return err
	})
	if err != nil {
		return v, false, fmt.Errorf("put version: %w", err)
	}
	return v, created, nil
}

// DeleteVersion implements broker.Versions.
func (s *Store) DeleteVersion(ctx context.Context, pacticipant, number string) error {
	return s.write(ctx, func(r runner) error {
		v, err := r.version(ctx, pacticipant, number)
		if err != nil {
			return err
		}
		// The contents it published or verified, that go when unused.
		var contents []int64
		if err := scanRows(ctx, r, `SELECT pact_version_id FROM pact_publications WHERE consumer_version_id = ?
			UNION SELECT pact_version_id FROM verifications WHERE provider_version_id = ?`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			contents = append(contents, id)
			return err
		}, v.ID, v.ID); err != nil {
			return err
		}
		if err := r.exec(ctx, `DELETE FROM versions WHERE id = ?`, v.ID); err != nil {
			return err
		}
		return deleteUnreferencedContents(ctx, r, contents)
	})
}

// ListBranches implements broker.Versions.
func (s *Store) ListBranches(ctx context.Context, pacticipant string) ([]broker.Branch, error) {
	r := s.read()
	p, err := r.pacticipant(ctx, pacticipant)
	if err != nil {
		return nil, err
	}
	return r.branches(ctx, `WHERE b.pacticipant_id = ? ORDER BY b.created_at DESC, b.name`, pacticipant, p.ID)
}

func (r runner) branches(ctx context.Context, where, pacticipant string, args ...any) ([]broker.Branch, error) {
	rows, err := r.query(ctx, `SELECT b.name, b.created_at, COALESCE((SELECT v.number FROM branch_versions bv JOIN versions v ON v.id = bv.version_id WHERE bv.branch_id = b.id ORDER BY bv.version_id DESC LIMIT 1), '')
		FROM branches b `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("branches: %w", err)
	}
	defer rows.Close()
	var out []broker.Branch
	for rows.Next() {
		b := broker.Branch{Pacticipant: pacticipant}
		var c int64
		if err := rows.Scan(&b.Name, &c, &b.LatestVersion); err != nil {
			return nil, fmt.Errorf("branches: %w", err)
		}
		b.CreatedAt = fromTS(c)
		out = append(out, b)
	}
	return out, rows.Err()
}

// GetBranch implements broker.Versions.
func (s *Store) GetBranch(ctx context.Context, pacticipant, branch string) (broker.Branch, error) {
	bs, err := s.read().branches(ctx, `JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = ? AND b.name = ?`, pacticipant, pacticipant, branch)
	if err != nil {
		return broker.Branch{}, err
	}
	if len(bs) == 0 {
		return broker.Branch{}, broker.Errorf(broker.NotFound, "pacticipant %q has no branch %q", pacticipant, branch)
	}
	return bs[0], nil
}

// DeleteBranch implements broker.Versions.
func (s *Store) DeleteBranch(ctx context.Context, pacticipant, branch string) error {
	return s.write(ctx, func(r runner) error {
		var id int64
		err := r.row(ctx, `SELECT b.id FROM branches b JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = ? AND b.name = ?`, pacticipant, branch).Scan(&id)
		if err != nil {
			return notFound(err, "pacticipant %q has no branch %q", pacticipant, branch)
		}
		return r.exec(ctx, `DELETE FROM branches WHERE id = ?`, id)
	})
}

// DeleteBranchVersion implements broker.Versions. The branch stays even
// when it is left empty, as in the Ruby broker; its head is the newest
// version still on it.
func (s *Store) DeleteBranchVersion(ctx context.Context, pacticipant, branch, number string) error {
	err := s.write(ctx, func(r runner) error {
		var branchID, versionID int64
		err := r.row(ctx, `SELECT bv.branch_id, bv.version_id FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id
			JOIN versions v ON v.id = bv.version_id JOIN pacticipants p ON p.id = b.pacticipant_id
			WHERE p.name = ? AND b.name = ? AND v.number = ?`, pacticipant, branch, number).Scan(&branchID, &versionID)
		if err != nil {
			return notFound(err, "version %q of %q is not on branch %q", number, pacticipant, branch)
		}
		return r.exec(ctx, `DELETE FROM branch_versions WHERE branch_id = ? AND version_id = ?`, branchID, versionID)
	})
	if err != nil {
		return fmt.Errorf("delete branch version: %w", err)
	}
	return nil
}

// AddBranchVersion implements broker.Versions.
func (s *Store) AddBranchVersion(ctx context.Context, pacticipant, branch, number string) (broker.Version, bool, error) {
	var (
		v       broker.Version
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		pid, _, err := r.ensurePacticipant(ctx, pacticipant)
		if err != nil {
			return err
		}
		vid, _, err := r.ensureVersion(ctx, pid, number)
		if err != nil {
			return err
		}
		if created, err = r.ensureBranchVersion(ctx, pid, vid, branch); err != nil {
			return err
		}
		v, err = r.version(ctx, pacticipant, number)
		return err
	})
	if err != nil {
		return v, false, fmt.Errorf("add branch version: %w", err)
	}
	return v, created, nil
}

// BranchVersions implements broker.Versions.
func (s *Store) BranchVersions(ctx context.Context, pacticipant, branch string, page broker.Page) ([]broker.Version, int, error) {
	r := s.read()
	var total int
	if err := r.row(ctx, `SELECT COUNT(*) FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = ? AND b.name = ?`, pacticipant, branch).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("branch versions: %w", err)
	}
	lim, args := pageClause(page)
	vs, err := r.scanVersions(ctx, `SELECT `+versionCols+` FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
		JOIN branch_versions bv ON bv.version_id = v.id JOIN branches b ON b.id = bv.branch_id
		WHERE p.name = ? AND b.name = ? ORDER BY v.id DESC`+lim, append([]any{pacticipant, branch}, args...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("branch versions: %w", err)
	}
	return vs, total, nil
}

// LatestBranchVersion implements broker.Versions.
func (s *Store) LatestBranchVersion(ctx context.Context, pacticipant, branch string) (broker.Version, error) {
	vs, _, err := s.BranchVersions(ctx, pacticipant, branch, broker.Page{Number: 1, Size: 1})
	if err != nil {
		return broker.Version{}, err
	}
	if len(vs) == 0 {
		return broker.Version{}, broker.Errorf(broker.NotFound, "pacticipant %q has no versions on branch %q", pacticipant, branch)
	}
	return vs[0], nil
}

// AddTag implements broker.Versions.
func (s *Store) AddTag(ctx context.Context, pacticipant, number, tag string) (broker.Tag, bool, error) {
	var (
		t       broker.Tag
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		pid, _, err := r.ensurePacticipant(ctx, pacticipant)
		if err != nil {
			return err
		}
		vid, _, err := r.ensureVersion(ctx, pid, number)
		if err != nil {
			return err
		}
		if created, err = r.ensureTag(ctx, pid, vid, tag); err != nil {
			return err
		}
		if created {
			if err := r.deployForTag(ctx, pid, vid, tag); err != nil {
				return err
			}
		}
		t, err = r.tag(ctx, pacticipant, number, tag)
		return err
	})
	if err != nil {
		return t, false, fmt.Errorf("add tag: %w", err)
	}
	return t, created, nil
}

func (r runner) tag(ctx context.Context, pacticipant, number, tag string) (broker.Tag, error) {
	t := broker.Tag{Name: tag}
	var c int64
	err := r.row(ctx, `SELECT t.created_at FROM tags t JOIN versions v ON v.id = t.version_id JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ? AND v.number = ? AND t.name = ?`, pacticipant, number, tag).Scan(&c)
	t.CreatedAt = fromTS(c)
	return t, notFound(err, "version %q of %q has no tag %q", number, pacticipant, tag)
}

// GetTag implements broker.Versions.
func (s *Store) GetTag(ctx context.Context, pacticipant, number, tag string) (broker.Tag, error) {
	return s.read().tag(ctx, pacticipant, number, tag)
}

// DeleteTag implements broker.Versions.
func (s *Store) DeleteTag(ctx context.Context, pacticipant, number, tag string) error {
	return s.write(ctx, func(r runner) error {
		v, err := r.version(ctx, pacticipant, number)
		if err != nil {
			return err
		}
		if _, err := r.tag(ctx, pacticipant, number, tag); err != nil {
			return err
		}
		return r.exec(ctx, `DELETE FROM tags WHERE version_id = ? AND name = ?`, v.ID, tag)
	})
}
