package httpedge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/metrics"
)

// Problem is an error as the client sees it: the one mapping from errors
// to statuses ([problemOf]) makes it, and the HAL or HTML renderer draws it.
type Problem struct {
	Status int
	// Message is what went wrong and what to do next; for a 500 it names
	// Ref, the reference the cause is logged under.
	Message string
	Ref     string

	body map[string]any // the Pact Broker's error JSON
}

// Pages renders a Problem as an HTML page (the ui package's error page).
type Pages func(w http.ResponseWriter, r *http.Request, p Problem)

// HALJSON is the content type of the API's documents and errors.
const HALJSON = "application/hal+json;charset=utf-8"

// WriteHAL writes v as the API's JSON, with HTML characters unescaped as
// the Ruby broker writes them.
func WriteHAL(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", HALJSON)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Errors the edge itself answers with.
type (
	noRoute  struct{ path, index string }
	noMethod struct{ method, path string }
	formBody struct{ contentType string }
)

func (e noRoute) Error() string  { return "no route for " + e.path }
func (e noMethod) Error() string { return e.method + " not allowed on " + e.path }
func (e formBody) Error() string { return "form content type " + e.contentType }

func base(msg string) map[string]any {
	return map[string]any{"errors": map[string]any{"base": []string{msg}}}
}

// problemOf is the one table from errors to statuses and bodies.
func problemOf(err error) Problem {
	var (
		de *broker.Error
		ve *matrix.ValidationError
		nr noRoute
		nm noMethod
		fb formBody
	)
	switch {
	case errors.As(err, &ve):
		msg := fmt.Sprint(ve.Problems)
		if len(ve.Problems) == 1 {
			msg = ve.Problems[0]
		}
		return Problem{Status: http.StatusBadRequest, Message: msg, body: map[string]any{"errors": ve.Problems}}
	case errors.As(err, &de):
		return domainProblem(de)
	case errors.As(err, &nr):
		msg := fmt.Sprintf("no resource at %s; start from the index at %s/", nr.path, nr.index)
		return Problem{Status: http.StatusNotFound, Message: msg, body: map[string]any{"error": msg}}
	case errors.As(err, &nm):
		msg := fmt.Sprintf("%s is not allowed on %s", nm.method, nm.path)
		return Problem{Status: http.StatusMethodNotAllowed, Message: msg, body: base(msg)}
	case errors.As(err, &fb):
		msg := fmt.Sprintf("the broker reads JSON, not %s; send the body with Content-Type: application/json", fb.contentType)
		return Problem{Status: http.StatusUnsupportedMediaType, Message: msg, body: base(msg)}
	case broker.ErrorCode(err) == broker.Unavailable:
		// The official clients retry a 503 after Retry-After; a 500 they
		// report as a failure of the broker.
		ref := newRef()
		msg := "The broker cannot reach its database just now; try again in a few seconds (reference " + ref + ")"
		return Problem{Status: http.StatusServiceUnavailable, Message: msg, Ref: ref,
			body: map[string]any{"error": map[string]any{"message": msg, "reference": ref}}}
	}
	ref := newRef()
	msg := "An error has occurred. The details have been logged with the reference " + ref
	return Problem{Status: http.StatusInternalServerError, Message: msg, Ref: ref,
		body: map[string]any{"error": map[string]any{"message": msg, "reference": ref}}}
}

func domainProblem(de *broker.Error) Problem {
	field := de.Field
	if field == "" {
		field = "base"
	}
	body := map[string]any{"errors": map[string]any{field: []string{de.Message}}}
	status := http.StatusBadRequest
	switch de.Code {
	case broker.NotFound:
		status = http.StatusNotFound
		body["error"] = de.Message
	case broker.Conflict:
		status = http.StatusConflict
		body["notices"] = append([]broker.Notice{{Type: "error", Text: de.Message}}, de.Notices...)
	case broker.Unauthorized:
		status = http.StatusUnauthorized
	case broker.Forbidden:
		status = http.StatusForbidden
	case broker.TooLarge:
		status = http.StatusRequestEntityTooLarge
	case broker.Unavailable:
		status = http.StatusServiceUnavailable
	}
	return Problem{Status: status, Message: de.Message, body: body}
}

// newRef is the reference a 500 is logged under, for the client to quote.
func newRef() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fail logs err and renders it: as HTML when the mux serves pages, else
// as HAL JSON. The split between pages and API (ui.Split) has already
// negotiated on the request's Accept header.
func (m *Mux) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	switch {
	case p.Status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
		m.log.Warn("database unavailable", "ref", p.Ref, "method", r.Method, "path", r.URL.Path, "err", err)
	case p.Ref != "":
		m.log.Error("request failed", "ref", p.Ref, "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		// The access log's line for the request carries the reason; without
		// one (the API served alone), it gets a line here.
		if !metrics.SetReason(r.Context(), p.Message) {
			m.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "status", p.Status, "reason", p.Message)
		}
	}
	if m.cfg.Pages != nil {
		if p.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="Pact Broker"`)
		}
		m.cfg.Pages(w, r, p)
		return
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Restricted area"`)
	}
	WriteHAL(w, p.Status, p.body)
}
