package contracts

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestRouteCoverage(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	mux := http.NewServeMux()
	for _, p := range []string{"GET /users", "GET /users/{id}", "POST /users", "DELETE /users/{id}", "GET /healthz", "GET /admin/stats"} {
		mux.HandleFunc(p, ok)
	}
	// A middleware that replaces the request hides the mux's pattern; RecordRoute inside still
	// reaches the verification, as another router's middleware would.
	inner := http.NewServeMux()
	inner.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		RecordRoute(r, r.Pattern)
		ok(w, r)
	})
	inner.HandleFunc("GET /carts/{id}", ok) // reports nothing: matched against Provider.Routes
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(r.Context()))
	})

	tests := []struct {
		name     string
		handler  http.Handler
		routes   []string
		requests []string
		want     RouteCoverage
		line     string
	}{
		{
			name:     "ServeMux patterns, some routes not covered",
			handler:  mux,
			routes:   []string{"GET /users", "GET /users/{id}", "POST /users", "DELETE /users/{id}", "GET /healthz", "GET /admin/stats"},
			requests: []string{"GET /users/1", "GET /users/2", "GET /users?email=a", "POST /users", "GET /nowhere"},
			want: RouteCoverage{
				Routes:     []string{"GET /admin/stats", "GET /healthz", "GET /users", "POST /users", "DELETE /users/{id}", "GET /users/{id}"},
				Covered:    []string{"GET /users", "POST /users", "GET /users/{id}"},
				NotCovered: []string{"GET /admin/stats", "GET /healthz", "DELETE /users/{id}"},
				Unrouted:   []string{"GET /nowhere"},
			},
			line: "routes covered by consumer contracts: 3/6; not covered: GET /admin/stats, GET /healthz, DELETE /users/{id}",
		},
		{
			name:     "a router that reports with RecordRoute, and one matched against the list",
			handler:  wrapped,
			routes:   []string{"GET /orders/{id}", "GET /carts/{id}", "PUT /carts/{id}"},
			requests: []string{"GET /orders/7", "GET /carts/3"},
			want: RouteCoverage{
				Routes:     []string{"GET /carts/{id}", "PUT /carts/{id}", "GET /orders/{id}"},
				Covered:    []string{"GET /carts/{id}", "GET /orders/{id}"},
				NotCovered: []string{"PUT /carts/{id}"},
			},
			line: "routes covered by consumer contracts: 2/3; not covered: PUT /carts/{id}",
		},
		{
			name:     "no routes listed: what served is still said",
			handler:  mux,
			requests: []string{"GET /users/1", "DELETE /users/1"},
			want:     RouteCoverage{Routes: []string{}, Covered: []string{}, NotCovered: []string{}, Unlisted: []string{"DELETE /users/{id}", "GET /users/{id}"}},
			line:     "routes served by consumer contracts: DELETE /users/{id}, GET /users/{id} (list the provider's routes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr, err := newRouteRecorder(tt.routes)
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range tt.requests {
				method, target, _ := strings.Cut(req, " ")
				rr.serve(tt.handler, httptest.NewRecorder(), httptest.NewRequest(method, target, nil))
			}
			got := rr.coverage()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("coverage:\n got %+v\nwant %+v", got, tt.want)
			}
			if line, _ := rr.summary(); !strings.HasPrefix(line, tt.line) {
				t.Errorf("line %q\nwant %q", line, tt.line)
			}
		})
	}
}

func TestRouteCoverageRefusesABadRoute(t *testing.T) {
	_, err := newRouteRecorder([]string{"GET /users/{id}", "users"})
	if err == nil || !strings.Contains(err.Error(), `"users"`) || !strings.Contains(err.Error(), "ServeMux patterns") {
		t.Errorf("error %v, want one naming the route and the expected form", err)
	}
	rr, _ := newRouteRecorder(nil)
	if _, ok := rr.summary(); ok {
		t.Error("a verification that served nothing and lists no routes has something to say")
	}
}
