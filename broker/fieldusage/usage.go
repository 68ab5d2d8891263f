package fieldusage

import (
	"encoding/binary"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ConsumerVersion is one consumer version's pact with the provider, with the facts that decide
// whether it counts: the branches it is the latest version of and the environments it is in.
type ConsumerVersion struct {
	Consumer string
	Version  string
	// MainBranch is the consumer's main branch ("" when it has none).
	MainBranch string
	// LatestOf lists the branches this version is the latest version of.
	LatestOf []string
	// Environments lists where it is deployed, or released and still supported.
	Environments []string
	// Index is what its pact with the provider relies on.
	Index Index
}

// Filter selects consumer versions. Zero: the latest version on each consumer's main branch and
// every version deployed or released. At most one field is set.
type Filter struct {
	Environment string
	Branch      string
}

// selects returns why cv counts under f (the branches and environments that select it), or
// ok false.
func (f Filter) selects(cv ConsumerVersion) (branches, envs []string, ok bool) {
	switch {
	case f.Environment != "":
		if slices.Contains(cv.Environments, f.Environment) {
			return nil, []string{f.Environment}, true
		}
		return nil, nil, false
	case f.Branch != "":
		if slices.Contains(cv.LatestOf, f.Branch) {
			return []string{f.Branch}, nil, true
		}
		return nil, nil, false
	}
	if cv.MainBranch != "" && slices.Contains(cv.LatestOf, cv.MainBranch) {
		branches = []string{cv.MainBranch}
	}
	return branches, cv.Environments, len(branches) > 0 || len(cv.Environments) > 0
}

// describe says in words which versions f selects.
func (f Filter) describe() string {
	switch {
	case f.Environment != "":
		return fmt.Sprintf("the consumer versions deployed or released in %s", f.Environment)
	case f.Branch != "":
		return fmt.Sprintf("the latest consumer versions on branch %s", f.Branch)
	}
	return "the latest version on each consumer's main branch and every version deployed or released"
}

// ConsumerUse says which versions of one consumer use something, and why those versions count.
type ConsumerUse struct {
	Name         string   `json:"name"`
	Versions     []string `json:"versions"`
	Environments []string `json:"environments"`
	Branches     []string `json:"branches"`
}

// Field is one location of an endpoint and who uses it.
type Field struct {
	Location  string        `json:"location"`
	Consumers []ConsumerUse `json:"consumers"`
}

// Endpoint is an HTTP endpoint (Method and Path, a template when one is known) or a message (by
// its description), with the consumers that use it at all and the fields each relies on.
type Endpoint struct {
	Method    string        `json:"method,omitempty"`
	Path      string        `json:"path,omitempty"`
	Message   string        `json:"message,omitempty"`
	Consumers []ConsumerUse `json:"consumers"`
	Fields    []Field       `json:"fields"`
}

// Name is the endpoint as a person writes it: "GET /users/{id}" or the message's description.
func (e Endpoint) Name() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Method + " " + e.Path
}

// Operation is an operation a provider contract declares, with the response fields it declares
// (locations like response.body.$.name).
type Operation struct {
	Method, Path string
	Fields       []string
}

// Unused is a declared operation that no selected consumer calls (Whole), or the declared fields
// of one that none of them uses: what the provider may change without breaking anyone selected.
type Unused struct {
	Method string   `json:"method"`
	Path   string   `json:"path"`
	Whole  bool     `json:"unusedOperation"`
	Fields []string `json:"fields"`
}

// Report is the field usage of one provider.
type Report struct {
	Provider  string     `json:"provider"`
	Endpoints []Endpoint `json:"endpoints"`
	// Unused is set when the provider has a contract (Options.Declared).
	Unused []Unused `json:"unused,omitempty"`
	// Notices name the pacts that could not be read completely.
	Notices []string `json:"notices,omitempty"`
}

// Options complete a usage question.
type Options struct {
	Filter Filter
	// Routes are the provider's known path templates; concrete paths are grouped under them.
	Routes Routes
	// Declared are the operations of the provider's contract, if it has one; their paths group
	// too, and Report.Unused lists what of them nobody uses.
	Declared []Operation
}

// routes adds the declared operations to the known routes.
func (o Options) routes() Routes {
	rs := slices.Clip(o.Routes)
	for _, op := range o.Declared {
		if r, err := ParseRoute(op.Method + " " + op.Path); err == nil {
			rs = append(rs, r)
		}
	}
	return rs
}

// Usage lists, endpoint by endpoint, which of the selected consumer versions use which fields.
// Endpoints and fields are sorted; a consumer is listed once per field with all its selected
// versions that use it.
func Usage(provider string, versions []ConsumerVersion, o Options) Report {
	rep := Report{Provider: provider, Endpoints: []Endpoint{}}
	var sel []selected
	for _, cv := range versions {
		if branches, envs, ok := o.Filter.selects(cv); ok {
			sel = append(sel, selected{cv: cv, branches: branches, envs: envs})
			rep.Notices = append(rep.Notices, unreadNotices(cv)...)
		}
	}
	// Who uses what is a set of selected versions per endpoint and per field: a bitset, so the
	// thousands of fields of a large provider cost one map probe and one OR each.
	words := (len(sel) + 63) / 64
	type endpointAcc struct {
		ep     Endpoint
		users  bitset
		fields map[string]bitset
	}
	routes := o.routes()
	eps := map[endpointKey]*endpointAcc{}
	groups := map[endpointKey]string{}
	for vi, s := range sel {
		for _, in := range s.cv.Index.Interactions {
			key, ep := endpointOf(in, routes, groups)
			acc := eps[key]
			if acc == nil {
				acc = &endpointAcc{ep: ep, users: newBitset(words), fields: map[string]bitset{}}
				eps[key] = acc
			}
			acc.users.set(vi)
			for _, f := range in.Fields {
				b, ok := acc.fields[f]
				if !ok {
					b = newBitset(words)
					acc.fields[f] = b
				}
				b.set(vi)
			}
		}
	}
	// Most fields of an endpoint are used by the same versions: describe each set once (the
	// lists are shared, read-only).
	described := map[string][]ConsumerUse{}
	describe := func(b bitset) []ConsumerUse {
		key := b.key()
		if us, ok := described[key]; ok {
			return us
		}
		us := consumerUses(sel, b.members())
		described[key] = us
		return us
	}
	for _, acc := range eps {
		ep := acc.ep
		ep.Consumers = describe(acc.users)
		ep.Fields = make([]Field, 0, len(acc.fields))
		for loc, uses := range acc.fields {
			ep.Fields = append(ep.Fields, Field{Location: loc, Consumers: describe(uses)})
		}
		slices.SortFunc(ep.Fields, func(a, b Field) int { return strings.Compare(a.Location, b.Location) })
		rep.Endpoints = append(rep.Endpoints, ep)
	}
	slices.SortFunc(rep.Endpoints, compareEndpoints)
	if len(o.Declared) > 0 {
		rep.Unused = unused(o.Declared, rep.Endpoints, routes)
	}
	return rep
}

type bitset []uint64

func newBitset(words int) bitset { return make(bitset, words) }
func (b bitset) set(i int)       { b[i/64] |= 1 << (i % 64) }

// key is the set as a map key.
func (b bitset) key() string {
	buf := make([]byte, 0, 8*len(b))
	for _, w := range b {
		buf = binary.LittleEndian.AppendUint64(buf, w)
	}
	return string(buf)
}

func (b bitset) members() []int {
	var out []int
	for w, word := range b {
		for i := 0; word != 0; i++ {
			if word&1 != 0 {
				out = append(out, w*64+i)
			}
			word >>= 1
		}
	}
	return out
}

type selected struct {
	cv             ConsumerVersion
	branches, envs []string
}

func unreadNotices(cv ConsumerVersion) []string {
	if cv.Index.Unread == 0 && len(cv.Index.Notices) == 0 {
		return nil
	}
	out := make([]string, 0, len(cv.Index.Notices))
	for _, n := range cv.Index.Notices {
		out = append(out, fmt.Sprintf("%s %s: %s", cv.Consumer, cv.Version, n))
	}
	return out
}

// addUse appends version index vi once: versions are visited in order, so a repeat is the last.
func addUse(uses []int, vi int) []int {
	if n := len(uses); n > 0 && uses[n-1] == vi {
		return uses
	}
	return append(uses, vi)
}

// endpointKey is an endpoint (kind, method and grouped path, or a message's description), or,
// as a cache key, an interaction's concrete method and path.
type endpointKey struct {
	kind         Kind
	method, name string
}

// endpointOf returns the key and endpoint an interaction belongs to; groups caches the grouping
// of concrete paths, which many versions repeat.
func endpointOf(in Interaction, routes Routes, groups map[endpointKey]string) (endpointKey, Endpoint) {
	if in.Kind != HTTP {
		return endpointKey{kind: in.Kind, name: in.Description}, Endpoint{Message: in.Description}
	}
	concrete := endpointKey{kind: HTTP, method: in.Method, name: in.Path}
	path, ok := groups[concrete]
	if !ok {
		path = routes.Group(in.Method, in.Path)
		groups[concrete] = path
	}
	return endpointKey{kind: HTTP, method: in.Method, name: path}, Endpoint{Method: in.Method, Path: path}
}

func compareEndpoints(a, b Endpoint) int {
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Method, b.Method)
}

// consumerUses turns selected-version indexes into one ConsumerUse per consumer, sorted by name.
func consumerUses(sel []selected, uses []int) []ConsumerUse {
	byName := map[string]*ConsumerUse{}
	var names []string
	for _, vi := range uses {
		s := sel[vi]
		u := byName[s.cv.Consumer]
		if u == nil {
			u = &ConsumerUse{Name: s.cv.Consumer, Versions: []string{}, Environments: []string{}, Branches: []string{}}
			byName[s.cv.Consumer] = u
			names = append(names, s.cv.Consumer)
		}
		u.Versions = appendNew(u.Versions, s.cv.Version)
		for _, e := range s.envs {
			u.Environments = appendNew(u.Environments, e)
		}
		for _, b := range s.branches {
			u.Branches = appendNew(u.Branches, b)
		}
	}
	slices.Sort(names)
	out := make([]ConsumerUse, 0, len(names))
	for _, n := range names {
		u := byName[n]
		slices.Sort(u.Environments)
		slices.Sort(u.Branches)
		out = append(out, *u)
	}
	return out
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// unused lists the declared operations and response fields that no listed endpoint uses.
func unused(declared []Operation, eps []Endpoint, routes Routes) []Unused {
	var out []Unused
	for _, op := range declared {
		method := strings.ToUpper(op.Method)
		var used []Location
		called := false
		for _, ep := range eps {
			if ep.Message != "" || ep.Method != method || !samePath(op.Path, ep.Path, routes, method) {
				continue
			}
			called = true
			for _, f := range ep.Fields {
				if l, err := ParseLocation(f.Location); err == nil {
					used = append(used, l)
				}
			}
		}
		u := Unused{Method: method, Path: op.Path, Whole: !called, Fields: []string{}}
		for _, f := range op.Fields {
			d, err := ParseLocation(f)
			if err != nil {
				continue
			}
			if !slices.ContainsFunc(used, d.Covers) {
				u.Fields = append(u.Fields, d.String())
			}
		}
		if u.Whole || len(u.Fields) > 0 {
			slices.Sort(u.Fields)
			out = append(out, u)
		}
	}
	return out
}

// samePath reports whether the path asked about (a template or a concrete path) names the
// endpoint's path (a template, or concrete when no route was known).
func samePath(asked, endpoint string, routes Routes, method string) bool {
	if asked == endpoint {
		return true
	}
	if !isTemplate(asked) {
		return routes.Group(method, asked) == endpoint
	}
	if isTemplate(endpoint) {
		return false
	}
	r, err := parseRoute(asked)
	return err == nil && r.Matches(method, endpoint)
}

// ValidationError is a question that cannot be asked; Problems say what the expected form is.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid field-usage query: " + strings.Join(e.Problems, "; ")
}

// ParseFilter reads the usage question's environment or branch parameter.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Environment: q.Get("environment"), Branch: q.Get("branch")}
	if f.Environment != "" && f.Branch != "" {
		return Filter{}, &ValidationError{Problems: []string{"give environment or branch, not both (environment=production selects what is deployed there, branch=main the latest on that branch)"}}
	}
	return f, nil
}

// RemoveQuery asks whether a field of an endpoint can be removed.
type RemoveQuery struct {
	Provider string
	// Method and Path name an HTTP endpoint (Path a template or a concrete path); Message names
	// a message by its description instead.
	Method, Path, Message string
	Location              Location
	Filter                Filter
}

// ParseRemoveQuery reads ?provider=P&method=M&path=PATH&location=LOC[&environment=E|&branch=B],
// or message=DESCRIPTION in place of method and path. Every problem is listed with the form
// expected.
func ParseRemoveQuery(q url.Values) (RemoveQuery, error) {
	var problems []string
	rq := RemoveQuery{Provider: q.Get("provider"), Message: q.Get("message")}
	if rq.Provider == "" {
		problems = append(problems, "provider is missing; expected provider=<the provider's name>")
	}
	if rq.Message == "" {
		m, err := ParseMethod(q.Get("method"))
		if err != nil {
			problems = append(problems, err.Error())
		}
		p, err := ParsePath(q.Get("path"))
		if err != nil {
			problems = append(problems, err.Error())
		}
		rq.Method, rq.Path = m, p
	} else if q.Get("method") != "" || q.Get("path") != "" {
		problems = append(problems, "give method and path for an HTTP endpoint, or message for a message, not both")
	}
	if loc := q.Get("location"); loc == "" {
		problems = append(problems, "location is missing; expected "+ExpectedLocation)
	} else if l, err := ParseLocation(loc); err != nil {
		problems = append(problems, err.Error())
	} else {
		rq.Location = l
	}
	f, err := ParseFilter(q)
	if err != nil {
		problems = append(problems, err.(*ValidationError).Problems...)
	}
	rq.Filter = f
	if len(problems) > 0 {
		return RemoveQuery{}, &ValidationError{Problems: problems}
	}
	return rq, nil
}

// Decision answers can-i-remove-field.
type Decision struct {
	Removable bool `json:"removable"`
	// Consumers are the selected consumers that use the field.
	Consumers []ConsumerUse `json:"consumers"`
	Reason    string        `json:"reason"`
	Notices   []string      `json:"notices,omitempty"`
}

// CanRemove decides whether q's field can be removed without breaking a selected consumer
// version. It is not removable when one uses the field or anything inside it, and also when a
// selected pact could not be read completely: "nobody uses it" must not rest on a guess.
func CanRemove(q RemoveQuery, versions []ConsumerVersion, routes Routes) Decision {
	endpoint := q.Message
	if endpoint == "" {
		endpoint = q.Method + " " + q.Path
	}
	var sel []selected
	var users, callers, unread []int
	var notices []string
	groups := map[endpointKey]string{}
	removed := q.Location.String()
	seen := map[endpointKey]bool{}
	for _, cv := range versions {
		branches, envs, ok := q.Filter.selects(cv)
		if !ok {
			continue
		}
		vi := len(sel)
		sel = append(sel, selected{cv: cv, branches: branches, envs: envs})
		if cv.Index.Unread > 0 {
			unread = append(unread, vi)
		}
		notices = append(notices, unreadNotices(cv)...)
		for _, in := range cv.Index.Interactions {
			if !q.names(in, routes, groups, seen) {
				continue
			}
			callers = addUse(callers, vi)
			for _, f := range in.Fields {
				if coversString(q.Location, removed, f) {
					users = addUse(users, vi)
					break
				}
			}
		}
	}
	d := Decision{Consumers: consumerUses(sel, users), Notices: notices}
	field := fmt.Sprintf("%s of %s", q.Location, endpoint)
	switch {
	case len(users) > 0:
		d.Reason = fmt.Sprintf("%s %s %s: removing it would break %s", describeUses(d.Consumers), verb(len(d.Consumers), "uses", "use"),
			field, pronoun(len(d.Consumers)))
	case len(unread) > 0:
		d.Reason = fmt.Sprintf("no selected consumer version uses %s as far as the index can read, but the pact of %s could not be read completely: check it before removing the field",
			field, describeUses(consumerUses(sel, unread)))
	case len(sel) == 0:
		d.Removable = true
		d.Reason = fmt.Sprintf("no consumer version of %s is selected (%s), so nothing uses %s", q.Provider, q.Filter.describe(), field)
	case len(callers) == 0:
		d.Removable = true
		d.Reason = fmt.Sprintf("none of the %d selected consumer versions (%s) calls %s, so none uses %s", len(sel), q.Filter.describe(), endpoint, q.Location)
	default:
		d.Removable = true
		d.Reason = fmt.Sprintf("%s %s %s but none of them uses %s, so it can be removed without breaking %s",
			describeUses(consumerUses(sel, callers)), verb(len(consumerUses(sel, callers)), "calls", "call"), endpoint, q.Location, q.Filter.describe())
	}
	return d
}

// coversString is l.Covers over a canonical location string (removed is l.String()), without
// parsing: a body location covers the strings it is a prefix of at a step boundary.
func coversString(l Location, removed, used string) bool {
	if l.Section != "body" {
		return used == removed
	}
	if !strings.HasPrefix(used, removed) {
		return false
	}
	rest := used[len(removed):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// names reports whether the interaction is the endpoint q asks about.
func (q RemoveQuery) names(in Interaction, routes Routes, groups map[endpointKey]string, seen map[endpointKey]bool) bool {
	if q.Message != "" {
		return in.Kind != HTTP && in.Description == q.Message
	}
	if in.Kind != HTTP || in.Method != q.Method {
		return false
	}
	// Many versions repeat the same concrete paths: decide each once.
	concrete := endpointKey{kind: HTTP, method: in.Method, name: in.Path}
	if v, ok := seen[concrete]; ok {
		return v
	}
	ok := q.namesPath(in, routes, groups)
	seen[concrete] = ok
	return ok
}

func (q RemoveQuery) namesPath(in Interaction, routes Routes, groups map[endpointKey]string) bool {
	if isTemplate(q.Path) {
		r, err := parseRoute(q.Path)
		if err == nil && r.Matches(in.Method, in.Path) {
			return true
		}
	}
	_, ep := endpointOf(in, routes, groups)
	return samePath(q.Path, ep.Path, routes, q.Method)
}

// describeUses writes "Web Shop 1.0.0 (main, production) and Mobile 2.1 (production)".
func describeUses(us []ConsumerUse) string {
	parts := make([]string, 0, len(us))
	for _, u := range us {
		s := u.Name + " " + strings.Join(u.Versions, ", ")
		if why := append(slices.Clone(u.Branches), u.Environments...); len(why) > 0 {
			s += " (" + strings.Join(why, ", ") + ")"
		}
		parts = append(parts, s)
	}
	switch len(parts) {
	case 0:
		return "no consumer"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
