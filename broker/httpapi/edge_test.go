package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
)

func send(t *testing.T, method, url string, set func(*http.Request)) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if set != nil {
		set(req)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(body)
}

// TestAnonymousClientsCannotMapRoutes: with auth on, a client without
// credentials gets 401 whether or not the route or method exists, so it
// cannot tell which routes the broker has (issue 13, finding 6).
func TestAnonymousClientsCannotMapRoutes(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "p"}})
	for _, c := range []struct{ method, path string }{
		{"GET", "/no/such/route"},
		{"DELETE", "/pacticipants"}, // a route without DELETE
		{"OPTIONS", "/pacticipants"},
		{"GET", "/diagnostic/status/nothing"},
	} {
		code, h, _ := send(t, c.method, base+c.path, nil)
		assert.Equal(t, http.StatusUnauthorized, code, "%s %s", c.method, c.path)
		assert.Equal(t, `Basic realm="Restricted area"`, h.Get("WWW-Authenticate"))
	}
	auth := func(r *http.Request) { r.SetBasicAuth("rw", "p") }
	code, _, body := send(t, "GET", base+"/no/such/route", auth)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, body, "no resource at /no/such/route")
	code, _, _ = send(t, "DELETE", base+"/pacticipants", auth)
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	code, h, _ := send(t, "OPTIONS", base+"/pacticipants", auth)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "OPTIONS, GET, POST", h.Get("Allow"))
	code, _, _ = send(t, "GET", base+"/diagnostic/status/heartbeat", nil)
	assert.Equal(t, http.StatusUnauthorized, code, "the heartbeat needs credentials unless PACT_BROKER_PUBLIC_HEARTBEAT")
	public := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "p"}, PublicHeartbeat: true})
	code, _, _ = send(t, "GET", public+"/diagnostic/status/heartbeat", nil)
	assert.Equal(t, http.StatusOK, code, "a public heartbeat is for load balancers")
	code, _, _ = send(t, "GET", public+"/pacticipants", nil)
	assert.Equal(t, http.StatusUnauthorized, code, "and opens nothing else")
}

// TestBearerSchemeIsCaseInsensitive: RFC 9110 makes the scheme
// case-insensitive; "bearer" is what some HTTP libraries send.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{Auth: httpedge.Auth{Token: "t0ken", ReadOnlyToken: "r0"}})
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		code, _, _ := send(t, "GET", base+"/pacticipants", func(r *http.Request) { r.Header.Set("Authorization", scheme+" t0ken") })
		assert.Equal(t, http.StatusOK, code, scheme)
	}
	code, _, _ := send(t, "GET", base+"/pacticipants", func(r *http.Request) { r.Header.Set("Authorization", "bearer wrong") })
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = send(t, "DELETE", base+"/pacticipants/x", func(r *http.Request) { r.Header.Set("Authorization", "bearer r0") })
	assert.Equal(t, http.StatusForbidden, code, "the read-only token may not write, whatever the case")
}

// TestIndexAdvertisesOnlyServedLinks: every link of the index has a route
// (templates filled with names that may not exist: a 404 from the store
// is fine, a path without a route is not).
func TestIndexAdvertisesOnlyServedLinks(t *testing.T) {
	s := brokertest.NewStore(t, "sqlite")
	_, err := s.CreatePacticipant(context.Background(), "x", broker.PacticipantUpdate{})
	require.NoError(t, err)
	base := brokertest.Serve(t, s, httpapi.Config{})
	code, _, body := send(t, "GET", base+"/", nil)
	require.Equal(t, http.StatusOK, code)
	var index struct {
		Links map[string]json.RawMessage `json:"_links"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &index))
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	for rel, raw := range index.Links {
		var links []httpapi.Link
		if json.Unmarshal(raw, &links) != nil {
			var l httpapi.Link
			require.NoError(t, json.Unmarshal(raw, &l), rel)
			links = []httpapi.Link{l}
		}
		for _, l := range links {
			href := placeholder.ReplaceAllString(l.Href, "x")
			require.True(t, strings.HasPrefix(href, base), "%s: %s", rel, href)
			code, _, body := send(t, "GET", href, nil)
			assert.NotContains(t, body, "no resource at", "%s: GET %s has no route (%d)", rel, href, code)
			assert.Less(t, code, 500, "%s: GET %s", rel, href)
		}
	}
}
