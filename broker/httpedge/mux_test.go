package httpedge_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/matrix"
)

// echo answers with the route's pattern and the named path values.
func echo(names ...string) httpedge.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		out := r.Pattern
		for _, n := range names {
			out += fmt.Sprintf(" %s=%s", n, r.PathValue(n))
		}
		_, err := fmt.Fprint(w, out)
		return err
	}
}

func serve(m http.Handler, method, target string, set func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if set != nil {
		set(r)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, r)
	return rec
}

// TestRouting covers what ServeMux does not: names with unencoded "/",
// a route shadowed by the Ruby broker's order, dot names, slashes at the
// ends.
func TestRouting(t *testing.T) {
	m := httpedge.New(httpedge.Config{})
	m.Handle("GET /p/{p}/branches/{branch}", httpedge.Read, echo("p", "branch"))
	m.Handle("GET /p/{p}/branches/{branch}/versions/{v}", httpedge.Read, echo("p", "branch", "v"))
	m.Handle("GET /p/{p}/branches/{branch}/latest-version", httpedge.Read, echo("p", "branch"))
	m.Handle("GET /webhooks/provider/{provider}", httpedge.Read, echo("provider"))
	m.Handle("GET /webhooks/{uuid}", httpedge.Read, echo("uuid"))
	m.HandleShadowed("GET /webhooks/{uuid}/execute", httpedge.Read, echo("uuid"))
	m.HandleSlashed("/p/{p}/branches/{branch...}/versions/{v}")
	m.HandleSlashed("/p/{p}/branches/{branch...}")
	for target, want := range map[string]string{
		"/p/a/branches/main":                  "GET /p/{p}/branches/{branch} p=a branch=main",
		"/p/a/branches/feat%2Fx":              "GET /p/{p}/branches/{branch} p=a branch=feat/x",
		"/p/a/branches/feat/x":                "GET /p/{p}/branches/{branch} p=a branch=feat/x",
		"/p/a/branches/feat/x/versions/1":     "GET /p/{p}/branches/{branch}/versions/{v} p=a branch=feat/x v=1",
		"/p/a/branches/feat/x/latest-version": "GET /p/{p}/branches/{branch} p=a branch=feat/x/latest-version",
		"/p/a/branches/feat/latest-version":   "GET /p/{p}/branches/{branch}/latest-version p=a branch=feat",
		"/p/a%20b/branches/%C3%A9t%C3%A9/":    "GET /p/{p}/branches/{branch} p=a b branch=été",
		"/p/../branches/.":                    "GET /p/{p}/branches/{branch} p=.. branch=.",
		"/webhooks/provider/execute":          "GET /webhooks/provider/{provider} provider=execute",
		"/webhooks/u-1/execute":               "GET /webhooks/{uuid}/execute uuid=u-1",
		"/webhooks/execute":                   "GET /webhooks/{uuid} uuid=execute",
	} {
		rec := serve(m, "GET", target, nil)
		assert.Equal(t, http.StatusOK, rec.Code, target)
		assert.Equal(t, want, rec.Body.String(), target)
	}
	for _, target := range []string{"/p/a//branches/x", "/p/a/branches", "/q"} {
		rec := serve(m, "GET", target, nil)
		assert.Equal(t, http.StatusNotFound, rec.Code, target)
		assert.Contains(t, rec.Body.String(), "no resource at", target)
	}
	assert.Equal(t, http.StatusOK, serve(m, "HEAD", "/p/a/branches/main", nil).Code)
	rec := serve(m, "PUT", "/p/a/branches/main", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.JSONEq(t, `{"errors":{"base":["PUT is not allowed on /p/a/branches/main"]}}`, rec.Body.String())
}

func TestAccess(t *testing.T) {
	auth := httpedge.Auth{Username: "rw", Password: "pw", ReadOnlyUsername: "ro", ReadOnlyPassword: "q", Token: "tok"}
	newMux := func(auth httpedge.Auth, publicBadges bool) *httpedge.Mux {
		m := httpedge.New(httpedge.Config{Auth: auth, PublicBadges: publicBadges})
		m.Handle("GET /things", httpedge.Read, echo())
		m.Handle("POST /things", httpedge.Write, echo())
		m.Handle("POST /questions", httpedge.Read, echo())
		m.Handle("GET /health", httpedge.Public, echo())
		m.Handle("GET /things/{thing}/badge", httpedge.Badge, echo())
		return m
	}
	rw := func(r *http.Request) { r.SetBasicAuth("rw", "pw") }
	ro := func(r *http.Request) { r.SetBasicAuth("ro", "q") }
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "bearer tok") }
	for _, c := range []struct {
		name          string
		public, badge bool
		method, path  string
		set           func(*http.Request)
		want          int
	}{
		{"anonymous read", false, false, "GET", "/things", nil, 401},
		{"anonymous, no route", false, false, "GET", "/nothing", nil, 401},
		{"anonymous, no method", false, false, "DELETE", "/things", nil, 401},
		{"anonymous heartbeat", false, false, "GET", "/health", nil, 200},
		{"anonymous badge", false, false, "GET", "/things/x/badge", nil, 401},
		{"anonymous public badge", false, true, "GET", "/things/x/badge", nil, 200},
		{"public badges open no page", false, true, "GET", "/things", nil, 401},
		{"public badges open no 404", false, true, "GET", "/things/x/y/badge", nil, 401},
		{"read-only read", false, false, "GET", "/things", ro, 200},
		{"read-only question", false, false, "POST", "/questions", ro, 200},
		{"read-only write", false, false, "POST", "/things", ro, 403},
		{"read-only, no route", false, false, "GET", "/nothing", ro, 404},
		{"writer write", false, false, "POST", "/things", rw, 200},
		{"lower-case bearer", false, false, "POST", "/things", bearer, 200},
		{"public read", true, false, "GET", "/things", nil, 200},
		{"public read, no write", true, false, "POST", "/things", nil, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := auth
			a.AllowPublicRead = c.public
			assert.Equal(t, c.want, serve(newMux(a, c.badge), c.method, c.path, c.set).Code)
		})
	}
	assert.Equal(t, 200, serve(newMux(httpedge.Auth{}, false), "POST", "/things", nil).Code, "no credentials configured: open")
}

func TestErrors(t *testing.T) {
	fail := func(err error) httpedge.HandlerFunc {
		return func(http.ResponseWriter, *http.Request) error { return err }
	}
	m := httpedge.New(httpedge.Config{})
	m.Handle("GET /invalid", httpedge.Read, fail(broker.Errorf(broker.Invalid, "bad")))
	m.Handle("GET /missing", httpedge.Read, fail(fmt.Errorf("wrapped: %w", broker.Errorf(broker.NotFound, "no such thing"))))
	m.Handle("GET /conflict", httpedge.Read, fail(broker.Errorf(broker.Conflict, "taken")))
	m.Handle("GET /matrix", httpedge.Read, fail(&matrix.ValidationError{Problems: []string{"name a pacticipant"}}))
	m.Handle("GET /down", httpedge.Read, fail(fmt.Errorf("load: %w", syscall.ECONNREFUSED)))
	m.Handle("GET /bug", httpedge.Read, fail(fmt.Errorf("database on fire")))
	m.Handle("GET /panic", httpedge.Read, func(http.ResponseWriter, *http.Request) error { panic("oops") })
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/invalid":  {400, `{"errors":{"base":["bad"]}}`},
		"/missing":  {404, `{"errors":{"base":["no such thing"]},"error":"no such thing"}`},
		"/conflict": {409, `{"errors":{"base":["taken"]},"notices":[{"type":"error","text":"taken"}]}`},
		"/matrix":   {400, `{"errors":["name a pacticipant"]}`},
	} {
		rec := serve(m, "GET", path, nil)
		assert.Equal(t, want.status, rec.Code, path)
		assert.JSONEq(t, want.body, rec.Body.String(), path)
		assert.Equal(t, httpedge.HALJSON, rec.Header().Get("Content-Type"))
	}
	rec := serve(m, "GET", "/down", nil)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "clients retry a 503")
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	for _, path := range []string{"/bug", "/panic"} {
		rec := serve(m, "GET", path, nil)
		assert.Equal(t, 500, rec.Code)
		var body struct {
			Error struct{ Message, Reference string }
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.NotEmpty(t, body.Error.Reference)
		assert.NotContains(t, rec.Body.String(), "fire", "the cause is logged, not shown")
	}

	var got httpedge.Problem
	pages := httpedge.New(httpedge.Config{Auth: httpedge.Auth{Username: "u", Password: "p"}, Pages: func(w http.ResponseWriter, _ *http.Request, p httpedge.Problem) {
		got = p
		w.WriteHeader(p.Status)
	}})
	pages.Handle("GET /page", httpedge.Read, fail(broker.Errorf(broker.NotFound, "gone")))
	rec = serve(pages, "GET", "/page", nil)
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, `Basic realm="Pact Broker"`, rec.Header().Get("WWW-Authenticate"))
	rec = serve(pages, "GET", "/page", func(r *http.Request) { r.SetBasicAuth("u", "p") })
	assert.Equal(t, 404, rec.Code)
	assert.Equal(t, "gone", got.Message)
}
