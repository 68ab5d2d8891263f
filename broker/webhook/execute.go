package webhook

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
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

// Redacted replaces secrets in what the broker shows and logs.
const Redacted = "**********"

// sensitiveHeader matches the names of headers that carry credentials: the
// Pact Broker's authorization and token, and the API-key, secret, password
// and cookie headers receivers also use.
var sensitiveHeader = regexp.MustCompile(`(?i)authorization|token|api[-_]?key|secret|password|passwd|cookie|credential`)

// RedactHeaders returns headers with the values of credential headers
// hidden (template parameters stay visible: they are not secrets).
func RedactHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if sensitiveHeader.MatchString(k) && !HasParameter(v) {
			v = Redacted
		}
		out[k] = v
	}
	return out
}

var sensitiveQuery = regexp.MustCompile(`(?i)([?&][^=&#]*(?:token|password|passwd|secret|api[-_]?key|auth)[^=&#]*=)([^&#]*)`)

// RedactURL hides the password of credentials embedded in a URL and the
// values of query parameters that look like secrets (token, password,
// secret, api key, auth). Template parameters stay visible.
func RedactURL(raw string) string {
	out := raw
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			out = u.Redacted()
		}
	}
	return sensitiveQuery.ReplaceAllStringFunc(out, func(m string) string {
		parts := sensitiveQuery.FindStringSubmatch(m)
		if parts[2] == "" || HasParameter(parts[2]) {
			return m
		}
		return parts[1] + Redacted
	})
}

// Request is a rendered webhook request, ready to send.
type Request struct {
	Method   string
	URL      string
	Headers  map[string]string
	Body     string
	HasBody  bool
	Username string
	Password string
}

// Build renders a webhook's request for a context: URL parameters are
// query-escaped, headers, credentials and body are filled in verbatim.
func Build(w broker.Webhook, c broker.WebhookContext, base string) (Request, error) {
	params := Params(c, base)
	req := Request{
		Method:   strings.ToUpper(w.Request.Method),
		URL:      Render(w.Request.URL, params, url.QueryEscape),
		Headers:  map[string]string{},
		Username: Render(w.Request.Username, params, nil),
		Password: Render(w.Request.Password, params, nil),
	}
	for k, v := range w.Request.Headers {
		req.Headers[strings.ToLower(k)] = Render(v, params, nil)
	}
	if b := w.Request.Body; len(b) > 0 && string(b) != "null" {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			var buf bytes.Buffer
			if err := json.Compact(&buf, b); err != nil {
				return req, fmt.Errorf("webhook %s: body is not valid JSON: %w", w.UUID, err)
			}
			s = buf.String()
		}
		req.Body, req.HasBody = Render(s, params, nil), true
	}
	return req, nil
}

// Result is what one execution of a webhook did.
type Result struct {
	Request Request
	// Status, ResponseHeaders and ResponseBody are set when a response came.
	Status          int
	ResponseHeaders map[string]string
	ResponseBody    string
	Err             error
	Success         bool
	// Refused is true when the allow-lists stopped the request: retrying
	// cannot help.
	Refused bool
	// ShowResponse says whether the response may be shown to API clients
	// (only when a host allow-list is configured, as in the Pact Broker).
	ShowResponse bool
	Logs         string
}

// Executor sends rendered webhooks.
type Executor struct {
	Config Config
	// Client sends the requests; nil means a client without cookies that
	// does not follow redirects, uses no proxy, and applies the host
	// allow-list to the address it dials (see guardedDial). A Client given
	// here is used as it is.
	Client *http.Client
	// Resolver looks up webhook hosts; nil means net.DefaultResolver.
	Resolver Resolver
	Now      func() time.Time
}

func (e *Executor) client() *http.Client {
	if e.Client != nil {
		return e.Client
	}
	cfg := e.Config.WithDefaults()
	var res Resolver = net.DefaultResolver
	if e.Resolver != nil {
		res = e.Resolver
	}
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			// No proxy: the allow-list is about where the request goes, and
			// a proxy would be the address dialled instead.
			Proxy:               nil,
			DialContext:         guardedDial(cfg.Hosts, res, cfg.Timeout),
			TLSHandshakeTimeout: cfg.Timeout,
			MaxIdleConns:        4,
			IdleConnTimeout:     30 * time.Second,
			ForceAttemptHTTP2:   true,
		},
	}
}

type logBuf struct {
	b   strings.Builder
	now func() time.Time
	// secrets are hidden wherever they appear in the logs and the error.
	secrets []string
}

func (l *logBuf) add(level, format string, args ...any) {
	fmt.Fprintf(&l.b, "[%s] %s: %s\n", l.now().UTC().Format("2006-01-02T15:04:05Z"), level, fmt.Sprintf(format, args...))
}

// Execute renders w for c and sends it once, within the configured timeout.
func (e *Executor) Execute(ctx context.Context, w broker.Webhook, c broker.WebhookContext, base string) Result {
	cfg := e.Config.WithDefaults()
	now := e.Now
	if now == nil {
		now = time.Now
	}
	l := &logBuf{now: now, secrets: requestSecrets(w.Request)}
	res := Result{ShowResponse: len(cfg.Hosts) > 0}
	wc, _ := json.Marshal(map[string]string{"base_url": base, "event_name": c.EventName})
	l.add("DEBUG", "Webhook context %s", wc)

	req, err := Build(w, c, base)
	res.Request = req
	if err != nil {
		res.Err = err
		l.add("ERROR", "%v", err)
		return finish(&res, l)
	}
	if err := cfg.CheckRequest(req.Method, req.URL); err != nil {
		res.Err, res.Refused = err, true
		l.add("ERROR", "Not sent: %v", err)
		return finish(&res, l)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var body io.Reader
	if req.HasBody {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		res.Err = err
		l.add("ERROR", "Not sent: %v", err)
		return finish(&res, l)
	}
	hr.Header.Set("Accept", "*/*") // what the Pact Broker's client sends unless told otherwise
	hr.Header.Set("User-Agent", cfg.UserAgent)
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	if req.Username != "" {
		hr.SetBasicAuth(req.Username, req.Password)
	}
	l.add("INFO", "HTTP/1.1 %s %s", req.Method, RedactURL(req.URL))
	shown := map[string]string{}
	for k, v := range hr.Header {
		shown[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	shown = RedactHeaders(shown)
	for _, k := range sortedKeys(shown) {
		l.add("INFO", "%s: %s", k, shown[k])
	}
	if req.HasBody {
		l.add("INFO", "%s", req.Body)
	}
	resp, err := e.client().Do(hr)
	if err != nil {
		res.Err = err
		if errors.Is(err, context.DeadlineExceeded) {
			res.Err = fmt.Errorf("no response within %s: %w", cfg.Timeout, err)
		}
		l.add("ERROR", "Error executing webhook: %v", res.Err)
		return finish(&res, l)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	res.Status, res.ResponseBody = resp.StatusCode, string(rb)
	res.ResponseHeaders = map[string]string{}
	for k, v := range resp.Header {
		res.ResponseHeaders[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	if err != nil {
		res.Err = fmt.Errorf("read response: %w", err)
	}
	res.Success = err == nil && slices.Contains(cfg.SuccessCodes, resp.StatusCode)
	if res.ShowResponse {
		l.add("INFO", "HTTP/%d.%d %s", resp.ProtoMajor, resp.ProtoMinor, resp.Status)
		for _, k := range sortedKeys(res.ResponseHeaders) {
			l.add("INFO", "%s: %s", k, res.ResponseHeaders[k])
		}
		l.add("INFO", "%s", res.ResponseBody)
	} else {
		l.add("INFO", "HTTP/%d.%d %d (response headers and body are logged only when PACT_BROKER_WEBHOOK_HOST_WHITELIST is set)", resp.ProtoMajor, resp.ProtoMinor, resp.StatusCode)
	}
	return finish(&res, l)
}

func finish(res *Result, l *logBuf) Result {
	if res.Success {
		l.add("INFO", "Webhook delivered successfully")
	} else {
		l.add("INFO", "Webhook delivery failed")
	}
	res.Logs = redact(l.b.String(), l.secrets)
	if res.Err != nil {
		if msg := redact(res.Err.Error(), l.secrets); msg != res.Err.Error() {
			res.Err = &redactedError{msg: msg, err: res.Err}
		}
	}
	return *res
}

// redactedError is an error whose message had secrets taken out; errors.Is
// and errors.As still see the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// requestSecrets lists the secret values a webhook's request carries: the
// basic auth password, a password in the URL, the values of secret-looking
// query parameters (as written and decoded) and of credential headers.
// Errors from the HTTP client quote the URL, so these must be hidden
// wherever they appear, not only where the request is logged. Values made
// of template parameters are not secrets (RedactHeaders and RedactURL show
// them too), and hiding what they render to would hide names in the logs.
func requestSecrets(req broker.WebhookRequest) []string {
	var out []string
	add := func(v string) {
		if len(v) >= 3 && !HasParameter(v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if req.Password != "" && !HasParameter(req.Password) {
		out = append(out, req.Password)
	}
	if u, err := url.Parse(req.URL); err == nil {
		if pw, ok := u.User.Password(); ok {
			add(pw)
			add(url.QueryEscape(pw))
		}
	}
	for _, m := range sensitiveQuery.FindAllStringSubmatch(req.URL, -1) {
		add(m[2])
		if d, err := url.QueryUnescape(m[2]); err == nil {
			add(d)
		}
	}
	for k, v := range req.Headers {
		if sensitiveHeader.MatchString(k) {
			add(v)
		}
	}
	// Longest first, so a secret that contains another is hidden whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// redact hides each secret wherever it appears in s.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
