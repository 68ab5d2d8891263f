package ui_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/ui"
)

func TestAccess(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	auth := httpedge.Auth{Username: "rw", Password: "secret", ReadOnlyUsername: "ro", ReadOnlyPassword: "ro-secret", Token: "tok", ReadOnlyToken: "ro-tok"}
	serve := func(cfg ui.Config) *httptest.Server {
		srv := httptest.NewServer(ui.Split(brokertest.Pages(s, cfg), brokertest.API(s, httpapi.Config{Auth: auth})))
		t.Cleanup(srv.Close)
		return srv
	}
	locked := serve(ui.Config{Auth: auth})
	get := func(srv *httptest.Server, path string, set func(*http.Request)) *http.Response {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", browserAccept)
		if set != nil {
			set(req)
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	for _, c := range []struct {
		name string
		set  func(*http.Request)
		want int
	}{
		{"anonymous", nil, http.StatusUnauthorized},
		{"read/write user", func(r *http.Request) { r.SetBasicAuth("rw", "secret") }, http.StatusOK},
		{"read-only user", func(r *http.Request) { r.SetBasicAuth("ro", "ro-secret") }, http.StatusOK},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth("rw", "nope") }, http.StatusUnauthorized},
		{"token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok") }, http.StatusOK},
		{"read-only token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer ro-tok") }, http.StatusOK},
		{"empty read-only user does not match", func(r *http.Request) { r.SetBasicAuth("", "") }, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/", "/pacticipants/orders", "/pacts/provider/orders/consumer/gateway/latest/badge"} {
				res := get(locked, path, c.set)
				assert.Equal(t, c.want, res.StatusCode, path)
				if c.want == http.StatusUnauthorized {
					assert.Equal(t, `Basic realm="Pact Broker"`, res.Header.Get("WWW-Authenticate"), "the browser asks for credentials")
				}
			}
		})
	}
	assert.Equal(t, http.StatusOK, get(locked, "/ui/assets/style.css", nil).StatusCode, "assets carry no data")

	badges := serve(ui.Config{Auth: auth, PublicBadges: true})
	assert.Equal(t, http.StatusOK, get(badges, "/pacts/provider/orders/consumer/gateway/latest/badge", nil).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, get(badges, "/", nil).StatusCode)

	public := auth
	public.AllowPublicRead = true
	assert.Equal(t, http.StatusOK, get(serve(ui.Config{Auth: public}), "/", nil).StatusCode)
}
