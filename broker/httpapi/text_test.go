package httpapi_test

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
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

// TestOverlongNamesAreABadRequest: one limit for names, version numbers,
// branches, tags and environments (broker.MaxIdentifier bytes), enforced
// the same on both databases before either sees the value: at the limit
// (incompressible multi-byte text, the worst case for PostgreSQL's index
// entries) everything is stored and read back; one byte over is a 400 that
// says so. SQLite used to store 1 MB version numbers, PostgreSQL to fail.
func TestOverlongNamesAreABadRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < broker.MaxIdentifier-2 {
		b.WriteRune(rune(0x4E00 + rng.IntN(0x5000))) // 3 bytes each
	}
	atLimit := b.String() + strings.Repeat("a", broker.MaxIdentifier-b.Len())
	require.Len(t, atLimit, broker.MaxIdentifier)
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			base := brokertest.Serve(t, brokertest.NewStore(t, backend), httpapi.Config{})
			do := func(method, path, body string) (int, []byte) {
				t.Helper()
				req, err := http.NewRequest(method, base+path, strings.NewReader(body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				return resp.StatusCode, b
			}
			for _, name := range []string{atLimit, atLimit + "x"} {
				seg := url.PathEscape(name)
				jsonName, _ := json.Marshal(name)
				publish, _ := json.Marshal(publishBody("Web", "2", name, "Bar", "a"))
				for _, c := range []struct{ method, path, body, get string }{
					{http.MethodPut, "/pacticipants/Web/versions/" + seg, `{}`, "/pacticipants/Web/versions/" + seg},
					{http.MethodPut, "/pacticipants/Web/versions/1/tags/" + seg, `{}`, "/pacticipants/Web/versions/1/tags/" + seg},
					{http.MethodPut, "/pacticipants/Web/branches/" + seg + "/versions/1", `{}`, "/pacticipants/Web/branches/" + seg},
					{http.MethodPost, "/pacticipants", `{"name":` + string(jsonName) + `}`, "/pacticipants/" + seg},
					{http.MethodPost, "/environments", `{"name":` + string(jsonName) + `,"production":false}`, ""},
					{http.MethodPost, "/contracts/publish", string(publish), "/pacticipants/Web/branches/" + seg + "/versions/2"},
				} {
					what := c.method + " " + c.path[:min(len(c.path), 40)] + "…"
					code, body := do(c.method, c.path, c.body)
					if len(name) > broker.MaxIdentifier {
						assert.Equal(t, http.StatusBadRequest, code, "%s: %s", what, body)
						assert.Contains(t, string(body), "too long (1001 bytes)", what)
						continue
					}
					assert.Equal(t, 2, code/100, "%s at the limit: %s", what, body)
					if c.get != "" {
						code, body := do(http.MethodGet, c.get, "")
						assert.Equal(t, http.StatusOK, code, "%s read back: %s", what, body)
					}
				}
			}
		})
	}
}

// TestRawJSONMustBeUTF8: test results, verifiedBy and webhook bodies are
// stored as JSON text; bytes that are not UTF-8 in them are a 400 on both
// databases (SQLite stored them and served invalid JSON afterwards).
func TestRawJSONMustBeUTF8(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			base := brokertest.Serve(t, brokertest.NewStore(t, backend), httpapi.Config{})
			for _, c := range []struct{ path, body string }{
				{"/pacts/provider/Bar/consumer/Foo/pact-version/abc/verification-results", "{\"success\":true,\"providerApplicationVersion\":\"1\",\"testResults\":{\"a\":\"\xff\"}}"},
				{"/pacts/provider/Bar/consumer/Foo/pact-version/abc/verification-results", "{\"success\":true,\"providerApplicationVersion\":\"1\",\"verifiedBy\":{\"implementation\":\"\xfe\"}}"},
				{"/webhooks", "{\"events\":[{\"name\":\"contract_published\"}],\"request\":{\"method\":\"POST\",\"url\":\"https://ci.example/b\",\"body\":{\"a\":\"\xc3\"}}}"},
			} {
				resp, err := http.Post(base+c.path, "application/json", strings.NewReader(c.body))
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %s", c.path, b)
				assert.Contains(t, string(b), "not valid UTF-8", c.path)
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
