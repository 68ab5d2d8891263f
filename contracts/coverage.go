package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accord-cdc/accord/broker/fieldusage"
	routepkg "github.com/accord-cdc/accord/contracts/route"
)

// Route coverage: which of the provider's routes the consumer contracts exercise.
//
// VerifyProvider learns the route that served each verified request from the router itself:
//
//   - net/http.ServeMux (Go 1.23+) sets Request.Pattern on the request it is given, so a provider
//     whose Handler is the mux, or a middleware that passes the request on unchanged, needs
//     nothing more;
//   - any other router, or a middleware that replaces the request (r.WithContext) before the mux,
//     reports it with RecordRoute from a middleware, in the router's own syntax. Tested with
//     go-chi/chi (chi.RouteContext(r.Context()).RoutePattern(), after next.ServeHTTP), gorilla/mux
//     (mux.CurrentRoute(r).GetPathTemplate()) and julienschmidt/httprouter (which does not expose
//     the match: a wrapper per handle reports the path it was registered under); labstack/echo
//     (c.Path()) and gin-gonic/gin (c.FullPath()) write routes the same way. docs/adopting.md has
//     the middleware for each;
//   - when the router says nothing, the request is matched against Provider.Routes.
//
// The routes to cover come from Provider.Routes (a list, or OpenAPI.Routes), or, unset, from a
// Handler that lists its patterns: a route.Mux, since a ServeMux cannot list them.

// publishCoverage sends the route coverage to the broker with the verification results, as
// PUT /pacticipants/{provider}/versions/{version}/route-coverage, which the broker shows with
// the provider version. The verifier builds the results' JSON itself, so the coverage travels
// beside it. A broker without the resource (the Ruby Pact Broker) only costs a log line.
func (v *verification) publishCoverage(plan *sourcePlan) {
	if plan.broker == "" || plan.publish == nil || len(v.p.Routes) == 0 && v.routes.empty() {
		return
	}
	u := plan.broker + "/pacticipants/" + url.PathEscape(v.p.Name) + "/versions/" + url.PathEscape(plan.publish.Version) + "/route-coverage"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var answer json.RawMessage
	if err := brokerJSON(ctx, http.MethodPut, u, plan.auth, v.routes.coverage(), &answer); err != nil {
		v.t.Logf("contracts: the route coverage was not published (%v); the verification results were", err)
		return
	}
	v.t.Logf("contracts: published the route coverage of %s %s", v.p.Name, plan.publish.Version)
}

// RecordRoute tells VerifyProvider which route served r, for routers that do not set
// r.Pattern. route is "METHOD /path/{param}" or, as most routers report it, the path template
// alone, in ServeMux's syntax or the router's: ":id" and "{id:[0-9]+}" are read as {id}, a final
// "*path" or "*" as {path...}. The route is named as Provider.Routes lists it for r's method,
// whatever its wildcards are called. Outside a verification it does nothing. Production code
// calls route.Record (package contracts/route), the same without the Pact FFI this package links.
func RecordRoute(r *http.Request, route string) { routepkg.Record(r, route) }

// RouteCoverage is how many of a provider's routes the verified consumer contracts exercised.
type RouteCoverage struct {
	// Routes are the provider's routes, as "METHOD /path" (or a path, for any method), sorted.
	Routes []string `json:"routes"`
	// Covered are the routes that served at least one verified interaction.
	Covered []string `json:"covered"`
	// NotCovered are the routes no consumer contract exercises.
	NotCovered []string `json:"notCovered"`
	// Unlisted are routes that served interactions but are not in Routes.
	Unlisted []string `json:"unlisted,omitempty"`
	// Unrouted are requests no route served ("GET /nowhere").
	Unrouted []string `json:"unrouted,omitempty"`
}

// String is the line VerifyProvider prints:
// "routes covered by consumer contracts: 4/6; not covered: DELETE /users/{id}, GET /healthz".
func (c RouteCoverage) String() string {
	if len(c.Routes) == 0 {
		s := "routes served by consumer contracts: "
		if len(c.Unlisted) == 0 {
			s += "none"
		} else {
			s += strings.Join(c.Unlisted, ", ")
		}
		return s + " (list the provider's routes in Provider.Routes to see which are not covered)"
	}
	s := fmt.Sprintf("routes covered by consumer contracts: %d/%d", len(c.Covered), len(c.Routes))
	if len(c.NotCovered) > 0 {
		s += "; not covered: " + strings.Join(c.NotCovered, ", ")
	}
	if len(c.Unlisted) > 0 {
		s += "; served but not in Provider.Routes: " + strings.Join(c.Unlisted, ", ")
	}
	return s
}

// routeRecorder watches the requests of one verification.
type routeRecorder struct {
	routes fieldusage.Routes
	mu     sync.Mutex
	served map[string]bool // route strings as fieldusage.Route.String writes them
	missed map[string]bool
}

// newRouteRecorder reads Provider.Routes; a bad pattern is an error naming it.
func newRouteRecorder(patterns []string) (*routeRecorder, error) {
	rs, err := fieldusage.ParseRoutes(patterns)
	if err != nil {
		return nil, fmt.Errorf("Provider.Routes: %w (write routes as ServeMux patterns, like \"GET /users/{id}\")", err)
	}
	return &routeRecorder{routes: rs, served: map[string]bool{}, missed: map[string]bool{}}, nil
}

// serve hands r to h and records the route that served it.
func (rr *routeRecorder) serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	r, reported := routepkg.Watch(r)
	h.ServeHTTP(w, r)
	rr.record(r.Method, r.URL.Path, r.Pattern, reported())
}

func (rr *routeRecorder) record(method, path, pattern, reported string) {
	route := pattern
	switch {
	case route != "":
		if parsed, err := fieldusage.ParseRoute(route); err == nil {
			route = rr.listed(parsed, "")
		}
	case reported != "":
		route = routerPattern(reported)
		if parsed, err := fieldusage.ParseRoute(route); err == nil {
			route = rr.listed(parsed, method)
		}
	default:
		if m, ok := rr.routes.Match(method, path); ok {
			route = m.String()
		}
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if route == "" {
		rr.missed[method+" "+path] = true
		return
	}
	rr.served[route] = true
}

// listed returns the route of Provider.Routes that r is: the same method and the same shape,
// whatever its wildcards are called (chi's "/users/{userID}" is the listed "GET /users/{id}").
// A route reported without a method (chi, gorilla/mux, echo, gin and httprouter report the
// path alone) served method: it is the listed route for that method, or for any method, and
// when none is listed it is written with method. Else r is returned as it is written.
func (rr *routeRecorder) listed(r fieldusage.Route, method string) string {
	for _, l := range rr.routes {
		if !l.SameShape(r) {
			continue
		}
		if l.Method == r.Method || r.Method == "" && method != "" && (l.Method == method || l.Method == "" || l.Method == "GET" && method == "HEAD") {
			return l.String()
		}
	}
	if r.Method == "" && method != "" {
		return method + " " + r.Path
	}
	return r.String()
}

// routerPattern rewrites a matched route as routers other than ServeMux write it in ServeMux's
// syntax: ":id" (echo, gin, httprouter) as {id}; "{id:[0-9]+}" (gorilla/mux, chi) as {id}; a
// catch-all "*path" (gin, httprouter) or "*" (chi, echo) at the end as {path...} ({rest...}).
// A ServeMux pattern passes unchanged.
func routerPattern(route string) string {
	method, path, found := strings.Cut(strings.TrimSpace(route), " ")
	if !found {
		method, path = "", method
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case strings.HasPrefix(seg, ":") && len(seg) > 1:
			segs[i] = "{" + seg[1:] + "}"
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && strings.Contains(seg, ":"):
			name, _, _ := strings.Cut(seg[1:len(seg)-1], ":")
			segs[i] = "{" + name + "}"
		case last && seg == "*":
			segs[i] = "{rest...}"
		case last && strings.HasPrefix(seg, "*"):
			segs[i] = "{" + seg[1:] + "...}"
		}
	}
	path = strings.Join(segs, "/")
	if method == "" {
		return path
	}
	return method + " " + path
}

// empty reports whether nothing was served.
func (rr *routeRecorder) empty() bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return len(rr.served) == 0 && len(rr.missed) == 0
}

// summary is the coverage line for the test output; ok is false when there is nothing to say
// (a provider of messages only, with no routes listed).
func (rr *routeRecorder) summary() (line string, ok bool) {
	c := rr.coverage()
	if len(c.Routes) == 0 && len(c.Unlisted) == 0 && len(c.Unrouted) == 0 {
		return "", false
	}
	return c.String(), true
}

// coverage sums up what was recorded.
func (rr *routeRecorder) coverage() RouteCoverage {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	c := RouteCoverage{Routes: []string{}, Covered: []string{}, NotCovered: []string{}}
	listed := map[string]bool{}
	for _, r := range rr.routes {
		s := r.String()
		if listed[s] {
			continue
		}
		listed[s] = true
		c.Routes = append(c.Routes, s)
		if rr.served[s] {
			c.Covered = append(c.Covered, s)
		} else {
			c.NotCovered = append(c.NotCovered, s)
		}
	}
	for s := range rr.served {
		if !listed[s] {
			c.Unlisted = append(c.Unlisted, s)
		}
	}
	for s := range rr.missed {
		c.Unrouted = append(c.Unrouted, s)
	}
	for _, l := range [][]string{c.Routes, c.Covered, c.NotCovered, c.Unlisted, c.Unrouted} {
		slices.SortFunc(l, compareRoutes)
	}
	return c
}

// compareRoutes sorts by path, then method, as people scan an API.
func compareRoutes(a, b string) int { return strings.Compare(routeSortKey(a), routeSortKey(b)) }

func routeSortKey(s string) string {
	if m, p, ok := strings.Cut(s, " "); ok && !strings.HasPrefix(s, "/") {
		return p + " " + m
	}
	return s
}
