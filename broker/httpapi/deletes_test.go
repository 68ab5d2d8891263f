package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// TestDeleteVerificationResults deletes through every verification-result
// resource the Ruby broker lets a client DELETE, on SQLite and PostgreSQL:
// each removes the one result it names (with the webhooks it triggered),
// never the provider version, and leaves no orphan rows.
func TestDeleteVerificationResults(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := brokertest.NewStore(t, backend)
			ctx := t.Context()
			c := client{t: t, base: brokertest.Serve(t, s, httpapi.Config{})}
			publish := func(version, tag string, descriptions ...string) string {
				t.Helper()
				b := publishBody("Web", version, "main", "Orders", descriptions...)
				b["tags"] = []string{tag}
				code, res, _ := c.do("POST", "/contracts/publish", b)
				require.Equal(t, http.StatusOK, code, "%v", res)
				p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: version})
				require.NoError(t, err)
				return p.SHA
			}
			a := publish("1", "prod", "get order")
			b := publish("2", "dev", "get order", "list orders")
			_, err := s.CreateWebhook(ctx, broker.Webhook{Provider: &broker.WebhookPacticipant{Name: "Orders"}, Enabled: true,
				Events: []string{"provider_verification_published"}, Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/hook"}})
			require.NoError(t, err)
			verify := func(sha, providerVersion string) int64 {
				t.Helper()
				code, res, _ := c.do("POST", "/pacts/provider/Orders/consumer/Web/pact-version/"+sha+"/verification-results",
					map[string]any{"success": true, "providerApplicationVersion": providerVersion})
				require.Equal(t, http.StatusCreated, code, "%v", res)
				v, err := s.LatestVerification(ctx, "Web", "Orders", sha)
				require.NoError(t, err)
				return v.Number
			}
			a1, a2, a3, a4 := verify(a, "o1"), verify(a, "o2"), verify(a, "o3"), verify(a, "o4")
			b1, b2 := verify(b, "o5"), verify(b, "o6")
			triggered := func() int {
				var n int
				require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM triggered_webhooks WHERE verification_id IS NOT NULL`).Scan(&n))
				return n
			}
			require.Equal(t, 6, triggered(), "each result triggered the webhook")
			latestOf := func(sha string) int64 {
				v, err := s.LatestVerification(ctx, "Web", "Orders", sha)
				if broker.IsNotFound(err) {
					return 0
				}
				require.NoError(t, err)
				return v.Number
			}
			pair := "/pacts/provider/Orders/consumer/Web"
			byNumber := func(sha string, n int64) string {
				return fmt.Sprintf("%s/pact-version/%s/verification-results/%d", pair, sha, n)
			}

			steps := []struct {
				name, path string
				gone       int64
				sha        string
				latest     int64 // the latest result of sha afterwards
			}{
				{"by number", byNumber(a, a4), a4, a, a3},
				{"by number with metadata", fmt.Sprintf("%s/pact-version/%s/metadata/c1tdPTE/verification-results/%d", pair, a, a3), a3, a, a2},
				{"latest for a consumer version", pair + "/version/1/verification-results/latest", a2, a, a1},
				{"latest for the latest tagged pact", pair + "/latest/prod/verification-results/latest", a1, a, 0},
				{"latest for the latest pact", pair + "/latest/verification-results/latest", b2, b, b1},
			}
			for _, st := range steps {
				code, body, _ := c.do("DELETE", st.path, nil)
				require.Equal(t, http.StatusNoContent, code, "%s: %v", st.name, body)
				code, _, _ = c.do("GET", byNumber(st.sha, st.gone), nil)
				assert.Equal(t, http.StatusNotFound, code, "%s: the result is gone", st.name)
				assert.Equal(t, st.latest, latestOf(st.sha), st.name)
				brokertest.AssertNoOrphans(t, s)
			}
			code, _, _ := c.do("DELETE", byNumber(a, a4), nil)
			assert.Equal(t, http.StatusNotFound, code, "deleting again")
			code, _, _ = c.do("DELETE", pair+"/latest/prod/verification-results/latest", nil)
			assert.Equal(t, http.StatusNotFound, code, "the pact has no results left")
			code, body, _ := c.do("GET", pair+"/pact-version/"+b+"/verification-results/all", nil)
			assert.Equal(t, http.StatusNotFound, code)
			assert.Equal(t, "To see all the verifications for a pact, use the Matrix page", body["error"])
			code, _, _ = c.do("DELETE", pair+"/pact-version/"+b+"/verification-results/1x", nil)
			assert.Equal(t, http.StatusNotFound, code)

			// A pact deleted before its last result: the content lives on for
			// the result, and goes with it.
			code, _, _ = c.do("DELETE", pair+"/version/2", nil)
			require.Equal(t, http.StatusNoContent, code)
			code, body, _ = c.do("DELETE", pair+"/pact-version/"+b+"/verification-results/latest", nil)
			require.Equal(t, http.StatusNoContent, code, "%v", body)
			assert.Zero(t, latestOf(b))

			assert.Zero(t, triggered(), "the webhooks the results triggered go with them")
			for _, n := range []string{"o1", "o2", "o3", "o4", "o5", "o6"} {
				_, err := s.GetVersion(ctx, "Orders", n)
				assert.NoError(t, err, "provider version %s stays", n)
			}
			brokertest.AssertNoOrphans(t, s)
		})
	}
}

// TestDeleteBranchVersion takes a version off a branch (names with "/"
// encoded or not), on SQLite and PostgreSQL: the version and the branch
// stay.
func TestDeleteBranchVersion(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := brokertest.NewStore(t, backend)
			ctx := t.Context()
			c := client{t: t, base: brokertest.Serve(t, s, httpapi.Config{})}
			for _, path := range []string{"/pacticipants/Web/branches/feat%2Fx/versions/1", "/pacticipants/Web/branches/feat/x/versions/2"} {
				code, body, _ := c.do("PUT", path, map[string]any{})
				require.Equal(t, http.StatusCreated, code, "%v", body)
			}
			code, body, _ := c.do("DELETE", "/pacticipants/Web/branches/feat%2Fx/versions/2", nil)
			require.Equal(t, http.StatusNoContent, code, "%v", body)
			code, _, _ = c.do("GET", "/pacticipants/Web/branches/feat%2Fx/versions/2", nil)
			assert.Equal(t, http.StatusNotFound, code)
			code, _, _ = c.do("DELETE", "/pacticipants/Web/branches/feat%2Fx/versions/2", nil)
			assert.Equal(t, http.StatusNotFound, code, "deleting again")
			code, body, _ = c.do("GET", "/pacticipants/Web/branches/feat%2Fx/latest-version", nil)
			require.Equal(t, http.StatusOK, code, "%v", body)
			assert.Equal(t, "1", body["number"], "the head is the newest version left on the branch")

			code, _, _ = c.do("DELETE", "/pacticipants/Web/branches/feat/x/versions/1", nil)
			require.Equal(t, http.StatusNoContent, code, "a branch name with an unencoded slash")
			code, _, _ = c.do("GET", "/pacticipants/Web/branches/feat%2Fx", nil)
			assert.Equal(t, http.StatusOK, code, "the branch stays")
			for _, n := range []string{"1", "2"} {
				v, err := s.GetVersion(ctx, "Web", n)
				require.NoError(t, err, "version %s stays", n)
				assert.Empty(t, v.Branches)
			}
			code, _, _ = c.do("DELETE", "/pacticipants/Nobody/branches/feat%2Fx/versions/1", nil)
			assert.Equal(t, http.StatusNotFound, code)
			brokertest.AssertNoOrphans(t, s)
		})
	}
}
