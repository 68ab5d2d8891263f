package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/storetest"
)

func postJSON(t *testing.T, url string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	res, err := http.Post(url, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// triggeredStatus returns the status and attempts of the only webhook
// triggered by version 1's pact, or "" before there is one.
func triggeredStatus(t *testing.T, base string) (string, float64) {
	t.Helper()
	res, err := http.Get(base + "/pacts/provider/Users/consumer/Web/version/1/triggered-webhooks")
	require.NoError(t, err)
	defer res.Body.Close()
	var body struct {
		Embedded struct {
			Triggered []struct {
				Status       string  `json:"status"`
				AttemptsMade float64 `json:"attemptsMade"`
			} `json:"triggeredWebhooks"`
		} `json:"_embedded"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	if len(body.Embedded.Triggered) != 1 {
		return "", 0
	}
	return body.Embedded.Triggered[0].Status, body.Embedded.Triggered[0].AttemptsMade
}

func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		require.False(t, time.Now().After(deadline), what)
		<-tick.C
	}
}

// TestWebhooksSurviveARestart runs the broker as the command does: the
// dispatcher starts with it, a failed delivery waits for its retry, the
// broker shuts down, and the restarted broker delivers.
func TestWebhooksSurviveARestart(t *testing.T) {
	var mu sync.Mutex
	var hits []string
	failing := true
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		hits = append(hits, string(b))
		if failing {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(receiver.Close)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(hits)
	}

	db := "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")
	settings := env(map[string]string{
		"PACT_BROKER_WEBHOOK_SCHEME_WHITELIST": "http",
		"PACT_BROKER_WEBHOOK_HOST_WHITELIST":   "127.0.0.1",
		"PACT_BROKER_WEBHOOK_RETRY_SCHEDULE":   "0.3",
		"PACT_BROKER_WEBHOOK_POLL_INTERVAL":    "0.01",
	})
	start := func() *Main {
		m := NewMain(io.Discard)
		require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", db}, settings))
		require.NoError(t, m.Run(context.Background()))
		return m
	}
	stop := func(m *Main) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, m.Close(ctx))
	}

	m := start()
	status, body := postJSON(t, m.URL()+"/webhooks", map[string]any{
		"events":  []map[string]string{{"name": "contract_published"}},
		"request": map[string]any{"method": "POST", "url": receiver.URL + "/hook", "body": map[string]string{"pact": "${pactbroker.pactUrl}"}},
	})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	status, body = postJSON(t, m.URL()+"/contracts/publish", map[string]any{
		"pacticipantName": "Web", "pacticipantVersionNumber": "1", "branch": "main",
		"contracts": []map[string]any{{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
			"content": storetest.PactJSON("Web", "Users", "get user")}},
	})
	require.Equal(t, http.StatusOK, status, "%v", body)
	firstURL := m.URL()
	pollUntil(t, "the first attempt fails", func() bool {
		s, attempts := triggeredStatus(t, firstURL)
		return s == "retrying" && attempts == 1
	})
	stop(m)
	require.Equal(t, 1, count())

	mu.Lock()
	failing = false
	mu.Unlock()
	m = start()
	defer stop(m)
	pollUntil(t, "the restarted broker delivers", func() bool {
		s, _ := triggeredStatus(t, m.URL())
		return s == "success"
	})
	assert.Equal(t, 2, count(), "one failed attempt, one delivery")
	mu.Lock()
	assert.Contains(t, hits[1], firstURL+"/pacts/provider/Users/consumer/Web/pact-version/", "links point at the broker that took the publication")
	mu.Unlock()
}

func TestWebhookSettingsFromEnv(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags(nil, env(map[string]string{"PACT_BROKER_WEBHOOK_RETRY_SCHEDULE": "1 2", "PACT_BROKER_WEBHOOK_HOST_WHITELIST": "ci.example"})))
	assert.Len(t, m.Webhooks.RetrySchedule, 2)
	assert.Equal(t, []string{"ci.example"}, m.Webhooks.Hosts)
	err := NewMain(io.Discard).ParseFlags(nil, env(map[string]string{"PACT_BROKER_WEBHOOK_RETRY_SCHEDULE": "soon"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PACT_BROKER_WEBHOOK_RETRY_SCHEDULE")
}
