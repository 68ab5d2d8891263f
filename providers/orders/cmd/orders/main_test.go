package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

func TestRunRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no database", map[string]string{"USERS_URL": "http://users"}, "DATABASE_URL is not set"},
		{"no users", map[string]string{"DATABASE_URL": "postgres://x"}, "USERS_URL is not set"},
		{"bad users", map[string]string{"DATABASE_URL": "postgres://x", "USERS_URL": "users:8080"}, "must be an absolute http(s) URL"},
		{"bad interval", map[string]string{"DATABASE_URL": "postgres://x", "USERS_URL": "http://users", "RELAY_INTERVAL": "soon"}, "RELAY_INTERVAL"},
		{"bad subscriber", map[string]string{"DATABASE_URL": "postgres://x", "USERS_URL": "http://users", "SUBSCRIBER_URLS": "notifier/events"}, "SUBSCRIBER_URLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), env(tc.env), slog.New(slog.DiscardHandler))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// syncBuffer collects the JSON log lines of the service under test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// field returns the value of key in the first log record with the message msg.
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

// TestRunServesRelaysAndShutsDownGracefully runs the real main against real
// PostgreSQL: it migrates, serves the API, relays the outbox to a subscriber
// and returns cleanly when its context is cancelled (SIGTERM).
func TestRunServesRelaysAndShutsDownGracefully(t *testing.T) {
	ctx := context.Background()
	dsn := contracts.Postgres(t, contracts.WithDatabase("orders")).ConnString

	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"id":42,"name":"Ada","email":"ada@example.com","createdAt":"2026-01-02T03:04:05Z"}`))
	}))
	t.Cleanup(users.Close)
	delivered := make(chan []byte, 1)
	subscriber := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case delivered <- b:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(subscriber.Close)

	logs := &syncBuffer{}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, env(map[string]string{
			"DATABASE_URL": dsn, "USERS_URL": users.URL, "ADDR": "127.0.0.1:0",
			"SUBSCRIBER_URLS": subscriber.URL + "/events", "RELAY_INTERVAL": "20ms",
		}), slog.New(slog.NewJSONHandler(logs, nil)))
	}()
	t.Cleanup(stop)

	var base string
	require.Eventually(t, func() bool { base = logs.field("orders listening", "url"); return base != "" },
		30*time.Second, 20*time.Millisecond, "orders did not log that it listens; logs:\n%s", &logs.buf)

	resp, err := http.Post(base+"/orders", "application/json",
		strings.NewReader(`{"customerId":42,"items":[{"sku":"BOOK-1","quantity":1,"unitPriceCents":1250}]}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	var order struct{ ID string }
	require.NoError(t, json.Unmarshal(body, &order))

	select {
	case msg := <-delivered:
		var ev struct{ OrderID, Type string }
		require.NoError(t, json.Unmarshal(msg, &ev))
		assert.Equal(t, order.ID, ev.OrderID)
		assert.Equal(t, "OrderPlaced", ev.Type)
	case <-time.After(30 * time.Second):
		t.Fatal("the relay did not deliver the OrderPlaced event within 30s")
	}

	stop()
	select {
	case err := <-done:
		assert.NoError(t, err, "graceful shutdown")
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of shutdown")
	}
	assert.NotEmpty(t, logs.field("orders shutting down", "level"))
}
