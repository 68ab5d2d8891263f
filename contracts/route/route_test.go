package route_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accord-cdc/accord/contracts/route"
)

func TestRecord(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route.Record(r.WithContext(r.Context()), "/users/{id}") // a request derived from the watched one reaches it too
	})
	r, read := route.Watch(httptest.NewRequest("GET", "/users/1", nil))
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got := read(); got != "/users/{id}" {
		t.Errorf("recorded %q, want /users/{id}", got)
	}
	_, read = route.Watch(httptest.NewRequest("GET", "/", nil))
	if got := read(); got != "" {
		t.Errorf("nothing recorded, read %q", got)
	}
	route.Record(httptest.NewRequest("GET", "/", nil), "/x") // outside a verification: nothing happens
}

func TestMuxRemembersItsPatterns(t *testing.T) {
	var mux route.Mux // the zero value is ready
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.Pattern)) })
	mux.Handle("POST /users", http.NotFoundHandler())
	if got := mux.Patterns(); len(got) != 2 || got[0] != "GET /users/{id}" || got[1] != "POST /users" {
		t.Errorf("Patterns() = %q", got)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/users/7", nil))
	if w.Body.String() != "GET /users/{id}" {
		t.Errorf("served %q: the mux still routes and sets Request.Pattern", w.Body.String())
	}
}
