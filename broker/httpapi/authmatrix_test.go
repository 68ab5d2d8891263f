package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
)

// readingPOSTs are the POSTs that only read: pacts-for-verification takes
// its selectors as a body.
var readingPOSTs = map[string]bool{
	"POST /pacts/provider/{provider}/for-verification": true,
}

// TestAuthMatrix sends every route of the API's own route table, with
// each of its methods, as every kind of client, and checks the answer
// against the access the route declares. The routes come from
// Server.Routes, so a route added later is checked without editing this
// test (issue 13: no route can escape the matrix).
func TestAuthMatrix(t *testing.T) {
	creds := httpedge.Auth{Username: "rw", Password: "rw-pass", ReadOnlyUsername: "ro", ReadOnlyPassword: "ro-pass",
		Token: "rw-token", ReadOnlyToken: "ro-token"}
	type client struct {
		name  string
		set   func(*http.Request)
		level int // 0 nobody, 1 reader, 2 writer
	}
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	clients := []client{
		{"anonymous", nil, 0},
		{"wrong password", basic("rw", "nope"), 0},
		{"unknown user", basic("mallory", "rw-pass"), 0},
		{"wrong token", bearer("nope"), 0},
		{"read-only user", basic("ro", "ro-pass"), 1},
		{"read-only token", bearer("ro-token"), 1},
		{"read-write user", basic("rw", "rw-pass"), 2},
		{"read-write token", bearer("rw-token"), 2},
	}
	placeholder := regexp.MustCompile(`\{[^}]+\}`)

	for _, publicRead := range []bool{false, true} {
		t.Run(fmt.Sprintf("public_read=%t", publicRead), func(t *testing.T) {
			a := creds
			a.AllowPublicRead = publicRead
			cfg := httpapi.Config{Auth: a}
			store := brokertest.NewStore(t, "sqlite")
			routes := brokertest.API(store, cfg).Routes()
			require.Greater(t, len(routes), 60, "the route table should list every API route")
			base := brokertest.Serve(t, store, cfg)
			sent := 0
			for _, rt := range routes {
				// What a route declares is itself checked: reads never need
				// write access, and everything that is not a read does,
				// except the one POST the official clients send to ask.
				switch {
				case rt.Method == http.MethodGet || rt.Method == http.MethodHead:
					assert.NotEqual(t, httpedge.Write, rt.Access, "%s %s reads but needs write access", rt.Method, rt.Pattern)
				case readingPOSTs[rt.Method+" "+rt.Pattern]:
					assert.Equal(t, httpedge.Read, rt.Access, "%s %s", rt.Method, rt.Pattern)
				default:
					assert.Equal(t, httpedge.Write, rt.Access, "%s %s changes data but is not declared write", rt.Method, rt.Pattern)
				}
				path := placeholder.ReplaceAllString(strings.ReplaceAll(rt.Pattern, "{$}", ""), "m")
				for _, c := range clients {
					need := 1
					switch rt.Access {
					case httpedge.Write:
						need = 2
					case httpedge.Public:
						need = 0
					}
					level := c.level
					if publicRead && level == 0 {
						level = 1 // public read: clients without valid credentials read
					}
					code, _, body := send(t, rt.Method, base+path, c.set)
					sent++
					what := fmt.Sprintf("%s %s as %s: %d %.120s", rt.Method, rt.Pattern, c.name, code, body)
					switch {
					case level >= need:
						assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, code, what)
					case c.level == 0:
						assert.Equal(t, http.StatusUnauthorized, code, what)
					default:
						assert.Equal(t, http.StatusForbidden, code, what)
					}
				}
			}
			t.Logf("%d routes x %d clients: %d requests", len(routes), len(clients), sent)
		})
	}
}
