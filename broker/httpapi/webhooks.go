package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

type webhookPacticipantBody struct {
	Name  *string `json:"name"`
	Label *string `json:"label"`
}

func (b *webhookPacticipantBody) domain() *broker.WebhookPacticipant {
	if b == nil {
		return nil
	}
	p := &broker.WebhookPacticipant{}
	if b.Name != nil {
		p.Name = *b.Name
	}
	if b.Label != nil {
		p.Label = *b.Label
	}
	return p
}

type webhookBody struct {
	Description *string                 `json:"description"`
	Consumer    *webhookPacticipantBody `json:"consumer"`
	Provider    *webhookPacticipantBody `json:"provider"`
	Enabled     *bool                   `json:"enabled"`
	Events      []struct {
		Name string `json:"name"`
	} `json:"events"`
	Request *struct {
		Method   *string           `json:"method"`
		URL      *string           `json:"url"`
		Headers  map[string]string `json:"headers"`
		Body     json.RawMessage   `json:"body"`
		Username *string           `json:"username"`
		Password *string           `json:"password"`
	} `json:"request"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// decodeWebhook reads a webhook from the request body and validates it
// against the allow-lists.
func (s *Server) decodeWebhook(r *http.Request) (broker.Webhook, error) {
	var b webhookBody
	if err := s.decode(r, &b); err != nil {
		return broker.Webhook{}, err
	}
	if b.Request == nil {
		return broker.Webhook{}, broker.FieldErrorf("request", "the webhook needs a request: {\"method\": \"POST\", \"url\": \"https://...\"}")
	}
	w := broker.Webhook{
		Description: strings.TrimSpace(str(b.Description)),
		Consumer:    b.Consumer.domain(),
		Provider:    b.Provider.domain(),
		Enabled:     b.Enabled == nil || *b.Enabled,
		Request: broker.WebhookRequest{
			Method: str(b.Request.Method), URL: str(b.Request.URL), Headers: b.Request.Headers,
			Username: str(b.Request.Username), Password: str(b.Request.Password),
		},
	}
	if len(b.Request.Body) > 0 && string(b.Request.Body) != "null" {
		w.Request.Body = b.Request.Body
	}
	for _, e := range b.Events {
		w.Events = append(w.Events, e.Name)
	}
	if b.Events != nil && len(b.Events) == 0 {
		return w, broker.FieldErrorf("events", "list at least one event, or leave events out for %s", broker.DefaultWebhookEvent)
	}
	if len(w.Events) == 0 {
		w.Events = []string{broker.DefaultWebhookEvent}
	}
	return w, s.cfg.Webhooks.Validate(w)
}

// scopeFromPath puts the consumer/provider of the path on the webhook; they
// must exist (404 otherwise).
func (s *Server) scopeFromPath(r *http.Request, p params, w *broker.Webhook) error {
	for _, sc := range []struct {
		name string
		dst  **broker.WebhookPacticipant
	}{{p["consumer"], &w.Consumer}, {p["provider"], &w.Provider}} {
		if sc.name == "" {
			continue
		}
		if _, err := s.svc.Pacticipants.GetPacticipant(r.Context(), sc.name); err != nil {
			return err
		}
		*sc.dst = &broker.WebhookPacticipant{Name: sc.name}
	}
	return nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p params) error {
	hook, err := s.decodeWebhook(r)
	if err != nil {
		return err
	}
	if err := s.scopeFromPath(r, p, &hook); err != nil {
		return err
	}
	saved, err := s.svc.Webhooks.CreateWebhook(r.Context(), hook)
	if err != nil {
		return err
	}
	l := s.links(r)
	w.Header().Set("Location", l.url("webhooks", saved.UUID))
	writeJSON(w, http.StatusCreated, l.webhookJSON(saved))
	return nil
}

func (s *Server) putWebhook(w http.ResponseWriter, r *http.Request, p params) error {
	if !webhook.ValidUUID(p["uuid"]) {
		return broker.FieldErrorf("uuid", "%q cannot be a webhook uuid: use 16 or more letters, digits, '-' or '_'", p["uuid"])
	}
	hook, err := s.decodeWebhook(r)
	if err != nil {
		return err
	}
	hook.UUID = p["uuid"]
	if old, err := s.svc.Webhooks.GetWebhook(r.Context(), hook.UUID); err == nil {
		keepSecrets(&hook, old)
	} else if !broker.IsNotFound(err) {
		return err
	}
	saved, created, err := s.svc.Webhooks.PutWebhook(r.Context(), hook)
	if err != nil {
		return err
	}
	l := s.links(r)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", l.url("webhooks", saved.UUID))
	}
	writeJSON(w, status, l.webhookJSON(saved))
	return nil
}

// keepSecrets lets a client PUT back what it got from GET: redacted
// values mean "unchanged", not a new password of asterisks.
func keepSecrets(w *broker.Webhook, old broker.Webhook) {
	if w.Request.Password == webhook.Redacted {
		w.Request.Password = old.Request.Password
	}
	if w.Request.URL == webhook.RedactURL(old.Request.URL) {
		w.Request.URL = old.Request.URL
	}
	for k, v := range w.Request.Headers {
		if ov, ok := old.Request.Headers[strings.ToLower(k)]; ok && v == webhook.Redacted {
			w.Request.Headers[k] = ov
		}
	}
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, p params) error {
	hook, err := s.svc.Webhooks.GetWebhook(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).webhookJSON(hook))
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Webhooks.DeleteWebhook(r.Context(), p["uuid"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, p params) error {
	hooks, err := s.svc.Webhooks.ListWebhooks(r.Context(), broker.WebhookFilter{Consumer: p["consumer"], Provider: p["provider"]})
	if err != nil {
		return err
	}
	l := s.links(r)
	self := l.base + r.URL.EscapedPath()
	title := "Webhooks"
	if strings.HasPrefix(r.URL.Path, "/pacts/") {
		title = "Pact webhooks"
	}
	items := []Link{}
	for _, h := range hooks {
		items = append(items, Link{Title: scopeDescription(h), Name: displayDescription(h), Href: l.url("webhooks", h.UUID)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": map[string]any{
		"self":        Link{Title: title, Href: self},
		"pb:create":   Link{Title: "POST to create a webhook", Href: self},
		"pb:webhooks": items,
		"curies":      []Link{{Name: "pb", Href: l.base + "/doc/webhooks-{rel}", Templated: true}},
	}})
	return nil
}

func requestDescription(req broker.WebhookRequest) string {
	host := ""
	if u, err := url.Parse(webhook.Placeholder(req.URL, "placeholder")); err == nil {
		host = u.Hostname()
	}
	return strings.ToUpper(req.Method) + " " + host
}

func displayDescription(h broker.Webhook) string {
	if h.Description != "" {
		return h.Description
	}
	return requestDescription(h.Request)
}

func scopeName(p *broker.WebhookPacticipant) string {
	if p.Name != "" {
		return p.Name
	}
	return "label " + p.Label
}

func scopeDescription(h broker.Webhook) string {
	switch {
	case h.Consumer != nil && h.Provider != nil:
		return fmt.Sprintf("A webhook for the pact between %s and %s", scopeName(h.Consumer), scopeName(h.Provider))
	case h.Provider != nil:
		return "A webhook for all pacts with provider " + scopeName(h.Provider)
	case h.Consumer != nil:
		return "A webhook for all pacts with consumer " + scopeName(h.Consumer)
	}
	return "A webhook for all pacts"
}

func scopeJSON(p *broker.WebhookPacticipant) map[string]string {
	if p.Name != "" {
		return map[string]string{"name": p.Name}
	}
	return map[string]string{"label": p.Label}
}

func (l links) webhookJSON(h broker.Webhook) map[string]any {
	req := map[string]any{"method": h.Request.Method, "url": webhook.RedactURL(h.Request.URL)}
	if len(h.Request.Headers) > 0 {
		req["headers"] = webhook.RedactHeaders(h.Request.Headers)
	}
	if len(h.Request.Body) > 0 {
		req["body"] = h.Request.Body
	}
	if h.Request.Username != "" {
		req["username"] = h.Request.Username
	}
	if h.Request.Password != "" {
		req["password"] = webhook.Redacted
		if webhook.HasParameter(h.Request.Password) {
			req["password"] = h.Request.Password
		}
	}
	events := []map[string]string{}
	for _, e := range h.Events {
		events = append(events, map[string]string{"name": e})
	}
	self := l.url("webhooks", h.UUID)
	ls := map[string]any{
		"self":        Link{Title: displayDescription(h), Href: self},
		"pb:execute":  Link{Title: "Test the execution of the webhook with the latest matching pact or verification by sending a POST request to this URL", Href: self + "/execute"},
		"pb:webhooks": Link{Title: "All webhooks", Href: l.url("webhooks")},
	}
	m := map[string]any{
		"uuid":        h.UUID,
		"description": displayDescription(h),
		"enabled":     h.Enabled,
		"request":     req,
		"events":      events,
		"createdAt":   ts(h.CreatedAt),
		"_links":      ls,
	}
	if !h.UpdatedAt.Equal(h.CreatedAt) {
		m["updatedAt"] = ts(h.UpdatedAt)
	}
	if h.Consumer != nil {
		m["consumer"] = scopeJSON(h.Consumer)
		if h.Consumer.Name != "" {
			ls["pb:consumer"] = Link{Title: "Consumer", Name: h.Consumer.Name, Href: l.pacticipant(h.Consumer.Name)}
		}
	}
	if h.Provider != nil {
		m["provider"] = scopeJSON(h.Provider)
		if h.Provider.Name != "" {
			ls["pb:provider"] = Link{Title: "Provider", Name: h.Provider.Name, Href: l.pacticipant(h.Provider.Name)}
		}
	}
	if h.Consumer != nil && h.Provider != nil && h.Consumer.Name != "" && h.Provider.Name != "" {
		ls["pb:pact-webhooks"] = Link{Title: fmt.Sprintf("All webhooks for consumer %s and provider %s", h.Consumer.Name, h.Provider.Name),
			Href: l.url("webhooks", "provider", h.Provider.Name, "consumer", h.Consumer.Name)}
	}
	return m
}

// executeWebhook runs a saved webhook (/webhooks/{uuid}/execute) or the one
// in the body (/webhooks/execute) now, against the latest matching pact,
// and shows what happened. Nothing is recorded.
func (s *Server) executeWebhook(w http.ResponseWriter, r *http.Request, p params) error {
	var (
		hook broker.Webhook
		err  error
	)
	if uuid := p["uuid"]; uuid != "" {
		if hook, err = s.svc.Webhooks.GetWebhook(r.Context(), uuid); err != nil {
			return err
		}
	} else if hook, err = s.decodeWebhook(r); err != nil {
		return err
	}
	wctx, err := s.svc.Webhooks.WebhookTestContext(r.Context(), hook)
	if err != nil {
		return err
	}
	l := s.links(r)
	exec := webhook.Executor{Config: s.cfg.Webhooks}
	res := exec.Execute(r.Context(), hook, wctx, l.base)

	sent := webhook.RedactHeaders(res.Request.Headers)
	if _, ok := sent["accept"]; !ok {
		sent["accept"] = "*/*"
	}
	sent["user-agent"] = s.cfg.Webhooks.WithDefaults().UserAgent
	if res.Request.Username != "" {
		sent["authorization"] = webhook.Redacted
	}
	body := map[string]any{
		"request": map[string]any{"headers": sent, "body": jsonOrString(res.Request.Body), "url": webhook.RedactURL(res.Request.URL)},
		"logs":    res.Logs,
		"success": res.Success,
	}
	switch {
	case res.ShowResponse && res.Status != 0:
		body["response"] = map[string]any{"status": res.Status, "headers": res.ResponseHeaders, "body": jsonOrString(res.ResponseBody)}
	case res.ShowResponse && res.Err != nil:
		body["error"] = map[string]any{"message": res.Err.Error()}
	case !res.ShowResponse:
		body["message"] = "The response is not shown because the broker has no host allow-list (PACT_BROKER_WEBHOOK_HOST_WHITELIST); the logs show whether it succeeded."
	}
	links := map[string]any{"try-again": Link{Title: "Execute the webhook again", Href: l.base + r.URL.EscapedPath()}}
	if hook.UUID != "" {
		links["webhook"] = Link{Href: l.url("webhooks", hook.UUID)}
	}
	body["_links"] = links
	writeJSON(w, http.StatusOK, body)
	return nil
}

func jsonOrString(s string) any {
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		return json.RawMessage(s)
	}
	return s
}

func (s *Server) triggeredJSON(l links, t broker.TriggeredWebhook) map[string]any {
	remaining := 0
	if t.Status == broker.TriggeredNotRun || t.Status == broker.TriggeredRetrying {
		remaining = max(0, s.cfg.Webhooks.MaxAttempts()-t.Attempts)
	}
	name := requestDescription(t.Webhook.Request)
	logs := l.url("triggered-webhooks", t.UUID, "logs")
	return map[string]any{
		"name":              name,
		"status":            t.Status,
		"attemptsMade":      t.Attempts,
		"attemptsRemaining": remaining,
		"triggerType":       t.TriggerType,
		"eventName":         t.EventName,
		"triggeredAt":       ts(t.CreatedAt),
		"_links": map[string]any{
			"pb:logs":    Link{Href: logs, Title: "Webhook execution logs", Name: name},
			"logs":       Link{Href: logs, Title: "DEPRECATED - Use pb:logs", Name: name},
			"pb:webhook": Link{Href: l.url("webhooks", t.WebhookUUID), Title: "Webhook", Name: name},
		},
	}
}

func (s *Server) triggeredList(l links, ts []broker.TriggeredWebhook) []any {
	out := []any{}
	for _, t := range ts {
		out = append(out, s.triggeredJSON(l, t))
	}
	return out
}

func (s *Server) pactTriggeredWebhooks(w http.ResponseWriter, r *http.Request, p params) error {
	pact, err := s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], Version: p["version"]})
	if err != nil {
		return err
	}
	ts, err := s.svc.Webhooks.TriggeredWebhooks(r.Context(), broker.TriggeredFilter{Consumer: p["consumer"], Provider: p["provider"], ConsumerVersion: p["version"]})
	if err != nil {
		return err
	}
	l := s.links(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"triggeredWebhooks": s.triggeredList(l, ts)},
		"_links": map[string]any{"self": Link{
			Title: fmt.Sprintf("Webhooks triggered by the publication of the pact between %s (%s) and %s", pact.Consumer, pact.ConsumerVersion, pact.Provider),
			Href:  l.base + r.URL.EscapedPath()}},
	})
	return nil
}

func (s *Server) verificationTriggeredWebhooks(w http.ResponseWriter, r *http.Request, p params) error {
	n, err := strconv.ParseInt(p["number"], 10, 64)
	if err != nil {
		return broker.Errorf(broker.NotFound, "verification result %q does not exist; numbers are integers", p["number"])
	}
	if _, err := s.svc.Verifications.GetVerification(r.Context(), p["consumer"], p["provider"], p["sha"], n); err != nil {
		return err
	}
	ts, err := s.svc.Webhooks.TriggeredWebhooks(r.Context(), broker.TriggeredFilter{Consumer: p["consumer"], Provider: p["provider"], SHA: p["sha"], VerificationNumber: n})
	if err != nil {
		return err
	}
	l := s.links(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"triggeredWebhooks": s.triggeredList(l, ts)},
		"_links": map[string]any{"self": Link{
			Title: fmt.Sprintf("Webhooks triggered by the publication of verification result %d", n),
			Href:  l.base + r.URL.EscapedPath()}},
	})
	return nil
}

func (s *Server) webhooksStatus(w http.ResponseWriter, r *http.Request, p params) error {
	ctx := r.Context()
	consumer, provider := p["consumer"], p["provider"]
	for _, name := range []string{consumer, provider} {
		if _, err := s.svc.Pacticipants.GetPacticipant(ctx, name); err != nil {
			return err
		}
	}
	ts, err := s.svc.Webhooks.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: consumer, Provider: provider})
	if err != nil {
		return err
	}
	l := s.links(r)
	summary := map[string]int{"successful": 0, "failed": 0, "retrying": 0, "notRun": 0}
	errorLogs := []Link{}
	for _, t := range ts {
		switch t.Status {
		case broker.TriggeredSuccess:
			summary["successful"]++
		case broker.TriggeredFailure:
			summary["failed"]++
		case broker.TriggeredRetrying:
			summary["retrying"]++
		default:
			summary["notRun"]++
		}
		if t.Status == broker.TriggeredFailure || t.Status == broker.TriggeredRetrying {
			errorLogs = append(errorLogs, Link{Href: l.url("triggered-webhooks", t.UUID, "logs"), Title: "Error logs", Name: requestDescription(t.Webhook.Request)})
		}
	}
	links := map[string]any{
		"self":             Link{Href: l.base + r.URL.EscapedPath(), Title: "Webhooks status"},
		"pb:error-logs":    errorLogs,
		"pb:pact-webhooks": Link{Title: fmt.Sprintf("Webhooks for the pact between %s and %s", consumer, provider), Href: l.url("pacts", "provider", provider, "consumer", consumer, "webhooks")},
		"pb:consumer":      Link{Href: l.pacticipant(consumer), Title: "Consumer", Name: consumer},
		"pb:provider":      Link{Href: l.pacticipant(provider), Title: "Provider", Name: provider},
	}
	if pact, err := s.svc.Pacts.GetPact(ctx, broker.PactRef{Consumer: consumer, Provider: provider}); err == nil {
		links["pb:pact-version"] = Link{Href: l.pactVersion(provider, consumer, pact.ConsumerVersion), Title: "Pact", Name: pactTitle(pact)}
	} else if !broker.IsNotFound(err) {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"summary":   summary,
		"_embedded": map[string]any{"triggeredWebhooks": s.triggeredList(l, ts)},
		"_links":    links,
	})
	return nil
}

func (s *Server) triggeredWebhookLogs(w http.ResponseWriter, r *http.Request, p params) error {
	t, execs, err := s.svc.Webhooks.TriggeredWebhookLogs(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	l := s.links(r)
	if accept := r.Header.Get("Accept"); strings.Contains(accept, "application/json") {
		list := []any{}
		for _, e := range execs {
			list = append(list, map[string]any{"success": e.Success, "logs": e.Logs, "createdAt": ts(e.CreatedAt)})
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"eventName": t.EventName, "consumerName": t.Context.Consumer, "providerName": t.Context.Provider,
			"executions": list,
			"_embedded":  map[string]any{"triggeredWebhook": map[string]any{"uuid": t.UUID}},
			"_links": map[string]any{
				"self":       Link{Title: "Triggered webhook logs", Href: l.base + r.URL.EscapedPath()},
				"pb:webhook": Link{Href: l.url("webhooks", t.WebhookUUID), Title: "Webhook"},
			},
		})
		return nil
	}
	var b strings.Builder
	for _, e := range execs {
		b.WriteString(e.Logs)
	}
	if len(execs) == 0 {
		fmt.Fprintf(&b, "The webhook has not been attempted yet (status %s).\n", t.Status)
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
	return nil
}

// webhookNotices tells the publisher which webhooks its publication pp
// queued (those the outbox got since the request started).
func (s *Server) webhookNotices(r *http.Request, l links, pp broker.PublishedPact, since time.Time) []broker.Notice {
	none := []broker.Notice{{Type: "debug", Text: "  No enabled webhooks found for the detected events"}}
	if pp.WebhooksQueued == 0 {
		return none // nothing to list
	}
	p := pp.Pact
	ts, err := s.svc.Webhooks.TriggeredWebhooks(r.Context(), broker.TriggeredFilter{Consumer: p.Consumer, Provider: p.Provider, ConsumerVersion: p.ConsumerVersion})
	if err != nil {
		s.log.Warn("could not list the webhooks a publication triggered", "err", err)
		return nil
	}
	var out []broker.Notice
	for _, t := range ts {
		if t.CreatedAt.Before(since.Truncate(time.Microsecond)) {
			continue
		}
		out = append(out, broker.Notice{Type: "debug", Text: fmt.Sprintf("  Webhook %q queued for event %s.\n    Its delivery log: %s",
			displayDescription(t.Webhook), t.EventName, l.url("triggered-webhooks", t.UUID, "logs"))})
	}
	if len(out) == 0 {
		return none
	}
	return out
}
