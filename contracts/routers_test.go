package contracts

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
	"github.com/julienschmidt/httprouter"

	"github.com/accord-cdc/accord/contracts/route"
)

// TestRouteCoverageWithOtherRouters: routers other than ServeMux report the route they matched
// with route.Record (or RecordRoute), each as docs/adopting.md shows, in their own syntax (chi's {userID} and
// {id:[0-9]+}, gorilla/mux's regexps, httprouter's :id and *path), without the method; the
// coverage still names the routes as Provider.Routes lists them.
func TestRouteCoverageWithOtherRouters(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }
	routes := []string{"GET /users/{id}", "DELETE /users/{id}", "POST /users", "GET /items/{id}", "GET /files/{path...}"}
	requests := []string{"GET /users/1", "DELETE /users/2", "GET /items/3", "GET /files/a/b.txt"}
	want := RouteCoverage{
		Routes:     []string{"GET /files/{path...}", "GET /items/{id}", "POST /users", "DELETE /users/{id}", "GET /users/{id}"},
		Covered:    []string{"GET /files/{path...}", "GET /items/{id}", "DELETE /users/{id}", "GET /users/{id}"},
		NotCovered: []string{"POST /users"},
	}

	// chi: the pattern is complete once chi has routed, so the middleware reads it after next.
	cr := chi.NewRouter()
	cr.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			route.Record(r, chi.RouteContext(r.Context()).RoutePattern()) // what production code calls
		})
	})
	cr.Get("/users/{userID}", ok)
	cr.Delete("/users/{userID}", ok)
	cr.Post("/users", ok)
	cr.Get("/items/{id:[0-9]+}", ok)
	cr.Get("/files/*", ok)

	// gorilla/mux: its middlewares run after the match, with the route at hand.
	gr := mux.NewRouter()
	gr.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rt := mux.CurrentRoute(r); rt != nil {
				if tpl, err := rt.GetPathTemplate(); err == nil {
					route.Record(r, tpl)
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	gr.HandleFunc("/users/{id:[0-9]+}", ok).Methods("GET", "DELETE")
	gr.HandleFunc("/users", ok).Methods("POST")
	gr.HandleFunc("/items/{id}", ok).Methods("GET")
	gr.PathPrefix("/files/").HandlerFunc(ok).Methods("GET")

	// httprouter v1.3.0 does not say which route matched: each handle is registered through a
	// wrapper that reports the path it is registered under.
	hr := httprouter.New()
	handle := func(method, path string) {
		hr.Handle(method, path, func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
			RecordRoute(r, path)
			ok(w, r)
		})
	}
	handle("GET", "/users/:id")
	handle("DELETE", "/users/:id")
	handle("POST", "/users")
	handle("GET", "/items/:id")
	handle("GET", "/files/*path")

	for _, tt := range []struct {
		name    string
		handler http.Handler
		want    RouteCoverage
	}{
		{"go-chi/chi", cr, want},
		// gorilla/mux's PathPrefix("/files/") is ServeMux's "/files/", not {path...}: listed as
		// is, it is unlisted here, which the coverage says rather than hides.
		{"gorilla/mux", gr, RouteCoverage{
			Routes:     want.Routes,
			Covered:    []string{"GET /items/{id}", "DELETE /users/{id}", "GET /users/{id}"},
			NotCovered: []string{"GET /files/{path...}", "POST /users"},
			Unlisted:   []string{"GET /files/"},
		}},
		{"julienschmidt/httprouter", hr, want},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rr, err := newRouteRecorder(routes)
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range requests {
				method, target, _ := strings.Cut(req, " ")
				w := httptest.NewRecorder()
				rr.serve(tt.handler, w, httptest.NewRequest(method, target, nil))
				if w.Code != http.StatusNoContent {
					t.Fatalf("%s: %d; the router did not serve it", req, w.Code)
				}
			}
			if got := rr.coverage(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("coverage:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestRouterPattern: the matched routes routers report, as ServeMux writes them.
func TestRouterPattern(t *testing.T) {
	for in, want := range map[string]string{
		"GET /users/{id}":          "GET /users/{id}",            // ServeMux, unchanged
		"/users/{userID}":          "/users/{userID}",            // chi
		"/items/{id:[0-9]+}":       "/items/{id}",                // chi, gorilla/mux
		"/items/{id:[0-9]{3}}/x":   "/items/{id}/x",              // a regexp with braces
		"/users/:id/orders/:order": "/users/{id}/orders/{order}", // echo, gin, httprouter
		"/files/*filepath":         "/files/{filepath...}",       // gin, httprouter
		"/files/*":                 "/files/{rest...}",           // chi, echo
		"GET /static/":             "GET /static/",
		"/{$}":                     "/{$}",
	} {
		if got := routerPattern(in); got != want {
			t.Errorf("routerPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRecordRouteWithoutAMethod: a route reported as a path is the listed route for the
// request's method, or the listed route for any method; when none is listed it is named with
// the method that was served.
func TestRecordRouteWithoutAMethod(t *testing.T) {
	rr, err := newRouteRecorder([]string{"GET /users/{id}", "/static/"})
	if err != nil {
		t.Fatal(err)
	}
	rr.record("GET", "/users/1", "", "/users/:uid")
	rr.record("HEAD", "/users/1", "", "/users/{id}")
	rr.record("PUT", "/static/a", "", "/static/")
	rr.record("DELETE", "/users/1", "", "/users/:uid")
	want := RouteCoverage{
		Routes:     []string{"/static/", "GET /users/{id}"},
		Covered:    []string{"/static/", "GET /users/{id}"},
		NotCovered: []string{},
		Unlisted:   []string{"DELETE /users/{uid}"},
	}
	if got := rr.coverage(); !reflect.DeepEqual(got, want) {
		t.Errorf("coverage:\n got %+v\nwant %+v", got, want)
	}
}
