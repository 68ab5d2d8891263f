package httpapi_test

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// TestTextTheDatabaseCannotStoreIsABadRequest: a NUL character or bytes
// that are not UTF-8 in a name, version, branch, tag or body field are a
// client mistake (400 saying why), not a database error (PostgreSQL refuses
// them in text columns, which made every such request a 500 the clients
// retried).
func TestTextTheDatabaseCannotStoreIsABadRequest(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			base := brokertest.Serve(t, brokertest.NewStore(t, backend), httpapi.Config{})
			do := func(method, path, body string) (int, string) {
				t.Helper()
				req, err := http.NewRequest(method, base+path, strings.NewReader(body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/hal+json")
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(b)
			}
			code, body := do(http.MethodPut, "/pacticipants/Web/versions/1", `{}`)
			require.Equal(t, http.StatusOK, code/100*100, body)

			for _, c := range []struct{ method, path, body string }{
				{http.MethodGet, "/pacticipants/We%00b", ""},
				{http.MethodGet, "/pacticipants/We%FFb", ""},
				{http.MethodPut, "/pacticipants/We%00b", `{}`},
				{http.MethodGet, "/pacticipants/Web/versions/1%00", ""},
				{http.MethodPut, "/pacticipants/Web/versions/1/tags/t%00", `{}`},
				{http.MethodPut, "/pacticipants/Web/branches/b%00/versions/1", `{}`},
				{http.MethodGet, "/pacts/provider/Us%00ers/for-verification", ""},
				{http.MethodGet, "/matrix?q[][pacticipant]=We%00b&q[][version]=1", ""},
				{http.MethodGet, "/can-i-deploy?pacticipant=Web&version=1%00&environment=production", ""},
				{http.MethodGet, "/environments?name=%00", ""},
				{http.MethodPost, "/pacticipants", `{"name":"We\u0000b"}`},
				{http.MethodPost, "/environments", `{"name":"prod","displayName":"Pro\u0000d","production":true}`},
				{http.MethodPost, "/contracts/publish", `{"pacticipantName":"Web","pacticipantVersionNumber":"2\u0000","contracts":[]}`},
				{http.MethodPost, "/pacts/provider/Users/for-verification", `{"consumerVersionSelectors":[{"branch":"ma\u0000in"}]}`},
			} {
				code, body := do(c.method, c.path, c.body)
				assert.Equal(t, http.StatusBadRequest, code, "%s %s %s: %s", c.method, c.path, c.body, body)
				var e struct {
					Errors map[string][]string `json:"errors"`
				}
				if assert.NoError(t, json.Unmarshal([]byte(body), &e), body) {
					assert.Regexp(t, "NUL|UTF-8", strings.Join(e.Errors["base"], " "), "%s %s", c.method, c.path)
				}
			}
			code, body = do(http.MethodGet, "/pacticipants/Web/versions/1", "")
			assert.Equal(t, http.StatusOK, code, "the broker still works: %s", body)
		})
	}
}

// TestOverlongNamesAreABadRequest: PostgreSQL cannot index text of several
// kilobytes, so an overlong version number, tag, branch, pacticipant or
// environment name is refused with a 400 that says so, not a 500 the
// clients retry. SQLite stores them; either way nothing is a 5xx.
func TestOverlongNamesAreABadRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	letters := make([]byte, 9000) // incompressible, so PostgreSQL cannot squeeze it into an index
	for i := range letters {
		letters[i] = byte('a' + rng.IntN(26))
	}
	long := string(letters)
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			base := brokertest.Serve(t, brokertest.NewStore(t, backend), httpapi.Config{})
			for _, c := range []struct{ method, path, body string }{
				{http.MethodPut, "/pacticipants/Web/versions/" + long, `{}`},
				{http.MethodPut, "/pacticipants/Web/versions/1/tags/" + long, `{}`},
				{http.MethodPut, "/pacticipants/Web/branches/" + long + "/versions/1", `{}`},
				{http.MethodPost, "/pacticipants", `{"name":"` + long + `"}`},
				{http.MethodPost, "/environments", `{"name":"` + long + `","production":false}`},
			} {
				req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				what := c.method + " " + c.path[:min(len(c.path), 40)] + "…"
				if backend == "postgres" {
					assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %s", what, b)
					assert.Contains(t, string(b), "too long", what)
				} else {
					assert.Less(t, resp.StatusCode, 500, "%s: %s", what, b)
				}
			}
		})
	}
}

// TestHugePageNumbersAreABadRequest: page × size beyond int64 used to wrap
// into a negative OFFSET that PostgreSQL refuses (a 500); the biggest pages
// that fit are answered, beyond that is a 400 naming the limit.
func TestHugePageNumbersAreABadRequest(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			base := brokertest.Serve(t, brokertest.NewStore(t, backend), httpapi.Config{})
			req, err := http.NewRequest(http.MethodPut, base+"/pacticipants/Web/versions/1", strings.NewReader(`{}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusCreated, resp.StatusCode)
			for _, c := range []struct {
				query string
				want  int
			}{
				{"page=9223372036854775807&size=100", http.StatusBadRequest},
				{"pageNumber=4611686018427387904&pageSize=4", http.StatusBadRequest},
				{"page=2&size=9223372036854775807", http.StatusBadRequest},
				{"page=1000000000&size=1000000000", http.StatusOK},
			} {
				for _, path := range []string{"/pacticipants", "/pacticipants/Web/versions"} {
					resp, err := http.Get(base + path + "?" + c.query)
					require.NoError(t, err)
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					require.NoError(t, err)
					assert.Equal(t, c.want, resp.StatusCode, "%s?%s: %s", path, c.query, b)
					if c.want == http.StatusBadRequest {
						assert.Contains(t, string(b), "at least 1 and at most 1000000000", "%s?%s", path, c.query)
					}
				}
			}
		})
	}
}
