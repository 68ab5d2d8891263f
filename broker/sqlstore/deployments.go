package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/accord-cdc/accord/broker"
)

// versionIDs looks up a version and its pacticipant by name and number.
func (r runner) versionIDs(ctx context.Context, pacticipant, number string) (pid, vid int64, err error) {
	err = r.row(ctx, `SELECT v.pacticipant_id, v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ? AND v.number = ?`,
		pacticipant, number).Scan(&pid, &vid)
	if err != nil {
		return 0, 0, notFound(err, "no version %s of %s; publish a pact or verification result for it, or create it (pact broker create-or-update-version), before recording where it runs", number, pacticipant)
	}
	return pid, vid, nil
}

const deployedCols = envCols + `, d.uuid, p.name, v.id, v.number, v.created_at, d.target, d.auto_created, d.created_at, d.undeployed_at`

const deployedFrom = ` FROM deployed_versions d
	JOIN versions v ON v.id = d.version_id
	JOIN pacticipants p ON p.id = d.pacticipant_id
	JOIN environments e ON e.id = d.environment_id`

func (r runner) deployedVersions(ctx context.Context, where string, args ...any) ([]broker.DeployedVersion, error) {
	rows, err := r.query(ctx, `SELECT `+deployedCols+deployedFrom+` WHERE `+where+` ORDER BY d.created_at, d.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []broker.DeployedVersion{}
	for rows.Next() {
		var d broker.DeployedVersion
		var vc, c int64
		var undeployed sql.NullInt64
		d.Environment, err = scanEnvironment(rows, &d.UUID, &d.Pacticipant, &d.Version.ID, &d.Version.Number, &vc,
			&d.ApplicationInstance, &d.AutoCreated, &c, &undeployed)
		if err != nil {
			return nil, err
		}
		d.Version.Pacticipant, d.Version.CreatedAt, d.CreatedAt = d.Pacticipant, fromTS(vc), fromTS(c)
		if undeployed.Valid {
			t := fromTS(undeployed.Int64)
			d.UndeployedAt = &t
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (r runner) deployedVersion(ctx context.Context, uuid string) (broker.DeployedVersion, error) {
	ds, err := r.deployedVersions(ctx, `d.uuid = ?`, uuid)
	if err != nil {
		return broker.DeployedVersion{}, err
	}
	if len(ds) == 0 {
		return broker.DeployedVersion{}, broker.Errorf(broker.NotFound, "no deployed version with uuid %s; list an environment's deployments at /environments/{uuid}/deployed-versions/currently-deployed", uuid)
	}
	return ds[0], nil
}

// deploy puts version vid into the environment slot (eid, instance) as
// broker.DecideDeployment decides: the version there before is undeployed,
// and the same version again keeps its record.
func (r runner) deploy(ctx context.Context, pid, vid, eid int64, instance string, auto bool) (uuid string, created bool, err error) {
	if r.s.dialect == Postgres {
		// Deployments of one pacticipant take turns, so the second of two
		// concurrent ones sees the first and replaces it (SQLite writers
		// are serialised already).
		if err := r.exec(ctx, `SELECT 1 FROM pacticipants WHERE id = ? FOR UPDATE`, pid); err != nil {
			return "", false, err
		}
	}
	rows, err := r.query(ctx, `SELECT uuid, version_id FROM deployed_versions WHERE pacticipant_id = ? AND environment_id = ? AND target = ? AND undeployed_at IS NULL ORDER BY id`,
		pid, eid, instance)
	if err != nil {
		return "", false, err
	}
	var uuids []string
	var versions []int64
	for rows.Next() {
		var u string
		var v int64
		if err := rows.Scan(&u, &v); err != nil {
			rows.Close()
			return "", false, err
		}
		uuids, versions = append(uuids, u), append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", false, err
	}
	d := broker.DecideDeployment(versions, vid)
	if d.Keep >= 0 {
		return uuids[d.Keep], false, nil
	}
	now := r.s.ts()
	for _, i := range d.End {
		if err := r.exec(ctx, `UPDATE deployed_versions SET undeployed_at = ? WHERE uuid = ?`, now, uuids[i]); err != nil {
			return "", false, err
		}
	}
	uuid = newUUID()
	err = r.exec(ctx, `INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_id, target, auto_created, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		uuid, vid, pid, eid, instance, auto, now)
	return uuid, err == nil, err
}

// deployForTag records a deployment when a new tag names an environment, as
// the Ruby broker does by default to help teams move from tags to
// environments.
func (r runner) deployForTag(ctx context.Context, pid, vid int64, tag string) error {
	var eid int64
	err := r.row(ctx, `SELECT id FROM environments WHERE name = ?`, tag).Scan(&eid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = r.deploy(ctx, pid, vid, eid, "", true)
	return err
}

// DeployVersion implements broker.Deployments.
func (s *Store) DeployVersion(ctx context.Context, pacticipant, number, environmentUUID, instance string) (broker.DeployedVersion, bool, error) {
	var (
		out     broker.DeployedVersion
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		pid, vid, err := r.versionIDs(ctx, pacticipant, number)
		if err != nil {
			return err
		}
		env, err := r.environment(ctx, environmentUUID)
		if err != nil {
			return err
		}
		var uuid string
		if uuid, created, err = r.deploy(ctx, pid, vid, env.ID, instance, false); err != nil {
			return err
		}
		out, err = r.deployedVersion(ctx, uuid)
		return err
	})
	if err != nil {
		return out, false, fmt.Errorf("record deployment: %w", err)
	}
	return out, created, nil
}

// GetDeployedVersion implements broker.Deployments.
func (s *Store) GetDeployedVersion(ctx context.Context, uuid string) (broker.DeployedVersion, error) {
	return s.read().deployedVersion(ctx, uuid)
}

// Undeploy implements broker.Deployments.
func (s *Store) Undeploy(ctx context.Context, uuid string) (broker.DeployedVersion, error) {
	var out broker.DeployedVersion
	err := s.write(ctx, func(r runner) error {
		if err := r.exec(ctx, `UPDATE deployed_versions SET undeployed_at = ? WHERE uuid = ? AND undeployed_at IS NULL`, r.s.ts(), uuid); err != nil {
			return err
		}
		var err error
		out, err = r.deployedVersion(ctx, uuid)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("record undeployment: %w", err)
	}
	return out, nil
}

// CurrentlyDeployed implements broker.Deployments.
func (s *Store) CurrentlyDeployed(ctx context.Context, environmentUUID string, f broker.DeploymentFilter) ([]broker.DeployedVersion, error) {
	r := s.read()
	env, err := r.environment(ctx, environmentUUID)
	if err != nil {
		return nil, err
	}
	where, args := `d.environment_id = ? AND d.undeployed_at IS NULL`, []any{env.ID}
	if f.Pacticipant != "" {
		where, args = where+` AND p.name = ?`, append(args, f.Pacticipant)
	}
	if f.ApplicationInstance != "" {
		where, args = where+` AND d.target = ?`, append(args, f.ApplicationInstance)
	}
	out, err := r.deployedVersions(ctx, where, args...)
	if err != nil {
		return nil, fmt.Errorf("list currently deployed versions: %w", err)
	}
	return out, nil
}

// VersionDeployments implements broker.Deployments.
func (s *Store) VersionDeployments(ctx context.Context, pacticipant, number, environmentUUID string) ([]broker.DeployedVersion, error) {
	r := s.read()
	_, vid, err := r.versionIDs(ctx, pacticipant, number)
	if err != nil {
		return nil, err
	}
	env, err := r.environment(ctx, environmentUUID)
	if err != nil {
		return nil, err
	}
	out, err := r.deployedVersions(ctx, `d.version_id = ? AND d.environment_id = ?`, vid, env.ID)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	return out, nil
}

const releasedCols = envCols + `, rv.uuid, p.name, v.id, v.number, v.created_at, rv.created_at, rv.support_ended_at`

const releasedFrom = ` FROM released_versions rv
	JOIN versions v ON v.id = rv.version_id
	JOIN pacticipants p ON p.id = rv.pacticipant_id
	JOIN environments e ON e.id = rv.environment_id`

func (r runner) releasedVersions(ctx context.Context, where string, args ...any) ([]broker.ReleasedVersion, error) {
	rows, err := r.query(ctx, `SELECT `+releasedCols+releasedFrom+` WHERE `+where+` ORDER BY rv.created_at, rv.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []broker.ReleasedVersion{}
	for rows.Next() {
		var rel broker.ReleasedVersion
		var vc, c int64
		var ended sql.NullInt64
		rel.Environment, err = scanEnvironment(rows, &rel.UUID, &rel.Pacticipant, &rel.Version.ID, &rel.Version.Number, &vc, &c, &ended)
		if err != nil {
			return nil, err
		}
		rel.Version.Pacticipant, rel.Version.CreatedAt, rel.CreatedAt = rel.Pacticipant, fromTS(vc), fromTS(c)
		if ended.Valid {
			t := fromTS(ended.Int64)
			rel.SupportEndedAt = &t
		}
		out = append(out, rel)
	}
	return out, rows.Err()
}

func (r runner) releasedVersion(ctx context.Context, uuid string) (broker.ReleasedVersion, error) {
	rs, err := r.releasedVersions(ctx, `rv.uuid = ?`, uuid)
	if err != nil {
		return broker.ReleasedVersion{}, err
	}
	if len(rs) == 0 {
		return broker.ReleasedVersion{}, broker.Errorf(broker.NotFound, "no released version with uuid %s; list an environment's releases at /environments/{uuid}/released-versions/currently-supported", uuid)
	}
	return rs[0], nil
}

// ReleaseVersion implements broker.Deployments.
func (s *Store) ReleaseVersion(ctx context.Context, pacticipant, number, environmentUUID string) (broker.ReleasedVersion, bool, error) {
	var (
		out     broker.ReleasedVersion
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		pid, vid, err := r.versionIDs(ctx, pacticipant, number)
		if err != nil {
			return err
		}
		env, err := r.environment(ctx, environmentUUID)
		if err != nil {
			return err
		}
		var uuid string
		err = r.row(ctx, `SELECT uuid FROM released_versions WHERE version_id = ? AND environment_id = ?`, vid, env.ID).Scan(&uuid)
		switch {
		case err == nil:
			err = r.exec(ctx, `UPDATE released_versions SET support_ended_at = NULL WHERE uuid = ?`, uuid)
		case errors.Is(err, sql.ErrNoRows):
			uuid, created = newUUID(), true
			err = r.exec(ctx, `INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_id, created_at) VALUES (?, ?, ?, ?, ?)`,
				uuid, vid, pid, env.ID, r.s.ts())
		}
		if err != nil {
			return err
		}
		out, err = r.releasedVersion(ctx, uuid)
		return err
	})
	if err != nil {
		return out, false, fmt.Errorf("record release: %w", err)
	}
	return out, created, nil
}

// GetReleasedVersion implements broker.Deployments.
func (s *Store) GetReleasedVersion(ctx context.Context, uuid string) (broker.ReleasedVersion, error) {
	return s.read().releasedVersion(ctx, uuid)
}

// EndSupport implements broker.Deployments.
func (s *Store) EndSupport(ctx context.Context, uuid string) (broker.ReleasedVersion, error) {
	var out broker.ReleasedVersion
	err := s.write(ctx, func(r runner) error {
		if err := r.exec(ctx, `UPDATE released_versions SET support_ended_at = ? WHERE uuid = ? AND support_ended_at IS NULL`, r.s.ts(), uuid); err != nil {
			return err
		}
		var err error
		out, err = r.releasedVersion(ctx, uuid)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("record support ended: %w", err)
	}
	return out, nil
}

// CurrentlySupported implements broker.Deployments.
func (s *Store) CurrentlySupported(ctx context.Context, environmentUUID string, f broker.DeploymentFilter) ([]broker.ReleasedVersion, error) {
	r := s.read()
	env, err := r.environment(ctx, environmentUUID)
	if err != nil {
		return nil, err
	}
	where, args := `rv.environment_id = ? AND rv.support_ended_at IS NULL`, []any{env.ID}
	if f.Pacticipant != "" {
		where, args = where+` AND p.name = ?`, append(args, f.Pacticipant)
	}
	out, err := r.releasedVersions(ctx, where, args...)
	if err != nil {
		return nil, fmt.Errorf("list currently supported versions: %w", err)
	}
	return out, nil
}

// VersionReleases implements broker.Deployments.
func (s *Store) VersionReleases(ctx context.Context, pacticipant, number, environmentUUID string) ([]broker.ReleasedVersion, error) {
	r := s.read()
	_, vid, err := r.versionIDs(ctx, pacticipant, number)
	if err != nil {
		return nil, err
	}
	env, err := r.environment(ctx, environmentUUID)
	if err != nil {
		return nil, err
	}
	out, err := r.releasedVersions(ctx, `rv.version_id = ? AND rv.environment_id = ?`, vid, env.ID)
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	return out, nil
}
