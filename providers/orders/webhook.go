package orders

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// WebhookPublisher delivers each message by POSTing its JSON payload to every
// subscriber URL (e.g. the notifier's POST /events). Any status other than
// 2xx is a failed delivery. When one of several subscribers fails, the relay
// retries the message for all of them: subscribers deduplicate on eventId.
type WebhookPublisher struct {
	URLs   []string
	Client *http.Client // default: a client with a 10s timeout
}

var _ Publisher = (*WebhookPublisher)(nil)

var defaultWebhookClient = &http.Client{Timeout: 10 * time.Second}

// NewWebhookPublisher checks that every URL is an absolute http(s) URL.
func NewWebhookPublisher(urls []string, client *http.Client) (*WebhookPublisher, error) {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("subscriber URL %q must be an absolute http(s) URL, e.g. http://notifier:8080/events", raw)
		}
	}
	return &WebhookPublisher{URLs: urls, Client: client}, nil
}

// Publish POSTs m.Payload to every URL with the headers Content-Type,
// X-Event-Id and X-Event-Type.
func (p *WebhookPublisher) Publish(ctx context.Context, m Message) error {
	var errs []error
	for _, u := range p.URLs {
		if err := p.post(ctx, u, m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p *WebhookPublisher) post(ctx context.Context, u string, m Message) error {
	client := p.Client
	if client == nil {
		client = defaultWebhookClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(m.Payload))
	if err != nil {
		return fmt.Errorf("deliver event %s to %s: %w", m.EventID, u, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Event-Id", m.EventID)
	req.Header.Set("X-Event-Type", m.Type)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver event %s to %s: %w", m.EventID, u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("deliver event %s to %s: subscriber answered %s: %s", m.EventID, u, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
