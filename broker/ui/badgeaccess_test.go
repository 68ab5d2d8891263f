package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/ui"
)

// TestPublicBadgesOpenOnlyBadges: with public badges, a page whose last
// name ends in "/badge" (sent encoded, "x%2Fbadge") is still a page that
// needs credentials, and an API client asking for it still gets the API.
func TestPublicBadgesOpenOnlyBadges(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	_, err := s.CreatePacticipant(context.Background(), "secret/badge", broker.PacticipantUpdate{})
	require.NoError(t, err)
	auth := httpedge.Auth{Username: "rw", Password: "secret"}
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{Auth: auth, PublicBadges: true}), brokertest.API(s, httpapi.Config{Auth: auth})))
	t.Cleanup(srv.Close)
	get := func(path, accept string, withAuth bool) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", accept)
		if withAuth {
			req.SetBasicAuth("rw", "secret")
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		_, err = io.Copy(io.Discard, res.Body)
		require.NoError(t, err)
		return res.StatusCode, res.Header.Get("Content-Type")
	}
	code, _ := get("/pacts/provider/users/consumer/web/latest/badge", "image/svg+xml", false)
	assert.Equal(t, http.StatusOK, code, "a badge is public")

	code, _ = get("/pacticipants/secret%2Fbadge", browserAccept, false)
	assert.Equal(t, http.StatusUnauthorized, code, "the page of a pacticipant named secret/badge is not a badge")
	code, ctype := get("/pacticipants/secret%2Fbadge", "application/hal+json", true)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, ctype, "json", "an API client gets the pacticipant resource, not a page")
}

// TestPublicBadgesAreOnlyTheBadgeRoutes: with public badges, a page whose
// last path parameter is "badge" still needs credentials, for browsers and
// API clients alike (issue 13, finding 1: the pact page with metadata
// "badge" and the can-i-deploy matrix page to "badge" were public).
func TestPublicBadgesAreOnlyTheBadgeRoutes(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	auth := httpedge.Auth{Username: "rw", Password: "secret"}
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{Auth: auth, PublicBadges: true}), brokertest.API(s, httpapi.Config{Auth: auth})))
	t.Cleanup(srv.Close)
	p := mustPublish(t, s, "web", "9.0.0", "main", nil, "users", pactFile(t, "v3.json", "web", "users"))
	for _, path := range []string{
		"/pacts/provider/users/consumer/web/pact-version/" + p.SHA + "/metadata/badge",
		"/pacts/provider/users/consumer/web/version/badge",
		"/pacticipants/web/latest-version/main/can-i-deploy/to/badge",
		"/pacticipants/web/branches/main/latest-version/can-i-deploy/to-environment/badge",
		"/pacticipants/badge",
		"/matrix/provider/users/consumer/badge",
	} {
		for _, accept := range []string{browserAccept, "image/svg+xml", "application/hal+json", ""} {
			req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			require.NoError(t, err)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "%s (Accept: %s)", path, accept)
		}
	}
	for _, badge := range []string{
		"/pacts/provider/users/consumer/web/latest/badge",
		"/pacts/provider/users/consumer/web/latest/main/badge.svg",
		"/pacticipants/web/latest-version/main/can-i-deploy/to/prod/badge",
		"/pacticipants/web/main-branch/can-i-merge/badge",
	} {
		res, err := srv.Client().Get(srv.URL + badge)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, badge)
		assert.Contains(t, res.Header.Get("Content-Type"), "svg", badge)
	}
}
