package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// approval is one of the Ruby broker's approved request/response pairs.
type approval struct {
	Request struct {
		Method string          `json:"method"`
		Body   json.RawMessage `json:"body"`
	} `json:"request"`
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    any               `json:"body"`
	} `json:"response"`
}

func loadApproval(t *testing.T, name string) approval {
	t.Helper()
	// Copied from the official broker's spec/fixtures/approvals (MIT).
	raw, err := os.ReadFile(filepath.Join("testdata", "approvals", name+".approved.json"))
	require.NoError(t, err)
	var a approval
	require.NoError(t, json.Unmarshal(raw, &a))
	return a
}

// assertShape checks that ours has every field of want with the same JSON
// type (values differ: names, URLs, times).
func assertShape(t *testing.T, want, ours any, path string) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !assert.True(t, ok, "%s: want an object, got %T", path, ours) {
			return
		}
		for k, v := range w {
			ov, present := o[k]
			if assert.True(t, present, "%s.%s is missing", path, k) {
				assertShape(t, v, ov, path+"."+k)
			}
		}
	case []any:
		o, ok := ours.([]any)
		if !assert.True(t, ok, "%s: want an array, got %T", path, ours) {
			return
		}
		if len(w) > 0 && len(o) > 0 {
			assertShape(t, w[0], o[0], path+"[0]")
		}
	case nil:
	default:
		assert.IsType(t, want, ours, "%s has another JSON type", path)
	}
}

// TestWebhookApprovals compares the webhook resources with the Ruby
// broker's approved documentation examples: same status, same fields.
func TestWebhookApprovals(t *testing.T) {
	ctx := context.Background()
	store := brokertest.NewStore(t, "sqlite")
	base := brokertest.Serve(t, store, httpapi.Config{Webhooks: loopbackWebhooks})
	// Like the documentation's example.org, the receiver answers 200 with
	// an empty body.
	rc := newHookReceiver(t)
	rc.mu.Lock()
	rc.reply = ""
	rc.mu.Unlock()

	const uuid = "d2181b32-8b03-4daf-8cc0-d9168b2f6fac"
	for _, n := range []string{"Foo", "Bar"} {
		_, err := store.CreatePacticipant(ctx, n, broker.PacticipantUpdate{})
		require.NoError(t, err)
	}
	_, err := store.CreateWebhook(ctx, broker.Webhook{
		UUID: uuid, Description: "an example webhook", Enabled: true,
		Consumer: &broker.WebhookPacticipant{Name: "Foo"}, Provider: &broker.WebhookPacticipant{Name: "Bar"},
		Events: []string{broker.EventContractContentChanged},
		Request: broker.WebhookRequest{Method: "POST", URL: rc.srv.URL + "/webhook", Headers: map[string]string{"Content-Type": "application/json"},
			Body: json.RawMessage(`{"pactUrl":"${pactbroker.pactUrl}"}`)},
	})
	require.NoError(t, err)
	storetest.Publish(t, store, "Foo", "3e1f00a04", "main", "Bar", nil, "a request")
	pact, err := store.GetPact(ctx, broker.PactRef{Consumer: "Foo", Provider: "Bar", Version: "3e1f00a04"})
	require.NoError(t, err)
	v, err := store.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Foo", Provider: "Bar", SHA: pact.SHA, ProviderVersion: "1", Success: true})
	require.NoError(t, err)
	tws, err := store.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: "Foo", Provider: "Bar", ConsumerVersion: "3e1f00a04"})
	require.NoError(t, err)
	require.Len(t, tws, 1)

	pair := "/pacts/provider/Bar/consumer/Foo"
	cases := []struct{ name, path string }{
		{"docs_webhooks_webhook", "/webhooks/" + uuid},
		{"docs_webhooks_webhooks", "/webhooks"},
		{"docs_webhooks_webhooks_for_a_provider", "/webhooks/provider/Bar"},
		{"docs_webhooks_webhooks_for_consumer", "/webhooks/consumer/Foo"},
		{"docs_webhooks_webhooks_for_consumer_and_provider", "/webhooks/provider/Bar/consumer/Foo"},
		{"docs_webhooks_pact_webhooks", pair + "/webhooks"},
		{"docs_webhooks_webhooks_status", pair + "/webhooks/status"},
		{"docs_webhooks_triggered_webhooks_for_pact_publication", pair + "/version/3e1f00a04/triggered-webhooks"},
		{"docs_webhooks_triggered_webhooks_for_verification_publication", fmt.Sprintf("%s/pact-version/%s/verification-results/%d/triggered-webhooks", pair, pact.SHA, v.Number)},
		{"docs_webhooks_logs_of_triggered_webhook", "/triggered-webhooks/" + tws[0].UUID + "/logs"},
		{"docs_webhooks_executing_a_saved_webhook", "/webhooks/" + uuid + "/execute"},
		{"docs_webhooks_executing_an_unsaved_webhook", "/webhooks/execute"},
	}
	for _, c := range cases {
		t.Run(c.name+"_options", func(t *testing.T) {
			a := loadApproval(t, c.name+"_options")
			req, err := http.NewRequest(http.MethodOptions, base+c.path, nil)
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, a.Response.Status, res.StatusCode)
			want := strings.Split(a.Response.Headers["access-control-allow-methods"], ", ")
			got := strings.Split(res.Header.Get("Allow"), ", ")
			slices.Sort(want)
			slices.Sort(got)
			assert.Equal(t, want, got)
		})
	}
	// Reads first; the writes come last because PUT replaces the example.
	calls := []struct{ approval, path string }{}
	for _, c := range cases[:10] {
		calls = append(calls, struct{ approval, path string }{c.name + "_get", c.path})
	}
	calls = append(calls,
		struct{ approval, path string }{"docs_webhooks_executing_a_saved_webhook_post", "/webhooks/" + uuid + "/execute"},
		struct{ approval, path string }{"docs_webhooks_executing_an_unsaved_webhook_post", "/webhooks/execute"},
		struct{ approval, path string }{"docs_webhooks_webhooks_post", "/webhooks"},
		struct{ approval, path string }{"docs_webhooks_webhook_put", "/webhooks/" + uuid},
	)
	for _, c := range calls {
		t.Run(c.approval, func(t *testing.T) {
			a := loadApproval(t, c.approval)
			var body io.Reader
			if len(a.Request.Body) > 0 {
				var m map[string]any
				require.NoError(t, json.Unmarshal(a.Request.Body, &m))
				m["request"].(map[string]any)["url"] = rc.srv.URL + "/example" // only loopback is allowed here
				b, _ := json.Marshal(m)
				body = strings.NewReader(string(b))
			}
			req, err := http.NewRequest(a.Request.Method, base+c.path, body)
			require.NoError(t, err)
			req.Header.Set("Accept", "application/hal+json")
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, a.Response.Status, res.StatusCode, string(raw))
			wantType := strings.Split(a.Response.Headers["content-type"], ";")[0]
			assert.Equal(t, wantType, strings.Split(res.Header.Get("Content-Type"), ";")[0])
			if wantType != "application/hal+json" {
				assert.NotEmpty(t, raw)
				return
			}
			var ours any
			require.NoError(t, json.Unmarshal(raw, &ours), string(raw))
			assertShape(t, a.Response.Body, ours, "body")
		})
	}
}
