package metrics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// requestNotes is filled in by the layers that know, while the request is
// served: the router knows the route pattern, authorisation the user.
// A pointer in the context survives the request copies of WithContext.
type requestNotes struct {
	route, user, reason string
}

type notesKey struct{}

// SetRoute records the route pattern that served the request (like
// "GET /pacticipants/{pacticipant}"), which labels its metrics and access
// log line. Requests no route claims are labelled "unmatched", so metrics
// cannot grow a series per probed path.
func SetRoute(ctx context.Context, route string) {
	if n, ok := ctx.Value(notesKey{}).(*requestNotes); ok {
		n.route = route
	}
}

// SetUser records who made the request (a user name, "token",
// "read-only token" or "anonymous") for the access log.
func SetUser(ctx context.Context, user string) {
	if n, ok := ctx.Value(notesKey{}).(*requestNotes); ok {
		n.user = user
	}
}

// SetReason records why the request was refused (a 4xx's message) for its
// access-log line. It reports false when no Middleware serves the request,
// so the caller can log the reason itself.
func SetReason(ctx context.Context, reason string) bool {
	n, ok := ctx.Value(notesKey{}).(*requestNotes)
	if ok {
		n.reason = reason
	}
	return ok
}

// RequestIDHeader carries the request's id: a proxy's is kept, otherwise
// the broker makes one, and the response returns it so a user can quote it.
const RequestIDHeader = "X-Request-Id"

// Middleware counts and times every request and logs one line for it at
// info: method, route, status, duration, bytes written, request id, user.
func (m *Metrics) Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !goodID(id) {
			id = newID()
		}
		w.Header().Set(RequestIDHeader, id)
		notes := &requestNotes{}
		r = r.WithContext(context.WithValue(r.Context(), notesKey{}, notes))
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// A panic still gets its line; the server's recovery answers it.
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			route := notes.route
			if route == "" {
				route = r.Pattern
			}
			if route == "" {
				route = "unmatched"
			}
			m.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
			user := notes.user
			if user == "" {
				user = "anonymous"
			}
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.EscapedPath()),
				slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes),
				slog.String("request_id", id), slog.String("user", user)}
			if notes.reason != "" {
				attrs = append(attrs, slog.String("reason", notes.reason))
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// goodID accepts an incoming id only if it is short, printable ASCII, so
// a client cannot forge log lines or flood them.
func goodID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// recorder remembers the status and counts the body bytes. Unwrap lets
// http.ResponseController reach the real writer (flush, deadlines).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes through, for streaming responses.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
