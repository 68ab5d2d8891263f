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

	"github.com/accord-cdc/accord/broker/httpapi"
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

// TestEveryResponseCarriesTheBrokerVersion checks that pages, badges,
// assets and error pages carry the same X-Pact-Broker-Version as the API's
// responses (the Ruby broker sets it on every response).
func TestEveryResponseCarriesTheBrokerVersion(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")}, env(nil)))
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tc := range []struct {
		name, path, accept, contentType string
		status                          int
	}{
		{"HAL index", "/", "application/hal+json", "application/hal+json", http.StatusOK},
		{"API error", "/pacticipants/Nobody", "application/hal+json", "json", http.StatusNotFound},
		{"index page", "/", browser, "text/html", http.StatusOK},
		{"error page", "/pacticipants/Nobody", browser, "text/html", http.StatusNotFound},
		{"stylesheet", "/ui/assets/style.css", "text/css,*/*;q=0.1", "text/css", http.StatusOK},
		{"badge", "/pacts/provider/Users/consumer/Web/latest/badge", "image/svg+xml", "image/svg+xml", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, m.URL()+tc.path, nil)
			require.NoError(t, err)
			req.Header.Set("Accept", tc.accept)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			require.Equal(t, tc.status, res.StatusCode)
			require.Contains(t, res.Header.Get("Content-Type"), tc.contentType, "the request should reach the handler this case is about")
			assert.Equal(t, httpapi.Version, res.Header.Get("X-Pact-Broker-Version"))
			assert.Equal(t, "Accept", res.Header.Get("Vary"))
			assert.NotEmpty(t, res.Header.Get("Cache-Control"))
		})
	}
}

// TestPublicBadgeAccess: with auth on, PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS
// lets anyone fetch badges (for README files), as in the official broker,
// while pages and the API still need credentials.
func TestPublicBadgeAccess(t *testing.T) {
	for _, public := range []bool{false, true} {
		m := NewMain(io.Discard)
		e := map[string]string{"PACT_BROKER_BASIC_AUTH_USERNAME": "rw", "PACT_BROKER_BASIC_AUTH_PASSWORD": "pw"}
		if public {
			e["PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS"] = "true"
		}
		require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")}, env(e)))
		require.NoError(t, m.Run(context.Background()))
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = m.Close(ctx)
		})
		status := func(path, accept string) int {
			req, err := http.NewRequest(http.MethodGet, m.URL()+path, nil)
			require.NoError(t, err)
			req.Header.Set("Accept", accept)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
		badge := status("/pacts/provider/Users/consumer/Web/latest/badge", "image/svg+xml")
		if public {
			assert.Equal(t, http.StatusOK, badge, "a public badge needs no credentials")
		} else {
			assert.Equal(t, http.StatusUnauthorized, badge, "badges need credentials unless made public")
		}
		assert.Equal(t, http.StatusUnauthorized, status("/", "application/hal+json"), "public=%v: the API still needs credentials", public)
		assert.Equal(t, http.StatusUnauthorized, status("/", "text/html"), "public=%v: pages still need credentials", public)
	}
}
