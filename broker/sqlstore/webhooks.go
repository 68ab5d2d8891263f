package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

const webhookCols = `w.id, w.uuid, w.description, wc.name, wp.name, w.consumer_label, w.provider_label, w.enabled, w.events, w.method, w.url, w.headers, w.body, w.username, w.password, w.created_at, w.updated_at`

const webhookFrom = ` FROM webhooks w
	LEFT JOIN pacticipants wc ON wc.id = w.consumer_id
	LEFT JOIN pacticipants wp ON wp.id = w.provider_id`

func scanWebhook(sc interface{ Scan(...any) error }, extra ...any) (broker.Webhook, int64, error) {
	var (
		w                  broker.Webhook
		id                 int64
		cname, pname, body sql.NullString
		clabel, plabel     string
		events, headers    string
		created, updated   int64
		dest               = []any{&id, &w.UUID, &w.Description, &cname, &pname, &clabel, &plabel, &w.Enabled, &events, &w.Request.Method, &w.Request.URL, &headers, &body, &w.Request.Username, &w.Request.Password, &created, &updated}
	)
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return w, 0, err
	}
	if cname.Valid || clabel != "" {
		w.Consumer = &broker.WebhookPacticipant{Name: cname.String, Label: clabel}
	}
	if pname.Valid || plabel != "" {
		w.Provider = &broker.WebhookPacticipant{Name: pname.String, Label: plabel}
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, 0, fmt.Errorf("webhook %s: stored events: %w", w.UUID, err)
	}
	if err := json.Unmarshal([]byte(headers), &w.Request.Headers); err != nil {
		return w, 0, fmt.Errorf("webhook %s: stored headers: %w", w.UUID, err)
	}
	if body.Valid {
		w.Request.Body = json.RawMessage(body.String)
	}
	w.CreatedAt, w.UpdatedAt = fromTS(created), fromTS(updated)
	return w, id, nil
}

func (r runner) webhooks(ctx context.Context, q string, args ...any) ([]broker.Webhook, error) {
	rows, err := r.query(ctx, `SELECT `+webhookCols+webhookFrom+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []broker.Webhook
	for rows.Next() {
		w, _, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// webhookScope resolves the pacticipants a webhook names.
func (r runner) webhookScope(ctx context.Context, field string, wp *broker.WebhookPacticipant) (id any, label string, err error) {
	if wp == nil {
		return nil, "", nil
	}
	if wp.Name == "" {
		return nil, wp.Label, nil
	}
	var pid int64
	err = r.row(ctx, `SELECT id FROM pacticipants WHERE name = ?`, wp.Name).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", broker.FieldErrorf(field+".name", "no pacticipant is named %q; create it first (or publish a pact for it), or scope the webhook by label", wp.Name)
	}
	return pid, "", err
}

func webhookValues(w broker.Webhook) (events, headers string, body any, err error) {
	if len(w.Events) == 0 {
		w.Events = []string{broker.DefaultWebhookEvent}
	}
	e, err := json.Marshal(w.Events)
	if err != nil {
		return "", "", nil, err
	}
	hs := map[string]string{}
	for k, v := range w.Request.Headers {
		hs[strings.ToLower(k)] = v
	}
	h, err := json.Marshal(hs)
	if err != nil {
		return "", "", nil, err
	}
	if len(w.Request.Body) > 0 && string(w.Request.Body) != "null" {
		body = string(w.Request.Body)
	}
	return string(e), string(h), body, nil
}

func (r runner) saveWebhook(ctx context.Context, w broker.Webhook, update bool) error {
	cid, clabel, err := r.webhookScope(ctx, "consumer", w.Consumer)
	if err != nil {
		return err
	}
	pid, plabel, err := r.webhookScope(ctx, "provider", w.Provider)
	if err != nil {
		return err
	}
	events, headers, body, err := webhookValues(w)
	if err != nil {
		return err
	}
	now := r.s.ts()
	if update {
		return r.exec(ctx, `UPDATE webhooks SET description = ?, consumer_id = ?, provider_id = ?, consumer_label = ?, provider_label = ?, enabled = ?, events = ?, method = ?, url = ?, headers = ?, body = ?, username = ?, password = ?, updated_at = ? WHERE uuid = ?`,
			w.Description, cid, pid, clabel, plabel, w.Enabled, events, w.Request.Method, w.Request.URL, headers, body, w.Request.Username, w.Request.Password, now, w.UUID)
	}
	return r.exec(ctx, `INSERT INTO webhooks (uuid, description, consumer_id, provider_id, consumer_label, provider_label, enabled, events, method, url, headers, body, username, password, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.UUID, w.Description, cid, pid, clabel, plabel, w.Enabled, events, w.Request.Method, w.Request.URL, headers, body, w.Request.Username, w.Request.Password, now, now)
}

func (r runner) webhook(ctx context.Context, uuid string) (broker.Webhook, error) {
	ws, err := r.webhooks(ctx, ` WHERE w.uuid = ?`, uuid)
	if err != nil {
		return broker.Webhook{}, err
	}
	if len(ws) == 0 {
		return broker.Webhook{}, broker.Errorf(broker.NotFound, "no webhook with uuid %s; list the webhooks at /webhooks", uuid)
	}
	return ws[0], nil
}

// CreateWebhook implements broker.Webhooks.
func (s *Store) CreateWebhook(ctx context.Context, w broker.Webhook) (broker.Webhook, error) {
	if w.UUID == "" {
		w.UUID = newUUID()
	}
	var out broker.Webhook
	err := s.write(ctx, func(r runner) error {
		if err := r.saveWebhook(ctx, w, false); err != nil {
			return err
		}
		var err error
		out, err = r.webhook(ctx, w.UUID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("create webhook: %w", err)
	}
	return out, nil
}

// PutWebhook implements broker.Webhooks.
func (s *Store) PutWebhook(ctx context.Context, w broker.Webhook) (broker.Webhook, bool, error) {
	var (
		out     broker.Webhook
		created bool
	)
	err := s.write(ctx, func(r runner) error {
		var n int
		if err := r.row(ctx, `SELECT COUNT(*) FROM webhooks WHERE uuid = ?`, w.UUID).Scan(&n); err != nil {
			return err
		}
		created = n == 0
		if err := r.saveWebhook(ctx, w, !created); err != nil {
			return err
		}
		var err error
		out, err = r.webhook(ctx, w.UUID)
		return err
	})
	if err != nil {
		return out, false, fmt.Errorf("save webhook: %w", err)
	}
	return out, created, nil
}

// GetWebhook implements broker.Webhooks.
func (s *Store) GetWebhook(ctx context.Context, uuid string) (broker.Webhook, error) {
	return s.read().webhook(ctx, uuid)
}

// DeleteWebhook implements broker.Webhooks.
func (s *Store) DeleteWebhook(ctx context.Context, uuid string) error {
	return s.write(ctx, func(r runner) error {
		if _, err := r.webhook(ctx, uuid); err != nil {
			return err
		}
		return r.exec(ctx, `DELETE FROM webhooks WHERE uuid = ?`, uuid)
	})
}

// ListWebhooks implements broker.Webhooks.
func (s *Store) ListWebhooks(ctx context.Context, f broker.WebhookFilter) ([]broker.Webhook, error) {
	r := s.read()
	var where []string
	var args []any
	for _, sc := range []struct{ name, col string }{{f.Consumer, "wc.name"}, {f.Provider, "wp.name"}} {
		if sc.name == "" {
			continue
		}
		if _, err := r.pacticipant(ctx, sc.name); err != nil {
			return nil, err
		}
		where = append(where, sc.col+` = ?`)
		args = append(args, sc.name)
	}
	q := ` ORDER BY w.id`
	if len(where) > 0 {
		q = ` WHERE ` + strings.Join(where, " AND ") + q
	}
	ws, err := r.webhooks(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return ws, nil
}

// hook is a webhook as the trigger logic sees it.
type hook struct {
	id                           int64
	uuid                         string
	consumerID                   sql.NullInt64
	providerID                   sql.NullInt64
	consumerLabel, providerLabel string
	events                       []string
}

func (h hook) matches(consumerID, providerID int64, consumerLabels, providerLabels []string) bool {
	side := func(id sql.NullInt64, label string, want int64, labels []string) bool {
		switch {
		case id.Valid:
			return id.Int64 == want
		case label != "":
			return slices.Contains(labels, label)
		}
		return true
	}
	return side(h.consumerID, h.consumerLabel, consumerID, consumerLabels) && side(h.providerID, h.providerLabel, providerID, providerLabels)
}

func (r runner) enabledHooks(ctx context.Context) ([]hook, error) {
	rows, err := r.query(ctx, `SELECT id, uuid, consumer_id, provider_id, consumer_label, provider_label, events FROM webhooks WHERE enabled = ? ORDER BY id`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []hook
	for rows.Next() {
		var h hook
		var events string
		if err := rows.Scan(&h.id, &h.uuid, &h.consumerID, &h.providerID, &h.consumerLabel, &h.providerLabel, &events); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(events), &h.events); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (r runner) names(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pactFacts identifies a publication and what its webhooks render.
type pactFacts struct {
	pubID, consumerID, providerID, pactVersionID, consumerVersionID int64
	ctx                                                             broker.WebhookContext
}

// pactFacts loads the facts of publication pubID, including the latest
// verification of its content.
func (r runner) pactFacts(ctx context.Context, pubID int64) (pactFacts, error) {
	f := pactFacts{pubID: pubID}
	c := &f.ctx
	err := r.row(ctx, `SELECT pp.consumer_id, pp.provider_id, pp.pact_version_id, pp.consumer_version_id, c.name, p.name, v.number, v.build_url, pv.sha
		FROM pact_publications pp JOIN pacticipants c ON c.id = pp.consumer_id JOIN pacticipants p ON p.id = pp.provider_id
		JOIN versions v ON v.id = pp.consumer_version_id JOIN pact_versions pv ON pv.id = pp.pact_version_id WHERE pp.id = ?`, pubID).
		Scan(&f.consumerID, &f.providerID, &f.pactVersionID, &f.consumerVersionID, &c.Consumer, &c.Provider, &c.ConsumerVersion, &c.BuildURL, &c.SHA)
	if err != nil {
		return f, fmt.Errorf("load pact publication %d: %w", pubID, err)
	}
	if c.ConsumerVersionTags, err = r.names(ctx, `SELECT name FROM tags WHERE version_id = ? ORDER BY created_at, name`, f.consumerVersionID); err != nil {
		return f, err
	}
	if c.ConsumerVersionBranch, err = r.lastBranch(ctx, f.consumerVersionID); err != nil {
		return f, err
	}
	if c.ConsumerLabels, err = r.names(ctx, `SELECT name FROM labels WHERE pacticipant_id = ? ORDER BY name`, f.consumerID); err != nil {
		return f, err
	}
	if c.ProviderLabels, err = r.names(ctx, `SELECT name FROM labels WHERE pacticipant_id = ? ORDER BY name`, f.providerID); err != nil {
		return f, err
	}
	var verID int64
	err = r.row(ctx, `SELECT id FROM verifications WHERE pact_version_id = ? ORDER BY id DESC LIMIT 1`, f.pactVersionID).Scan(&verID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return f, nil
	case err != nil:
		return f, err
	}
	return f, r.verificationFacts(ctx, verID, c)
}

func (r runner) lastBranch(ctx context.Context, versionID int64) (string, error) {
	bs, err := r.names(ctx, `SELECT b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = ? ORDER BY bv.created_at DESC, b.id DESC LIMIT 1`, versionID)
	if err != nil || len(bs) == 0 {
		return "", err
	}
	return bs[0], nil
}

// verificationFacts adds verification verID to c.
func (r runner) verificationFacts(ctx context.Context, verID int64, c *broker.WebhookContext) error {
	var pvID int64
	err := r.row(ctx, `SELECT ve.success, v.number, ve.provider_version_id FROM verifications ve JOIN versions v ON v.id = ve.provider_version_id WHERE ve.id = ?`, verID).
		Scan(&c.VerificationSuccess, &c.ProviderVersion, &pvID)
	if err != nil {
		return fmt.Errorf("load verification %d: %w", verID, err)
	}
	c.VerificationNumber = verID
	if c.ProviderVersionBranch, err = r.lastBranch(ctx, pvID); err != nil {
		return err
	}
	c.ProviderVersionTags, err = r.names(ctx, `SELECT name FROM tags WHERE version_id = ? ORDER BY created_at, name`, pvID)
	return err
}

// requiredVerifications answers broker.RequiredVerifications for pact
// content pvID of provider providerID: it reads the head of the main
// branch, the versions deployed or released, and which of them verified.
func (r runner) requiredVerifications(ctx context.Context, providerID, pvID int64) ([]broker.RequiredVerification, error) {
	var f broker.RequiredVerificationFacts
	var main string
	if err := r.row(ctx, `SELECT main_branch FROM pacticipants WHERE id = ?`, providerID).Scan(&main); err != nil {
		return nil, err
	}
	if main != "" {
		head := broker.VersionRef{Branch: main}
		err := r.row(ctx, `SELECT v.id, v.number FROM versions v JOIN branch_versions bv ON bv.version_id = v.id JOIN branches b ON b.id = bv.branch_id
			WHERE b.pacticipant_id = ? AND b.name = ? ORDER BY v.id DESC LIMIT 1`, providerID, main).Scan(&head.ID, &head.Number)
		switch {
		case err == nil:
			f.MainBranchHead = &head
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	for _, q := range []struct {
		sql  string
		into *[]broker.EnvironmentVersion
	}{
		{`SELECT v.id, v.number, e.name FROM deployed_versions d JOIN versions v ON v.id = d.version_id JOIN environments e ON e.id = d.environment_id
			WHERE d.pacticipant_id = ? AND d.undeployed_at IS NULL ORDER BY d.id`, &f.Deployed},
		{`SELECT v.id, v.number, e.name FROM released_versions rv JOIN versions v ON v.id = rv.version_id JOIN environments e ON e.id = rv.environment_id
			WHERE rv.pacticipant_id = ? AND rv.support_ended_at IS NULL ORDER BY rv.id`, &f.Released},
	} {
		rows, err := r.query(ctx, q.sql, providerID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ev broker.EnvironmentVersion
			if err := rows.Scan(&ev.Version.ID, &ev.Version.Number, &ev.Environment); err != nil {
				rows.Close()
				return nil, err
			}
			*q.into = append(*q.into, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := range *q.into {
			v := &(*q.into)[i].Version
			if v.Branch, err = r.lastBranch(ctx, v.ID); err != nil {
				return nil, err
			}
		}
	}
	var ids []any
	if f.MainBranchHead != nil {
		ids = append(ids, f.MainBranchHead.ID)
	}
	for _, ev := range slices.Concat(f.Deployed, f.Released) {
		ids = append(ids, ev.Version.ID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	f.Verified = map[int64]bool{}
	rows, err := r.query(ctx, `SELECT DISTINCT provider_version_id FROM verifications WHERE pact_version_id = ? AND provider_version_id IN (`+placeholders(len(ids))+`)`,
		append([]any{pvID}, ids...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		f.Verified[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return broker.RequiredVerifications(f), nil
}

// trigger is one row to add to the outbox.
type trigger struct {
	hook              hook
	event             string
	ctx               broker.WebhookContext
	consumerID        int64
	providerID        int64
	pubID             any
	verificationID    any
	pactVersionID     any
	providerVersionID any
}

func (r runner) enqueue(ctx context.Context, t trigger) error {
	t.ctx.EventName = t.event
	c, err := json.Marshal(t.ctx)
	if err != nil {
		return err
	}
	now := r.s.ts()
	// The dispatcher of this broker wakes when the transaction commits; on
	// PostgreSQL every broker's does (the notification is sent on commit,
	// and only then).
	r.afterCommit(r.s.WebhooksQueued)
	if r.s.dialect == Postgres {
		if err := r.exec(ctx, `SELECT pg_notify('`+webhooksChannel+`', '')`); err != nil {
			return err
		}
	}
	return r.exec(ctx, `INSERT INTO triggered_webhooks (uuid, webhook_id, webhook_uuid, trigger_type, event_name, consumer_id, provider_id, pact_publication_id, verification_id, pact_version_id, provider_version_id, event_context, base_url, status, attempts, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
		newUUID(), t.hook.id, t.hook.uuid, broker.TriggerResourceCreation, t.event, t.consumerID, t.providerID, t.pubID, t.verificationID, t.pactVersionID, t.providerVersionID,
		string(c), broker.BaseURL(ctx), broker.TriggeredNotRun, now, now, now)
}

// enqueuePactWebhooks writes the webhooks a publication triggers into the
// outbox, inside the publication's transaction: contract_published always,
// contract_content_changed when changed (decided by contentChange, the rule
// the publish response's notice reports too), and
// contract_requiring_verification_published once per provider version that
// has not verified the content and was not already triggered for it. It
// returns how many deliveries it queued.
func (r runner) enqueuePactWebhooks(ctx context.Context, pact broker.Pact, changed bool) (queued int, err error) {
	hooks, err := r.enabledHooks(ctx)
	if err != nil || len(hooks) == 0 {
		return 0, err
	}
	var pubID int64
	if err := r.row(ctx, `SELECT pp.id FROM pact_publications pp JOIN pacticipants p ON p.id = pp.provider_id WHERE pp.consumer_version_id = ? AND p.name = ?`,
		pact.ConsumerVersionID, pact.Provider).Scan(&pubID); err != nil {
		return 0, fmt.Errorf("find publication for webhooks: %w", err)
	}
	f, err := r.pactFacts(ctx, pubID)
	if err != nil {
		return queued, err
	}
	var required []broker.RequiredVerification
	requiredLoaded := false
	for _, h := range hooks {
		if !h.matches(f.consumerID, f.providerID, f.ctx.ConsumerLabels, f.ctx.ProviderLabels) {
			continue
		}
		base := trigger{hook: h, ctx: f.ctx, consumerID: f.consumerID, providerID: f.providerID, pubID: f.pubID, pactVersionID: f.pactVersionID}
		for _, event := range h.events {
			t := base
			t.event = event
			switch event {
			case broker.EventContractPublished:
			case broker.EventContractContentChanged:
				if !changed {
					continue
				}
			case broker.EventContractRequiringVerificationPublished:
				if !requiredLoaded {
					if required, err = r.requiredVerifications(ctx, f.providerID, f.pactVersionID); err != nil {
						return queued, err
					}
					requiredLoaded = true
				}
				for _, rv := range required {
					var n int
					if err := r.row(ctx, `SELECT COUNT(*) FROM triggered_webhooks WHERE webhook_id = ? AND event_name = ? AND pact_version_id = ? AND provider_version_id = ?`,
						h.id, event, f.pactVersionID, rv.Version.ID).Scan(&n); err != nil {
						return queued, err
					}
					if n > 0 {
						continue
					}
					t := t
					t.providerVersionID = rv.Version.ID
					t.ctx.ProviderVersion, t.ctx.ProviderVersionBranch = rv.Version.Number, rv.Version.Branch
					t.ctx.ProviderVersionDescriptions = rv.Descriptions
					t.ctx.ProviderVersionTags = nil
					if err := r.enqueue(ctx, t); err != nil {
						return queued, err
					}
					queued++
				}
				continue
			default:
				continue
			}
			if err := r.enqueue(ctx, t); err != nil {
				return queued, err
			}
			queued++
		}
	}
	return queued, nil
}

// enqueueVerificationWebhooks writes the webhooks verification verID
// triggers into the outbox, inside the verification's transaction. With
// the consumer versions the pact was selected for (consumerVersionIDs),
// each event fires once per consumer version, so each commit gets its
// status; without, once for the latest publication of the content.
func (r runner) enqueueVerificationWebhooks(ctx context.Context, verID int64, consumerVersionIDs []int64) error {
	hooks, err := r.enabledHooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	var pvID, providerVersionID int64
	var success bool
	var buildURL string
	err = r.row(ctx, `SELECT pact_version_id, provider_version_id, success, build_url FROM verifications WHERE id = ?`, verID).
		Scan(&pvID, &providerVersionID, &success, &buildURL)
	if err != nil {
		return fmt.Errorf("load verification %d for webhooks: %w", verID, err)
	}
	var pubIDs []int64
	for _, cv := range consumerVersionIDs {
		var id int64
		err := r.row(ctx, `SELECT id FROM pact_publications WHERE consumer_version_id = ? AND pact_version_id = ?`, cv, pvID).Scan(&id)
		switch {
		case err == nil:
			if !slices.Contains(pubIDs, id) {
				pubIDs = append(pubIDs, id)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	if len(pubIDs) == 0 {
		var id int64
		if err := r.row(ctx, `SELECT id FROM pact_publications WHERE pact_version_id = ? ORDER BY consumer_version_id DESC LIMIT 1`, pvID).Scan(&id); err != nil {
			return fmt.Errorf("find publication of verification %d for webhooks: %w", verID, err)
		}
		pubIDs = append(pubIDs, id)
	}
	outcome := broker.EventProviderVerificationFailed
	if success {
		outcome = broker.EventProviderVerificationSucceeded
	}
	for _, pubID := range pubIDs {
		f, err := r.pactFacts(ctx, pubID)
		if err != nil {
			return err
		}
		f.ctx.ProviderVersion, f.ctx.ProviderVersionBranch, f.ctx.ProviderVersionTags = "", "", nil
		if err := r.verificationFacts(ctx, verID, &f.ctx); err != nil {
			return err
		}
		f.ctx.BuildURL = buildURL
		for _, h := range hooks {
			if !h.matches(f.consumerID, f.providerID, f.ctx.ConsumerLabels, f.ctx.ProviderLabels) {
				continue
			}
			for _, event := range h.events {
				if event != broker.EventProviderVerificationPublished && event != outcome {
					continue
				}
				t := trigger{hook: h, event: event, ctx: f.ctx, consumerID: f.consumerID, providerID: f.providerID, pubID: f.pubID,
					verificationID: verID, pactVersionID: f.pactVersionID, providerVersionID: providerVersionID}
				if err := r.enqueue(ctx, t); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// WebhookTestContext implements broker.Webhooks.
func (s *Store) WebhookTestContext(ctx context.Context, w broker.Webhook) (broker.WebhookContext, error) {
	r := s.read()
	q := `SELECT pp.id FROM pact_publications pp JOIN pacticipants c ON c.id = pp.consumer_id JOIN pacticipants p ON p.id = pp.provider_id WHERE 1 = 1`
	var args []any
	if w.Consumer != nil && w.Consumer.Name != "" {
		q += ` AND c.name = ?`
		args = append(args, w.Consumer.Name)
	}
	if w.Provider != nil && w.Provider.Name != "" {
		q += ` AND p.name = ?`
		args = append(args, w.Provider.Name)
	}
	var pubID int64
	err := r.row(ctx, q+` ORDER BY pp.consumer_version_id DESC, pp.id DESC LIMIT 1`, args...).Scan(&pubID)
	if errors.Is(err, sql.ErrNoRows) {
		return broker.WebhookContext{EventName: broker.EventTest}, nil
	}
	if err != nil {
		return broker.WebhookContext{}, fmt.Errorf("webhook test context: %w", err)
	}
	f, err := r.pactFacts(ctx, pubID)
	if err != nil {
		return broker.WebhookContext{}, fmt.Errorf("webhook test context: %w", err)
	}
	f.ctx.EventName = broker.EventTest
	return f.ctx, nil
}

const triggeredCols = `tw.id, tw.uuid, tw.webhook_uuid, tw.event_name, tw.trigger_type, tw.status, tw.attempts, tw.event_context, tw.base_url, tw.next_attempt_at, tw.created_at`

func (r runner) triggered(ctx context.Context, joins, q string, args ...any) ([]broker.TriggeredWebhook, error) {
	rows, err := r.query(ctx, `SELECT `+webhookCols+`, `+triggeredCols+` FROM triggered_webhooks tw JOIN webhooks w ON w.id = tw.webhook_id
		LEFT JOIN pacticipants wc ON wc.id = w.consumer_id LEFT JOIN pacticipants wp ON wp.id = w.provider_id`+joins+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []broker.TriggeredWebhook
	for rows.Next() {
		var t broker.TriggeredWebhook
		var ec string
		var next, created int64
		w, _, err := scanWebhook(rows, &t.ID, &t.UUID, &t.WebhookUUID, &t.EventName, &t.TriggerType, &t.Status, &t.Attempts, &ec, &t.BaseURL, &next, &created)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ec), &t.Context); err != nil {
			return nil, fmt.Errorf("triggered webhook %s: stored context: %w", t.UUID, err)
		}
		t.Webhook, t.NextAttemptAt, t.CreatedAt = w, fromTS(next), fromTS(created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TriggeredWebhooks implements broker.Webhooks.
func (s *Store) TriggeredWebhooks(ctx context.Context, f broker.TriggeredFilter) ([]broker.TriggeredWebhook, error) {
	r := s.read()
	pair := ` JOIN pacticipants tc ON tc.id = tw.consumer_id JOIN pacticipants tp ON tp.id = tw.provider_id`
	var (
		out []broker.TriggeredWebhook
		err error
	)
	switch {
	case f.ConsumerVersion != "":
		out, err = r.triggered(ctx, pair+` JOIN pact_publications pp ON pp.id = tw.pact_publication_id JOIN versions v ON v.id = pp.consumer_version_id`,
			` WHERE tc.name = ? AND tp.name = ? AND v.number = ? ORDER BY tw.id`, f.Consumer, f.Provider, f.ConsumerVersion)
	case f.SHA != "":
		out, err = r.triggered(ctx, pair+` JOIN verifications ve ON ve.id = tw.verification_id JOIN pact_versions pv ON pv.id = ve.pact_version_id`,
			` WHERE tc.name = ? AND tp.name = ? AND pv.sha = ? AND ve.id = ? ORDER BY tw.id`, f.Consumer, f.Provider, f.SHA, f.VerificationNumber)
	default:
		out, err = r.triggered(ctx, pair, ` WHERE tc.name = ? AND tp.name = ? AND tw.id IN (SELECT MAX(x.id) FROM triggered_webhooks x WHERE x.consumer_id = tw.consumer_id AND x.provider_id = tw.provider_id GROUP BY x.webhook_id, x.event_name) ORDER BY tw.id`,
			f.Consumer, f.Provider)
	}
	if err != nil {
		return nil, fmt.Errorf("triggered webhooks: %w", err)
	}
	return out, nil
}

// TriggeredWebhookLogs implements broker.Webhooks.
func (s *Store) TriggeredWebhookLogs(ctx context.Context, uuid string) (broker.TriggeredWebhook, []broker.WebhookExecution, error) {
	r := s.read()
	ts, err := r.triggered(ctx, "", ` WHERE tw.uuid = ?`, uuid)
	if err != nil {
		return broker.TriggeredWebhook{}, nil, fmt.Errorf("triggered webhook logs: %w", err)
	}
	if len(ts) == 0 {
		return broker.TriggeredWebhook{}, nil, broker.Errorf(broker.NotFound, "no triggered webhook with uuid %s; the triggered-webhooks links of a pact or verification list them", uuid)
	}
	rows, err := r.query(ctx, `SELECT success, logs, created_at FROM webhook_executions WHERE triggered_webhook_id = ? ORDER BY id`, ts[0].ID)
	if err != nil {
		return ts[0], nil, err
	}
	defer rows.Close()
	var out []broker.WebhookExecution
	for rows.Next() {
		var e broker.WebhookExecution
		var c int64
		if err := rows.Scan(&e.Success, &e.Logs, &c); err != nil {
			return ts[0], nil, err
		}
		e.CreatedAt = fromTS(c)
		out = append(out, e)
	}
	return ts[0], out, rows.Err()
}

// ClaimDeliveries implements broker.WebhookOutbox. PostgreSQL skips rows
// another broker is claiming (FOR UPDATE SKIP LOCKED); SQLite serialises
// writers, so the lease columns alone decide.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]broker.TriggeredWebhook, error) {
	var out []broker.TriggeredWebhook
	err := s.write(ctx, func(r runner) error {
		now := s.ts()
		lock := ""
		if s.dialect == Postgres {
			lock = ` FOR UPDATE SKIP LOCKED`
		}
		// The statuses are literals so the planner can use the partial
		// index triggered_webhooks_due (which a parameter would hide).
		rows, err := r.query(ctx, `SELECT id FROM triggered_webhooks WHERE status IN ('not_run', 'retrying') AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_attempt_at, id LIMIT ?`+lock, now, now, limit)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		in := ` IN (` + placeholders(len(ids)) + `)`
		if err := r.exec(ctx, `UPDATE triggered_webhooks SET lease_owner = ?, lease_until = ? WHERE id`+in, append([]any{owner, now + lease.Microseconds()}, ids...)...); err != nil {
			return err
		}
		out, err = r.triggered(ctx, "", ` WHERE tw.id`+in+` ORDER BY tw.next_attempt_at, tw.id`, ids...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return out, nil
}

// FinishDelivery implements broker.WebhookOutbox.
func (s *Store) FinishDelivery(ctx context.Context, owner string, id int64, o broker.DeliveryOutcome) (bool, error) {
	held := false
	err := s.write(ctx, func(r runner) error {
		now := s.ts()
		status, next := broker.TriggeredFailure, now
		switch {
		case o.Success:
			status = broker.TriggeredSuccess
		case o.RetryAfter > 0:
			status, next = broker.TriggeredRetrying, now+o.RetryAfter.Microseconds()
		}
		res, err := r.tx.ExecContext(ctx, s.rebind(`UPDATE triggered_webhooks SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
			WHERE id = ? AND lease_owner = ?`), status, next, now, id, owner)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		held = true
		return r.exec(ctx, `INSERT INTO webhook_executions (triggered_webhook_id, success, logs, created_at) VALUES (?, ?, ?, ?)`, id, o.Success, o.Logs, now)
	})
	if err != nil {
		return false, fmt.Errorf("record webhook delivery %d: %w", id, err)
	}
	return held, nil
}

// ReleaseDeliveries implements broker.WebhookOutbox.
func (s *Store) ReleaseDeliveries(ctx context.Context, owner string) error {
	return s.write(ctx, func(r runner) error {
		return r.exec(ctx, `UPDATE triggered_webhooks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?`, owner)
	})
}
