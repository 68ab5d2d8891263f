package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// call sends a request and decodes a JSON answer (or returns the text).
func call(t *testing.T, method, url, accept string, body any) (int, map[string]any, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		require.NoError(t, json.Unmarshal(raw, &m), "%s", raw)
	}
	return resp.StatusCode, m, string(raw)
}

func deployable(m map[string]any) any { return m["summary"].(map[string]any)["deployable"] }

// TestMatrixAPI covers what the pact CLI does not call: validation answers,
// the shortcut resources, text/plain and refused merge patches.
func TestMatrixAPI(t *testing.T) {
	ctx := t.Context()
	store := brokertest.NewStore(t, "sqlite")
	url := brokertest.Serve(t, store, httpapi.Config{})

	storetest.Publish(t, store, "Web", "1", "main", "Orders", []string{"prod"}, "get order")
	p, err := store.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
	require.NoError(t, err)
	_, err = store.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p.SHA, ProviderVersion: "o1", Success: true})
	require.NoError(t, err)
	_, _, err = store.AddBranchVersion(ctx, "Orders", "main", "o1")
	require.NoError(t, err)
	_, _, err = store.AddTag(ctx, "Orders", "o1", "prod")
	require.NoError(t, err)

	st, env, _ := call(t, "POST", url+"/environments", "", map[string]any{"name": "production", "production": true})
	require.Equal(t, http.StatusCreated, st)
	uuid := env["uuid"].(string)

	t.Run("environment validation", func(t *testing.T) {
		st, body, raw := call(t, "POST", url+"/environments", "", map[string]any{"name": "staging"})
		assert.Equal(t, http.StatusBadRequest, st)
		assert.Contains(t, raw, "production is required")
		st, _, raw = call(t, "POST", url+"/environments", "", map[string]any{"name": "staging", "production": false, "contacts": "ops"})
		assert.Equal(t, http.StatusBadRequest, st)
		assert.Contains(t, raw, "contacts must be an array")
		st, body, _ = call(t, "GET", url+"/environments?name=production", "", nil)
		require.Equal(t, http.StatusOK, st)
		assert.Len(t, body["_embedded"].(map[string]any)["environments"], 1)
		st, body, _ = call(t, "GET", url+"/environments?name=nope", "", nil)
		require.Equal(t, http.StatusOK, st)
		assert.Empty(t, body["_embedded"].(map[string]any)["environments"])
	})

	var deployment string
	t.Run("record a deployment", func(t *testing.T) {
		st, body, _ := call(t, "POST", url+"/pacticipants/Orders/versions/o1/deployed-versions/environment/"+uuid, "", map[string]any{})
		require.Equal(t, http.StatusCreated, st)
		assert.Equal(t, true, body["currentlyDeployed"])
		assert.Nil(t, body["applicationInstance"], "no instance is null, as clients match on it")
		deployment = body["uuid"].(string)
		st, body, _ = call(t, "GET", url+"/pacticipants/Orders/versions/o1", "", nil)
		require.Equal(t, http.StatusOK, st)
		links := body["_links"].(map[string]any)["pb:record-deployment"].([]any)
		require.Len(t, links, 1)
		assert.Equal(t, "production", links[0].(map[string]any)["name"])
	})

	t.Run("can-i-deploy", func(t *testing.T) {
		st, body, _ := call(t, "GET", url+"/can-i-deploy?pacticipant=Web&version=1&environment=production", "", nil)
		require.Equal(t, http.StatusOK, st)
		assert.Equal(t, true, deployable(body))
		rows := body["matrix"].([]any)
		require.Len(t, rows, 1)
		provider := rows[0].(map[string]any)["provider"].(map[string]any)["version"].(map[string]any)
		assert.Equal(t, "o1", provider["number"])
		envs := provider["environments"].([]any)
		require.Len(t, envs, 1, "rows show where their versions run")
		assert.Equal(t, "production", envs[0].(map[string]any)["name"])

		st, body, _ = call(t, "GET", url+"/can-i-deploy?pacticipant=Web&version=1", "", nil)
		assert.Equal(t, http.StatusBadRequest, st)
		assert.NotEmpty(t, body["errors"])
		st, _, raw := call(t, "GET", url+"/can-i-deploy?pacticipant=Web&version=1&environment=nowhere", "", nil)
		assert.Equal(t, http.StatusBadRequest, st, "an unknown environment is an error, never a yes")
		assert.Contains(t, raw, "nowhere")
		st, _, raw = call(t, "GET", url+"/matrix?q[][pacticipant]=Wiffle&q[][version]=1", "", nil)
		assert.Equal(t, http.StatusBadRequest, st)
		assert.Contains(t, raw, "Wiffle")
	})

	t.Run("shortcuts", func(t *testing.T) {
		for path, want := range map[string]any{
			"/pacticipants/Web/latest-version/prod/can-i-deploy/to/prod":                            true,
			"/pacticipants/Web/branches/main/latest-version/can-i-deploy/to-environment/production": true,
			"/pacticipants/Web/main-branch/can-i-merge":                                             true,
			"/matrix?q[][pacticipant]=Web&q[][version]=1&latestby=cvp&mainBranch=true&latest=true":  true,
		} {
			st, body, raw := call(t, "GET", url+path, "", nil)
			require.Equal(t, http.StatusOK, st, "%s: %s", path, raw)
			assert.Equal(t, want, deployable(body), path)
		}
		st, body, _ := call(t, "GET", url+"/matrix/provider/Orders/consumer/Web", "", nil)
		require.Equal(t, http.StatusOK, st)
		assert.Len(t, body["matrix"], 1)
	})

	t.Run("text/plain", func(t *testing.T) {
		st, _, raw := call(t, "GET", url+"/can-i-deploy?pacticipant=Web&version=1&environment=production", "text/plain", nil)
		require.Equal(t, http.StatusOK, st)
		assert.Contains(t, raw, "Web")
		assert.Contains(t, raw, "o1")
	})

	t.Run("undeploy and release patches", func(t *testing.T) {
		st, _, raw := call(t, "PATCH", url+"/deployed-versions/"+deployment, "", map[string]any{"currentlyDeployed": true})
		require.Equal(t, http.StatusOK, st, "true on a current deployment changes nothing: %s", raw)
		st, body, _ := call(t, "PATCH", url+"/deployed-versions/"+deployment, "", map[string]any{"currentlyDeployed": false})
		require.Equal(t, http.StatusOK, st)
		assert.Equal(t, false, body["currentlyDeployed"])
		assert.NotEmpty(t, body["undeployedAt"])
		st, _, raw = call(t, "PATCH", url+"/deployed-versions/"+deployment, "", map[string]any{"currentlyDeployed": true})
		assert.Equal(t, http.StatusBadRequest, st)
		assert.Contains(t, raw, "cannot be set back to true")
		assert.Contains(t, raw, "record a new deployment")

		st, body, _ = call(t, "POST", url+"/pacticipants/Orders/versions/o1/released-versions/environment/"+uuid, "", nil)
		require.Equal(t, http.StatusCreated, st)
		release := body["uuid"].(string)
		st, body, _ = call(t, "PATCH", url+"/released-versions/"+release, "", map[string]any{"currentlySupported": false})
		require.Equal(t, http.StatusOK, st)
		assert.Equal(t, false, body["currentlySupported"])
		st, _, raw = call(t, "PATCH", url+"/released-versions/"+release, "", map[string]any{"currentlySupported": true})
		assert.Equal(t, http.StatusBadRequest, st)
		assert.Contains(t, raw, "record the release again")
		st, _, _ = call(t, "GET", url+"/deployed-versions/no-such-uuid", "", nil)
		assert.Equal(t, http.StatusNotFound, st)
	})
}
