package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"io"
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

// specPacts builds pacts of each specification whose content is set by
// one value (a state or message field), so two calls differ in one place.
var specPacts = map[string]func(consumer, provider, v string) string{
	"V2": func(c, p, v string) string {
		return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[
			{"description":"get order","providerState":"order %s exists","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"id":1}}},
			{"description":"list orders","request":{"method":"GET","path":"/orders"},"response":{"status":200}}],
			"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, c, p, v)
	},
	"V3": func(c, p, v string) string {
		return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[
			{"description":"get order","providerStates":[{"name":"an order","params":{"id":%q}}],"request":{"method":"GET","path":"/orders/1"},"response":{"status":200}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, c, p, v)
	},
	"V3 messages": func(c, p, v string) string {
		return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"messages":[
			{"description":"order placed","providerStates":[{"name":"an order was placed"}],"contents":{"id":1,"status":%q},"metadata":{"contentType":"application/json"}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, c, p, v)
	},
	"V4 with messages": func(c, p, v string) string {
		return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[
			{"type":"Synchronous/HTTP","description":"get order","providerStates":[{"name":"an order"}],"request":{"method":"GET","path":"/orders/1"},"response":{"status":200}},
			{"type":"Asynchronous/Messages","description":"order shipped","providerStates":[{"name":"a shipped order","params":{"carrier":%q}}],"contents":{"content":{"id":1},"contentType":"application/json"}}],
			"metadata":{"pactSpecification":{"version":"4.0"}}}`, c, p, v)
	},
}

// fetch sends a request and returns status, content type and body text.
func fetch(t *testing.T, method, u, accept string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func TestPactDiffs(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	for spec, pact := range specPacts {
		t.Run(spec, func(t *testing.T) {
			consumer, provider := "Web "+spec, "Orders"
			pair := "/pacts/provider/Orders/consumer/" + url.PathEscape(consumer)
			put := func(version, value string) map[string]any {
				code, body, _ := c.do("PUT", pair+"/version/"+version, pact(consumer, provider, value))
				require.Less(t, code, 300, "%v", body)
				return body
			}
			first := put("1", "alpha")
			put("2", "alpha") // same content: not distinct
			second := put("3", "beta")

			assert.Nil(t, get(first, "_links.pb:previous-distinct"), "the first version has no previous distinct version to link")
			code, _, text := fetch(t, "GET", c.base+pair+"/version/1/diff/previous-distinct", "")
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, text, "No previous distinct version was found")

			code, body, _ := c.do("GET", pair+"/version/3", nil)
			require.Equal(t, http.StatusOK, code)
			prevHref, _ := get(body, "_links.pb:previous-distinct.href").(string)
			require.NotEmpty(t, prevHref, "version 3 has a previous distinct version")
			code, prev, _ := c.do("GET", strings.TrimPrefix(prevHref, c.base), nil)
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, "Pact between "+consumer+" (2) and Orders", get(prev, "_links.self.name"),
				"previous-distinct skips nothing distinct and takes the newest older version with other content")

			code, ctype, diff := fetch(t, "GET", get(second, "_links.pb:diff-previous-distinct.href").(string), "")
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, ctype, "text/plain")
			assert.Contains(t, diff, "# Diff between versions 2 and 3 of the pact between "+consumer+" and Orders")
			assert.Regexp(t, `(?m)^-.*alpha`, diff)
			assert.Regexp(t, `(?m)^\+.*beta`, diff)
			assert.NotContains(t, diff, "_id", "the broker's interaction ids are not content")

			byVersion := strings.Replace(get(second, "_links.pb:diff.href").(string), "{version}", "1", 1)
			code, _, diff2 := fetch(t, "GET", byVersion, "")
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, diff2, "# Diff between versions 1 and 3")
			assert.Regexp(t, `(?m)^\+.*beta`, diff2)

			shaOf := func(m map[string]any) string {
				h := get(m, "_links.pb:pact-version.href").(string)
				return h[strings.LastIndex(h, "/")+1:]
			}
			code, _, diff3 := fetch(t, "GET", c.base+pair+"/pact-version/"+shaOf(first)+"/diff/pact-version/"+shaOf(second), "")
			require.Equal(t, http.StatusOK, code)
			assert.Regexp(t, `(?m)^\+.*beta`, diff3)
			code, _, same := fetch(t, "GET", c.base+pair+"/version/2/diff/version/1", "")
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, same, "No differences")
			code, _, _ = fetch(t, "GET", c.base+pair+"/version/3/diff/version/9", "")
			assert.Equal(t, http.StatusNotFound, code)

			// A changed pact for a published version is refused with the diff.
			code, refused, _ := c.do("PUT", pair+"/version/3", pact(consumer, provider, "gamma"))
			require.Equal(t, http.StatusConflict, code)
			notices := fmt.Sprint(refused["notices"])
			assert.Contains(t, notices, "Cannot change the content of the pact")
			assert.Regexp(t, `-.*beta`, notices)
			assert.Regexp(t, `\+.*gamma`, notices)
		})
	}
}

func TestPublishConflictShowsTheDiff(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	body := func(value string) map[string]any {
		return map[string]any{"pacticipantName": "Web", "pacticipantVersionNumber": "1", "branch": "main",
			"contracts": []any{map[string]any{"consumerName": "Web", "providerName": "Orders", "specification": "pact", "contentType": "application/json",
				"content": base64.StdEncoding.EncodeToString([]byte(specPacts["V3"]("Web", "Orders", value)))}}}
	}
	code, _, _ := c.do("POST", "/contracts/publish", body("1"))
	require.Equal(t, http.StatusOK, code)
	code, res, _ := c.do("POST", "/contracts/publish", body("2"))
	require.Equal(t, http.StatusConflict, code)
	notices, _ := res["notices"].([]any)
	require.Len(t, notices, 2, "%v", res)
	assert.Equal(t, "error", get(res, "notices.0.type"))
	assert.Equal(t, "info", get(res, "notices.1.type"))
	text := get(res, "notices.1.text").(string)
	assert.Contains(t, text, "--- pact published for Web version 1")
	assert.Contains(t, text, "+++ pact being published for Web version 1")
	assert.Contains(t, text, `-            "id": "1"`)
	assert.Contains(t, text, `+            "id": "2"`)
}

func TestProviderStatesAPI(t *testing.T) {
	s, c := newAPI(t, httpapi.Config{})
	ctx := t.Context()
	for spec, pact := range specPacts {
		consumer := strings.ReplaceAll(spec, " ", "-")
		code, body, _ := c.do("PUT", "/pacts/provider/Orders/consumer/"+consumer+"/version/1", pact(consumer, "Orders", "x"))
		require.Less(t, code, 300, "%v", body)
		_, _, err := s.AddBranchVersion(ctx, consumer, "main", "1")
		require.NoError(t, err)
		_, _, err = s.UpdatePacticipant(ctx, consumer, broker.PacticipantUpdate{MainBranch: ptr("main")}, false)
		require.NoError(t, err)
	}
	code, body, _ := c.do("GET", "/pacts/provider/Orders/provider-states", nil)
	require.Equal(t, http.StatusOK, code)
	assert.ElementsMatch(t, []any{
		map[string]any{"name": "a shipped order", "params": map[string]any{"carrier": "x"}, "consumers": []any{"V4-with-messages"}},
		map[string]any{"name": "an order", "consumers": []any{"V4-with-messages"}},
		map[string]any{"name": "an order", "params": map[string]any{"id": "x"}, "consumers": []any{"V3"}},
		map[string]any{"name": "an order was placed", "consumers": []any{"V3-messages"}},
		map[string]any{"name": "order x exists", "consumers": []any{"V2"}},
	}, body["providerStates"])
	assert.Equal(t, "a shipped order", get(body, "providerStates.0.name"), "sorted by name")

	code, body, _ = c.do("GET", "/pacts/provider/Orders/provider-states/branch/main", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, body["providerStates"], 5)
	code, body, _ = c.do("GET", "/pacts/provider/Orders/provider-states/branch/nothing", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{}, body["providerStates"])

	env, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production"})
	require.NoError(t, err)
	_, _, err = s.DeployVersion(ctx, "V2", "1", env.UUID, "")
	require.NoError(t, err)
	code, body, _ = c.do("GET", "/pacts/provider/Orders/provider-states/environment/"+env.UUID, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{map[string]any{"name": "order x exists", "consumers": []any{"V2"}}}, body["providerStates"])

	code, byName, _ := c.do("GET", "/pacts/provider/Orders/provider-states/environment/production", nil)
	require.Equal(t, http.StatusOK, code, "the official CLI sends the environment's name")
	assert.Equal(t, body, byName)
	code, _, _ = c.do("GET", "/pacts/provider/Orders/provider-states/environment/staging", nil)
	assert.Equal(t, http.StatusNotFound, code)

	code, _, _ = c.do("GET", "/pacts/provider/Nobody/provider-states", nil)
	assert.Equal(t, http.StatusNotFound, code)
}

func ptr[T any](v T) *T { return &v }

func TestLabelsRoundTrip(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := brokertest.NewStore(t, backend)
			c := client{t: t, base: brokertest.Serve(t, s, httpapi.Config{})}
			for _, name := range []string{"team-a", "Équipe B/async", "with space"} {
				path := "/pacticipants/" + url.PathEscape("Web App") + "/labels/" + url.PathEscape(name)
				code, body, h := c.do("PUT", path, nil)
				require.Equal(t, http.StatusCreated, code, "%v", body)
				assert.Equal(t, c.base+path, h.Get("Location"))
				assert.Equal(t, name, body["name"])
				assert.Equal(t, c.base+path, get(body, "_links.self.href"))
				code, _, _ = c.do("PUT", path, nil)
				assert.Equal(t, http.StatusOK, code, "labelling again changes nothing")
				code, body, _ = c.do("GET", path, nil)
				require.Equal(t, http.StatusOK, code)
				assert.Equal(t, name, body["name"])
				assert.Equal(t, "Web App", get(body, "_links.pacticipant.name"))

				code, body, _ = c.do("GET", "/pacticipants/label/"+url.PathEscape(name), nil)
				require.Equal(t, http.StatusOK, code)
				assert.Equal(t, "Web App", get(body, "_embedded.pacticipants.0.name"))
			}
			_, _, err := s.AddLabel(t.Context(), "Orders", "team-a")
			require.NoError(t, err)

			code, body, _ := c.do("GET", "/pacticipants/Web%20App", nil)
			require.Equal(t, http.StatusOK, code)
			var names []string
			for _, l := range body["_embedded"].(map[string]any)["labels"].([]any) {
				names = append(names, get(l, "name").(string))
			}
			assert.ElementsMatch(t, []string{"team-a", "Équipe B/async", "with space"}, names)
			assert.Contains(t, get(body, "_links.pb:label.href"), "/pacticipants/Web%20App/labels/{label}")

			code, body, _ = c.do("GET", "/labels", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Len(t, get(body, "_embedded.labels"), 3)
			code, body, _ = c.do("GET", "/pacticipants/label/team-a", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Len(t, get(body, "_embedded.pacticipants"), 2)

			code, _, _ = c.do("DELETE", "/pacticipants/Web%20App/labels/team-a", nil)
			assert.Equal(t, http.StatusNoContent, code)
			code, _, _ = c.do("GET", "/pacticipants/Web%20App/labels/team-a", nil)
			assert.Equal(t, http.StatusNotFound, code)
			code, _, _ = c.do("DELETE", "/pacticipants/Web%20App/labels/team-a", nil)
			assert.Equal(t, http.StatusNotFound, code)
			code, body, _ = c.do("GET", "/pacticipants/label/team-a", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Len(t, get(body, "_embedded.pacticipants"), 1)

			code, _, _ = c.do("DELETE", "/pacticipants/Web%20App", nil)
			require.Equal(t, http.StatusNoContent, code)
			code, body, _ = c.do("GET", "/labels", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Len(t, get(body, "_embedded.labels"), 1, "a deleted pacticipant's labels go with it")
			brokertest.AssertNoOrphans(t, s)
		})
	}
}

func TestIntegrationsAndDeletes(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := brokertest.NewStore(t, backend)
			ctx := t.Context()
			c := client{t: t, base: brokertest.Serve(t, s, httpapi.Config{})}
			c.publish("Web", "1", "main", "Orders", []string{"prod"}, "get order")
			c.publish("Web", "2", "feat-x", "Orders", []string{"dev"}, "get order", "list orders")
			c.publish("Web", "3", "feat-y", "Orders", nil, "get order", "cancel order")
			c.publish("Web", "3", "feat-y", "Users", nil, "get user")
			c.publish("Say \"hi\"", "1", "main", "Users", nil, "get user")
			p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
			require.NoError(t, err)
			_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p.SHA, ProviderVersion: "o1", Success: true})
			require.NoError(t, err)
			hook, err := s.CreateWebhook(ctx, broker.Webhook{Consumer: &broker.WebhookPacticipant{Name: "Web"}, Provider: &broker.WebhookPacticipant{Name: "Orders"}, Enabled: true,
				Events: []string{"contract_published"}, Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/hook"}})
			require.NoError(t, err)

			code, body, _ := c.do("GET", "/integrations", nil)
			require.Equal(t, http.StatusOK, code)
			ins := get(body, "_embedded.integrations").([]any)
			require.Len(t, ins, 3)
			assert.Equal(t, "Say \"hi\"", get(ins[0], "consumer.name"))
			assert.Equal(t, c.base+"/matrix/provider/Orders/consumer/Web", get(ins[1], "_links.pb:matrix.href"))
			assert.Equal(t, c.base+"/integrations/provider/Orders/consumer/Web", get(ins[1], "_links.pb:delete_integration.href"))
			code, ctype, dot := fetch(t, "GET", c.base+"/integrations", "text/vnd.graphviz")
			require.Equal(t, http.StatusOK, code)
			assert.Contains(t, ctype, "text/vnd.graphviz")
			assert.Contains(t, dot, `"Web" -> "Orders"`)
			assert.Contains(t, dot, `"Say \"hi\"" -> "Users"`)
			assert.True(t, strings.HasPrefix(dot, "digraph {") && strings.HasSuffix(dot, "}\n"), dot)

			// Pact-version lists: DELETE removes what GET lists.
			code, _, _ = c.do("DELETE", "/pacts/provider/Orders/consumer/Web/tag/dev", nil)
			require.Equal(t, http.StatusNoContent, code)
			_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "2"})
			assert.True(t, broker.IsNotFound(err), "the dev-tagged pact is gone: %v", err)
			code, _, _ = c.do("DELETE", "/pacts/provider/Orders/consumer/Web/branch/feat-y", nil)
			require.Equal(t, http.StatusNoContent, code)
			_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "3"})
			assert.True(t, broker.IsNotFound(err), "the feat-y pact is gone: %v", err)
			_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Users", Version: "3"})
			assert.NoError(t, err, "only the pair's pacts go")
			_, err = s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
			assert.NoError(t, err)
			brokertest.AssertNoOrphans(t, s)

			// Bulk branch delete keeps the main branch and the excluded.
			_, _, err = s.AddBranchVersion(ctx, "Web", "release", "1")
			require.NoError(t, err)
			code, body, _ = c.do("DELETE", "/pacticipants/Web/branches?exclude[]=release", nil)
			require.Equal(t, http.StatusAccepted, code, "%v", body)
			assert.Equal(t, "Scheduled deletion of 2 branches for pacticipant Web. Remaining branches are: main, release", get(body, "notices.0.text"))
			assert.Equal(t, "success", get(body, "notices.0.type"))
			bs, err := s.ListBranches(ctx, "Web")
			require.NoError(t, err)
			assert.Len(t, bs, 2)
			_, err = s.GetVersion(ctx, "Web", "2")
			assert.NoError(t, err, "versions stay")
			code, _, _ = c.do("DELETE", "/pacticipants/Nobody/branches", nil)
			assert.Equal(t, http.StatusNotFound, code)

			// Deleting a pair removes its pacts, results and webhooks.
			code, _, _ = c.do("DELETE", "/integrations/provider/Orders/consumer/Web", nil)
			require.Equal(t, http.StatusNoContent, code)
			code, _, _ = c.do("DELETE", "/integrations/provider/Orders/consumer/Web", nil)
			assert.Equal(t, http.StatusNotFound, code)
			_, err = s.GetWebhook(ctx, hook.UUID)
			assert.True(t, broker.IsNotFound(err), "the pair's webhook goes: %v", err)
			code, body, _ = c.do("GET", "/integrations", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Len(t, get(body, "_embedded.integrations"), 2)
			brokertest.AssertNoOrphans(t, s)

			code, _, _ = c.do("DELETE", "/pacts/provider/Users/consumer/Web/versions", nil)
			require.Equal(t, http.StatusNoContent, code)
			code, _, _ = c.do("GET", "/pacts/provider/Users/consumer/Web/versions", nil)
			assert.Equal(t, http.StatusNotFound, code)
			brokertest.AssertNoOrphans(t, s)

			code, _, _ = c.do("DELETE", "/integrations", nil)
			require.Equal(t, http.StatusNoContent, code)
			code, body, _ = c.do("GET", "/integrations", nil)
			require.Equal(t, http.StatusOK, code)
			assert.Empty(t, get(body, "_embedded.integrations"))
			brokertest.AssertNoOrphans(t, s)
		})
	}
}

func TestDiagnosticsAndVersionResources(t *testing.T) {
	s, c := newAPI(t, httpapi.Config{})
	ctx := t.Context()
	code, body, _ := c.do("GET", "/diagnostic/status/dependencies", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, get(body, "database.ok"))

	code, res, _ := c.do("POST", "/contracts/publish", publishBody("Web", "1", "main", "Orders", "get order"))
	require.Equal(t, http.StatusOK, code, "%v", res)
	p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
	require.NoError(t, err)

	code, body, _ = c.do("GET", "/verification-results/consumer/Web/version/1/latest", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, false, body["success"], "an unverified pact is not a success")
	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p.SHA, ProviderVersion: "o1", Success: true})
	require.NoError(t, err)
	code, body, _ = c.do("GET", "/verification-results/consumer/Web/version/1/latest", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, body["success"])
	assert.Equal(t, "o1", get(body, "_embedded.verificationResults.0.providerApplicationVersion"))

	code, body, _ = c.do("GET", "/pacts/provider/Orders/consumer/Web/latest/dev/verification-results/latest", nil)
	require.Equal(t, http.StatusOK, code, "%v", body)
	assert.Equal(t, "o1", body["providerApplicationVersion"])
	code, _, _ = c.do("GET", "/pacts/provider/Orders/consumer/Web/latest/prod/verification-results/latest", nil)
	assert.Equal(t, http.StatusNotFound, code)

	env, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production"})
	require.NoError(t, err)
	code, body, _ = c.do("GET", "/pacticipants/Web/environments/"+env.UUID+"/versions", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, get(body, "_embedded.versions"))
	_, _, err = s.DeployVersion(ctx, "Web", "1", env.UUID, "")
	require.NoError(t, err)
	code, body, _ = c.do("GET", "/pacticipants/Web/environments/"+env.UUID+"/versions", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "1", get(body, "_embedded.versions.0.number"))
	code, _, _ = c.do("GET", "/pacticipants/Web/environments/no-such-uuid/versions", nil)
	assert.Equal(t, http.StatusNotFound, code)

	_, _, err = s.PutVersion(ctx, "Web", "2", broker.VersionUpdate{})
	require.NoError(t, err)
	code, body, _ = c.do("GET", "/pacticipants/Web/tags/dev/versions", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, get(body, "_embedded.versions"), 1, "only the tagged version")
	assert.Equal(t, "1", get(body, "_embedded.versions.0.number"))
	code, body, _ = c.do("GET", "/pacticipants/Web/tags/none/versions", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, get(body, "_embedded.versions"))
	code, _, _ = c.do("GET", "/pacticipants/Nobody/tags/dev/versions", nil)
	assert.Equal(t, http.StatusNotFound, code)
}
