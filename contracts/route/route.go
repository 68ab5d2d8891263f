// Package route lets a provider's router tell Accord's provider verification
// (contracts.VerifyProvider) which route served a request, from production
// code: it imports only the standard library, where package contracts links
// the Pact FFI.
//
// net/http.ServeMux needs none of this: it sets Request.Pattern, which the
// verification reads. Another router reports its matched route from a
// middleware:
//
//	r.Use(func(next http.Handler) http.Handler { // go-chi/chi
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			next.ServeHTTP(w, r)
//			route.Record(r, chi.RouteContext(r.Context()).RoutePattern())
//		})
//	})
//
// Outside a verification Record does nothing.
package route

import (
	"context"
	"net/http"
	"sync"
)

type slotKey struct{}

// slot receives the route of one request.
type slot struct {
	mu    sync.Mutex
	route string
}

// Record tells the verification serving r which route matched it: "METHOD /path/{param}" or,
// as most routers report it, the path template alone, in ServeMux's syntax or the router's
// (":id", "{id:[0-9]+}", a final "*path" or "*"). Outside a verification it does nothing.
func Record(r *http.Request, route string) {
	if s, ok := r.Context().Value(slotKey{}).(*slot); ok {
		s.mu.Lock()
		s.route = route
		s.mu.Unlock()
	}
}

// Watch returns r with a place for Record to write into, and a function that reads what was
// recorded (empty when nothing was). The verification calls it; a router does not need it.
func Watch(r *http.Request) (*http.Request, func() string) {
	s := &slot{}
	read := func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.route
	}
	return r.WithContext(context.WithValue(r.Context(), slotKey{}, s)), read
}
