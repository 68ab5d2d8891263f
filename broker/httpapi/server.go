package httpapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

// Version is reported in X-Pact-Broker-Version: the Ruby broker version
// whose API this server reproduces.
const Version = "2.120.0"

// Auth configures who may do what. With no users and no token configured
// everyone may do everything.
type Auth struct {
	Username         string
	Password         string
	ReadOnlyUsername string
	ReadOnlyPassword string
	// Token is accepted as "Authorization: Bearer <token>" with write access.
	Token string
	// ReadOnlyToken is accepted as a bearer token with read access.
	ReadOnlyToken string
	// AllowPublicRead lets anonymous clients read.
	AllowPublicRead bool
}

func (a Auth) enabled() bool {
	return a.Username != "" || a.ReadOnlyUsername != "" || a.Token != "" || a.ReadOnlyToken != ""
}

// Config configures a Server.
type Config struct {
	// BaseURL is the absolute URL clients reach the broker at; when empty it
	// is derived from each request (honouring X-Forwarded-Host/Proto).
	BaseURL string
	Auth    Auth
	Log     *slog.Logger
	// Webhooks holds the webhook allow-lists and retry settings; the zero
	// value means the Pact Broker's defaults.
	Webhooks webhook.Config
}

// Server is the broker's HTTP API.
type Server struct {
	svc    Services
	cfg    Config
	log    *slog.Logger
	routes []route
}

// New returns the API over the broker's services; every field of svc must
// be set.
func New(svc Services, cfg Config) *Server {
	s := &Server{svc: svc, cfg: cfg, log: cfg.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s.register()
	return s
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, p params) error

// route is a path pattern like "/pacts/provider/{provider}/latest" with a
// handler per method.
type route struct {
	segs    []string
	methods map[string]handlerFunc
}

// params holds the decoded path parameters.
type params map[string]string

func (s *Server) handle(pattern string, methods map[string]handlerFunc) {
	s.routes = append(s.routes, route{segs: strings.Split(strings.Trim(pattern, "/"), "/"), methods: methods})
}

// splitPath splits the escaped path into decoded segments.
func splitPath(escaped string) ([]string, error) {
	trimmed := strings.Trim(escaped, "/")
	if trimmed == "" {
		return []string{""}, nil
	}
	raw := strings.Split(trimmed, "/")
	out := make([]string, len(raw))
	for i, seg := range raw {
		d, err := url.PathUnescape(seg)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func (rt route) match(segs []string) (params, bool) {
	g := -1
	for i, pat := range rt.segs {
		if strings.HasSuffix(pat, "...}") {
			g = i
		}
	}
	if g < 0 && len(segs) != len(rt.segs) || g >= 0 && len(segs) < len(rt.segs) {
		return nil, false
	}
	p := params{}
	bind := func(pat, seg string) bool {
		if strings.HasPrefix(pat, "{") {
			p[strings.Trim(pat, "{}")] = seg
			return seg != ""
		}
		return pat == seg
	}
	if g < 0 {
		for i, pat := range rt.segs {
			if !bind(pat, segs[i]) {
				return nil, false
			}
		}
		return p, true
	}
	// A greedy {name...} segment takes what the fixed segments around it
	// leave: clients that build paths without encoding "/" in names.
	tail := len(rt.segs) - g - 1
	for i := 0; i < g; i++ {
		if !bind(rt.segs[i], segs[i]) {
			return nil, false
		}
	}
	for i := 0; i < tail; i++ {
		if !bind(rt.segs[g+1+i], segs[len(segs)-tail+i]) {
			return nil, false
		}
	}
	p[strings.TrimSuffix(strings.Trim(rt.segs[g], "{}"), "...")] = strings.Join(segs[g:len(segs)-tail], "/")
	return p, true
}

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
	// A bug must not drop the connection (clients retry that as a network
	// failure, the CLI 8 times): answer 500 with a reference and log the
	// stack under it.
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.fail(w, r, fmt.Errorf("panic: %v\n%s", rec, debug.Stack()))
		}
	}()
	segs, err := splitPath(r.URL.EscapedPath())
	if err != nil {
		s.fail(w, r, broker.Errorf(broker.Invalid, "the request path is not valid URL encoding: %v", err))
		return
	}
	if err := checkRequestText(r, segs); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, rt := range s.routes {
		p, ok := rt.match(segs)
		if !ok {
			continue
		}
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		if method == http.MethodOptions {
			allow := []string{"OPTIONS"}
			for m := range rt.methods {
				allow = append(allow, m)
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			w.WriteHeader(http.StatusOK)
			return
		}
		h, ok := rt.methods[method]
		if !ok {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": map[string]any{"base": []string{fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)}}})
			return
		}
		if err := s.authorize(r, segs); err != nil {
			s.fail(w, r, err)
			return
		}
		if formBody(r) {
			s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "status", http.StatusUnsupportedMediaType, "content_type", r.Header.Get("Content-Type"))
			writeJSON(w, http.StatusUnsupportedMediaType, map[string]any{"errors": map[string]any{"base": []string{fmt.Sprintf(
				"the broker reads JSON, not %s; send the body with Content-Type: application/json", r.Header.Get("Content-Type"))}}})
			return
		}
		// Webhooks triggered by this request link back through its URL.
		r = r.WithContext(broker.WithBaseURL(r.Context(), s.base(r)))
		if err := h(w, r, p); err != nil {
			s.fail(w, r, err)
		}
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no resource at %s; start from the index at %s/", r.URL.Path, s.base(r))})
}

// formBody reports whether a write carries one of the content types an
// HTML form (or a script without a CORS preflight) can send from any web
// site. The broker reads only JSON, as the Ruby broker does (415 for
// anything else); accepting these would let another site's page make a
// signed-in browser write to the broker with its remembered Basic auth
// (create a webhook, say), because a text/plain form body can be JSON.
func formBody(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return false
	}
	mt, _, _ := strings.Cut(strings.ToLower(r.Header.Get("Content-Type")), ";")
	switch strings.TrimSpace(mt) {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return true
	}
	return false
}

func (s *Server) authorize(r *http.Request, segs []string) error {
	a := s.cfg.Auth
	if !a.enabled() {
		return nil
	}
	// The heartbeat is for load balancers.
	if len(segs) == 3 && segs[0] == "diagnostic" {
		return nil
	}
	read := r.Method == http.MethodGet || r.Method == http.MethodHead ||
		(r.Method == http.MethodPost && len(segs) == 4 && segs[0] == "pacts" && segs[3] == "for-verification")
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	writer, reader := false, false
	if u, pw, ok := r.BasicAuth(); ok {
		writer = a.Username != "" && eq(u, a.Username) && eq(pw, a.Password)
		reader = a.ReadOnlyUsername != "" && eq(u, a.ReadOnlyUsername) && eq(pw, a.ReadOnlyPassword)
	} else if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		writer = a.Token != "" && eq(tok, a.Token)
		reader = a.ReadOnlyToken != "" && eq(tok, a.ReadOnlyToken)
	}
	switch {
	case writer, read && (reader || a.AllowPublicRead):
		return nil
	case reader:
		return broker.Errorf(broker.Forbidden, "the read-only user may not %s %s; use the read/write credentials", r.Method, r.URL.Path)
	}
	return broker.Errorf(broker.Unauthorized, "authentication required: send the broker's basic auth credentials (PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD) or token (PACT_BROKER_TOKEN)")
}

// base returns the absolute base URL for links.
func (s *Server) base(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
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

// fail renders err. Domain errors become 4xx with a message; anything else
// is a 500 with a reference that is also logged with the cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var de *broker.Error
	if !errors.As(err, &de) && broker.ErrorCode(err) == broker.Unavailable {
		// The official clients retry a 503 after Retry-After; a 500 they
		// report as a failure of the broker.
		ref := newRef()
		s.log.Warn("database unavailable", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{
			"message":   "The broker cannot reach its database just now; try again in a few seconds (reference " + ref + ")",
			"reference": ref,
		}})
		return
	}
	if de == nil {
		ref := newRef()
		s.log.Error("request failed", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]any{
			"message":   "An error has occurred. The details have been logged with the reference " + ref,
			"reference": ref,
		}})
		return
	}
	field := de.Field
	if field == "" {
		field = "base"
	}
	body := map[string]any{"errors": map[string]any{field: []string{de.Message}}}
	status := http.StatusBadRequest
	switch de.Code {
	case broker.NotFound:
		status = http.StatusNotFound
		body["error"] = de.Message
	case broker.Conflict:
		status = http.StatusConflict
		notices := append([]broker.Notice{{Type: "error", Text: de.Message}}, de.Notices...)
		body["notices"] = notices
	case broker.Unauthorized:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="Restricted area"`)
	case broker.Forbidden:
		status = http.StatusForbidden
	case broker.TooLarge:
		status = http.StatusRequestEntityTooLarge
	case broker.Unavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "status", status, "reason", de.Message)
	writeJSON(w, status, body)
}

func newRef() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

const halJSON = "application/hal+json;charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", halJSON)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxBody is the largest request body the broker reads (pacts included).
const maxBody = 64 << 20

// readBody reads a request body of at most maxBody bytes. A longer one is
// refused whole (413) rather than cut off and then misreported as
// invalid JSON.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, broker.Errorf(broker.Invalid, "could not read the request body: %v", err)
	}
	if len(body) > maxBody {
		return nil, broker.Errorf(broker.TooLarge, "the request body is larger than the broker's limit of %d MiB; publish smaller pacts (split large ones by provider)", maxBody>>20)
	}
	return body, nil
}

// decode reads a JSON request body into v. An empty body is an empty object.
func decode(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return broker.Errorf(broker.Invalid, "the request body is not valid JSON (%v); send a JSON object with Content-Type: application/json", err)
	}
	return checkStrings(reflect.ValueOf(v), "the request body")
}

// checkRequestText refuses path segments and query parameters that no
// database column can hold (see broker.CheckText): PostgreSQL would fail
// the query, a 5xx that clients retry, instead of a 400 that says why.
func checkRequestText(r *http.Request, segs []string) error {
	for _, seg := range segs {
		if err := broker.CheckText(fmt.Sprintf("the path segment %q", seg), seg); err != nil {
			return err
		}
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // malformed pairs are the handlers' to report
	for k, vs := range q {
		for _, v := range append([]string{k}, vs...) {
			if err := broker.CheckText(fmt.Sprintf("the query parameter %q", k), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStrings applies broker.CheckText to every string a decoded body
// holds. Raw JSON (json.RawMessage: pact content, test results, webhook
// bodies) is stored as JSON text, where a NUL stays an escape, so it is
// not looked into.
func checkStrings(v reflect.Value, where string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkStrings(v.Elem(), where)
		}
	case reflect.String:
		return broker.CheckText(where+" text "+strconv.Quote(v.String()), v.String())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				if err := checkStrings(v.Field(i), where); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // json.RawMessage and []byte
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkStrings(v.Index(i), where); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkStrings(it.Key(), where); err != nil {
				return err
			}
			if err := checkStrings(it.Value(), where); err != nil {
				return err
			}
		}
	}
	return nil
}
