package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/webhook"
)

// loopbackWebhooks lets webhooks call plain-http receivers on 127.0.0.1 only.
var loopbackWebhooks = webhook.Config{
	RetrySchedule: []time.Duration{},
	Schemes:       []string{"http"},
	Hosts:         []string{"127.0.0.1"},
	Timeout:       5 * time.Second,
	PollInterval:  10 * time.Millisecond,
}

type received struct {
	Query  url.Values
	Header http.Header
	Body   string
}

// hookReceiver records the requests webhooks send it (httptest binds 127.0.0.1).
type hookReceiver struct {
	mu    sync.Mutex
	reqs  []received
	reply string
	srv   *httptest.Server
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	h := &hookReceiver{reply: `{"build":"queued"}`}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, received{Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(b)})
		reply := h.reply
		h.mu.Unlock()
		if reply != "" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(reply))
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) got() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.reqs...)
}

func TestWebhookCLI(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			store := brokertest.NewStore(t, backend)
			base := brokertest.Serve(t, store, httpapi.Config{Webhooks: loopbackWebhooks})
			rc := newHookReceiver(t)
			out, err := cli(t, base, nil, "publish", writePact(t, t.TempDir(), "Web", "Users", "get user"), "--consumer-app-version", "1.0.0", "--branch", "main")
			require.NoError(t, err, out)

			hookArgs := func(description string) []string {
				return []string{rc.srv.URL + "/hook?version=${pactbroker.consumerVersionNumber}", "-X", "POST",
					"-H", "Content-Type: application/json", "X-Ci-Token: s3cret-token",
					"-d", `{"pactUrl":"${pactbroker.pactUrl}","provider":"${pactbroker.providerName}"}`,
					"--user", "ci:hunter2", "--consumer", "Web", "--provider", "Users", "--contract-content-changed", "--description", description}
			}
			t.Run("create-webhook", func(t *testing.T) {
				out, err := cli(t, base, nil, append([]string{"create-webhook"}, hookArgs("build Users")...)...)
				require.NoError(t, err, out)
				assert.NotContains(t, out, "hunter2", "the password is never echoed")
				assert.NotContains(t, out, "s3cret-token", "token headers are redacted")
				hooks, err := store.ListWebhooks(ctx, broker.WebhookFilter{Consumer: "Web", Provider: "Users"})
				require.NoError(t, err)
				require.Len(t, hooks, 1)
				h := hooks[0]
				assert.Equal(t, "build Users", h.Description)
				assert.Equal(t, []string{broker.EventContractContentChanged}, h.Events)
				assert.Equal(t, "ci", h.Request.Username)
				assert.Equal(t, "hunter2", h.Request.Password, "stored for sending")
				assert.Equal(t, "s3cret-token", h.Request.Headers["x-ci-token"])
			})
			uuid := "accord-cli-webhook-0001"
			t.Run("create-or-update-webhook", func(t *testing.T) {
				out, err := cli(t, base, nil, append([]string{"create-or-update-webhook", "--uuid", uuid}, hookArgs("first")...)...)
				require.NoError(t, err, out)
				h, err := store.GetWebhook(ctx, uuid)
				require.NoError(t, err)
				assert.Equal(t, "first", h.Description)
				out, err = cli(t, base, nil, append([]string{"create-or-update-webhook", "--uuid", uuid}, hookArgs("second")...)...)
				require.NoError(t, err, out)
				h, err = store.GetWebhook(ctx, uuid)
				require.NoError(t, err)
				assert.Equal(t, "second", h.Description, "the same uuid is updated")
				all, err := store.ListWebhooks(ctx, broker.WebhookFilter{})
				require.NoError(t, err)
				assert.Len(t, all, 2)
			})
			t.Run("test-webhook", func(t *testing.T) {
				before := len(rc.got())
				out, err := cli(t, base, nil, "test-webhook", "--uuid", uuid)
				require.NoError(t, err, out)
				assert.Contains(t, out, `"success":true`)
				assert.NotContains(t, out, "hunter2")
				got := rc.got()
				require.Len(t, got, before+1, "the webhook ran once")
				r := got[len(got)-1]
				assert.Equal(t, "1.0.0", r.Query.Get("version"))
				user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth()
				require.True(t, ok)
				assert.Equal(t, "ci", user)
				assert.Equal(t, "hunter2", pass)
				assert.Equal(t, "s3cret-token", r.Header.Get("X-Ci-Token"))
				var body map[string]string
				require.NoError(t, json.Unmarshal([]byte(r.Body), &body), r.Body)
				assert.Equal(t, "Users", body["provider"])
				assert.True(t, strings.HasPrefix(body["pactUrl"], base+"/pacts/provider/Users/consumer/Web/pact-version/"), body["pactUrl"])
			})
			t.Run("delete-webhook", func(t *testing.T) {
				out, err := cli(t, base, nil, "delete-webhook", "--uuid", uuid)
				require.NoError(t, err, out)
				_, err = store.GetWebhook(ctx, uuid)
				assert.True(t, broker.IsNotFound(err), "deleted: %v", err)
			})
			t.Run("host outside the allow-list is refused at creation", func(t *testing.T) {
				args := hookArgs("elsewhere")
				args[0] = "http://127.0.0.2:9/hook"
				out, err := cli(t, base, nil, append([]string{"create-or-update-webhook", "--uuid", "accord-cli-webhook-0002"}, args...)...)
				require.Error(t, err, out)
				assert.Contains(t, out, "not in the allow-list")
				_, err = store.GetWebhook(ctx, "accord-cli-webhook-0002")
				assert.True(t, broker.IsNotFound(err), "nothing was saved: %v", err)
			})
		})
	}
}

func do(t *testing.T, method, u string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/hal+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		require.NoError(t, json.Unmarshal(raw, &m), string(raw))
	} else {
		m = map[string]any{"text": string(raw)}
	}
	return resp.StatusCode, m, resp.Header
}

func dig(m any, path ...string) any {
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

// TestWebhookResources drives the webhook resources over HTTP, with a
// dispatcher delivering what publications and verifications trigger.
func TestWebhookResources(t *testing.T) {
	store := brokertest.NewStore(t, "sqlite")
	base := brokertest.Serve(t, store, httpapi.Config{Webhooks: loopbackWebhooks})
	rc := newHookReceiver(t)
	d := webhook.NewDispatcher(store, loopbackWebhooks, nil, nil)
	d.Start()
	t.Cleanup(func() { _ = d.Stop(context.Background()) })

	hook := map[string]any{
		"description": "users build",
		"events":      []map[string]string{{"name": "contract_content_changed"}, {"name": "provider_verification_succeeded"}},
		"request": map[string]any{
			"method": "POST", "url": rc.srv.URL + "/hook",
			"headers":  map[string]string{"Authorization": "Bearer secret-token", "Content-Type": "application/json"},
			"body":     map[string]string{"event": "${pactbroker.eventName}", "status": "${pactbroker.githubVerificationStatus}"},
			"username": "u", "password": "p4ss",
		},
	}
	status, body, _ := do(t, "POST", base+"/webhooks/provider/Users/consumer/Web", hook)
	assert.Equal(t, http.StatusNotFound, status, "scoped creation needs the pacticipants: %v", body)

	_, err := store.CreatePacticipant(context.Background(), "Users", broker.PacticipantUpdate{})
	require.NoError(t, err)
	_, err = store.CreatePacticipant(context.Background(), "Web", broker.PacticipantUpdate{})
	require.NoError(t, err)

	bad := map[string]any{"request": map[string]any{"method": "POST"}}
	status, body, _ = do(t, "POST", base+"/webhooks/provider/Users/consumer/Web", bad)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.NotEmpty(t, dig(body, "errors", "request.url"), "%v", body)

	status, body, hdr := do(t, "POST", base+"/webhooks/provider/Users/consumer/Web", hook)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	self := dig(body, "_links", "self", "href").(string)
	assert.Equal(t, self, hdr.Get("Location"))
	assert.Equal(t, webhook.Redacted, dig(body, "request", "password"))
	assert.Equal(t, webhook.Redacted, dig(body, "request", "headers", "authorization"))
	assert.Equal(t, "u", dig(body, "request", "username"))
	assert.Equal(t, self+"/execute", dig(body, "_links", "pb:execute", "href"))
	assert.Equal(t, base+"/webhooks/provider/Users/consumer/Web", dig(body, "_links", "pb:pact-webhooks", "href"))
	assert.Equal(t, "Web", dig(body, "consumer", "name"))
	assert.NotContains(t, body, "secret-token")

	for _, list := range []string{"/webhooks", "/webhooks/provider/Users", "/webhooks/consumer/Web", "/webhooks/provider/Users/consumer/Web", "/pacts/provider/Users/consumer/Web/webhooks"} {
		status, body, _ = do(t, "GET", base+list, nil)
		require.Equal(t, http.StatusOK, status, list)
		items := dig(body, "_links", "pb:webhooks").([]any)
		require.Len(t, items, 1, list)
		assert.Equal(t, "A webhook for the pact between Web and Users", dig(items[0], "title"))
		assert.Equal(t, self, dig(items[0], "href"))
	}
	status, _, _ = do(t, "GET", base+"/webhooks/provider/Nobody", nil)
	assert.Equal(t, http.StatusNotFound, status)

	publish := map[string]any{
		"pacticipantName": "Web", "pacticipantVersionNumber": "1", "branch": "main",
		"contracts": []map[string]any{{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
			"content": storetest.PactJSON("Web", "Users", "get user")}},
	}
	status, body, _ = do(t, "POST", base+"/contracts/publish", publish)
	require.Equal(t, http.StatusOK, status, "%v", body)
	notices, _ := json.Marshal(body["notices"])
	assert.Contains(t, string(notices), `Webhook \"users build\" queued for event contract_content_changed`, "the publisher hears which webhooks fired")
	assert.NotContains(t, string(notices), "No enabled webhooks")

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for !cond() {
			require.False(t, time.Now().After(deadline), what)
			d.Wake()
			<-tick.C
		}
	}
	waitFor("the content-changed webhook is delivered", func() bool { return len(rc.got()) == 1 })
	assert.JSONEq(t, `{"event":"contract_content_changed","status":"pending"}`, rc.got()[0].Body)

	pairURL := base + "/pacts/provider/Users/consumer/Web"
	var triggeredList []any
	waitFor("the delivery is recorded", func() bool {
		_, body, _ = do(t, "GET", pairURL+"/version/1/triggered-webhooks", nil)
		triggeredList, _ = dig(body, "_embedded", "triggeredWebhooks").([]any)
		return len(triggeredList) == 1 && dig(triggeredList[0], "status") == "success"
	})
	tw := triggeredList[0]
	assert.Equal(t, "contract_content_changed", dig(tw, "eventName"))
	assert.Equal(t, float64(1), dig(tw, "attemptsMade"))
	assert.Equal(t, "POST 127.0.0.1", dig(tw, "name"))
	assert.Equal(t, self, dig(tw, "_links", "pb:webhook", "href"))
	logsURL := dig(tw, "_links", "pb:logs", "href").(string)

	status, body, _ = do(t, "GET", logsURL, nil)
	require.Equal(t, http.StatusOK, status)
	logs := body["text"].(string)
	assert.Contains(t, logs, "HTTP/1.1 POST "+rc.srv.URL+"/hook")
	assert.Contains(t, logs, "authorization: "+webhook.Redacted)
	assert.Contains(t, logs, `{"build":"queued"}`, "responses are logged when a host allow-list is set")
	assert.NotContains(t, logs, "secret-token")
	assert.NotContains(t, logs, "p4ss")

	status, body, _ = do(t, "GET", pairURL+"/webhooks/status", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(1), dig(body, "summary", "successful"))
	assert.Equal(t, pairURL+"/version/1", dig(body, "_links", "pb:pact-version", "href"))

	// Version 2 publishes the same content (no content change); a result
	// for the pact selected for versions 1 and 2 (the metadata of the URL
	// it is posted to) triggers provider_verification_succeeded for each.
	publish["pacticipantVersionNumber"] = "2"
	status, body, _ = do(t, "POST", base+"/contracts/publish", publish)
	require.Equal(t, http.StatusOK, status, "%v", body)
	p, err := store.GetPact(context.Background(), broker.PactRef{Consumer: "Web", Provider: "Users", Version: "1"})
	require.NoError(t, err)
	var ids []string
	for _, n := range []string{"1", "2"} {
		v, err := store.GetVersion(context.Background(), "Web", n)
		require.NoError(t, err)
		ids = append(ids, "s%5B%5D%5Bcv%5D="+fmt.Sprint(v.ID))
	}
	meta := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(ids, "&")))
	status, body, _ = do(t, "POST", pairURL+"/pact-version/"+p.SHA+"/metadata/"+meta+"/verification-results",
		map[string]any{"success": true, "providerApplicationVersion": "u1"})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	resultURL := dig(body, "_links", "self", "href").(string)
	waitFor("the verification webhooks are delivered", func() bool { return len(rc.got()) == 3 })
	for _, r := range rc.got()[1:] {
		assert.JSONEq(t, `{"event":"provider_verification_succeeded","status":"success"}`, r.Body)
	}
	status, body, _ = do(t, "GET", resultURL+"/triggered-webhooks", nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	require.Len(t, dig(body, "_embedded", "triggeredWebhooks"), 2, "one per consumer version")

	// Executing a webhook shows the request with secrets hidden.
	status, body, _ = do(t, "POST", self+"/execute", map[string]any{})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, body["success"])
	assert.Equal(t, webhook.Redacted, dig(body, "request", "headers", "authorization"))
	assert.Equal(t, float64(200), dig(body, "response", "status"))
	assert.Equal(t, "test", dig(body, "request", "body", "event"))

	// PUT replaces; what GET showed can be sent back without losing the
	// redacted secrets.
	status, body, _ = do(t, "GET", self, nil)
	require.Equal(t, http.StatusOK, status)
	body["description"] = "renamed"
	status, body, _ = do(t, "PUT", self, body)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, "renamed", body["description"])
	saved, err := store.GetWebhook(context.Background(), dig(body, "uuid").(string))
	require.NoError(t, err)
	assert.Equal(t, "p4ss", saved.Request.Password)
	assert.Equal(t, "Bearer secret-token", saved.Request.Headers["authorization"])
	// DELETE removes the webhook and its triggered deliveries.
	status, _, _ = do(t, "PUT", base+"/webhooks/short", hook)
	assert.Equal(t, http.StatusBadRequest, status, "uuids have at least 16 characters")
	status, _, _ = do(t, "DELETE", self, nil)
	assert.Equal(t, http.StatusNoContent, status)
	status, _, _ = do(t, "GET", self, nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, _, _ = do(t, "GET", logsURL, nil)
	assert.Equal(t, http.StatusNotFound, status)
}
