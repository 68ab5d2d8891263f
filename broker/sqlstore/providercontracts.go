package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accord-cdc/accord/broker"
)

var _ broker.ProviderContractStore = (*Store)(nil)

const providerContractCols = `pc.id, p.name, v.number, COALESCE((SELECT b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = v.id ORDER BY bv.created_at DESC LIMIT 1), ''),
	pc.sha, pc.specification, pc.content_type, pc.content, pc.self_verification, pc.build_url, pc.created_at`

const providerContractFrom = ` FROM provider_contracts pc JOIN pacticipants p ON p.id = pc.provider_id JOIN versions v ON v.id = pc.provider_version_id`

func scanProviderContract(sc interface{ Scan(...any) error }) (broker.ProviderContract, error) {
	var (
		c       broker.ProviderContract
		content string
		self    sql.NullString
		created int64
	)
	err := sc.Scan(&c.ID, &c.Provider, &c.ProviderVersion, &c.Branch, &c.SHA, &c.Specification, &c.ContentType, &content, &self, &c.BuildURL, &created)
	if err != nil {
		return c, err
	}
	c.Content = []byte(content)
	c.CreatedAt = fromTS(created)
	if self.Valid {
		var sv broker.SelfVerification
		if err := json.Unmarshal([]byte(self.String), &sv); err == nil {
			c.SelfVerification = &sv
		}
	}
	return c, nil
}

// PublishProviderContract implements broker.ProviderContractStore.
func (s *Store) PublishProviderContract(ctx context.Context, req broker.ProviderContractRequest) (broker.ProviderContract, error) {
	var out broker.ProviderContract
	err := s.write(ctx, func(r runner) error {
		p, err := r.ensurePacticipantRow(ctx, req.Provider)
		if err != nil {
			return err
		}
		vid, _, err := r.ensureVersion(ctx, p.ID, req.Version)
		if err != nil {
			return err
		}
		if req.BuildURL != "" {
			if err := r.exec(ctx, `UPDATE versions SET build_url = ? WHERE id = ?`, req.BuildURL, vid); err != nil {
				return err
			}
		}
		if req.Branch != "" {
			if err := r.addBranchKnowingMain(ctx, &p, vid, req.Branch); err != nil {
				return err
			}
		}
		for _, t := range req.Tags {
			if _, err := r.ensureTag(ctx, p.ID, vid, t); err != nil {
				return err
			}
		}
		var self any
		if req.SelfVerification != nil {
			b, err := json.Marshal(req.SelfVerification)
			if err != nil {
				return err
			}
			self = string(b)
		}
		now := s.ts()
		var id int64
		err = r.row(ctx, `INSERT INTO provider_contracts (provider_id, provider_version_id, sha, specification, content_type, content, self_verification, build_url, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (provider_version_id) DO UPDATE SET sha = excluded.sha, specification = excluded.specification, content_type = excluded.content_type,
				content = excluded.content, self_verification = excluded.self_verification, build_url = excluded.build_url, created_at = excluded.created_at
			RETURNING id`, p.ID, vid, broker.ContractSHA(req.Content), req.Specification, req.ContentType, string(req.Content), self, req.BuildURL, now).Scan(&id)
		if err != nil {
			return err
		}
		// The check this publication calls for commits with it (outbox).
		if err := r.enqueueContractCheck(ctx, id, now); err != nil {
			return err
		}
		out, err = scanProviderContract(r.row(ctx, `SELECT `+providerContractCols+providerContractFrom+` WHERE pc.id = ?`, id))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("publish provider contract: %w", err)
	}
	return out, nil
}

// enqueueContractCheck queues a check of the contract unless one is already
// waiting unclaimed (a claimed one may have read its pacts already).
func (r runner) enqueueContractCheck(ctx context.Context, contractID, now int64) error {
	r.afterCommit(r.s.ContractChecksQueued)
	return r.exec(ctx, `INSERT INTO contract_checks (provider_contract_id, next_attempt_at, created_at)
		SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM contract_checks WHERE provider_contract_id = ? AND lease_owner IS NULL)`, contractID, now, now, contractID)
}

// enqueueContractChecksForPact queues the checks a new pact for the
// provider calls for: against the provider's newest contract, the newest
// contract of each of its branches, and the contracts of its deployed and
// released versions. A provider without contracts costs one index probe.
func (r runner) enqueueContractChecksForPact(ctx context.Context, providerID int64) error {
	var one int64
	err := r.row(ctx, `SELECT id FROM provider_contracts WHERE provider_id = ? LIMIT 1`, providerID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := r.query(ctx, `SELECT pc.id FROM provider_contracts pc WHERE pc.provider_id = ? AND (
			pc.id = (SELECT MAX(id) FROM provider_contracts WHERE provider_id = ?)
			OR pc.id IN (SELECT MAX(pc2.id) FROM provider_contracts pc2 JOIN branch_versions bv ON bv.version_id = pc2.provider_version_id WHERE pc2.provider_id = ? GROUP BY bv.branch_id)
			OR pc.provider_version_id IN (SELECT version_id FROM deployed_versions WHERE pacticipant_id = ? AND undeployed_at IS NULL)
			OR pc.provider_version_id IN (SELECT version_id FROM released_versions WHERE pacticipant_id = ? AND support_ended_at IS NULL))`,
		providerID, providerID, providerID, providerID, providerID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := r.s.ts()
	for _, id := range ids {
		if err := r.enqueueContractCheck(ctx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// GetProviderContract implements broker.ProviderContractStore.
func (s *Store) GetProviderContract(ctx context.Context, provider, version string) (broker.ProviderContract, error) {
	c, err := scanProviderContract(s.read().row(ctx, `SELECT `+providerContractCols+providerContractFrom+` WHERE p.name = ? AND v.number = ?`, provider, version))
	if err != nil {
		return c, notFound(err, "no provider contract for %s version %s; publish one with pact pactflow publish-provider-contract", provider, version)
	}
	return c, nil
}

// LatestProviderContract implements broker.ProviderContractStore.
func (s *Store) LatestProviderContract(ctx context.Context, provider string) (broker.ProviderContract, error) {
	c, err := scanProviderContract(s.read().row(ctx, `SELECT `+providerContractCols+providerContractFrom+` WHERE p.name = ? ORDER BY pc.id DESC LIMIT 1`, provider))
	if err != nil {
		return c, notFound(err, "%s has published no provider contract; publish one with pact pactflow publish-provider-contract", provider)
	}
	return c, nil
}

// ProviderContractVersions implements broker.ProviderContractStore.
func (s *Store) ProviderContractVersions(ctx context.Context, provider string, versions []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(versions) > 0 {
		n := min(len(versions), 500)
		args := []any{provider}
		for _, v := range versions[:n] {
			args = append(args, v)
		}
		versions = versions[n:]
		rows, err := s.read().query(ctx, `SELECT v.number`+providerContractFrom+` WHERE p.name = ? AND v.number IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("provider contract versions: %w", err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			out[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ClaimContractChecks implements broker.ProviderContractStore.
func (s *Store) ClaimContractChecks(ctx context.Context, owner string, lease time.Duration, limit int) ([]broker.ContractCheck, error) {
	var out []broker.ContractCheck
	err := s.write(ctx, func(r runner) error {
		out = nil
		now := s.ts()
		lock := ""
		if s.dialect == Postgres {
			lock = ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := r.query(ctx, `SELECT id, provider_contract_id, attempts FROM contract_checks WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_attempt_at, id LIMIT ?`+lock, now, now, limit)
		if err != nil {
			return err
		}
		type claim struct {
			id, contract int64
			attempts     int
		}
		var claims []claim
		for rows.Next() {
			var c claim
			if err := rows.Scan(&c.id, &c.contract, &c.attempts); err != nil {
				rows.Close()
				return err
			}
			claims = append(claims, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range claims {
			if err := r.exec(ctx, `UPDATE contract_checks SET lease_owner = ?, lease_until = ? WHERE id = ?`, owner, now+lease.Microseconds(), c.id); err != nil {
				return err
			}
			pc, err := scanProviderContract(r.row(ctx, `SELECT `+providerContractCols+providerContractFrom+` WHERE pc.id = ?`, c.contract))
			if err != nil {
				return fmt.Errorf("read provider contract %d: %w", c.contract, err)
			}
			out = append(out, broker.ContractCheck{ID: c.id, Contract: pc, Attempts: c.attempts})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim contract checks: %w", err)
	}
	return out, nil
}

// CheckedBefore implements broker.ProviderContractStore.
func (s *Store) CheckedBefore(ctx context.Context, c broker.ProviderContract, shas []string) (map[string]bool, map[string]broker.ContractCheckResult, error) {
	done := map[string]bool{}
	reused := map[string]broker.ContractCheckResult{}
	if len(shas) == 0 {
		return done, reused, nil
	}
	args := []any{c.SHA, c.Provider}
	for _, sha := range shas {
		args = append(args, sha)
	}
	rows, err := s.read().query(ctx, `SELECT pv.sha, c.name, pver.number, ve.success, ve.test_results, ve.wip, ve.pact_pending, COALESCE(ve.summary, '')
		FROM verifications ve JOIN pact_versions pv ON pv.id = ve.pact_version_id JOIN pacticipants c ON c.id = pv.consumer_id
		JOIN pacticipants p ON p.id = pv.provider_id JOIN versions pver ON pver.id = ve.provider_version_id
		WHERE ve.contract_sha = ? AND p.name = ? AND pv.sha IN (`+placeholders(len(shas))+`) ORDER BY ve.id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("contract checks made before: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			res     broker.ContractCheckResult
			version string
			tr      sql.NullString
		)
		if err := rows.Scan(&res.SHA, &res.Consumer, &version, &res.Success, &tr, &res.WIP, &res.Pending, &res.Summary); err != nil {
			return nil, nil, err
		}
		if tr.Valid {
			res.TestResults = json.RawMessage(tr.String)
		}
		if version == c.ProviderVersion {
			done[res.SHA] = true
		}
		reused[res.SHA] = res
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	// Contents the provider version verified by running them (a replay,
	// not a check) are done too: the replay decides, and a check recorded
	// after it would take its place in the matrix (a message pact the
	// document cannot describe would turn a passing replay into a failure).
	args = append([]any{c.Provider, c.ProviderVersion}, args[2:]...)
	replayed, err := s.read().query(ctx, `SELECT DISTINCT pv.sha
		FROM verifications ve JOIN pact_versions pv ON pv.id = ve.pact_version_id JOIN pacticipants p ON p.id = pv.provider_id
		JOIN versions pver ON pver.id = ve.provider_version_id
		WHERE ve.contract_sha IS NULL AND p.name = ? AND pver.number = ? AND pver.pacticipant_id = p.id AND pv.sha IN (`+placeholders(len(shas))+`)`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("pacts the provider version verified: %w", err)
	}
	defer replayed.Close()
	for replayed.Next() {
		var sha string
		if err := replayed.Scan(&sha); err != nil {
			return nil, nil, err
		}
		done[sha] = true
	}
	return done, reused, replayed.Err()
}

// FinishContractCheck implements broker.ProviderContractStore.
func (s *Store) FinishContractCheck(ctx context.Context, owner string, check broker.ContractCheck, results []broker.ContractCheckResult) (bool, error) {
	held := false
	err := s.write(ctx, func(r runner) error {
		held = false
		res, err := r.tx.ExecContext(ctx, s.rebind(`DELETE FROM contract_checks WHERE id = ? AND lease_owner = ?`), check.ID, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		held = true
		var providerID, vid int64
		err = r.row(ctx, `SELECT provider_id, provider_version_id FROM provider_contracts WHERE id = ?`, check.Contract.ID).Scan(&providerID, &vid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the contract (or its version) was deleted meanwhile
		}
		if err != nil {
			return err
		}
		for _, res := range results {
			var pvID, consumerID int64
			err := r.row(ctx, `SELECT pv.id, pv.consumer_id FROM pact_versions pv JOIN pacticipants c ON c.id = pv.consumer_id WHERE pv.provider_id = ? AND c.name = ? AND pv.sha = ?`,
				providerID, res.Consumer, res.SHA).Scan(&pvID, &consumerID)
			if errors.Is(err, sql.ErrNoRows) {
				continue // the pact was deleted meanwhile
			}
			if err != nil {
				return err
			}
			var exists int64
			err = r.row(ctx, `SELECT id FROM verifications WHERE pact_version_id = ? AND provider_version_id = ? AND contract_sha = ? LIMIT 1`, pvID, vid, check.Contract.SHA).Scan(&exists)
			if err == nil {
				continue // recorded by an earlier check of the same content
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			var id int64
			err = r.row(ctx, `INSERT INTO verifications (pact_version_id, consumer_id, provider_id, provider_version_id, success, build_url, test_results, verified_by, wip, pact_pending, contract_sha, summary, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				pvID, consumerID, providerID, vid, res.Success, check.Contract.BuildURL, nullJSON(res.TestResults), string(broker.ContractCheckedBy), res.WIP, res.Pending, check.Contract.SHA, nullString(res.Summary), s.ts()).Scan(&id)
			if err != nil {
				return err
			}
			// A contract check is a verification: its webhooks fire with it.
			if err := r.enqueueVerificationWebhooks(ctx, id, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record contract check: %w", err)
	}
	return held, nil
}

// RetryContractCheck implements broker.ProviderContractStore.
func (s *Store) RetryContractCheck(ctx context.Context, owner string, check broker.ContractCheck, at time.Time) error {
	err := s.write(ctx, func(r runner) error {
		return r.exec(ctx, `UPDATE contract_checks SET attempts = attempts + 1, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
			at.UTC().UnixMicro(), check.ID, owner)
	})
	if err != nil {
		return fmt.Errorf("retry contract check: %w", err)
	}
	return nil
}

// ContractCheckResults implements broker.ProviderContractStore.
func (s *Store) ContractCheckResults(ctx context.Context, provider, version string) ([]broker.Verification, error) {
	rows, err := s.read().query(ctx, `SELECT `+verificationCols+verificationFrom+`
		WHERE p.name = ? AND pver.number = ? AND ve.contract_sha IS NOT NULL
		AND ve.id = (SELECT MAX(v2.id) FROM verifications v2 WHERE v2.pact_version_id = ve.pact_version_id AND v2.provider_version_id = ve.provider_version_id AND v2.contract_sha IS NOT NULL)
		ORDER BY c.name, ve.id`, provider, version)
	if err != nil {
		return nil, fmt.Errorf("contract check results: %w", err)
	}
	defer rows.Close()
	var out []broker.Verification
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
