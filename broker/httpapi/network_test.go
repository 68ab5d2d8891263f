package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// TestNetworkDashboardAndTestError checks the official broker's
// /relationships and /groups CSV, /dashboard (HAL and text) and
// /test/error, on SQLite and PostgreSQL.
func TestNetworkDashboardAndTestError(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := brokertest.NewStore(t, backend)
			ctx := t.Context()
			c := client{t: t, base: brokertest.Serve(t, s, httpapi.Config{})}
			c.publish("Web", "1", "main", "Orders", []string{"prod"}, "get order")
			c.publish("Web", "2", "main", "Orders", []string{"dev"}, "get order", "list orders")
			c.publish("Web", "2", "main", "Users", []string{"dev"}, "get user")
			c.publish("Mobile", "7", "main", "Orders", nil, "get order")
			c.publish("Lone", "1", "main", "Alone", nil, "ping")
			p1, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
			require.NoError(t, err)
			_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p1.SHA, ProviderVersion: "o1", Success: true})
			require.NoError(t, err)
			_, _, err = s.AddTag(ctx, "Orders", "o1", "prod")
			require.NoError(t, err)
			_, _, err = s.AddBranchVersion(ctx, "Orders", "main", "o1")
			require.NoError(t, err)
			p7, err := s.GetPact(ctx, broker.PactRef{Consumer: "Mobile", Provider: "Orders", Version: "7"})
			require.NoError(t, err)
			_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Mobile", Provider: "Orders", SHA: p7.SHA, ProviderVersion: "o2", Success: false, Pending: true})
			require.NoError(t, err)

			ps, _, err := s.ListPacticipants(ctx, broker.Page{})
			require.NoError(t, err)
			id := map[string]int64{}
			for _, p := range ps {
				id[p.Name] = p.ID
			}
			row := func(name string, order int, rest ...int64) string {
				r := fmt.Sprintf("%d,%s,1,1,0,%d", id[name], name, order)
				for _, x := range rest {
					r += fmt.Sprintf(",%d", x)
				}
				return r + "\n"
			}

			code, ctype, body := fetch(t, "GET", c.base+"/relationships", "text/csv")
			require.Equal(t, http.StatusOK, code, body)
			assert.Equal(t, "text/csv;charset=utf-8", ctype)
			assert.Equal(t, row("Lone", 1, id["Alone"], 0)+row("Alone", 2, 0, 0)+row("Mobile", 3, id["Orders"], 0)+
				row("Orders", 4, 0, 0)+row("Web", 5, id["Orders"], id["Users"])+row("Users", 6, 0, 0), body,
				"one row per pacticipant: its id, name, 1, 1, 0, order, then the providers it consumes padded with 0")

			code, _, body = fetch(t, "GET", c.base+"/groups/Users", "text/csv")
			require.Equal(t, http.StatusOK, code, body)
			assert.Equal(t, row("Web", 1, id["Users"], id["Orders"])+row("Users", 2, 0, 0)+row("Orders", 3, 0, 0)+row("Mobile", 4, id["Orders"], 0), body,
				"the pacticipants connected to Users, however far, and no others")
			code, _, body = fetch(t, "GET", c.base+"/groups/Users?maxPacticipants=2", "text/csv")
			require.Equal(t, http.StatusOK, code, body)
			assert.Equal(t, row("Web", 1, id["Users"])+row("Users", 2, 0), body, "the search stops once it has reached 2 pacticipants")
			code, _, _ = fetch(t, "GET", c.base+"/groups/Nobody", "text/csv")
			assert.Equal(t, http.StatusNotFound, code)

			code, dash, _ := c.do("GET", "/dashboard", nil)
			require.Equal(t, http.StatusOK, code, "%v", dash)
			items := dash["items"].([]any)
			byPact := map[string]any{}
			for _, it := range items {
				byPact[fmt.Sprintf("%s %s %s", get(it, "consumer.name"), get(it, "consumer.version.number"), get(it, "provider.name"))] = it
			}
			assert.Len(t, items, 5, "the latest pact of each pair, and Web 1 for its prod tag: %v", keys(byPact))
			web1 := byPact["Web 1 Orders"]
			require.NotNil(t, web1, "the latest prod pact is shown")
			assert.Equal(t, "success", get(web1, "verificationStatus"))
			assert.Equal(t, "o1", get(web1, "provider.version.number"))
			assert.Equal(t, []any{"main"}, get(web1, "provider.version.headBranchNames"))
			assert.Equal(t, "prod", get(web1, "pactTags.0.name"))
			assert.Equal(t, "prod", get(web1, "latestVerificationResultTags.0.name"))
			assert.Equal(t, true, get(web1, "latestVerificationResultTags.0.latest"))
			assert.Equal(t, c.base+"/pacts/provider/Orders/consumer/Web/pact-version/"+p1.SHA+"/verification-results/latest", get(web1, "latestVerificationResult._links.self.href"))
			assert.Equal(t, "none", get(web1, "webhookStatus"))
			web2 := byPact["Web 2 Orders"]
			assert.Equal(t, "never", get(web2, "verificationStatus"))
			assert.Nil(t, get(web2, "provider.version"))
			assert.Equal(t, "main", get(web2, "consumer.version.branch"))
			assert.Equal(t, c.base+"/pacts/provider/Orders/consumer/Web/version/2", get(web2, "pact._links.self.href"))
			assert.Equal(t, "failed_pending", get(byPact["Mobile 7 Orders"], "verificationStatus"))
			assert.Equal(t, "Mobile", get(items[0], "consumer.name"), "the most recent activity first")

			code, ctype, text := fetch(t, "GET", c.base+"/dashboard", "text/plain")
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, "text/plain;charset=utf-8", ctype)
			lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			require.Len(t, lines, 2+5, text)
			assert.Regexp(t, `^CONSUMER_NAME \| C_VERSION \| C_TAGS +\| PROVIDER_NAME \| P_VERSION \| P_TAGS \| SUCCESS +$`, lines[0])
			assert.Regexp(t, `^-+-\|-`, lines[1])
			assert.Regexp(t, `^Web +\| 1 +\| prod +\| Orders +\| o1 +\| prod +\| success +$`, findLine(lines, "Web           | 1 "))

			code, dash, _ = c.do("GET", "/dashboard/provider/Orders/consumer/Web", nil)
			require.Equal(t, http.StatusOK, code, "%v", dash)
			assert.Len(t, dash["items"], 2, "the pair's latest pact and its latest prod pact")
			code, _, _ = c.do("GET", "/dashboard/provider/Orders/consumer/Nobody", nil)
			assert.Equal(t, http.StatusNotFound, code)
			code, dash, _ = c.do("GET", "/dashboard?page=2&size=2", nil)
			require.Equal(t, http.StatusOK, code, "%v", dash)
			assert.Len(t, dash["items"], 2)
			code, _, _ = c.do("GET", "/dashboard?page=0", nil)
			assert.Equal(t, http.StatusBadRequest, code)

			// The integrations link the dashboard and group as the Ruby broker does.
			code, body2, _ := c.do("GET", "/integrations", nil)
			require.Equal(t, http.StatusOK, code)
			for _, in := range get(body2, "_embedded.integrations").([]any) {
				for _, rel := range []string{"pb:dashboard", "pb:group"} {
					href := get(in, "_links."+rel+".href").(string)
					code, _, _ := fetch(t, "GET", href, "application/hal+json")
					assert.Equal(t, http.StatusOK, code, "%s %s", rel, href)
				}
			}

			for _, method := range []string{"GET", "POST"} {
				code, body, _ := c.do(method, "/test/error", nil)
				assert.Equal(t, http.StatusInternalServerError, code, method)
				assert.Contains(t, get(body, "error.message"), "An error has occurred. The details have been logged with the reference", method)
				assert.NotEmpty(t, get(body, "error.reference"), method)
			}
			code, _, _ = c.do("GET", "/", nil)
			assert.Equal(t, http.StatusOK, code, "the broker serves on after the test error")
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func findLine(lines []string, prefix string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
