package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
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
// beyond it, Server.largeBodies lets one read proceed at a time.
const smallBody = 1 << 20

// readBody reads a request body of at most maxBody bytes. A longer one is
// refused whole (413) rather than cut off and then misreported as
// invalid JSON.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, smallBody+1))
	if err == nil && len(body) > smallBody {
		// A large body is read one at a time, so a few clients sending
		// tens of MiB at loopback speed cannot take every core from the
		// ordinary requests beside them.
		s.largeBodies <- struct{}{}
		buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 2*smallBody)))
		buf.Write(body)
		_, err = buf.ReadFrom(io.LimitReader(r.Body, maxBody+1-int64(len(body))))
		<-s.largeBodies
		body = buf.Bytes()
	}
	if err != nil {
		return nil, broker.Errorf(broker.Invalid, "could not read the request body: %v", err)
	}
	if len(body) > maxBody {
		return nil, tooLarge()
	}
	return body, nil
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
