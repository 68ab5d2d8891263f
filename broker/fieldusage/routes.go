package fieldusage

import (
	"fmt"
	"slices"
	"strings"
)

// Route is one of a provider's path templates, written as net/http.ServeMux writes patterns:
// an optional method, then a path whose segments may be wildcards ("GET /users/{id}",
// "/files/{path...}", "/static/", "/{$}"). A host in the pattern is ignored.
type Route struct {
	// Method is empty when the route serves any method. GET also serves HEAD, as in ServeMux.
	Method string
	// Path is the template as written, without method or host.
	Path string
	segs []segment
	// prefix: the pattern ends in "/" without {$}, so it matches every path below it.
	prefix bool
}

type segment struct {
	lit      string
	wildcard bool // {name}
	rest     bool // {name...}
}

// ParseRoute reads a ServeMux pattern or a path template.
func ParseRoute(pattern string) (Route, error) {
	method, path, found := strings.Cut(strings.TrimSpace(pattern), " ")
	if !found {
		method, path = "", method
	}
	path = strings.TrimLeft(path, " \t")
	if i := strings.IndexByte(path, '/'); i > 0 {
		path = path[i:] // a host ("example.com/x") does not change which endpoint it is
	}
	if method != "" {
		m, err := ParseMethod(method)
		if err != nil {
			return Route{}, fmt.Errorf("route %q: %v", pattern, err)
		}
		method = m
	}
	r, err := parseRoute(path)
	if err != nil {
		return Route{}, fmt.Errorf("route %q: %v", pattern, err)
	}
	r.Method = method
	return r, nil
}

func parseRoute(path string) (Route, error) {
	if !strings.HasPrefix(path, "/") {
		return Route{}, fmt.Errorf("the path does not start with /")
	}
	r := Route{Path: path}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		last := i == len(parts)-1
		switch {
		case p == "{$}":
			if !last {
				return Route{}, fmt.Errorf("{$} is only allowed at the end")
			}
			r.segs = append(r.segs, segment{lit: ""})
			return r, nil
		case last && p == "":
			r.prefix = true
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			name := p[1 : len(p)-1]
			rest := strings.HasSuffix(name, "...")
			if rest && !last {
				return Route{}, fmt.Errorf("a {name...} wildcard is only allowed at the end")
			}
			if strings.TrimSuffix(name, "...") == "" {
				return Route{}, fmt.Errorf("a wildcard has no name")
			}
			r.segs = append(r.segs, segment{wildcard: !rest, rest: rest})
		case strings.ContainsAny(p, "{}"):
			return Route{}, fmt.Errorf("segment %q mixes a wildcard with text (a wildcard is a whole segment)", p)
		default:
			r.segs = append(r.segs, segment{lit: p})
		}
	}
	return r, nil
}

// String is the route as a person reads it: "GET /users/{id}", or the path when any method serves.
func (r Route) String() string {
	if r.Method == "" {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// Matches reports whether r serves method and the concrete path. An empty method matches any.
func (r Route) Matches(method, path string) bool {
	if r.Method != "" && method != "" && r.Method != method && !(r.Method == "GET" && method == "HEAD") {
		return false
	}
	if !strings.HasPrefix(path, "/") {
		return false
	}
	parts := strings.Split(path[1:], "/")
	for i, s := range r.segs {
		if s.rest {
			return true
		}
		if i >= len(parts) {
			return false
		}
		if !s.wildcard && s.lit != parts[i] {
			return false
		}
		if s.wildcard && parts[i] == "" {
			return false
		}
	}
	if r.prefix {
		return len(parts) > len(r.segs)
	}
	return len(parts) == len(r.segs)
}

// SameShape reports whether r and o serve the same paths: the same literal segments, wildcards
// in the same places, whatever the wildcards are called ("/users/{id}" and "/users/{userID}").
// Methods are not compared.
func (r Route) SameShape(o Route) bool {
	return r.prefix == o.prefix && slices.Equal(r.segs, o.segs)
}

// specificity orders routes as ServeMux prefers them, closely enough for grouping: more literal
// segments first, then exact paths over prefixes and {name...}, then a route with a method.
func (r Route) specificity() (int, int, int) {
	lits, open, method := 0, 0, 0
	for _, s := range r.segs {
		if !s.wildcard && !s.rest {
			lits++
		}
		if s.rest {
			open = -1
		}
	}
	if r.prefix {
		open = -1
	}
	if r.Method != "" {
		method = 1
	}
	return lits, open, method
}

// Routes is the set of a provider's known routes, used to group concrete paths under templates.
type Routes []Route

// ParseRoutes reads patterns with ParseRoute, refusing the first bad one.
func ParseRoutes(patterns []string) (Routes, error) {
	rs := make(Routes, 0, len(patterns))
	for _, p := range patterns {
		r, err := ParseRoute(p)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// Match returns the most specific route serving method and path.
func (rs Routes) Match(method, path string) (Route, bool) {
	var best Route
	found := false
	for _, r := range rs {
		if !r.Matches(method, path) {
			continue
		}
		if !found || moreSpecific(r, best) {
			best, found = r, true
		}
	}
	return best, found
}

func moreSpecific(a, b Route) bool {
	al, ao, am := a.specificity()
	bl, bo, bm := b.specificity()
	if al != bl {
		return al > bl
	}
	if ao != bo {
		return ao > bo
	}
	return am > bm
}

// Group returns the path an interaction is listed under: the template of the route serving it
// when one is known, else the concrete path.
func (rs Routes) Group(method, path string) string {
	// A catch-all "/" says nothing about the endpoint, so it does not group.
	if r, ok := rs.Match(method, path); ok && !(r.prefix && len(r.segs) == 0) {
		return r.Path
	}
	return path
}

// isTemplate reports whether p has a wildcard, so it names many concrete paths.
func isTemplate(p string) bool { return strings.ContainsAny(p, "{}") }
