package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden HAL responses in testdata/golden")

// TestGoldenResponses pins the HAL documents the clients read, with a fixed
// clock and base URL. Run `go test ./broker/httpapi -run Golden -update`
// after an intended change and review the diff.
func TestGoldenResponses(t *testing.T) {
	s := brokertest.NewStore(t, "sqlite")
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	api := brokertest.API(s, httpapi.Config{BaseURL: "http://broker"})
	call := func(method, path string, body any) []byte {
		t.Helper()
		var r *bytes.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			r = bytes.NewReader(b)
		} else {
			r = bytes.NewReader(nil)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(method, path, r))
		require.Less(t, rec.Code, 300, "%s %s: %s", method, path, rec.Body)
		return rec.Body.Bytes()
	}
	steps := []struct {
		name, method, path string
		body               any
	}{
		{"index", "GET", "/", nil},
		{"publish_contracts", "POST", "/contracts/publish", publishBody("Web App", "1.0.0", "main", "User API", "get user")},
		{"pact", "GET", "/pacts/provider/User%20API/consumer/Web%20App/version/1.0.0", nil},
		{"pacticipant", "GET", "/pacticipants/Web%20App", nil},
		{"version", "GET", "/pacticipants/Web%20App/versions/1.0.0", nil},
		{"latest_pacts", "GET", "/pacts/latest", nil},
		{"provider_latest_pacts", "GET", "/pacts/provider/User%20API/latest", nil},
		{"pacts_for_verification", "POST", "/pacts/provider/User%20API/for-verification", map[string]any{
			"consumerVersionSelectors": []any{map[string]any{"mainBranch": true}, map[string]any{"tag": "dev", "latest": true}},
			"providerVersionBranch":    "main", "includePendingStatus": true, "includeWipPactsSince": "2020-01-01"}},
		{"branch_version", "PUT", "/pacticipants/User%20API/branches/main/versions/p1", map[string]any{}},
		{"verification_result", "POST", "/pacts/provider/User%20API/consumer/Web%20App/pact-version/" + shaOf(t) + "/verification-results", map[string]any{
			"success": true, "providerApplicationVersion": "p1", "testResults": []any{map[string]any{"interactionId": "x", "success": true}},
			"verifiedBy": map[string]any{"implementation": "Pact-Rust", "version": "1.3.3"}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, call(st.method, st.path, st.body), "", "  "))
			file := filepath.Join("testdata", "golden", st.name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
				require.NoError(t, os.WriteFile(file, pretty.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err, "golden file missing: run go test ./broker/httpapi -run Golden -update")
			assert.Equal(t, string(want), pretty.String(), "response changed; if intended, rerun with -update and review the diff")
		})
	}
}

// shaOf is the content SHA of the pact the golden steps publish.
func shaOf(t *testing.T) string {
	t.Helper()
	doc, err := broker.ParsePact(storetest.PactJSON("Web App", "User API", "get user"))
	require.NoError(t, err)
	return doc.ContentSHA()
}
