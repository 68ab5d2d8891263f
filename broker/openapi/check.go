package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Status is the outcome of checking a pact, or one of its interactions,
// against a document.
type Status string

const (
	// Compatible: every interaction fits the document.
	Compatible Status = "compatible"
	// Incompatible: at least one interaction does not fit the document.
	Incompatible Status = "incompatible"
	// Unchecked: nothing was incompatible, but some interaction could not be
	// checked (a message interaction against an HTTP description). It is
	// never taken for compatible.
	Unchecked Status = "unchecked"
)

// Problem is one reason an interaction is incompatible, or cannot be checked.
type Problem struct {
	// Location in the interaction: "request.path", "request.query.status",
	// "request.body.$.items[0].sku", "response.status",
	// "response.header.Location", "response.body.$.name".
	Location string `json:"location"`
	// Message says what is wrong in plain words.
	Message string `json:"message"`
}

// InteractionResult is the check of one interaction.
type InteractionResult struct {
	Description    string   `json:"description"`
	ProviderStates []string `json:"providerStates,omitempty"`
	// Operation is the operation the interaction calls ("GET /orders/{id}"),
	// when the document has one.
	Operation string    `json:"operation,omitempty"`
	Status    Status    `json:"status"`
	Problems  []Problem `json:"problems,omitempty"`
}

// Report is the check of one pact against one document.
type Report struct {
	Status       Status              `json:"status"`
	Interactions []InteractionResult `json:"interactions"`
}

// Compatible reports whether every interaction was checked and fits.
func (r Report) Compatible() bool { return r.Status == Compatible }

// Reasons lists every problem as one line naming the interaction, the
// location and why: `"get order 1": response.body.$.name: ...`.
func (r Report) Reasons() []string {
	var out []string
	for _, it := range r.Interactions {
		for _, p := range it.Problems {
			out = append(out, fmt.Sprintf("%q: %s: %s", it.Description, p.Location, p.Message))
		}
	}
	return out
}

// Summary is one line for people: how many interactions fit, and why not.
func (r Report) Summary() string {
	var ok, bad, unchecked int
	for _, it := range r.Interactions {
		switch it.Status {
		case Compatible:
			ok++
		case Incompatible:
			bad++
		default:
			unchecked++
		}
	}
	switch r.Status {
	case Compatible:
		return fmt.Sprintf("all %d interactions are compatible with the provider contract", ok)
	case Incompatible:
		return fmt.Sprintf("%d of %d interactions are incompatible with the provider contract", bad, len(r.Interactions))
	}
	return fmt.Sprintf("%d of %d interactions cannot be checked against the provider contract", unchecked, len(r.Interactions))
}

// Check judges every interaction of a pact (specification V1 to V4) against
// the document. The error is for a pact that is not JSON; everything else is
// in the report.
func (d *Document) Check(pact []byte) (Report, error) {
	its, err := decodePact(pact)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Status: Compatible, Interactions: make([]InteractionResult, 0, len(its))}
	for _, it := range its {
		res := d.checkInteraction(it)
		switch {
		case res.Status == Incompatible:
			rep.Status = Incompatible
		case res.Status == Unchecked && rep.Status == Compatible:
			rep.Status = Unchecked
		}
		rep.Interactions = append(rep.Interactions, res)
	}
	return rep, nil
}

// problems collects an interaction's problems, one per location.
type problems struct {
	list []Problem
	// strict judges a provider's own response (CheckResponse): required
	// properties must be there, and messages speak of what the provider
	// sends rather than what a consumer expects.
	strict bool
}

// expects names who the response check is about.
func (p *problems) expects() string {
	if p.strict {
		return "the provider sends"
	}
	return "the consumer expects"
}

// mayNot explains why an undeclared expectation matters to a consumer.
func (p *problems) mayNot() string {
	if p.strict {
		return "; declare it or stop sending it"
	}
	return " (the provider may not send it)"
}

func (p *problems) add(location, format string, args ...any) {
	for _, q := range p.list {
		if q.Location == location {
			return
		}
	}
	p.list = append(p.list, Problem{Location: location, Message: fmt.Sprintf(format, args...)})
}

func (d *Document) checkInteraction(it interaction) InteractionResult {
	res := InteractionResult{Description: it.Description, ProviderStates: it.ProviderStates}
	if it.Kind != "http" {
		res.Status = Unchecked
		res.Problems = []Problem{{Location: "interaction", Message: fmt.Sprintf(
			"a message interaction (%s) cannot be checked against an OpenAPI document, which describes HTTP requests only; verify it by running the pact against the provider", it.Kind)}}
		return res
	}
	var ps problems
	d.checkHTTP(it, &res, &ps)
	res.Problems = ps.list
	if len(ps.list) == 0 {
		res.Status = Compatible
	} else {
		res.Status = Incompatible
	}
	return res
}

func (d *Document) checkHTTP(it interaction, res *InteractionResult, ps *problems) {
	req := it.Request
	path, rawQuery, _ := strings.Cut(req.Path, "?")
	if rawQuery != "" {
		if q, err := url.ParseQuery(rawQuery); err == nil {
			for k, v := range q {
				req.Query[k] = append(req.Query[k], v...)
			}
		}
	}
	rt, params, err := d.find(path)
	if err != nil {
		ps.add("request.path", "the document has no path that %s matches; the provider does not declare this endpoint", path)
		return
	}
	op := rt.item.GetOperation(req.Method)
	if op == nil {
		ps.add("request.method", "the path %s declares no %s operation (it declares %s)", rt.path, req.Method, strings.Join(methods(rt.item), ", "))
		return
	}
	res.Operation = req.Method + " " + rt.path
	d.checkRequest(req, rt, op, params, ps)
	d.checkResponse(it.Response, rt.path, strings.ToLower(req.Method), d.viewOps[op], ps)
}

func methods(item *openapi3.PathItem) []string {
	var out []string
	for m := range item.Operations() {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func (d *Document) checkRequest(req httpPart, rt *route, op *openapi3.Operation, params map[string]string, ps *problems) {
	u := &url.URL{Path: "/", RawQuery: req.Query.Encode()}
	var body []byte
	if req.HasBody {
		if req.BodyIsJSON {
			body, _ = json.Marshal(req.Body)
		} else {
			body = []byte(fmt.Sprint(req.Body))
		}
	}
	hr, err := http.NewRequest(req.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		ps.add("request", "the request cannot be built: %v", err)
		return
	}
	for k, vs := range req.Headers {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if req.HasBody && req.ContentType != "" {
		hr.Header.Set("Content-Type", req.ContentType)
	}
	if !req.HasBody {
		hr.ContentLength = 0
		hr.Body = http.NoBody
	}
	// A JSON body against an OpenAPI 3.1 schema is validated here, with the
	// schema compiled once per document: kin-openapi compiles it anew for
	// every body it validates under 3.1, which made a 50-interaction check
	// take three times as long as under 3.0.
	bodyCheck := d.requestBody31(req, rt, op, hr.Header.Get("Content-Type"))
	// Likewise parameters: primitive schemas mean the same to kin-openapi's
	// OpenAPI 3.0 validator, which compiles nothing, once the body is not
	// left to kin-openapi to validate under them.
	// (kin-openapi picks the JSON Schema 2020-12 validator by the version of
	// the Route's Spec: spec30 is the same document marked 3.0.)
	spec, opts := d.spec, d.schemaOptions()
	if d.schema20 && (!req.HasBody || bodyCheck != nil) && d.simpleParameters(rt.item, op) {
		spec, opts = d.spec30, opts[:1]
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    hr,
		PathParams: params,
		Route:      &routers.Route{Spec: spec, Path: rt.path, PathItem: rt.item, Method: req.Method, Operation: op},
		Options: &openapi3filter.Options{
			MultiError:                        true,
			AuthenticationFunc:                openapi3filter.NoopAuthenticationFunc,
			RejectWhenRequestBodyNotSpecified: true,
			SkipSettingDefaults:               true,
			SchemaValidationOptions:           opts,
			ExcludeRequestBody:                bodyCheck != nil,
		},
	}
	err = openapi3filter.ValidateRequest(context.Background(), input)
	d.requestProblems(err, req.Body, ps)
	if bodyCheck != nil {
		d.requestProblems(bodyCheck(), req.Body, ps)
	}

	declared := map[string]bool{}
	for _, p := range append(slices.Clone(rt.item.Parameters), op.Parameters...) {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			declared[p.Value.Name] = true
		}
	}
	for _, name := range sortedKeys(req.Query) {
		if !declared[name] && !declaredDeepObject(name, rt.item, op) {
			ps.add("request.query."+name, "the consumer sends the query parameter %q, which %s %s does not declare (the provider may ignore it)", name, req.Method, rt.path)
		}
	}
}

// requestBody31 returns the check of a JSON request body against the
// operation's OpenAPI 3.1 request schema, judged as kin-openapi's
// ValidateRequestBody judges it (content type, then schema), or nil when
// kin-openapi is to check the body itself: a 3.0 document, no or a non-JSON
// body, an operation without a request body (kin-openapi refuses the body),
// or a schema that cannot be compiled where it sits.
func (d *Document) requestBody31(req httpPart, rt *route, op *openapi3.Operation, contentType string) func() error {
	if !d.schema20 || !req.HasBody || !req.BodyIsJSON || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}
	rb := op.RequestBody.Value
	if len(rb.Content) == 0 {
		return func() error { return nil }
	}
	media := rb.Content.Get(contentType)
	if media == nil {
		return func() error {
			return &openapi3filter.RequestError{RequestBody: rb, Reason: fmt.Sprintf("header Content-Type has unexpected value %q", contentType)}
		}
	}
	if media.Schema == nil {
		return func() error { return nil }
	}
	base := pointerOf("paths", rt.path, strings.ToLower(req.Method), "requestBody")
	if ref := op.RequestBody.Ref; ref != "" {
		if !strings.HasPrefix(ref, "#/") {
			return nil
		}
		base = ref[1:]
	}
	d.requestsOnce.Do(func() { d.requests, d.requestsErr = newSchemas2020(d.spec) })
	if d.requestsErr != nil {
		return nil
	}
	sch, err := d.requests.schema(base + pointerOf("content", mediaKey(rb.Content, media), "schema"))
	if err != nil {
		return nil
	}
	return func() error {
		if err := sch.Validate(req.Body); err != nil {
			return &openapi3filter.RequestError{RequestBody: rb, Reason: "doesn't match schema", Err: err}
		}
		return nil
	}
}

// declaredDeepObject reports whether name ("filter[status]") is a key of a
// declared deepObject parameter ("filter").
func declaredDeepObject(name string, item *openapi3.PathItem, op *openapi3.Operation) bool {
	base, _, ok := strings.Cut(name, "[")
	if !ok {
		return false
	}
	for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && p.Value.Name == base {
			return true
		}
	}
	return false
}

func (d *Document) requestProblems(err error, body any, ps *problems) {
	if err == nil {
		return
	}
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			d.requestProblems(e, body, ps)
		}
		return
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		ps.add("request", "%s", oneLine(err.Error()))
		return
	}
	switch {
	case re.Parameter != nil:
		where := "request." + re.Parameter.In + "." + re.Parameter.Name
		if re.Parameter.In == openapi3.ParameterInHeader {
			where = "request.header." + re.Parameter.Name
		}
		reason := re.Reason
		if se := firstSchemaError(re.Err); se != nil {
			reason = plainSchemaReason(se)
		} else if re.Err != nil && reason == "" {
			reason = oneLine(re.Err.Error())
		}
		if reason == "must have a value" || strings.Contains(reason, "must have a value") {
			reason = fmt.Sprintf("the document requires the %s parameter %q, which the consumer does not send", re.Parameter.In, re.Parameter.Name)
		} else {
			reason = fmt.Sprintf("the %s parameter %q does not fit the document: %s", re.Parameter.In, re.Parameter.Name, reason)
		}
		ps.add(where, "%s", reason)
	case re.RequestBody != nil || re.Err != nil:
		if schemaProblems("request.body", body, re.Err, ps, "the body the consumer sends does not fit the schema") {
			return
		}
		reason := re.Reason
		if reason == "" && re.Err != nil {
			reason = oneLine(re.Err.Error())
		}
		if strings.Contains(reason, "not allowed for this request") {
			reason = "the consumer sends a body, but the operation declares no request body"
		} else if strings.Contains(reason, "value is required but missing") {
			reason = "the document requires a request body, which the consumer does not send"
		} else if strings.Contains(reason, "Content-Type") || strings.Contains(reason, "content type") {
			reason = "the consumer sends a content type the operation does not accept: " + reason
		}
		ps.add("request.body", "%s", reason)
	default:
		ps.add("request", "%s", oneLine(re.Error()))
	}
}

// schemaOptions are the options of kin-openapi's schema validation:
// MultiErrors first, then EnableJSONSchema2020 for an OpenAPI 3.1 document.
func (d *Document) schemaOptions() []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
	if d.schema20 {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}

func (d *Document) checkResponse(resp httpPart, path, method string, op *openapi3.Operation, ps *problems) {
	if op == nil || op.Responses == nil {
		ps.add("response.status", "the operation declares no responses")
		return
	}
	status := resp.Status
	if status == 0 {
		status = 200
	}
	ref := op.Responses.Status(status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		var declared []string
		for code := range op.Responses.Map() {
			declared = append(declared, code)
		}
		slices.Sort(declared)
		ps.add("response.status", "%s status %d, which the operation does not declare (it declares %s)", ps.expects(), status, strings.Join(declared, ", "))
		return
	}
	r := ref.Value
	for _, name := range sortedKeys(resp.Headers) {
		if strings.EqualFold(name, "Content-Type") {
			continue
		}
		value, _ := resp.header(name)
		var h *openapi3.HeaderRef
		for k, v := range r.Headers {
			if strings.EqualFold(k, name) {
				h = v
			}
		}
		where := "response.header." + name
		if h == nil || h.Value == nil {
			if !ps.strict {
				ps.add(where, "the consumer expects the header %q, which the document does not declare for the %d response (the provider may not send it)", name, status)
			}
			continue
		}
		if h.Value.Schema != nil && h.Value.Schema.Value != nil {
			v := headerValue(value, h.Value.Schema.Value)
			opts := d.schemaOptions()
			if d.schema20 && d.simple(h.Value.Schema) {
				opts = opts[:1] // without EnableJSONSchema2020: see checkRequest
			}
			if err := h.Value.Schema.Value.VisitJSON(v, opts...); err != nil {
				schemaProblems(where, v, err, ps, "the header value "+ps.expects()+" does not fit the schema")
			}
		}
	}
	if !resp.HasBody {
		return
	}
	if len(r.Content) == 0 {
		ps.add("response.body", "%s a body, but the document declares none for the %d response", ps.expects(), status)
		return
	}
	ct := resp.ContentType
	mt := r.Content.Get(ct)
	if mt == nil {
		ps.add("response.header.Content-Type", "%s %s, but the %d response declares only %s", ps.expects(), ct, status, strings.Join(sortedKeys(r.Content), ", "))
		return
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return
	}
	body := resp.Body
	if resp.BodyIsJSON {
		body = plain(body)
	}
	var err error
	var sch *jsonschema.Schema
	if d.compiled != nil && !ps.strict {
		// The schema where it sits: under the operation, or under
		// components/responses when the response is a $ref.
		base := pointerOf("paths", path, method, "responses", statusKey(op.Responses, ref))
		if strings.HasPrefix(ref.Ref, "#/") {
			base = ref.Ref[1:]
		}
		sch, _ = d.compiled.schema(base + pointerOf("content", mediaKey(r.Content, mt), "schema"))
	}
	switch {
	case sch != nil:
		err = sch.Validate(resp.Body)
	default:
		err = mt.Schema.Value.VisitJSON(body, append(d.schemaOptions(), openapi3.VisitAsResponse())...)
	}
	if err != nil {
		what := "the value the consumer expects"
		if ps.strict {
			what = "the provider's response"
		}
		schemaProblems("response.body", body, err, ps, what+" does not fit the schema")
	}
	if resp.BodyIsJSON {
		undeclared("response.body", "$", body, []*openapi3.Schema{mt.Schema.Value}, resp.Rules, ps)
	}
	annotateMatchers(ps, "response.body", resp.Rules)
}

func statusKey(rs *openapi3.Responses, ref *openapi3.ResponseRef) string {
	for k, v := range rs.Map() {
		if v == ref {
			return k
		}
	}
	return "default"
}

func mediaKey(c openapi3.Content, mt *openapi3.MediaType) string {
	for k, v := range c {
		if v == mt {
			return k
		}
	}
	return ""
}

// headerValue reads a header as the type its schema wants, so that
// "Retry-After: 120" can be an integer.
func headerValue(s string, schema *openapi3.Schema) any {
	switch {
	case schema.Type.Is("integer"), schema.Type.Is("number"):
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case schema.Type.Is("boolean"):
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// plain turns json.Numbers into float64, the number type the schema
// validator expects.
func plain(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = plain(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = plain(e)
		}
		return s
	}
	return v
}

// schemaProblems adds a problem for each schema error in err, located in
// the body. It reports false when err holds no schema error.
func schemaProblems(prefix string, root any, err error, ps *problems, lead string) bool {
	found := false
	var visit func(err error)
	visit = func(err error) {
		if me, ok := err.(openapi3.MultiError); ok {
			for _, e := range me {
				visit(e)
			}
			return
		}
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			for _, leaf := range leaves(ve) {
				found = true
				ps.add(bodyLocation(prefix, root, leaf.InstanceLocation), "%s: %s", lead, oneLine(leaf.ErrorKind.LocalizedString(english)))
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			found = true
			ps.add(bodyLocation(prefix, root, se.JSONPointer()), "%s: %s", lead, plainSchemaReason(se))
		}
	}
	visit(err)
	if !found && strings.HasPrefix(prefix, "response.header") {
		ps.add(prefix, "%s: %s", lead, oneLine(err.Error()))
		return true
	}
	return found
}

func firstSchemaError(err error) *openapi3.SchemaError {
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			if se := firstSchemaError(e); se != nil {
				return se
			}
		}
		return nil
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return se
	}
	return nil
}

var english = message.NewPrinter(language.English)

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// plainSchemaReason is a schema error's reason without the schema and value
// dumps the library appends.
func plainSchemaReason(se *openapi3.SchemaError) string {
	reason := se.Reason
	switch se.SchemaField {
	case "additionalProperties":
		if p, ok := strings.CutPrefix(reason, "property "); ok {
			return "the document does not allow the property " + strings.TrimSuffix(p, " is unsupported")
		}
	case "required":
		return reason + " (the document requires it)"
	}
	if reason == "" {
		reason = oneLine(se.Error())
	}
	return reason
}

// bodyLocation turns a JSON pointer inside the body into the pact's JSONPath
// style: response.body.$.items[0].name.
func bodyLocation(prefix string, root any, pointer []string) string {
	if !strings.HasSuffix(prefix, ".body") {
		return prefix
	}
	return prefix + "." + jsonPath(root, pointer)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func jsonPath(root any, pointer []string) string {
	var b strings.Builder
	b.WriteString("$")
	v := root
	for _, tok := range pointer {
		switch cur := v.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err == nil {
				fmt.Fprintf(&b, "[%d]", i)
				if i >= 0 && i < len(cur) {
					v = cur[i]
				} else {
					v = nil
				}
				continue
			}
			v = nil
		case map[string]any:
			v = cur[tok]
		default:
			v = nil
		}
		if identifier.MatchString(tok) {
			b.WriteString("." + tok)
		} else {
			fmt.Fprintf(&b, "['%s']", strings.ReplaceAll(tok, "'", `\'`))
		}
	}
	return b.String()
}

// annotateMatchers says, for a problem in a body location the consumer
// covered with a matcher, that the matcher's example is what was judged: a
// type matcher's example must fit the schema, and a regex matcher's pattern
// is not taken to promise anything the example does not show.
func annotateMatchers(ps *problems, prefix string, rules map[string][]string) {
	if len(rules) == 0 {
		return
	}
	for i, p := range ps.list {
		rest, ok := strings.CutPrefix(p.Location, prefix+".")
		if !ok {
			continue
		}
		names := rulesAt(rules, rest)
		if len(names) == 0 {
			continue
		}
		ps.list[i].Message += fmt.Sprintf(" (the pact's %s matcher here is judged by its example)", strings.Join(names, "/"))
	}
}

var index = regexp.MustCompile(`\[\d+\]`)

// rulesAt finds the matchers that apply at a concrete body path, trying it
// as written and with its array indexes as [*].
func rulesAt(rules map[string][]string, path string) []string {
	if names, ok := rules[path]; ok {
		return names
	}
	if names, ok := rules[index.ReplaceAllString(path, "[*]")]; ok {
		return names
	}
	return nil
}

// undeclared reports every property of a response body that no schema
// applying there declares. OpenAPI leaves objects open by default; a
// consumer relying on a property the document does not promise is relying
// on luck, so this check closes them: a property is declared by
// "properties", "patternProperties", or an explicit "additionalProperties"
// (true or a schema) of any schema that applies, allOf/anyOf/oneOf included.
// A schema that lists no properties at all is a free-form object and stays
// open.
func undeclared(prefix, path string, value any, schemas []*openapi3.Schema, rules map[string][]string, ps *problems) {
	schemas = expand(schemas)
	if len(schemas) == 0 {
		return
	}
	switch v := value.(type) {
	case map[string]any:
		open := false
		for _, s := range schemas {
			if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
				open = true
			}
		}
		freeForm := true
		for _, s := range schemas {
			if len(s.Properties) > 0 || len(s.PatternProperties) > 0 || s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil {
				freeForm = false
			}
		}
		for _, key := range sortedKeys(v) {
			child := appendKey(path, key)
			var next []*openapi3.Schema
			declared := false
			for _, s := range schemas {
				if p := s.Properties[key]; p != nil && p.Value != nil {
					next = append(next, p.Value)
					declared = true
				}
				for pattern, p := range s.PatternProperties {
					if re, err := regexp.Compile(pattern); err == nil && re.MatchString(key) && p != nil && p.Value != nil {
						next = append(next, p.Value)
						declared = true
					}
				}
			}
			if !declared {
				if !open && !freeForm {
					ps.add(prefix+"."+child, "%s the property %q, which the document does not declare here%s", ps.expects(), key, ps.mayNot())
					continue
				}
				for _, s := range schemas {
					if s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil {
						next = append(next, s.AdditionalProperties.Schema.Value)
					}
				}
			}
			undeclared(prefix, child, v[key], next, rules, ps)
		}
	case []any:
		for i, e := range v {
			var next []*openapi3.Schema
			for _, s := range schemas {
				if i < len(s.PrefixItems) && s.PrefixItems[i] != nil && s.PrefixItems[i].Value != nil {
					next = append(next, s.PrefixItems[i].Value)
				} else if s.Items != nil && s.Items.Value != nil {
					next = append(next, s.Items.Value)
				}
			}
			undeclared(prefix, fmt.Sprintf("%s[%d]", path, i), e, next, rules, ps)
		}
	}
}

// expand adds the schemas composed into each with allOf, anyOf and oneOf:
// a property declared by any of them is declared.
func expand(schemas []*openapi3.Schema) []*openapi3.Schema {
	seen := map[*openapi3.Schema]bool{}
	var out []*openapi3.Schema
	var add func(s *openapi3.Schema)
	add = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range group {
				if r != nil {
					add(r.Value)
				}
			}
		}
	}
	for _, s := range schemas {
		add(s)
	}
	return out
}

func appendKey(path, key string) string {
	if identifier.MatchString(key) {
		return path + "." + key
	}
	return path + "['" + strings.ReplaceAll(key, "'", `\'`) + "']"
}
