package contracts_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
)

const shopUsers = "testdata/shop-users.json"

func call(t testing.TB, method, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestStubChoosesByProviderState(t *testing.T) {
	exists := contracts.Stub(t, "users", contracts.StubFrom{PactFile: shopUsers}, contracts.WithState("user 1 exists"))
	status, body := call(t, "GET", exists+"/users/1", "", "Accept", "application/json")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"id": 1, "name": "Ada Lovelace"}`, body)

	none := contracts.Stub(t, "users", contracts.StubFrom{PactFile: shopUsers}, contracts.WithState("no users exist"))
	status, _ = call(t, "GET", none+"/users/1", "")
	assert.Equal(t, 404, status)

	// Interactions without states answer whatever state was asked for.
	status, body = call(t, "POST", none+"/users", `{"name": "Zed", "email": "zed@example.com"}`, "Content-Type", "application/json")
	assert.Equal(t, 201, status)
	assert.JSONEq(t, `{"id": 2}`, body)
}

func TestStubNamesTheClosestInteractionWhenNothingMatches(t *testing.T) {
	stub := contracts.Stub(t, "users", contracts.StubFrom{PactFile: shopUsers})
	for _, tc := range []struct {
		name, method, path, body string
		closest, difference      string
	}{
		{"wrong path", "GET", "/users/1/orders", "", "a request for user 1 when there are no users", "path: expected /users/1, got /users/1/orders"},
		{"wrong type", "POST", "/users", `{"name": 7, "email": "zed@example.com"}`, "a request to create a user", "body $.name: expected a string, got 7"},
		{"not an email", "POST", "/users", `{"name": "Zed", "email": "zed"}`, "a request to create a user", "body $.email: zed does not match ^[^@]+@[^@]+$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, tc.method, stub+tc.path, tc.body, "Content-Type", "application/json")
			assert.Equal(t, 500, status)
			var got struct {
				Error   string `json:"error"`
				Closest struct {
					Description string `json:"description"`
				} `json:"closest"`
				Differences []string `json:"differences"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &got), body)
			assert.Equal(t, tc.closest, got.Closest.Description)
			assert.Contains(t, got.Differences, tc.difference)
			assert.Contains(t, got.Error, "no interaction matches "+tc.method+" "+tc.path)
		})
	}
}

// BenchmarkStub measures a stub's answers on loopback, over keep-alive
// connections from parallel clients (the goal: at least 5,000 req/s).
func BenchmarkStub(b *testing.B) {
	stub := contracts.Stub(b, "users", contracts.StubFrom{PactFile: shopUsers}, contracts.WithState("user 1 exists"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest("GET", stub+"/users/1", nil)
		req.Header.Set("Accept", "application/json")
		for pb.Next() {
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
