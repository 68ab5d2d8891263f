package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowsersGetPagesClientsGetHAL checks the broker serves both at the
// same URLs, split on Accept as the official broker does.
func TestBrowsersGetPagesClientsGetHAL(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")}, env(nil)))
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})

	for _, tc := range []struct {
		accept, contentType string
	}{
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"},
		{"application/hal+json", "application/hal+json"},
		{"", "application/hal+json"},
	} {
		req, err := http.NewRequest(http.MethodGet, m.URL()+"/", nil)
		require.NoError(t, err)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, "Accept %q", tc.accept)
		assert.Contains(t, res.Header.Get("Content-Type"), tc.contentType, "Accept %q", tc.accept)
		if tc.contentType == "text/html" {
			assert.Contains(t, string(body), "<html")
		} else {
			assert.Contains(t, string(body), `"_links"`)
		}
	}
}
