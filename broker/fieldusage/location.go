package fieldusage

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ExpectedLocation is the form a location takes, quoted in errors so a person can correct one.
const ExpectedLocation = "response.body.$.<field>, response.headers.<Name>, request.query.<name>, " +
	"request.headers.<Name>, request.body.$.<field>, message.body.$.<field> or message.metadata.<key> " +
	"(a field in an array as $.items[*].sku, a key that is not a plain name as $['a b'])"

// Location is one place in an interaction that a consumer relies on: a request part it sends, a
// response field it reads, or a field of a message it receives.
type Location struct {
	// Part is "request", "response" or "message".
	Part string
	// Section is "body", "headers", "query" (requests only) or "metadata" (messages).
	Section string
	// Name is the header, query parameter or metadata key; empty for a body.
	Name string
	// Path is the body's JSON path in canonical form ("$", "$.items[*].sku"); empty outside a body.
	Path string
}

// String writes l in the form the API uses: "response.body.$.name", "request.headers.Accept".
func (l Location) String() string {
	if l.Section == "body" {
		return l.Part + ".body." + l.Path
	}
	return l.Part + "." + l.Section + "." + l.Name
}

// Covers reports whether removing l would remove used: the same header, parameter or key, or, in
// a body, the same field or one inside it ($.address covers $.address.city and $.items covers
// $.items[*].sku).
func (l Location) Covers(used Location) bool {
	if l.Part != used.Part || l.Section != used.Section {
		return false
	}
	if l.Section != "body" {
		return l.Name == used.Name
	}
	if !strings.HasPrefix(used.Path, l.Path) {
		return false
	}
	rest := used.Path[len(l.Path):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// sections lists, per part, the sections a location may name.
var sections = map[string][]string{
	"request":  {"body", "headers", "query", "metadata"},
	"response": {"body", "headers", "metadata"},
	"message":  {"body", "metadata"},
}

// ParseLocation reads a location as the API and the CLI accept it and returns it in canonical
// form: header names in their canonical case, array indexes as [*], bracketed plain keys as dotted
// names. The error says what was expected.
func ParseLocation(s string) (Location, error) {
	bad := func(why string) (Location, error) {
		return Location{}, fmt.Errorf("location %q %s; expected %s", s, why, ExpectedLocation)
	}
	if s == "" {
		return bad("is empty")
	}
	if !utf8.ValidString(s) {
		return bad("is not UTF-8")
	}
	part, rest, ok := strings.Cut(s, ".")
	allowed, known := sections[part]
	if !ok || !known {
		return bad(`does not start with "request.", "response." or "message."`)
	}
	section, rest, ok := strings.Cut(rest, ".")
	if section == "body" && !ok && rest == "" {
		return bad("names no field (the whole body is " + part + ".body.$)")
	}
	found := false
	for _, a := range allowed {
		found = found || a == section
	}
	if !found {
		return bad(fmt.Sprintf("has no section %q in a %s (one of %s)", section, part, strings.Join(allowed, ", ")))
	}
	l := Location{Part: part, Section: section}
	if section == "body" {
		p, err := CanonicalPath(rest)
		if err != nil {
			return bad(err.Error())
		}
		l.Path = p
		return l, nil
	}
	if rest == "" || strings.ContainsAny(rest, "\x00\r\n") {
		return bad("names no " + strings.TrimSuffix(section, "s"))
	}
	l.Name = rest
	if section == "headers" {
		l.Name = http.CanonicalHeaderKey(rest)
	}
	return l, nil
}

// CanonicalPath rewrites a JSON path as pact matching rules and locations write it ("$.a[0]",
// "$['a']", "$.a.*") in one form: plain keys dotted, other keys bracketed and quoted, array indexes
// as [*] (a field in an array counts once), any key as .*.
func CanonicalPath(p string) (string, error) {
	steps, err := parsePath(p)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("$")
	for _, s := range steps {
		b.WriteString(s)
	}
	return b.String(), nil
}

// parsePath splits a JSON path into canonical steps (".name", "['a b']", "[*]", ".*").
func parsePath(p string) ([]string, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("has a body path that does not start with $")
	}
	var steps []string
	i := 1
	for i < len(p) {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			name := p[i+1 : j]
			switch {
			case name == "":
				return nil, fmt.Errorf("has an empty field name at offset %d", i)
			case name == "*":
				steps = append(steps, ".*")
			default:
				steps = append(steps, keyStep(name))
			}
			i = j
		case '[':
			if i+1 < len(p) && (p[i+1] == '\'' || p[i+1] == '"') {
				key, n, err := quotedKey(p[i+1:])
				if err != nil {
					return nil, err
				}
				if i+1+n >= len(p) || p[i+1+n] != ']' {
					return nil, fmt.Errorf("has a quoted key not followed by ] at offset %d", i)
				}
				steps = append(steps, keyStep(key))
				i += 1 + n + 1
				continue
			}
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("has a [ without ] at offset %d", i)
			}
			inner := p[i+1 : i+end]
			switch {
			case inner == "*":
				steps = append(steps, "[*]")
			case isIndex(inner):
				steps = append(steps, "[*]")
			default:
				return nil, fmt.Errorf("has [%s] where an index, [*] or a quoted key was expected", inner)
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("has %q at offset %d where . or [ was expected", p[i], i)
		}
	}
	return steps, nil
}

func isIndex(s string) bool {
	_, err := strconv.ParseUint(s, 10, 31)
	return err == nil
}

// quotedKey reads a quoted key at the start of s ('a b' or "a b", with \ escaping the quote and
// itself) and returns it with the number of bytes read.
func quotedKey(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("has a key ending in \\")
			}
			i++
			b.WriteByte(s[i])
		case q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("has a key without its closing quote")
}

// keyStep writes a key as a path step: dotted when it is a plain name, else bracketed and quoted.
func keyStep(k string) string {
	if plainKey(k) {
		return "." + k
	}
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "['" + r.Replace(k) + "']"
}

// plainKey: letters, digits, _ and - (JSON keys such as "order-id" read best dotted), not "*".
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// ParseMethod checks an HTTP method and returns it upper-cased.
func ParseMethod(m string) (string, error) {
	if m == "" {
		return "", fmt.Errorf("method is missing; expected an HTTP method such as GET, POST, PUT, PATCH or DELETE")
	}
	for _, r := range m {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", fmt.Errorf("method %q is not an HTTP method; expected one such as GET, POST, PUT, PATCH or DELETE", m)
		}
	}
	return strings.ToUpper(m), nil
}

// ParsePath checks a request path: a concrete path ("/users/42") or a template ("/users/{id}").
func ParsePath(p string) (string, error) {
	const form = `expected a path starting with / such as /users/42, or a template such as /users/{id}`
	switch {
	case p == "":
		return "", fmt.Errorf("path is missing; %s", form)
	case !strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q does not start with /; %s", p, form)
	case !utf8.ValidString(p) || strings.ContainsAny(p, "\x00\r\n ?#"):
		return "", fmt.Errorf("path %q has a space, control character, ? or #; %s (without the query string)", p, form)
	}
	if _, err := parseRoute(p); err != nil {
		return "", fmt.Errorf("path %q: %v; %s", p, err, form)
	}
	return p, nil
}
