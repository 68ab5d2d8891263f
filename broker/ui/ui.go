package ui

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Config configures the pages.
type Config struct {
	// BaseURL is the broker's public URL; only its path is used, as the
	// prefix of every link (for a broker served under a sub-path).
	BaseURL string
	Log     *slog.Logger
	// Now tells the time for "3 minutes ago"; time.Now when nil.
	Now func() time.Time
	// Access protects pages and badges with the API's credentials.
	Access Access
	// PublicBadges lets anyone fetch badges, so README files can show them
	// (the Ruby broker's enable_public_badge_access).
	PublicBadges bool
}

// Handler serves the pages and badges.
type Handler struct {
	src    Source
	access Access
	public bool
	log    *slog.Logger
	now    func() time.Time
	base   string
	mux    *http.ServeMux
	pages  map[string]*template.Template
}

// New returns the pages over src.
func New(src Source, cfg Config) *Handler {
	h := &Handler{src: src, log: cfg.Log, now: cfg.Now, mux: http.NewServeMux(), access: cfg.Access, public: cfg.PublicBadges}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		h.base = strings.TrimRight(u.Path, "/")
	}
	h.pages = parseTemplates(h.funcs())
	h.routes()
	return h
}

func (h *Handler) routes() {
	type fn = func(http.ResponseWriter, *http.Request) error
	get := func(pattern string, f fn) {
		h.mux.HandleFunc("GET "+pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := f(w, r); err != nil {
				h.fail(w, r, err)
			}
		})
	}
	assets, _ := fs.Sub(assetFS, "assets")
	h.mux.Handle("GET /ui/assets/", http.StripPrefix("/ui/assets/", http.FileServerFS(assets)))

	get("/{$}", h.index)
	get("/ui/relationships", h.index)

	pair := "/pacts/provider/{provider}/consumer/{consumer}"
	for _, p := range []string{
		pair + "/version/{version}", pair + "/versions/{version}", pair + "/latest", pair + "/latest/{tag}",
		pair + "/latest-untagged", pair + "/branch/{branch}/latest", pair + "/pact-version/{sha}",
		pair + "/pact-version/{sha}/metadata/{metadata}",
		"/pact/provider/{provider}/consumer/{consumer}/version/{version}", "/pact/provider/{provider}/consumer/{consumer}/latest",
	} {
		get(p, h.pact)
	}
	get(pair+"/latest/badge", h.pactBadge)
	get(pair+"/latest/{tag}/badge", h.pactBadge)
	get(pair+"/latest-untagged/badge", h.pactBadge)
	get("/matrix/provider/{provider}/latest/{ptag}/consumer/{consumer}/latest/{ctag}/badge", h.matrixBadge)
	get("/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}/badge", h.canIDeployBadge)
	get("/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge", h.canIDeployBadge)
	get("/pacticipants/{pacticipant}/main-branch/can-i-merge/badge", h.canIMergeBadge)

	get("/pacticipants/{pacticipant}", h.pacticipant)
	get("/pacticipants/{pacticipant}/network", h.pacticipant)
	get("/matrix", h.matrix)
	get("/matrix/provider/{provider}/consumer/{consumer}", h.matrix)
	get("/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}", h.matrix)
	get("/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}", h.matrix)
	get("/environments", h.environments)
}

// Handles reports whether the request is for a page or badge this handler
// serves (Split sends other requests to the API).
func (h *Handler) Handles(r *http.Request) bool {
	_, pattern := h.mux.Handler(r)
	return pattern != ""
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	assets := strings.HasPrefix(r.URL.Path, "/ui/assets/")
	if !assets && !(h.public && IsBadgePath(r.URL.EscapedPath())) && !h.access.allows(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Pact Broker"`)
		h.fail(w, r, broker.Errorf(broker.Unauthorized, "Sign in with the broker's username and password to see this page."))
		return
	}
	if err := checkRequestText(r); err != nil {
		h.fail(w, r, err)
		return
	}
	h.mux.ServeHTTP(w, r)
}

func parseTemplates(funcs template.FuncMap) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"index", "pact", "pacticipant", "matrix", "environments", "error"} {
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return pages
}

// page is what every template gets: the layout's fields and the page's D.
type page struct {
	Title string
	Nav   string
	Base  string
	D     any
}

func (h *Handler) render(w http.ResponseWriter, status int, name, title, nav string, d any) error {
	var buf strings.Builder
	if err := h.pages[name].ExecuteTemplate(&buf, "layout.html", page{Title: title, Nav: nav, Base: h.base, D: d}); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
	w.WriteHeader(status)
	_, err := io.WriteString(w, buf.String())
	return err
}

type errorPage struct {
	Status  int
	Heading string
	Message string
	Ref     string
}

// fail renders an error page: a domain error's message, or a reference to
// the log for anything else.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var de *broker.Error
	ep := errorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong"}
	switch {
	case errors.As(err, &de) && de.Code == broker.NotFound:
		ep.Status, ep.Heading, ep.Message = http.StatusNotFound, "Not found", de.Message
	case errors.As(err, &de) && de.Code == broker.Unauthorized:
		ep.Status, ep.Heading, ep.Message = http.StatusUnauthorized, "Sign in", de.Message
	case errors.As(err, &de) && de.Code == broker.Unavailable, broker.ErrorCode(err) == broker.Unavailable:
		w.Header().Set("Retry-After", "5")
		ep.Status, ep.Heading, ep.Message = http.StatusServiceUnavailable, "Try again shortly", "The broker cannot reach its database just now; reload in a few seconds."
		h.log.Warn("ui page: database unavailable", "path", r.URL.Path, "err", err)
	case errors.As(err, &de):
		ep.Status, ep.Heading, ep.Message = http.StatusBadRequest, "Cannot show this", de.Message
	default:
		var b [5]byte
		_, _ = rand.Read(b[:])
		ep.Ref = hex.EncodeToString(b[:])
		ep.Message = "The page could not be built. The details are logged with the reference " + ep.Ref + "."
		h.log.Error("ui page failed", "ref", ep.Ref, "path", r.URL.Path, "err", err)
	}
	if rerr := h.render(w, ep.Status, "error", ep.Heading, "", ep); rerr != nil {
		h.log.Error("ui error page failed", "err", rerr)
		http.Error(w, ep.Message, ep.Status)
	}
}

// Links, all under the configured base path.

func seg(s string) string { return url.PathEscape(s) }

func (h *Handler) pacticipantURL(name string) string { return h.base + "/pacticipants/" + seg(name) }

func (h *Handler) pactURL(consumer, provider, version string) string {
	return h.base + "/pacts/provider/" + seg(provider) + "/consumer/" + seg(consumer) + "/version/" + seg(version)
}

func (h *Handler) latestPactURL(consumer, provider string) string {
	return h.base + "/pacts/provider/" + seg(provider) + "/consumer/" + seg(consumer) + "/latest"
}

func (h *Handler) matrixURL(consumer, provider string) string {
	return h.base + "/matrix/provider/" + seg(provider) + "/consumer/" + seg(consumer)
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"pacticipantURL": h.pacticipantURL,
		"pactURL":        h.pactURL,
		"latestPactURL":  h.latestPactURL,
		"matrixURL":      h.matrixURL,
		"badgeURL": func(consumer, provider string) string {
			return h.latestPactURL(consumer, provider) + "/badge"
		},
		"ago":       h.ago,
		"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"short":     shortVersion,
		"join":      strings.Join,
		"status":    verificationStatus,
		"add":       func(a, b int) int { return a + b },
		"rowStatus": matrixRowStatus,
		"eqfold":    strings.EqualFold,
	}
}

// ago says how long before now t was, the way people say it.
func (h *Handler) ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := h.now().Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural2(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural2(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural2(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.UTC().Format("2 Jan 2006")
}

func plural2(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// shortVersion keeps long version numbers (git SHAs) readable; the full
// number is in the link's title.
func shortVersion(v string) string {
	if len(v) > 14 && !strings.ContainsAny(v, ".-+") {
		return v[:10] + "…"
	}
	return v
}

// checkRequestText refuses addresses and query parameters that no database
// column can hold (a NUL, or bytes that are not UTF-8): PostgreSQL would
// fail the page's queries instead of the page saying why.
func checkRequestText(r *http.Request) error {
	if err := broker.CheckText(fmt.Sprintf("the address %q", r.URL.Path), r.URL.Path); err != nil {
		return err
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for k, vs := range q {
		for _, v := range append([]string{k}, vs...) {
			if err := broker.CheckText(fmt.Sprintf("the query parameter %q", k), v); err != nil {
				return err
			}
		}
	}
	return nil
}
