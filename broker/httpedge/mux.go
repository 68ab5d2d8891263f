package httpedge

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/metrics"
)

// HandlerFunc serves one route; an error it returns is rendered by the
// edge's error table.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Config configures a Mux.
type Config struct {
	Auth Auth
	// PublicBadges makes Badge routes public.
	PublicBadges bool
	Log          *slog.Logger
	// Pages renders errors as HTML; when nil they are HAL JSON.
	Pages Pages
	// Index returns the index URL for a request, which the 404 for a path
	// without a route points to.
	Index func(r *http.Request) string
}

// Mux routes requests with net/http.ServeMux patterns. Patterns are
// matched against the escaped path segment by segment, so a name sent
// with "/" encoded (%2F) stays one segment; leading and trailing slashes
// are ignored, and "." and ".." are names, never cleaned away (the Ruby
// broker does the same).
type Mux struct {
	cfg   Config
	log   *slog.Logger
	tiers [2]tier // Handle's routes, then HandleShadowed's
	// slashed are tried, in order, when no Handle route matches.
	slashed []slashRule
	list    []Route
}

// Route is one registered method and pattern with its access.
type Route struct {
	Method, Pattern string
	Access          Access
}

type tier struct {
	mux    *http.ServeMux
	routes map[string]*route // by path pattern
}

type route struct {
	segs    []string // the pattern's segments
	methods map[string]endpoint
}

type endpoint struct {
	pattern string // as registered, "METHOD /path"
	access  Access
	h       HandlerFunc
}

// slashRule is a pattern with one {name...} wildcard, not necessarily
// last: its segments before and after the wildcard.
type slashRule struct{ head, tail []string }

// New returns an empty Mux.
func New(cfg Config) *Mux {
	m := &Mux{cfg: cfg, log: cfg.Log}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	for i := range m.tiers {
		m.tiers[i] = tier{mux: http.NewServeMux(), routes: map[string]*route{}}
	}
	return m
}

// Handle registers h for pattern, "METHOD /path/{wildcard}" in ServeMux
// syntax, needing access. HEAD is served by the GET handler.
func (m *Mux) Handle(pattern string, access Access, h HandlerFunc) {
	m.handle(&m.tiers[0], pattern, access, h)
}

// HandleShadowed registers a route that serves only paths no Handle route
// matches. ServeMux refuses two patterns that overlap when neither is
// more specific ("/webhooks/provider/{provider}" and
// "/webhooks/{uuid}/execute"); the Ruby broker matches in order, so the
// route it lists first wins, and the later one is registered here.
func (m *Mux) HandleShadowed(pattern string, access Access, h HandlerFunc) {
	m.handle(&m.tiers[1], pattern, access, h)
}

// HandleSlashed makes paths of pattern's shape, whose {name...} wildcard
// spans several segments, match as if the "/" in the name were encoded:
// for clients that build paths without encoding names (the pact CLI does
// for branches and tags). The pattern with {name} in place of {name...}
// must be registered with Handle. ServeMux allows {name...} only last,
// and never before other segments.
func (m *Mux) HandleSlashed(pattern string) {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, s := range segs {
		if name, ok := strings.CutSuffix(s, "...}"); ok {
			target := slices.Clone(segs)
			target[i] = name + "}"
			if m.tiers[0].routes["/"+strings.Join(target, "/")] == nil {
				panic("httpedge: HandleSlashed(" + pattern + ") before Handle of its one-segment form")
			}
			m.slashed = append(m.slashed, slashRule{head: segs[:i], tail: segs[i+1:]})
			return
		}
	}
	panic("httpedge: HandleSlashed(" + pattern + ") without a {name...} wildcard")
}

func (m *Mux) handle(t *tier, pattern string, access Access, h HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || access == 0 {
		panic("httpedge: route " + pattern + " needs a method, a path and an access")
	}
	rt := t.routes[path]
	if rt == nil {
		rt = &route{segs: strings.Split(strings.Trim(path, "/"), "/"), methods: map[string]endpoint{}}
		t.routes[path] = rt
		t.mux.Handle(path, http.NotFoundHandler()) // for matching only; panics on a conflict
	}
	if _, dup := rt.methods[method]; dup {
		panic("httpedge: route " + pattern + " registered twice")
	}
	rt.methods[method] = endpoint{pattern: pattern, access: access, h: h}
	m.list = append(m.list, Route{Method: method, Pattern: path, Access: access})
}

// Routes lists the registered routes in registration order.
func (m *Mux) Routes() []Route { return slices.Clone(m.list) }

// Access returns what the route for r's method and path needs, and false
// when there is none.
func (m *Mux) Access(r *http.Request) (Access, bool) {
	rt, _, _, _ := m.match(r)
	if rt == nil {
		return 0, false
	}
	ep, ok := rt.methods[method(r)]
	return ep.access, ok
}

func method(r *http.Request) string {
	if r.Method == http.MethodHead {
		return http.MethodGet
	}
	return r.Method
}

// ServeHTTP implements http.Handler.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A bug must not drop the connection (clients retry that as a network
	// failure, the CLI 8 times): answer 500 with a reference and log the
	// stack under it.
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			m.fail(w, r, fmt.Errorf("panic: %v\n%s", rec, debug.Stack()))
		}
	}()
	rt, values, segs, err := m.match(r)
	ep, found := endpoint{}, false
	if rt != nil {
		ep, found = rt.methods[method(r)]
	}
	if found {
		// The access log and the request metrics are labelled by the
		// pattern, never the path: one series per route, however many
		// names clients send.
		metrics.SetRoute(r.Context(), ep.pattern)
	}
	public := found && (ep.access == Public || ep.access == Badge && m.cfg.PublicBadges)
	auth := m.cfg.Auth
	id := auth.identify(r)
	metrics.SetUser(r.Context(), auth.user(r, id))
	if !public {
		// Before anything else: an anonymous client learns nothing, not
		// even whether a route exists.
		if err := auth.authenticate(id); err != nil {
			m.fail(w, r, err)
			return
		}
	}
	if err == nil {
		err = checkRequestText(r, segs)
	}
	switch {
	case err != nil:
	case rt == nil:
		index := ""
		if m.cfg.Index != nil {
			index = m.cfg.Index(r)
		}
		err = noRoute{path: r.URL.Path, index: index}
	case r.Method == http.MethodOptions:
		allow := []string{http.MethodOptions}
		for m := range rt.methods {
			allow = append(allow, m)
		}
		slices.Sort(allow[1:])
		w.Header().Set("Allow", strings.Join(allow, ", "))
		w.WriteHeader(http.StatusOK)
		return
	case !found:
		err = noMethod{method: r.Method, path: r.URL.Path}
	case !public:
		err = auth.authorize(r, id, ep.access)
	}
	if err == nil && isFormBody(r) {
		err = formBody{contentType: r.Header.Get("Content-Type")}
	}
	if err == nil {
		r = r.WithContext(context.WithValue(r.Context(), mayWriteKey{}, !auth.Enabled() || id == writer))
		r.Pattern = ep.pattern
		for i := 0; i+1 < len(values); i += 2 {
			r.SetPathValue(values[i], values[i+1])
		}
		err = ep.h(w, r)
	}
	if err != nil {
		m.fail(w, r, err)
	}
}

// match finds r's route and its wildcard values (name, value pairs), and
// returns the path's decoded segments for the text check.
func (m *Mux) match(r *http.Request) (rt *route, values, segs []string, err error) {
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	segs = make([]string, len(raw))
	for i, s := range raw {
		if segs[i], err = url.PathUnescape(s); err != nil {
			return nil, nil, nil, broker.Errorf(broker.Invalid, "the request path is not valid URL encoding: %v", err)
		}
		switch {
		case s == "" && len(raw) > 1:
			return nil, nil, segs, nil // an empty name matches no route
		case s == ".":
			raw[i] = "%2E" // a name, not the current directory
		case s == "..":
			raw[i] = "%2E%2E"
		}
	}
	if rt, values = m.tiers[0].lookup(raw, segs); rt != nil {
		return rt, values, segs, nil
	}
	for _, rule := range m.slashed {
		if rawJoined, joined, ok := rule.join(raw, segs); ok {
			if rt, values = m.tiers[0].lookup(rawJoined, joined); rt != nil {
				return rt, values, segs, nil
			}
		}
	}
	rt, values = m.tiers[1].lookup(raw, segs)
	return rt, values, segs, nil
}

// join re-encodes the "/" between the segments the rule's wildcard spans.
func (s slashRule) join(raw, segs []string) ([]string, []string, bool) {
	end := len(raw) - len(s.tail)
	if end-len(s.head) < 2 || !fits(s.head, segs) || !fits(s.tail, segs[end:]) {
		return nil, nil, false
	}
	rawJoined := append(slices.Clone(raw[:len(s.head)]), strings.Join(raw[len(s.head):end], "%2F"))
	joined := append(slices.Clone(segs[:len(s.head)]), strings.Join(segs[len(s.head):end], "/"))
	return append(rawJoined, raw[end:]...), append(joined, segs[end:]...), true
}

// fits reports whether the pattern segments match the path's start.
func fits(pattern, segs []string) bool {
	for i, p := range pattern {
		if !strings.HasPrefix(p, "{") && p != segs[i] {
			return false
		}
	}
	return true
}

func (t *tier) lookup(raw, segs []string) (*route, []string) {
	escaped := "/" + strings.Join(raw, "/")
	path, _ := url.PathUnescape(escaped)
	_, pattern := t.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path, RawPath: escaped}})
	rt := t.routes[pattern]
	if rt == nil {
		return nil, nil
	}
	var values []string
	for i, p := range rt.segs {
		name, ok := strings.CutPrefix(p, "{")
		switch {
		case !ok || p == "{$}":
			continue
		case strings.HasSuffix(p, "...}"):
			if i > len(segs) {
				return nil, nil
			}
			return rt, append(values, strings.TrimSuffix(name, "...}"), strings.Join(segs[i:], "/"))
		case i >= len(segs):
			return nil, nil // a redirect's pattern, not a match
		}
		values = append(values, strings.TrimSuffix(name, "}"), segs[i])
	}
	if len(rt.segs) != len(segs) {
		return nil, nil
	}
	return rt, values
}

// isFormBody reports whether a write carries one of the content types an
// HTML form (or a script without a CORS preflight) can send from any web
// site. The broker reads only JSON, as the Ruby broker does (415 for
// anything else); accepting these would let another site's page make a
// signed-in browser write to the broker with its remembered Basic auth
// (create a webhook, say), because a text/plain form body can be JSON.
func isFormBody(r *http.Request) bool {
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
