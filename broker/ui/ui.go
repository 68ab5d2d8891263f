package ui

import (
	"embed"
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

	"github.com/accord-cdc/accord/broker/httpedge"
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
	// Auth protects pages and badges with the API's credentials.
	Auth httpedge.Auth
	// PublicBadges lets anyone fetch badges, so README files can show them
	// (the Ruby broker's enable_public_badge_access); only the badge routes
	// become public.
	PublicBadges bool
}

// Handler serves the pages and badges.
type Handler struct {
	src   Source
	log   *slog.Logger
	now   func() time.Time
	base  string
	mux   *httpedge.Mux
	pages map[string]*template.Template
}

// New returns the pages over src.
func New(src Source, cfg Config) *Handler {
	h := &Handler{src: src, log: cfg.Log, now: cfg.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.mux = httpedge.New(httpedge.Config{Auth: cfg.Auth, PublicBadges: cfg.PublicBadges, Log: h.log, Pages: h.errorPage})
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
	get := func(pattern string, f httpedge.HandlerFunc) { h.mux.Handle("GET "+pattern, httpedge.Read, f) }
	assets, _ := fs.Sub(assetFS, "assets")
	files := http.StripPrefix("/ui/assets/", http.FileServerFS(assets))
	h.mux.Handle("GET /ui/assets/{file...}", httpedge.Public, func(w http.ResponseWriter, r *http.Request) error {
		files.ServeHTTP(w, r) // the stylesheet and script carry no data
		return nil
	})

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
	for _, b := range []struct {
		pattern string
		f       httpedge.HandlerFunc
	}{
		{badgePatterns[0], h.pactBadge}, {badgePatterns[1], h.pactBadge}, {badgePatterns[2], h.pactBadge},
		{badgePatterns[3], h.matrixBadge},
		{badgePatterns[4], h.canIDeployBadge}, {badgePatterns[5], h.canIDeployBadge},
		{badgePatterns[6], h.canIMergeBadge},
	} {
		h.mux.Handle("GET "+b.pattern, httpedge.Badge, b.f)
	}

	get("/pacticipants/{pacticipant}", h.pacticipant)
	get("/pacticipants/{pacticipant}/network", h.pacticipant)
	get("/matrix", h.matrix)
	get("/matrix/provider/{provider}/consumer/{consumer}", h.matrix)
	get("/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}", h.matrix)
	get("/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}", h.matrix)
	get("/environments", h.environments)
	get("/field-usage/provider/{provider}", h.fieldUsage)
	get("/field-usage/provider/{provider}/consumer/{consumer}", h.consumerFields)
	h.opsRoutes(get)
	// The Ruby UI's error test: a page that fails on purpose, to see the
	// error page and the logged reference end to end.
	get("/test/error", func(http.ResponseWriter, *http.Request) error {
		return errors.New("Don't panic. This is a test UI error.") //nolint:staticcheck // the Ruby broker's words
	})
	get("/provider-contracts/provider/{provider}/latest", h.providerContract)
	get("/provider-contracts/provider/{provider}/version/{version}", h.providerContract)
	get("/provider-contracts/provider/{provider}/version/{version}/cross-contract-verification-results", h.providerContract)
}

// Routes lists the pages' and badges' routes with the access each needs,
// for tests that must cover every route (the official route table).
func (h *Handler) Routes() []httpedge.Route { return h.mux.Routes() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	h.mux.ServeHTTP(w, r)
}

func parseTemplates(funcs template.FuncMap) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/ops.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"index", "pact", "pacticipant", "matrix", "environments", "error", "fieldusage", "consumerfields", "diff", "providercontract"} {
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

// errorPage renders the edge's error as a page: a domain error's message,
// or a reference to the log for anything else.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, p httpedge.Problem) {
	ep := errorPage{Status: p.Status, Heading: "Cannot show this", Message: p.Message, Ref: p.Ref}
	switch p.Status {
	case http.StatusNotFound:
		ep.Heading = "Not found"
	case http.StatusUnauthorized:
		ep.Heading, ep.Message = "Sign in", "Sign in with the broker's username and password to see this page."
	case http.StatusServiceUnavailable:
		ep.Heading, ep.Message = "Try again shortly", "The broker cannot reach its database just now; reload in a few seconds."
	case http.StatusInternalServerError:
		ep.Heading = "Something went wrong"
		ep.Message = "The page could not be built. The details are logged with the reference " + p.Ref + "."
	}
	if err := h.render(w, ep.Status, "error", ep.Heading, "", ep); err != nil {
		h.log.Error("ui error page failed", "err", err)
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
		"pacticipantURL":    h.pacticipantURL,
		"pactURL":           h.pactURL,
		"latestPactURL":     h.latestPactURL,
		"matrixURL":         h.matrixURL,
		"fieldUsageURL":     h.fieldUsageURL,
		"consumerFieldsURL": h.consumerFieldsURL,
		"badgeURL": func(consumer, provider string) string {
			return h.latestPactURL(consumer, provider) + "/badge"
		},
		"ago":          h.ago,
		"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"short":        shortVersion,
		"join":         strings.Join,
		"status":       verificationStatus,
		"add":          func(a, b int) int { return a + b },
		"rowStatus":    matrixRowStatus,
		"eqfold":       strings.EqualFold,
		"deleteAction": h.deleteAction,
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
