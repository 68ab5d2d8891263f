package openapi

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// route is one path of the document, compiled for matching.
type route struct {
	path     string
	segments []segment
	item     *openapi3.PathItem
}

// segment is one /-separated part of a path template: a literal, or a
// pattern with named parameters ("{id}", "{name}.json").
type segment struct {
	literal string
	pattern *regexp.Regexp
	names   []string
}

func compileTemplate(path string) ([]segment, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("it does not start with /")
	}
	parts := strings.Split(path[1:], "/")
	segs := make([]segment, len(parts))
	for i, p := range parts {
		if !strings.Contains(p, "{") {
			segs[i] = segment{literal: p}
			continue
		}
		var re strings.Builder
		var names []string
		re.WriteString("^")
		rest := p
		for rest != "" {
			open := strings.IndexByte(rest, '{')
			if open < 0 {
				re.WriteString(regexp.QuoteMeta(rest))
				break
			}
			re.WriteString(regexp.QuoteMeta(rest[:open]))
			end := strings.IndexByte(rest[open:], '}')
			if end < 0 {
				return nil, fmt.Errorf("the segment %q has an unclosed {", p)
			}
			names = append(names, rest[open+1:open+end])
			re.WriteString("(.+?)")
			rest = rest[open+end+1:]
		}
		re.WriteString("$")
		pattern, err := regexp.Compile(re.String())
		if err != nil {
			return nil, err
		}
		segs[i] = segment{pattern: pattern, names: names}
	}
	return segs, nil
}

// match reports whether the request path (split, still escaped) fits the
// route, with the path parameters it binds and how many leading segments
// matched literally (concrete paths win over templated ones).
func (r route) match(parts []string) (params map[string]string, literal int, ok bool) {
	if len(parts) != len(r.segments) {
		return nil, 0, false
	}
	counting := true
	for i, s := range r.segments {
		if s.pattern == nil {
			if s.literal != parts[i] {
				return nil, 0, false
			}
			if counting {
				literal++
			}
			continue
		}
		counting = false
		m := s.pattern.FindStringSubmatch(parts[i])
		if m == nil {
			return nil, 0, false
		}
		if params == nil {
			params = map[string]string{}
		}
		for j, name := range s.names {
			v, err := url.PathUnescape(m[j+1])
			if err != nil {
				v = m[j+1]
			}
			params[name] = v
		}
	}
	return params, literal, true
}

// find returns the route of the document that a pact's request path calls,
// trying the path as written first and then without each server's base path.
func (d *Document) find(path string) (*route, map[string]string, error) {
	if r, p := d.findExact(path); r != nil {
		return r, p, nil
	}
	for _, base := range d.bases {
		if rest, ok := strings.CutPrefix(path, base); ok && (rest == "" || rest[0] == '/') {
			if rest == "" {
				rest = "/"
			}
			if r, p := d.findExact(rest); r != nil {
				return r, p, nil
			}
		}
	}
	return nil, nil, errNoRoute
}

func (d *Document) findExact(path string) (*route, map[string]string) {
	if q := strings.IndexByte(path, '?'); q >= 0 {
		path = path[:q]
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	parts := strings.Split(path[1:], "/")
	var (
		best       *route
		bestParams map[string]string
		bestLit    = -1
		bestVars   int
	)
	for i := range d.routes {
		r := &d.routes[i]
		params, lit, ok := r.match(parts)
		if !ok {
			continue
		}
		if lit > bestLit || (lit == bestLit && len(params) < bestVars) {
			best, bestParams, bestLit, bestVars = r, params, lit, len(params)
		}
	}
	return best, bestParams
}
