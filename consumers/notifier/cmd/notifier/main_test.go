package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-cdc/accord/contracts"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRunRequiresDatabaseURL(t *testing.T) {
	err := run(context.Background(), env(nil), slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DATABASE_URL is not set")
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) field(msg, key string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, line := range strings.Split(b.buf.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			s, _ := rec[key].(string)
			return s
		}
	}
	return ""
}

// TestRunServesAndShutsDownGracefully runs the real main against real
// PostgreSQL: it migrates, records an event and stops cleanly on cancel.
func TestRunServesAndShutsDownGracefully(t *testing.T) {
	ctx := context.Background()
	dsn := contracts.Postgres(t, contracts.WithDatabase("notifier")).ConnString

	logs := &syncBuffer{}
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, env(map[string]string{"DATABASE_URL": dsn, "ADDR": "127.0.0.1:0"}),
			slog.New(slog.NewJSONHandler(logs, nil)))
	}()
	var base string
	require.Eventually(t, func() bool { base = logs.field("notifier listening", "url"); return base != "" },
		30*time.Second, 20*time.Millisecond, "notifier did not log that it listens")

	resp, err := http.Post(base+"/events", "application/json", strings.NewReader(`{"eventId":"e-1","type":"OrderPlaced",
		"orderId":"o-1","customerId":42,"totalCents":1250,"items":[{"sku":"BOOK-1","quantity":1,"unitPriceCents":1250}],
		"placedAt":"2026-11-26T09:30:15Z"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	resp, err = http.Get(base + "/notifications?customerId=42")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `"orderId":"o-1"`)

	stop()
	select {
	case err := <-done:
		assert.NoError(t, err, "graceful shutdown")
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of shutdown")
	}
}
