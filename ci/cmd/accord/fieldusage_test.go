package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCanIRemoveFieldExitCodes: 0 removable, 1 in use, 2 usage, 3 when the question fails, with
// the broker's decision printed (a stand-in broker answers as /can-i-remove-field does).
func TestCanIRemoveFieldExitCodes(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		asked = append(asked, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/hal+json")
		switch {
		case r.URL.Path != "/can-i-remove-field" || q.Get("provider") != "Users":
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": `no provider named "Nobody"`})
		case q.Get("location") == "response.body.$.name":
			_ = json.NewEncoder(w).Encode(map[string]any{"removable": false, "reason": "Web Shop 1.0.0 (production) uses response.body.$.name of GET /users/{id}: removing it would break it",
				"consumers": []any{map[string]any{"name": "Web Shop", "versions": []string{"1.0.0"}, "environments": []string{"production"}, "branches": []string{}}}})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"removable": true, "reason": "none of them uses it", "consumers": []any{}})
		}
	}))
	defer srv.Close()
	env := map[string]string{"PACT_BROKER_BASE_URL": srv.URL, "ACCORD_VERSION": "1", "ACCORD_BRANCH": "main"}
	ask := func(args ...string) (int, string, string) {
		return accord(env, append([]string{"can-i-remove-field", "--provider", "Users", "--method", "GET", "--path", "/users/{id}"}, args...)...)
	}

	code, out, _ := ask("--location", "response.body.$.name")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "used by Web Shop 1.0.0 (production)")
	assert.Contains(t, out, "no: response.body.$.name of GET /users/{id} is in use")
	assert.Contains(t, asked[0], "path=%2Fusers%2F%7Bid%7D")

	code, out, _ = ask("--location", "response.body.$.email", "--environment", "production")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "yes: response.body.$.email of GET /users/{id} can be removed")
	assert.Contains(t, asked[1], "environment=production")

	code, _, errOut := ask()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "needs --provider P, --location LOC")

	code, _, errOut = accord(env, "can-i-remove-field", "--provider", "Nobody", "--method", "GET", "--path", "/x", "--location", "response.body.$.id")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "Nobody")
}
