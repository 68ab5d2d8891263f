package openapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// interaction is what the checker needs of one pact interaction, whatever
// the specification version the pact was written in.
type interaction struct {
	Description    string
	ProviderStates []string
	// Kind is "http", or the kind of a message interaction, which no
	// OpenAPI document describes.
	Kind     string
	Request  httpPart
	Response httpPart
}

type httpPart struct {
	Method string
	Path   string
	Query  url.Values
	// Headers keep the pact's spelling of names; look them up with header().
	Headers map[string][]string
	Status  int
	// HasBody is false when the pact says nothing about the body (a
	// consumer that does not care), true for any body, even null or "".
	HasBody     bool
	Body        any // decoded JSON, or a string for a text body
	BodyIsJSON  bool
	ContentType string
	// Rules are the matching rules by location in the body ("$.a[0].b"),
	// with the matcher names ("type", "regex").
	Rules map[string][]string
}

func (p httpPart) header(name string) (string, bool) {
	for k, v := range p.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return strings.Join(v, ", "), true
		}
	}
	return "", false
}

// decodePact reads the interactions of a pact in specification V1 to V4.
func decodePact(content []byte) ([]interaction, error) {
	var doc struct {
		Interactions []map[string]any `json:"interactions"`
		Messages     []map[string]any `json:"messages"`
		Metadata     map[string]any   `json:"metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the pact is not valid JSON: %v", err)
	}
	var out []interaction
	for _, raw := range doc.Interactions {
		out = append(out, decodeInteraction(raw))
	}
	for _, raw := range doc.Messages {
		out = append(out, interaction{
			Description:    str(raw["description"]),
			ProviderStates: providerStates(raw),
			Kind:           "Asynchronous/Messages",
		})
	}
	return out, nil
}

func decodeInteraction(raw map[string]any) interaction {
	it := interaction{Description: str(raw["description"]), ProviderStates: providerStates(raw), Kind: "http"}
	if t := str(raw["type"]); t != "" && t != "Synchronous/HTTP" {
		it.Kind = t
		return it
	}
	req, _ := raw["request"].(map[string]any)
	resp, _ := raw["response"].(map[string]any)
	if req == nil && resp == nil {
		// A V3 message pact written under "interactions" by an old library.
		it.Kind = "Asynchronous/Messages"
		return it
	}
	it.Request = decodePart(req, "request")
	it.Response = decodePart(resp, "response")
	if it.Request.Method == "" {
		it.Request.Method = "GET"
	}
	return it
}

func decodePart(m map[string]any, side string) httpPart {
	p := httpPart{Headers: map[string][]string{}, Query: url.Values{}, Rules: map[string][]string{}}
	if m == nil {
		return p
	}
	p.Method = strings.ToUpper(str(m["method"]))
	p.Path = str(m["path"])
	if p.Path == "" && side == "request" {
		p.Path = "/"
	}
	if n, ok := m["status"].(json.Number); ok {
		s, _ := strconv.Atoi(n.String())
		p.Status = s
	}
	switch q := m["query"].(type) {
	case string: // V2: "a=1&b=2"
		if v, err := url.ParseQuery(q); err == nil {
			p.Query = v
		}
	case map[string]any: // V3, V4: {"a": ["1"]}
		for k, v := range q {
			p.Query[k] = strs(v)
		}
	}
	if h, ok := m["headers"].(map[string]any); ok {
		for k, v := range h {
			switch v := v.(type) {
			case string:
				// V2 and V3 headers are one string; a comma-separated list
				// is still one header value here.
				p.Headers[k] = []string{v}
			default:
				p.Headers[k] = strs(v)
			}
		}
	}
	p.ContentType, _ = p.header("Content-Type")
	if body, ok := m["body"]; ok {
		p.HasBody = true
		p.Body = body
		if v4, isV4 := body.(map[string]any); isV4 && isV4Body(v4) {
			p.Body, p.ContentType = decodeV4Body(v4, p.ContentType)
		}
		p.BodyIsJSON = isJSON(p.ContentType) || (p.ContentType == "" && !isString(p.Body))
		if s, isStr := p.Body.(string); isStr && isJSON(p.ContentType) {
			// A JSON body written as text (V4 with "encoded": "json", or a
			// library that kept it as a string): read the JSON in it.
			var v any
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			if d.Decode(&v) == nil {
				p.Body = v
			}
		}
		if p.ContentType == "" && p.BodyIsJSON {
			p.ContentType = "application/json"
		}
	}
	decodeRules(m["matchingRules"], &p)
	return p
}

// isV4Body reports whether a body value is V4's {"content": ..., "contentType": ...}
// wrapper rather than a JSON body that happens to be an object.
func isV4Body(m map[string]any) bool {
	_, hasContent := m["content"]
	_, hasType := m["contentType"]
	_, hasEncoded := m["encoded"]
	return hasContent && (hasType || hasEncoded) && len(m) <= 3
}

func decodeV4Body(m map[string]any, headerType string) (any, string) {
	ct := str(m["contentType"])
	if ct == "" {
		ct = headerType
	}
	content := m["content"]
	switch enc := m["encoded"].(type) {
	case string:
		s, _ := content.(string)
		switch strings.ToLower(enc) {
		case "base64":
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				s = string(b)
			}
			content = s
		case "json":
			content = s
		}
	}
	return content, ct
}

// decodeRules reads V2 ("$.body.a": {...}) and V3/V4 ({"body": {"$.a":
// {"matchers": [...]}}}) matching rules on the body.
func decodeRules(raw any, p *httpPart) {
	rules, _ := raw.(map[string]any)
	for key, v := range rules {
		if rest, ok := strings.CutPrefix(key, "$.body"); ok { // V2
			r, _ := v.(map[string]any)
			p.Rules["$"+rest] = append(p.Rules["$"+rest], matcherName(r))
			continue
		}
		if key != "body" {
			continue
		}
		body, _ := v.(map[string]any)
		for path, rule := range body {
			r, _ := rule.(map[string]any)
			ms, _ := r["matchers"].([]any)
			for _, m := range ms {
				mm, _ := m.(map[string]any)
				p.Rules[path] = append(p.Rules[path], matcherName(mm))
			}
		}
	}
}

func matcherName(m map[string]any) string {
	if n := str(m["match"]); n != "" {
		return n
	}
	if _, ok := m["regex"]; ok {
		return "regex"
	}
	return "equality"
}

func providerStates(raw map[string]any) []string {
	if s := str(raw["providerState"]); s != "" {
		return []string{s}
	}
	if s := str(raw["provider_state"]); s != "" {
		return []string{s}
	}
	var out []string
	list, _ := raw["providerStates"].([]any)
	for _, ps := range list {
		if m, ok := ps.(map[string]any); ok {
			out = append(out, str(m["name"]))
		}
	}
	return out
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, str(e))
		}
		return out
	}
	return nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

func isJSON(contentType string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json")
}

// sortedKeys is for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
