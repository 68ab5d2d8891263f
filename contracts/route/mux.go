package route

import (
	"net/http"
	"slices"
	"sync"
)

// Mux is a net/http.ServeMux that remembers the patterns registered on it, which a ServeMux
// cannot list: a provider whose Handler is a *Mux needs no contracts.Provider.Routes, the
// verification reads them from the mux. Behind a middleware, pass Routes: mux.Patterns().
// Its zero value is ready, like a ServeMux's.
type Mux struct {
	http.ServeMux
	mu       sync.Mutex
	patterns []string
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle registers handler for pattern, as http.ServeMux.Handle does, and remembers it.
func (m *Mux) Handle(pattern string, handler http.Handler) {
	m.ServeMux.Handle(pattern, handler)
	m.remember(pattern)
}

// HandleFunc registers handler for pattern, as http.ServeMux.HandleFunc does, and remembers it.
func (m *Mux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	m.ServeMux.HandleFunc(pattern, handler)
	m.remember(pattern)
}

func (m *Mux) remember(pattern string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns = append(m.patterns, pattern)
}

// Patterns returns the patterns registered so far, in the order they were registered.
func (m *Mux) Patterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.patterns)
}
