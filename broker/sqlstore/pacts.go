package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"unsafe"

	"github.com/accord-cdc/accord/broker"
)

const pactCols = `c.name, p.name, v.number, v.id, pv.sha, pp.created_at, pp.updated_at`

const pactFrom = ` FROM pact_publications pp
	JOIN pacticipants c ON c.id = pp.consumer_id
	JOIN pacticipants p ON p.id = pp.provider_id
	JOIN versions v ON v.id = pp.consumer_version_id
	JOIN pact_versions pv ON pv.id = pp.pact_version_id`

func (r runner) pacts(ctx context.Context, withContent bool, q string, args ...any) ([]broker.Pact, error) {
	cols := pactCols
	if withContent {
		cols += `, pv.content`
	}
	rows, err := r.query(ctx, `SELECT `+cols+pactFrom+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []broker.Pact
	for rows.Next() {
		var pa broker.Pact
		var c, u int64
		dest := []any{&pa.Consumer, &pa.Provider, &pa.ConsumerVersion, &pa.ConsumerVersionID, &pa.SHA, &c, &u}
		var content string
		if withContent {
			dest = append(dest, &content)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		pa.CreatedAt, pa.UpdatedAt = fromTS(c), fromTS(u)
		if withContent {
			// The driver's string is the one copy of the content the
			// broker holds: its bytes are shared, not copied again (a
			// pact of tens of MiB would otherwise cost its size once more).
			pa.Content = textBytes(content)
			pa.ContentSize = len(content)
		}
		out = append(out, pa)
	}
	return out, rows.Err()
}

// textBytes is textArg's converse: the bytes of a string the driver
// returned, not copied. Nothing changes pact content in place.
func textBytes(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// publishOne records one pact for a consumer version inside a transaction.
// What the caller already knows saves round trips: providerID may be 0
// (looked up or created here), versionIsNew skips the search for an
// existing publication, integrated skips recording the integration. The
// content comes normalised (broker.NormalisePact, in one pass over its
// text: a pact of tens of MiB costs about its size again, not ten times it
// in decoded maps), before the transaction: its caller need not hold the
// request body while the content is stored (see newContent).
type publishTarget struct {
	consumerID, versionID, providerID int64
	versionIsNew, integrated          bool
}

func (r runner) publishOne(ctx context.Context, tg publishTarget, consumer, version, provider string, np newContent, merge bool) (broker.Pact, broker.PactOutcome, pairContent, error) {
	consumerID, versionID, providerID := tg.consumerID, tg.versionID, tg.providerID
	var err error
	if n := np.Consumer; n != "" && n != consumer {
		return broker.Pact{}, "", pairContent{}, broker.Errorf(broker.Invalid, "the consumer name in the pact (%q) does not match the consumer it is published for (%q); publish the pact under the name it declares", n, consumer)
	}
	if n := np.Provider; n != "" && n != provider {
		return broker.Pact{}, "", pairContent{}, broker.Errorf(broker.Invalid, "the provider name in the pact (%q) does not match the provider it is published for (%q); publish the pact under the name it declares", n, provider)
	}
	if providerID == 0 {
		if providerID, _, err = r.ensurePacticipant(ctx, provider); err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
	}
	var (
		pubID int64
		prior *broker.PriorPublication
	)
	if !tg.versionIsNew {
		var sha string
		err = r.row(ctx, `SELECT pp.id, pv.sha FROM pact_publications pp JOIN pact_versions pv ON pv.id = pp.pact_version_id WHERE pp.consumer_version_id = ? AND pp.provider_id = ?`,
			versionID, providerID).Scan(&pubID, &sha)
		switch {
		case err == nil:
			prior = &broker.PriorPublication{SHA: sha}
		case !errors.Is(err, sql.ErrNoRows):
			return broker.Pact{}, "", pairContent{}, err
		}
	}
	exists := prior != nil
	sha := np.SHA
	outcome, err := broker.PublicationRules{AllowContentChange: r.s.AllowContentChange}.Decide(consumer, version, provider, prior, sha, merge)
	if err != nil {
		var de *broker.Error
		if errors.As(err, &de) && de.Code == broker.Conflict {
			de.Content = np.Stored
		}
		return broker.Pact{}, "", pairContent{}, err
	}
	stored := np.Stored
	if outcome == broker.PactMerged {
		// Merging decodes both documents; it is asked for explicitly.
		var content string
		if err := r.row(ctx, `SELECT content FROM pact_versions WHERE consumer_id = ? AND provider_id = ? AND sha = ?`, consumerID, providerID, prior.SHA).Scan(&content); err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
		if prior.Content, err = broker.ParsePact([]byte(content)); err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
		doc, err := broker.ParsePact(stored)
		if err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
		if doc, outcome, err = broker.MergePublication(*prior, doc); err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
		sha, stored = doc.ContentSHA(), doc.WithIDs()
	}
	now := r.s.ts()
	ids := pairContent{consumerID: consumerID, providerID: providerID}
	var inserted []byte
	if outcome != broker.PactContentSame {
		// What was learnt before the transaction is about np's content,
		// not a merge of it.
		seen, index := np.seen, np.index
		if outcome == broker.PactMerged {
			seen, index = false, nil
		}
		var isNew bool
		ids.pactVersionID, isNew, err = r.storeContent(ctx, consumerID, providerID, sha, stored, now, seen)
		if err == nil && isNew {
			if outcome == broker.PactCreated {
				inserted = stored
			}
			if index == nil {
				index, err = fieldUsageJSON(stored)
			}
			if err == nil {
				err = r.storeFieldUsage(ctx, ids.pactVersionID, index, now)
			}
		}
		if err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
		if exists {
			err = r.exec(ctx, `UPDATE pact_publications SET pact_version_id = ?, updated_at = ? WHERE id = ?`, ids.pactVersionID, now, pubID)
		} else {
			err = r.exec(ctx, `INSERT INTO pact_publications (consumer_id, provider_id, consumer_version_id, pact_version_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				consumerID, providerID, versionID, ids.pactVersionID, now, now)
		}
		if err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
	}
	if !exists && !tg.integrated {
		if err := r.exec(ctx, `INSERT INTO integrations (consumer_id, provider_id, created_at) VALUES (?, ?, ?) ON CONFLICT (consumer_id, provider_id) DO NOTHING`, consumerID, providerID, now); err != nil {
			return broker.Pact{}, "", pairContent{}, err
		}
	}
	// The caller knows everything but the timestamps. Content is set only
	// for a new publication whose content this call stored (what is stored
	// for the SHA otherwise may differ in order); those that render it
	// (PutPact) read it back otherwise.
	return broker.Pact{Consumer: consumer, Provider: provider, ConsumerVersion: version, ConsumerVersionID: versionID, SHA: sha,
		CreatedAt: fromTS(now), UpdatedAt: fromTS(now), Content: inserted}, outcome, ids, nil
}

// pairContent names what a publication stored: its consumer, provider and
// content ids (pactVersionID 0 when the content was not stored again).
type pairContent struct{ consumerID, providerID, pactVersionID int64 }

// storeContent returns the id of the content with sha, storing it unless
// it is stored already (content is stored once per SHA). A content seen
// stored before the transaction is looked up first: the INSERT would hand
// SQLite's driver a copy of it in C memory only to do nothing.
func (r runner) storeContent(ctx context.Context, consumerID, providerID int64, sha string, content []byte, now int64, seen bool) (id int64, isNew bool, err error) {
	find := func() error {
		return r.row(ctx, `SELECT id FROM pact_versions WHERE consumer_id = ? AND provider_id = ? AND sha = ?`, consumerID, providerID, sha).Scan(&id)
	}
	if seen {
		if err := find(); !errors.Is(err, sql.ErrNoRows) {
			return id, false, err
		}
	}
	err = r.row(ctx, `INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consumer_id, provider_id, sha) DO NOTHING RETURNING id`,
		consumerID, providerID, sha, textArg(content), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // stored meanwhile by another transaction
		return id, false, find()
	}
	return id, err == nil, err
}

// newContent is a normalised pact content on its way to the store, with
// what was learnt about a large one before the write transaction
// (prepareContent).
type newContent struct {
	broker.NormalPact
	// seen: the content was stored already.
	seen bool
	// index is the content's field-usage index (fieldUsageJSON) if it was
	// not, or nil: then computed in the transaction once it is stored.
	index []byte
}

// prepareContent learns, on SQLite, whether a content over largeContent
// is stored already and computes its field-usage index if not: outside
// the transaction, which then does not hold the one write lock for it (a
// pact of 8 MiB: 0.3 s), and before releaseFreed, which returns its
// garbage (ten times the content in short-lived values) with the body's
// instead of leaving it resident beside SQLite's copies. On PostgreSQL the
// content is stored as it always was: the index after the INSERT reuses
// the heap pgx's write buffer leaves (computed before it, the peak of a
// PUT of 8 MiB went from 3.3-3.5x to 3.6-3.7x the content).
func (s *Store) prepareContent(ctx context.Context, consumer, provider string, np broker.NormalPact) (newContent, error) {
	nc := newContent{NormalPact: np}
	if s.dialect != SQLite || len(np.Stored) <= largeContent {
		return nc, nil
	}
	var one int
	err := s.read().row(ctx, `SELECT 1 FROM pact_versions pv JOIN pacticipants c ON c.id = pv.consumer_id JOIN pacticipants p ON p.id = pv.provider_id
		WHERE c.name = ? AND p.name = ? AND pv.sha = ?`, consumer, provider, np.SHA).Scan(&one)
	switch {
	case err == nil:
		nc.seen = true
	case errors.Is(err, sql.ErrNoRows):
		nc.index, err = fieldUsageJSON(np.Stored)
	}
	return nc, err
}

// largeContent is the size of pact content above which storing it on
// SQLite first returns the heap the collector freed to the operating
// system (releaseFreed).
const largeContent = 1 << 20

// releaseFreed returns the memory the collector has freed (or can free) to
// the operating system, before a pact content of size bytes over
// largeContent is stored on SQLite. The driver copies the content into C
// memory to bind it, and SQLite builds its record from that copy: two
// copies the Go heap cannot hold, so the heap the request body left behind
// would otherwise stay resident beside them, a copy more at the peak. One
// collection per large publication; PostgreSQL's driver writes the content
// from the Go heap, where the freed memory is reused as it is.
func (s *Store) releaseFreed(size int) {
	if s.dialect == SQLite && size > largeContent {
		debug.FreeOSMemory()
	}
}

// textArg passes text to the driver without copying it: a pact of tens of
// MiB is otherwise copied once more just to become a string. The driver
// only reads it, and the bytes are not changed while the statement runs.
func textArg(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// contentChange answers broker.ContentChange for one publication, reading
// the earlier publications the rule compares with when the pact is new to
// its consumer version.
func (r runner) contentChange(ctx context.Context, pact broker.Pact, outcome broker.PactOutcome, ids pairContent) (changed bool, why string, err error) {
	f := broker.ContentChangeFacts{Pact: pact, Outcome: outcome}
	if outcome == broker.PactCreated {
		if err := r.contentHistory(ctx, &f, ids); err != nil {
			return false, "", err
		}
	}
	changed, why = broker.ContentChange(f)
	return changed, why, nil
}

// contentHistory fills in the version's tags and, per tag (or among
// untagged versions), the latest earlier publication of the pair.
func (r runner) contentHistory(ctx context.Context, f *broker.ContentChangeFacts, ids pairContent) error {
	pact := f.Pact
	consumerID, providerID, pvID := ids.consumerID, ids.providerID, ids.pactVersionID
	var err error
	if pvID == 0 {
		err = r.row(ctx, `SELECT pp.consumer_id, pp.provider_id, pp.pact_version_id FROM pact_publications pp JOIN pacticipants p ON p.id = pp.provider_id
			WHERE pp.consumer_version_id = ? AND p.name = ?`, pact.ConsumerVersionID, pact.Provider).Scan(&consumerID, &providerID, &pvID)
		if err != nil {
			return fmt.Errorf("find the pact of %s version %s for %s: %w", pact.Consumer, pact.ConsumerVersion, pact.Provider, err)
		}
	}
	if f.Tags, err = r.names(ctx, `SELECT name FROM tags WHERE version_id = ? ORDER BY created_at, name`, pact.ConsumerVersionID); err != nil {
		return err
	}
	earlier := func(cond string, args ...any) (broker.EarlierPact, error) {
		var prev int64
		err := r.row(ctx, `SELECT pp.pact_version_id FROM pact_publications pp WHERE pp.consumer_id = ? AND pp.provider_id = ? AND pp.consumer_version_id < ?`+cond+`
			ORDER BY pp.consumer_version_id DESC LIMIT 1`, append([]any{consumerID, providerID, pact.ConsumerVersionID}, args...)...).Scan(&prev)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return broker.EarlierPact{}, nil
		case err != nil:
			return broker.EarlierPact{}, err
		}
		return broker.EarlierPact{Found: true, SameContent: prev == pvID}, nil
	}
	f.Earlier = map[string]broker.EarlierPact{}
	if len(f.Tags) == 0 {
		f.Earlier[""], err = earlier(` AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id)`)
		return err
	}
	for _, t := range f.Tags {
		if f.Earlier[t], err = earlier(` AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id AND t.name = ?)`, t); err != nil {
			return err
		}
	}
	return nil
}

// PublishContracts implements broker.Pacts.
func (s *Store) PublishContracts(ctx context.Context, req broker.PublishRequest) (broker.PublishResult, error) {
	var res broker.PublishResult
	size := 0
	for _, c := range req.Contracts {
		size += len(c.Content)
	}
	// The request body the contents were decoded from is garbage by now.
	s.releaseFreed(size)
	// The contents are normalised once, before the transaction (which may
	// run again), and not referenced after: the collector can take the
	// decoded bodies back before the contents are stored.
	normal := make([]newContent, len(req.Contracts))
	contracts := make([]broker.Contract, len(req.Contracts))
	for i, c := range req.Contracts {
		if c.ConsumerName != req.Pacticipant {
			return res, fmt.Errorf("publish contracts: %w", broker.FieldErrorf("contracts", "the consumerName %q of a contract must match pacticipantName %q", c.ConsumerName, req.Pacticipant))
		}
		np, err := broker.NormalisePact(c.Content)
		if err != nil {
			return res, fmt.Errorf("publish contracts: %w", err)
		}
		normal[i].NormalPact = np
		contracts[i] = broker.Contract{ConsumerName: c.ConsumerName, ProviderName: c.ProviderName, Merge: c.Merge}
	}
	req.Contracts = nil
	// The decoded contents are garbage by now: the indexes of large ones
	// are computed in the heap they leave.
	for i, c := range contracts {
		var err error
		if normal[i], err = s.prepareContent(ctx, req.Pacticipant, c.ProviderName, normal[i].NormalPact); err != nil {
			return res, fmt.Errorf("publish contracts: %w", err)
		}
	}
	s.releaseFreed(size)
	err := s.write(ctx, func(r runner) error {
		// A transaction that lost a race runs again: start from nothing.
		res = broker.PublishResult{}
		var err error
		if res.Pacticipant, err = r.ensurePacticipantRow(ctx, req.Pacticipant); err != nil {
			return err
		}
		pid := res.Pacticipant.ID
		vid, created, err := r.ensureVersion(ctx, pid, req.Version)
		if err != nil {
			return err
		}
		res.VersionCreated = created
		if req.BuildURL != "" {
			if err := r.exec(ctx, `UPDATE versions SET build_url = ? WHERE id = ?`, req.BuildURL, vid); err != nil {
				return err
			}
		}
		if req.Branch != "" {
			if err := r.addBranchKnowingMain(ctx, &res.Pacticipant, vid, req.Branch); err != nil {
				return err
			}
		}
		for _, t := range req.Tags {
			if _, err := r.ensureTag(ctx, pid, vid, t); err != nil {
				return err
			}
		}
		for i, c := range contracts {
			providerID, verified, integrated, hasContracts, err := r.providerForPublish(ctx, pid, c.ProviderName)
			if err != nil {
				return err
			}
			tg := publishTarget{consumerID: pid, versionID: vid, providerID: providerID, versionIsNew: created, integrated: integrated}
			pact, outcome, ids, err := r.publishOne(ctx, tg, req.Pacticipant, req.Version, c.ProviderName, normal[i], c.Merge)
			if err != nil {
				return err
			}
			changed, why, err := r.contentChange(ctx, pact, outcome, ids)
			if err != nil {
				return err
			}
			// The webhooks this publication triggers commit with it (outbox).
			queued, err := r.enqueuePactWebhooks(ctx, pact, changed)
			if err != nil {
				return err
			}
			// So do the checks against the provider's contracts, if any.
			if hasContracts {
				if err := r.enqueueContractChecksForPact(ctx, providerID); err != nil {
					return err
				}
			}
			res.Pacts = append(res.Pacts, broker.PublishedPact{Pact: pact, Outcome: outcome, ProviderHasVerifications: verified,
				ContentChanged: changed, ContentChangeReason: why, WebhooksQueued: queued})
		}
		res.Version = broker.Version{ID: vid, Pacticipant: req.Pacticipant, Number: req.Version, BuildURL: req.BuildURL}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("publish contracts: %w", err)
	}
	return res, nil
}

// PutPact implements broker.Pacts.
func (s *Store) PutPact(ctx context.Context, consumer, provider, version string, content []byte, merge bool) (broker.Pact, bool, error) {
	var (
		pact    broker.Pact
		created bool
	)
	// Normalised once, before the transaction (which may run again): from
	// here on the request body is not referenced, so the collector can
	// take it back before the content is stored (a pact of tens of MiB:
	// its size less at the peak).
	np, err := broker.NormalisePact(content)
	if err != nil {
		return pact, false, fmt.Errorf("publish pact: %w", err)
	}
	content = nil
	nc, err := s.prepareContent(ctx, consumer, provider, np)
	if err != nil {
		return pact, false, fmt.Errorf("publish pact: %w", err)
	}
	s.releaseFreed(len(np.Stored))
	err = s.write(ctx, func(r runner) error {
		pid, _, err := r.ensurePacticipant(ctx, consumer)
		if err != nil {
			return err
		}
		vid, _, err := r.ensureVersion(ctx, pid, version)
		if err != nil {
			return err
		}
		var outcome broker.PactOutcome
		var ids pairContent
		pact, outcome, ids, err = r.publishOne(ctx, publishTarget{consumerID: pid, versionID: vid}, consumer, version, provider, nc, merge)
		created = outcome == broker.PactCreated
		if err != nil {
			return err
		}
		// This response renders the content: what publishOne stored, or
		// what was stored for the SHA before.
		if pact.Content == nil {
			ps, err := r.pacts(ctx, true, ` WHERE pp.consumer_version_id = ? AND pv.sha = ?`, vid, pact.SHA)
			if err != nil || len(ps) == 0 {
				return fmt.Errorf("read back published pact: %w", err)
			}
			pact = ps[0]
		}
		changed, _, err := r.contentChange(ctx, pact, outcome, ids)
		if err != nil {
			return err
		}
		// The webhooks this publication triggers commit with it (outbox),
		// and so do the checks against the provider's contracts, if any.
		if _, err := r.enqueuePactWebhooks(ctx, pact, changed); err != nil {
			return err
		}
		var providerID int64
		if err := r.row(ctx, `SELECT id FROM pacticipants WHERE name = ?`, provider).Scan(&providerID); err != nil {
			return err
		}
		return r.enqueueContractChecksForPact(ctx, providerID)
	})
	if err != nil {
		return pact, false, fmt.Errorf("publish pact: %w", err)
	}
	return pact, created, nil
}

// GetPact implements broker.Pacts.
func (s *Store) GetPact(ctx context.Context, ref broker.PactRef) (broker.Pact, error) {
	// The pair's ids first (scalar subqueries): PostgreSQL then walks
	// the pair's publications newest first on (provider_id, consumer_id,
	// consumer_version_id) and stops at the first that fits; by names it
	// joined every publication of the pair and sorted them (1,000 of them
	// at the large benchmark scale: 9-76 ms -> 0.1-0.4 ms).
	q := ` WHERE pp.consumer_id = (SELECT id FROM pacticipants WHERE name = ?) AND pp.provider_id = (SELECT id FROM pacticipants WHERE name = ?)`
	args := []any{ref.Consumer, ref.Provider}
	what := "latest pact"
	switch {
	case ref.SHA != "":
		// Implied too (content is per consumer and provider), and lets
		// PostgreSQL take the content from its unique key instead of
		// walking the pair's publications (29-164 ms -> 0.2-5 ms).
		q += ` AND pv.sha = ? AND pv.consumer_id = c.id AND pv.provider_id = p.id`
		args = append(args, ref.SHA)
		what = "pact with content " + ref.SHA
	case ref.Version != "":
		// v.pacticipant_id = c.id is implied (a publication's version is
		// its consumer's) but lets PostgreSQL find the one version by
		// (pacticipant_id, number) instead of walking every publication of
		// the pair (89 ms -> 2 ms at 1,000 versions).
		q += ` AND v.number = ? AND v.pacticipant_id = c.id`
		args = append(args, ref.Version)
		what = "pact for version " + ref.Version
	case ref.Branch != "":
		q = ` JOIN branch_versions bv ON bv.version_id = v.id JOIN branches b ON b.id = bv.branch_id AND b.name = ?` + q
		args = append([]any{ref.Branch}, args...)
		what = "pact for branch " + ref.Branch
	case ref.Tag != "":
		q = ` JOIN tags t ON t.version_id = v.id AND t.name = ?` + q
		args = append([]any{ref.Tag}, args...)
		what = "pact for a version tagged " + ref.Tag
	case ref.PreviousDistinctOf != nil:
		// One indexed step back from the pact (the pair's publications by
		// consumer version), not every publication of the pair.
		q += ` AND pp.consumer_version_id < ? AND pv.sha <> ?`
		args = append(args, ref.PreviousDistinctOf.ConsumerVersionID, ref.PreviousDistinctOf.SHA)
		what = "previous distinct version"
	case ref.Untagged:
		q += ` AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id)`
		what = "untagged pact"
	}
	// The publication first, its content after: content selected with
	// the ORDER BY would pass through SQLite's sorter, a copy or two more
	// of a pact of tens of MiB.
	r := s.read()
	ps, err := r.pacts(ctx, false, q+` ORDER BY pp.consumer_version_id DESC LIMIT 1`, args...)
	notFound := broker.Errorf(broker.NotFound, "no %s between consumer %q and provider %q; check the names and that the consumer published it", what, ref.Consumer, ref.Provider)
	if err != nil {
		return broker.Pact{}, fmt.Errorf("get pact: %w", err)
	}
	if len(ps) == 0 {
		return broker.Pact{}, notFound
	}
	p := ps[0]
	col := `pv.content, octet_length(pv.content)`
	if ref.MaxContent > 0 {
		col = fmt.Sprintf(`CASE WHEN octet_length(pv.content) <= %d THEN pv.content END, octet_length(pv.content)`, ref.MaxContent)
	}
	var content sql.NullString
	err = r.row(ctx, `SELECT `+col+` FROM pact_versions pv JOIN pacticipants c ON c.id = pv.consumer_id JOIN pacticipants p ON p.id = pv.provider_id
		WHERE c.name = ? AND p.name = ? AND pv.sha = ?`, ref.Consumer, ref.Provider, p.SHA).Scan(&content, &p.ContentSize)
	switch {
	case errors.Is(err, sql.ErrNoRows): // deleted in between
		return broker.Pact{}, notFound
	case err != nil:
		return broker.Pact{}, fmt.Errorf("get pact content: %w", err)
	}
	if content.Valid {
		// The driver's string is the one copy of the content the broker
		// holds: its bytes are shared, not copied again.
		p.Content = textBytes(content.String)
	}
	return p, nil
}

// DeletePact implements broker.Pacts.
func (s *Store) DeletePact(ctx context.Context, consumer, provider, version string) error {
	return s.write(ctx, func(r runner) error {
		var id, content int64
		err := r.row(ctx, `SELECT pp.id, pp.pact_version_id`+pactFrom+` WHERE c.name = ? AND p.name = ? AND v.number = ? AND v.pacticipant_id = c.id`, consumer, provider, version).Scan(&id, &content)
		if err != nil {
			return notFound(err, "no pact between %q version %q and %q", consumer, version, provider)
		}
		if err := r.exec(ctx, `DELETE FROM pact_publications WHERE id = ?`, id); err != nil {
			return err
		}
		// Content no other publication or result uses goes with it.
		return deleteUnreferencedContents(ctx, r, []int64{content})
	})
}

// LatestPacts implements broker.Pacts.
func (s *Store) LatestPacts(ctx context.Context) ([]broker.Pact, error) {
	ps, err := s.read().pacts(ctx, false, ` WHERE pp.consumer_version_id = (SELECT MAX(pp2.consumer_version_id) FROM pact_publications pp2 WHERE pp2.provider_id = pp.provider_id AND pp2.consumer_id = pp.consumer_id)
		ORDER BY c.name, p.name`)
	if err != nil {
		return nil, fmt.Errorf("latest pacts: %w", err)
	}
	return ps, nil
}

// ProviderPacts implements broker.Pacts.
func (s *Store) ProviderPacts(ctx context.Context, provider string, f broker.PactFilter) ([]broker.Pact, error) {
	r := s.read()
	if _, err := r.pacticipant(ctx, provider); err != nil {
		return nil, err
	}
	// cond restricts publications aliased x (joined to versions xv).
	var cond []string
	var condArgs []any
	switch {
	case f.MainBranch:
		cond = append(cond, `EXISTS (SELECT 1 FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id JOIN pacticipants cc ON cc.id = b.pacticipant_id WHERE bv.version_id = x.consumer_version_id AND b.name = cc.main_branch)`)
	case f.Branch != "":
		cond = append(cond, `EXISTS (SELECT 1 FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = x.consumer_version_id AND b.name = ?)`)
		condArgs = append(condArgs, f.Branch)
	case f.Tag != "":
		cond = append(cond, `EXISTS (SELECT 1 FROM tags t WHERE t.version_id = x.consumer_version_id AND t.name = ?)`)
		condArgs = append(condArgs, f.Tag)
	}
	where := ` WHERE p.name = ?`
	args := []any{provider}
	if f.Consumer != "" {
		where += ` AND c.name = ?`
		args = append(args, f.Consumer)
	}
	own := strings.ReplaceAll(strings.Join(cond, " AND "), "x.", "pp.")
	if own != "" {
		where += " AND " + own
		args = append(args, condArgs...)
	}
	if f.Latest {
		sub := `SELECT MAX(x.consumer_version_id) FROM pact_publications x WHERE x.provider_id = pp.provider_id AND x.consumer_id = pp.consumer_id`
		if len(cond) > 0 {
			sub += " AND " + strings.Join(cond, " AND ")
			args = append(args, condArgs...)
		}
		where += ` AND pp.consumer_version_id = (` + sub + `)`
	}
	ps, err := r.pacts(ctx, false, where+` ORDER BY c.name, v.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("provider pacts: %w", err)
	}
	return ps, nil
}

// PactVersions implements broker.Pacts.
func (s *Store) PactVersions(ctx context.Context, consumer, provider string) ([]broker.Pact, error) {
	ps, err := s.read().pacts(ctx, false, ` WHERE c.name = ? AND p.name = ? ORDER BY v.id DESC`, consumer, provider)
	if err != nil {
		return nil, fmt.Errorf("pact versions: %w", err)
	}
	return ps, nil
}

// providerForPublish returns the provider's id (creating it), whether it
// has ever published a verification result, whether it already has pacts
// from the consumer and whether it has published provider contracts (which
// a publication is checked against), in one round trip when it exists.
func (r runner) providerForPublish(ctx context.Context, consumerID int64, name string) (id int64, verified, integrated, hasContracts bool, err error) {
	err = r.row(ctx, `SELECT p.id, EXISTS (SELECT 1 FROM verifications v WHERE v.provider_id = p.id),
		EXISTS (SELECT 1 FROM integrations i WHERE i.consumer_id = ? AND i.provider_id = p.id),
		EXISTS (SELECT 1 FROM provider_contracts pc WHERE pc.provider_id = p.id)
		FROM pacticipants p WHERE p.name = ?`, consumerID, name).Scan(&id, &verified, &integrated, &hasContracts)
	if errors.Is(err, sql.ErrNoRows) {
		id, _, err = r.ensurePacticipant(ctx, name)
		return id, false, false, false, err
	}
	return id, verified, integrated, hasContracts, err
}
