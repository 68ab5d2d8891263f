package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/webhook"
)

// Version is reported in X-Pact-Broker-Version: the Ruby broker version
// whose API this server reproduces.
const Version = "2.120.0"

// Config configures a Server.
type Config struct {
	// BaseURL is the absolute URL clients reach the broker at; when empty it
	// is derived from each request (honouring X-Forwarded-Host/Proto).
	BaseURL string
	// BaseURLs are all the URLs the broker is reached at
	// (PACT_BROKER_BASE_URLS): links use the one a request came in
	// through, else BaseURL (or the first of them).
	BaseURLs []string
	Auth     httpedge.Auth
	Log      *slog.Logger
	// Webhooks holds the webhook allow-lists and retry settings; the zero
	// value means the Pact Broker's defaults.
	Webhooks webhook.Config
	// Metrics serves the Prometheus metrics at /metrics to scrapers (HAL
	// clients get the JSON counts there); nil serves only the counts.
	Metrics http.Handler
	// PublicHeartbeat serves the heartbeat without credentials when auth
	// is on, for load balancers (PACT_BROKER_PUBLIC_HEARTBEAT).
	PublicHeartbeat bool
}

// Server is the broker's HTTP API.
type Server struct {
	svc Services
	cfg Config
	log *slog.Logger
	mux *httpedge.Mux
	// largeBodies lets one request body over smallBody be read at a time.
	largeBodies chan struct{}
	// answers are matrix answers by database state (answers.go).
	answers answers
	// verifyAnswers are pacts-for-verification answers by database state,
	// kept apart so neither kind of answer pushes out the other.
	verifyAnswers answers
}

// New returns the API over the broker's services; every field of svc must
// be set.
func New(svc Services, cfg Config) *Server {
	s := &Server{svc: svc, cfg: cfg, log: cfg.Log, largeBodies: make(chan struct{}, 1)}
	// A provider's pacts-for-verification answers are few (one per
	// provider and selector set); can-i-deploy's are per version.
	s.verifyAnswers.max = 8 << 20
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s.cfg.BaseURLs = slices.Clone(cfg.BaseURLs)
	for i, u := range cfg.BaseURLs {
		s.cfg.BaseURLs[i] = strings.TrimRight(u, "/")
	}
	if s.cfg.BaseURL == "" && len(s.cfg.BaseURLs) > 0 {
		s.cfg.BaseURL = s.cfg.BaseURLs[0]
	}
	s.mux = httpedge.New(httpedge.Config{Auth: cfg.Auth, Log: s.log, Index: s.base})
	s.register()
	return s
}

// Routes lists the API's routes with the access each needs, for tests
// that must cover every route (an authorisation matrix, a fuzzer).
func (s *Server) Routes() []httpedge.Route { return s.mux.Routes() }

type handlerFunc func(w http.ResponseWriter, r *http.Request, p params) error

// params holds the decoded path parameters.
type params map[string]string

// setCommonHeaders sets what every Pact Broker response carries: the
// X-Pact-Broker-Version, and Vary: Accept and Cache-Control: no-cache
// unless the handler then sets its own.
func setCommonHeaders(h http.Header) {
	h.Set("X-Pact-Broker-Version", Version)
	h.Set("Vary", "Accept")
	h.Set("Cache-Control", "no-cache")
}

// CommonHeaders gives every response of next the headers the API's own
// responses carry (X-Pact-Broker-Version, Vary, Cache-Control), as the
// Ruby broker's Rack middleware does for its API and UI alike. Wrap the
// handler that serves the API together with other things (the UI's pages
// and badges); the API alone sets them itself.
func CommonHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCommonHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCommonHeaders(w.Header())
	// Webhooks triggered by this request link back through its URL.
	s.mux.ServeHTTP(w, r.WithContext(broker.WithBaseURL(r.Context(), s.base(r))))
}

// base returns the absolute base URL for links.
func (s *Server) base(r *http.Request) string {
	if len(s.cfg.BaseURLs) > 1 {
		// As the Ruby broker's SetBaseUrl: the configured URL the request
		// came in through, by scheme, host and port.
		came := defaultPort(requestBase(r))
		for _, u := range s.cfg.BaseURLs {
			if strings.EqualFold(defaultPort(u), came) {
				return u
			}
		}
	}
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	return requestBase(r)
}

// defaultPort drops the scheme's default port, so https://b:443 is https://b.
func defaultPort(u string) string {
	if h, ok := strings.CutPrefix(u, "https://"); ok {
		return "https://" + strings.TrimSuffix(h, ":443")
	}
	if h, ok := strings.CutPrefix(u, "http://"); ok {
		return "http://" + strings.TrimSuffix(h, ":80")
	}
	return u
}

// requestBase is the URL a request came in through, honouring the
// proxy's X-Forwarded-Proto/Host/Port.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.TrimSpace(strings.Split(p, ",")[0])
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = strings.TrimSpace(strings.Split(h, ",")[0])
		if port := r.Header.Get("X-Forwarded-Port"); port != "" && !strings.Contains(host, ":") {
			host += ":" + port
		}
	}
	return scheme + "://" + host
}

// halJSON is the content type of the API's documents.
const halJSON = httpedge.HALJSON

func writeJSON(w http.ResponseWriter, status int, v any) { httpedge.WriteHAL(w, status, v) }

// maxBody is the largest request body the broker reads (pacts included).
const maxBody = 64 << 20

// smallBody is the size up to which request bodies are read concurrently;
// beyond it, Server.largeBodies lets one read proceed at a time, at
// largeBodyRate.
const smallBody = 1 << 20

// largeBodyRate is how fast the one body over smallBody being read is
// read, in bytes per second: a 37 MiB pact takes about two seconds, the
// 64 MiB limit four. Without it a few clients sending bodies of tens of MiB
// at loopback speed take a core (and the sender another) from the
// ordinary requests beside them; paced, they wait on TCP's back pressure.
const largeBodyRate = 16 << 20

// readBody reads a request body of at most maxBody bytes. A longer one is
// refused whole (413) rather than cut off and then misreported as
// invalid JSON: unread when its Content-Length says so, else as soon as
// it passes the limit.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, smallBody+1))
	if err == nil && len(body) > smallBody {
		select {
		case s.largeBodies <- struct{}{}:
		case <-r.Context().Done():
			return nil, broker.Errorf(broker.Invalid, "could not read the request body: %v", r.Context().Err())
		}
		body, err = readLarge(r.Context(), r.Body, body, r.ContentLength)
		<-s.largeBodies
		largeRequests.enter()
		context.AfterFunc(r.Context(), largeRequests.leave) // the request's context ends when its handler returns
	}
	if err != nil {
		if broker.ErrorCode(err) == broker.TooLarge {
			return nil, err
		}
		return nil, broker.Errorf(broker.Invalid, "could not read the request body: %v", err)
	}
	if len(body) > maxBody {
		return nil, tooLarge()
	}
	return body, nil
}

// largeRequests tightens the garbage collector while a request holding a
// body over smallBody is handled: GOGC 25 instead of the default 100, so
// the heap may grow by a quarter of what is live rather than double. A
// large pact's request holds its body, its normalised copy and the
// field-usage index's short-lived garbage; at the default the collector
// let that garbage fill as much again as the two copies. The broker's
// pointer-holding heap is small (bodies are byte slices, which are not
// scanned), so the cost of collecting more often while a large publication
// runs is small. Concurrent requests share one setting.
var largeRequests gcPolicy

type gcPolicy struct {
	mu       sync.Mutex
	n        int
	previous int
}

// largeGCPercent is GOGC while large requests are handled.
const largeGCPercent = 25

func (g *gcPolicy) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 {
		g.previous = debug.SetGCPercent(largeGCPercent)
		if g.previous < largeGCPercent { // the operator's own GOGC is tighter already, or off
			debug.SetGCPercent(g.previous)
		}
	}
	g.n++
}

func (g *gcPolicy) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n--; g.n == 0 {
		debug.SetGCPercent(g.previous)
	}
}

// readLarge reads the rest of a body that starts with head, at most
// largeBodyRate bytes a second, and stops as soon as the body passes
// maxBody. With a Content-Length it reads into one buffer of that size;
// without, into pieces of a MiB joined once the body has ended within the
// limit (a buffer grown by doubling would clear and copy each byte twice
// more, and a body over the limit is never joined).
func readLarge(ctx context.Context, body io.Reader, head []byte, length int64) ([]byte, error) {
	pr := &pacedReader{ctx: ctx, r: body, start: time.Now()}
	if length > 0 {
		buf := make([]byte, length)
		n := copy(buf, head)
		if _, err := io.ReadFull(pr, buf[n:]); err != nil {
			return nil, err
		}
		return buf, nil
	}
	pieces, total := [][]byte{head}, len(head)
	for {
		piece := make([]byte, min(smallBody, maxBody+1-total))
		n, err := io.ReadFull(pr, piece)
		pieces, total = append(pieces, piece[:n]), total+n
		switch {
		case total > maxBody:
			return nil, tooLarge()
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			buf := make([]byte, 0, total)
			for _, p := range pieces {
				buf = append(buf, p...)
			}
			return buf, nil
		case err != nil:
			return nil, err
		}
	}
}

// pacedReader reads at most largeBodyRate bytes a second.
type pacedReader struct {
	ctx   context.Context
	r     io.Reader
	start time.Time
	read  int
}

func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += n
	if ahead := time.Duration(float64(p.read)/largeBodyRate*float64(time.Second)) - time.Since(p.start); ahead > 0 && err == nil {
		t := time.NewTimer(ahead)
		defer t.Stop()
		select {
		case <-t.C:
		case <-p.ctx.Done():
			return n, p.ctx.Err()
		}
	}
	return n, err
}

func tooLarge() error {
	return broker.Errorf(broker.TooLarge, "the request body is larger than the broker's limit of %d MiB; publish smaller pacts (split large ones by provider)", maxBody>>20)
}

// decode reads a JSON request body into v. An empty body is an empty object.
func (s *Server) decode(r *http.Request, v any) error {
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return broker.Errorf(broker.Invalid, "the request body is not valid JSON (%v); send a JSON object with Content-Type: application/json", err)
	}
	return checkStrings(reflect.ValueOf(v), "the request body")
}

// identifierFields are the JSON fields of request bodies that name a
// pacticipant, version, branch, tag or environment: they are held to
// broker.MaxIdentifier.
var identifierFields = map[string]bool{
	"pacticipantName": true, "pacticipantVersionNumber": true, "branch": true, "tags": true, "consumerName": true,
	"providerName": true, "providerApplicationVersion": true, "providerVersionBranch": true, "providerVersionTags": true,
	"name": true, "mainBranch": true, "tag": true, "environment": true, "applicationInstance": true, "target": true,
	"label": true, "version": true, "number": true,
}

// checkStrings applies broker.CheckText to every string a decoded body
// holds, and broker.CheckIdentifier to the identifierFields. Raw JSON
// (json.RawMessage: pact content, test results, verifiedBy, webhook
// bodies) is stored as JSON text, where a NUL stays an escape, but must
// be UTF-8 like everything else, or it is later served as invalid JSON.
func checkStrings(v reflect.Value, where string) error {
	return checkValue(v, where, false)
}

func checkValue(v reflect.Value, where string, ident bool) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkValue(v.Elem(), where, ident)
		}
	case reflect.String:
		check := broker.CheckText
		if ident {
			check = broker.CheckIdentifier
		}
		return check(where+" text "+strconv.Quote(httpedge.Abbreviate(v.String())), v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if err := checkValue(v.Field(i), where, identifierFields[name]); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Kind() == reflect.Slice && !utf8.Valid(v.Bytes()) {
				return broker.Errorf(broker.Invalid, "%s holds JSON that is not valid UTF-8; send UTF-8 text", where)
			}
			return nil
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkValue(v.Index(i), where, ident); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkValue(it.Key(), where, false); err != nil {
				return err
			}
			if err := checkValue(it.Value(), where, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// halBytes encodes v as writeJSON writes it, for answers kept to be
// written again.
func halBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}
