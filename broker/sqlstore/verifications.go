package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/accord-cdc/accord/broker"
)

const verificationCols = `ve.id, c.name, p.name, pv.sha, pver.number, ve.success, ve.build_url, ve.test_results, ve.verified_by, ve.wip, ve.pact_pending, ve.created_at`

const verificationFrom = ` FROM verifications ve
	JOIN pact_versions pv ON pv.id = ve.pact_version_id
	JOIN pacticipants c ON c.id = ve.consumer_id
	JOIN pacticipants p ON p.id = ve.provider_id
	JOIN versions pver ON pver.id = ve.provider_version_id`

func scanVerification(sc interface{ Scan(...any) error }) (broker.Verification, error) {
	var v broker.Verification
	var tr, vb sql.NullString
	var c int64
	err := sc.Scan(&v.ID, &v.Consumer, &v.Provider, &v.SHA, &v.ProviderVersion, &v.Success, &v.BuildURL, &tr, &vb, &v.WIP, &v.Pending, &c)
	v.Number = v.ID
	v.CreatedAt = fromTS(c)
	if tr.Valid {
		v.TestResults = []byte(tr.String)
	}
	if vb.Valid {
		v.VerifiedBy = []byte(vb.String)
	}
	return v, err
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// RecordVerification implements broker.Verifications.
func (s *Store) RecordVerification(ctx context.Context, req broker.VerificationRequest) (broker.Verification, error) {
	var out broker.Verification
	err := s.write(ctx, func(r runner) error {
		var pvID, consumerID, providerID int64
		err := r.row(ctx, `SELECT pv.id, pv.consumer_id, pv.provider_id FROM pact_versions pv JOIN pacticipants c ON c.id = pv.consumer_id JOIN pacticipants p ON p.id = pv.provider_id
			WHERE c.name = ? AND p.name = ? AND pv.sha = ?`, req.Consumer, req.Provider, req.SHA).Scan(&pvID, &consumerID, &providerID)
		if err != nil {
			return notFound(err, "no pact content %s between consumer %q and provider %q; publish results to the pb:publish-verification-results link of a pact you fetched", req.SHA, req.Consumer, req.Provider)
		}
		vid, _, err := r.ensureVersion(ctx, providerID, req.ProviderVersion)
		if err != nil {
			return err
		}
		var id int64
		err = r.row(ctx, `INSERT INTO verifications (pact_version_id, consumer_id, provider_id, provider_version_id, success, build_url, test_results, verified_by, wip, pact_pending, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			pvID, consumerID, providerID, vid, req.Success, req.BuildURL, nullJSON(req.TestResults), nullJSON(req.VerifiedBy), req.WIP, req.Pending, r.s.ts()).Scan(&id)
		if err != nil {
			return err
		}
		// The webhooks this verification triggers commit with it (outbox).
		if err := r.enqueueVerificationWebhooks(ctx, id, req.ConsumerVersionIDs); err != nil {
			return err
		}
		out, err = scanVerification(r.row(ctx, `SELECT `+verificationCols+verificationFrom+` WHERE ve.id = ?`, id))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("record verification: %w", err)
	}
	return out, nil
}

// GetVerification implements broker.Verifications.
func (s *Store) GetVerification(ctx context.Context, consumer, provider, sha string, number int64) (broker.Verification, error) {
	v, err := scanVerification(s.read().row(ctx, `SELECT `+verificationCols+verificationFrom+` WHERE c.name = ? AND p.name = ? AND pv.sha = ? AND ve.id = ?`, consumer, provider, sha, number))
	if err != nil {
		return v, notFound(err, "no verification result %d for the pact between %q and %q with content %s", number, consumer, provider, sha)
	}
	return v, nil
}

// LatestVerification implements broker.Verifications.
func (s *Store) LatestVerification(ctx context.Context, consumer, provider, sha string) (broker.Verification, error) {
	v, err := scanVerification(s.read().row(ctx, `SELECT `+verificationCols+verificationFrom+` WHERE c.name = ? AND p.name = ? AND pv.sha = ? ORDER BY ve.id DESC LIMIT 1`, consumer, provider, sha))
	if err != nil {
		return v, notFound(err, "the pact between %q and %q with content %s has no verification results yet", consumer, provider, sha)
	}
	return v, nil
}

// ProviderHasVerifications implements broker.Verifications.
func (s *Store) ProviderHasVerifications(ctx context.Context, provider string) (bool, error) {
	var one int
	err := s.read().row(ctx, `SELECT 1 FROM verifications WHERE provider_id = (SELECT id FROM pacticipants WHERE name = ?) LIMIT 1`, provider).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// DeleteVerification implements broker.Verifications. The webhooks it
// triggered and their logs go by cascade.
func (s *Store) DeleteVerification(ctx context.Context, consumer, provider, sha string, number int64) error {
	err := s.write(ctx, func(r runner) error {
		var id, content int64
		err := r.row(ctx, `SELECT ve.id, ve.pact_version_id`+verificationFrom+` WHERE c.name = ? AND p.name = ? AND pv.sha = ? AND ve.id = ?`,
			consumer, provider, sha, number).Scan(&id, &content)
		if err != nil {
			return notFound(err, "no verification result %d for the pact between %q and %q with content %s", number, consumer, provider, sha)
		}
		if err := r.exec(ctx, `DELETE FROM verifications WHERE id = ?`, id); err != nil {
			return err
		}
		// Content whose pacts were deleted lived on for this result.
		return deleteUnreferencedContents(ctx, r, []int64{content})
	})
	if err != nil {
		return fmt.Errorf("delete verification: %w", err)
	}
	return nil
}
