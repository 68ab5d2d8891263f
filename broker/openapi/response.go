package openapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// CheckResponse judges a response a provider gave to a request for method
// and path (the escaped path, optionally with a query) strictly, as the
// provider's own test of its document: the operation and status must be
// declared, declared headers must fit, and the body must fit the schema
// with its required properties and no undeclared one. It returns nil when
// the response fits.
//
// A request the document does not describe is not the provider's fault
// when it is answered with an error (a test of a 404, of a refused body),
// so an undeclared path or method counts only for a 2xx answer.
func (d *Document) CheckResponse(method, path string, status int, header http.Header, body []byte) []Problem {
	ps := &problems{strict: true}
	rt, _, err := d.find(strings.SplitN(path, "?", 2)[0])
	ok := status >= 200 && status < 300
	if err != nil {
		if ok {
			ps.add("request.path", "the provider answers %s %s with %d, but the document has no path that matches it", method, path, status)
		}
		return ps.list
	}
	op := rt.item.GetOperation(strings.ToUpper(method))
	if op == nil {
		if ok {
			ps.add("request.method", "the provider answers %s %s with %d, but the path %s declares no %s operation", method, path, status, rt.path, strings.ToUpper(method))
		}
		return ps.list
	}
	resp := httpPart{Status: status, Headers: map[string][]string{}}
	for k, v := range header {
		resp.Headers[k] = v
	}
	resp.ContentType = header.Get("Content-Type")
	if len(bytes.TrimSpace(body)) > 0 {
		resp.HasBody = true
		resp.Body = string(body)
		if isJSON(resp.ContentType) {
			var v any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				ps.add("response.body", "the provider sends %s that is not valid JSON: %v", resp.ContentType, err)
				return ps.list
			}
			resp.Body, resp.BodyIsJSON = v, true
		}
	}
	d.checkResponse(resp, rt.path, strings.ToLower(method), op, ps)
	return ps.list
}
