package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Broker is a client of the Pact Broker HTTP API. It finds resources the way
// the official clients do — from the relations of the index (GET /) and the
// links of the resources it reads — so it works against Accord's broker, the
// official Pact Broker and PactFlow alike. Only /matrix is a fixed path, as
// in pact-broker-cli.
type Broker struct {
	// BaseURL is the broker's address (PACT_BROKER_BASE_URL).
	BaseURL string
	// Token is sent as a bearer token (PACT_BROKER_TOKEN); it wins over
	// Username and Password (PACT_BROKER_USERNAME/PASSWORD, basic auth).
	Token              string
	Username, Password string
	// HTTP sends the requests; nil means a client with a 30 s timeout.
	HTTP *http.Client

	index map[string]halLink
}

// halLink is a HAL link; links of a relation that holds several (as
// pb:record-deployment does) come as a list.
type halLink struct {
	Href      string `json:"href"`
	Name      string `json:"name,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// halLinks decodes a relation that is either one link or a list of links.
type halLinks []halLink

func (l *halLinks) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		var list []halLink
		err := json.Unmarshal(b, &list)
		*l = list
		return err
	}
	var one halLink
	err := json.Unmarshal(b, &one)
	*l = halLinks{one}
	return err
}

// BrokerError is an answer of the broker other than success, with the
// messages it gave and what to do about it.
type BrokerError struct {
	Method, URL string
	Status      int
	Messages    []string
}

func (e *BrokerError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if len(e.Messages) > 0 {
		msg += ": " + strings.Join(e.Messages, "; ")
	}
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += " (check the credentials: PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD)"
	}
	return msg
}

// IsNotFound reports whether err is the broker's 404.
func IsNotFound(err error) bool {
	var be *BrokerError
	return errors.As(err, &be) && be.Status == http.StatusNotFound
}

// relation returns the href of rel in the broker's index, with its
// template parameters filled in (path-escaped).
func (b *Broker) relation(ctx context.Context, rel string, params map[string]string) (string, error) {
	if b.index == nil {
		var idx struct {
			Links map[string]halLinks `json:"_links"`
		}
		if err := b.get(ctx, b.BaseURL+"/", &idx); err != nil {
			return "", err
		}
		if len(idx.Links) == 0 {
			return "", fmt.Errorf("%s/ is not a Pact Broker (its index has no _links): check PACT_BROKER_BASE_URL", b.BaseURL)
		}
		b.index = map[string]halLink{}
		for name, ls := range idx.Links {
			if len(ls) > 0 {
				b.index[name] = ls[0]
			}
		}
	}
	l, ok := b.index[rel]
	if !ok || l.Href == "" {
		return "", fmt.Errorf("the broker at %s does not offer %s (is it a Pact Broker of version 2.80 or later?)", b.BaseURL, rel)
	}
	return expand(l.Href, params), nil
}

// expand fills the {name} placeholders of a templated href.
func expand(href string, params map[string]string) string {
	for k, v := range params {
		href = strings.ReplaceAll(href, "{"+k+"}", url.PathEscape(v))
	}
	return href
}

// follow turns an href the broker gave into a URL on the configured base:
// a broker behind a proxy may write its links with another host, and the
// official clients too follow links by path on the host they were given.
func (b *Broker) follow(href string) string {
	u, err := url.Parse(href)
	base, berr := url.Parse(b.BaseURL)
	if err != nil || berr != nil {
		return href
	}
	if !u.IsAbs() {
		// A relative link (allowed by the official clients' contract) is a
		// path on the broker, under its base path if it has one.
		if !strings.HasPrefix(u.Path, "/") || (base.Path != "" && !strings.HasPrefix(u.Path, base.Path+"/")) {
			u.Path = strings.TrimSuffix(base.Path, "/") + "/" + strings.TrimPrefix(u.Path, "/")
		}
	}
	u.Scheme, u.Host, u.User = base.Scheme, base.Host, base.User
	return u.String()
}

func (b *Broker) get(ctx context.Context, u string, out any) error {
	return b.do(ctx, http.MethodGet, u, nil, out)
}

func (b *Broker) post(ctx context.Context, u string, body, out any) error {
	return b.do(ctx, http.MethodPost, u, body, out)
}

// retries is how often a request is sent again when the broker answers
// that it is briefly unavailable (429, 502, 503, 504), Retry-After (or
// 0.5 s, 1 s, 2 s) apart, as the official clients retry. A broker that
// cannot be reached at all is reported at once.
const retries = 3

// do sends one request with the headers the official CLI sends and decodes
// a JSON answer into out (when out is not nil).
func (b *Broker) do(ctx context.Context, method, u string, body, out any) error {
	u = b.follow(u)
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return err
		}
	}
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(data)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return fmt.Errorf("%s is not a URL: %w", u, err)
		}
		req.Header.Set("Accept", "application/hal+json, application/json")
		req.Header.Set("User-Agent", "accord")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		switch {
		case b.Token != "":
			req.Header.Set("Authorization", "Bearer "+b.Token)
		case b.Username != "":
			req.SetBasicAuth(b.Username, b.Password)
		}
		resp, err := client.Do(req)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("cannot reach the broker at %s (%v): is it running, and is PACT_BROKER_BASE_URL right?", b.BaseURL, unwrapAll(err))
			}
			return fmt.Errorf("%s %s: %w", method, u, err)
		}
		answer, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s %s: reading the answer: %w", method, u, err)
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if attempt < retries {
				wait := time.Duration(500<<attempt) * time.Millisecond
				if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s <= 30 {
					wait = time.Duration(s) * time.Second
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
				continue
			}
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return &BrokerError{Method: method, URL: u, Status: resp.StatusCode, Messages: errorMessages(answer)}
		}
		if out == nil || len(bytes.TrimSpace(answer)) == 0 {
			return nil
		}
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the JSON of a Pact Broker: %w", method, u, err)
		}
		return nil
	}
}

// unwrapAll returns the innermost error, which for a network failure is the
// readable part ("connection refused").
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// errorMessages reads the messages of a Pact Broker error body: "errors" as
// a list, or as a map of field to messages, and the texts of "notices".
func errorMessages(body []byte) []string {
	var e struct {
		Errors  json.RawMessage `json:"errors"`
		Error   any             `json:"error"`
		Notices []struct {
			Type, Text string
		} `json:"notices"`
	}
	if json.Unmarshal(body, &e) != nil {
		if s := strings.TrimSpace(string(body)); s != "" && len(s) < 300 && !strings.Contains(s, "<") {
			return []string{s}
		}
		return nil
	}
	var msgs []string
	var list []any
	var byField map[string]any
	switch {
	case json.Unmarshal(e.Errors, &list) == nil:
		msgs = append(msgs, flattenStrings(list)...)
	case json.Unmarshal(e.Errors, &byField) == nil:
		keys := make([]string, 0, len(byField))
		for k := range byField {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, m := range flattenStrings([]any{byField[k]}) {
				msgs = append(msgs, k+": "+m)
			}
		}
	}
	if s, ok := e.Error.(string); ok {
		msgs = append(msgs, s)
	} else if m, ok := e.Error.(map[string]any); ok {
		if s, ok := m["message"].(string); ok {
			msgs = append(msgs, s)
		}
	}
	for _, n := range e.Notices {
		if n.Type == "error" || n.Type == "danger" {
			msgs = append(msgs, n.Text)
		}
	}
	return slices.Compact(msgs)
}

// flattenStrings flattens strings and lists of strings.
func flattenStrings(vs []any) []string {
	var out []string
	for _, v := range vs {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			out = append(out, flattenStrings(v)...)
		case map[string]any:
			if s, ok := v["message"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
