package notifier_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/consumers/notifier"
)

var received = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func newNotifier(db *sql.DB) *notifier.Notifier {
	return &notifier.Notifier{DB: db, Now: func() time.Time { return received }}
}

func event(eventID, orderID string, customerID int64) string {
	return fmt.Sprintf(`{
		"eventId": %q, "type": "OrderPlaced", "orderId": %q, "customerId": %d,
		"totalCents": 2699,
		"items": [{"sku":"BOOK-1","quantity":2,"unitPriceCents":1250},{"sku":"PEN-7","quantity":1,"unitPriceCents":199}],
		"placedAt": "2026-11-26T09:30:15Z"
	}`, eventID, orderID, customerID)
}

func count(tb testing.TB, db *sql.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.QueryRow(query, args...).Scan(&n), query)
	return n
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	t.Parallel()
	db := newEmptyDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = notifier.Migrate(context.Background(), db) }()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "concurrent Migrate #%d", i)
	}
	require.NoError(t, notifier.Migrate(context.Background(), db))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM notifier_schema_migrations`))
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM notifications`))
}

func TestParseOrderPlaced(t *testing.T) {
	ev, err := notifier.ParseOrderPlaced([]byte(event("e-1", "o-1", 42)))
	require.NoError(t, err)
	assert.Equal(t, notifier.OrderPlaced{
		EventID: "e-1", Type: "OrderPlaced", OrderID: "o-1", CustomerID: 42, TotalCents: 2699,
		Items:    []notifier.Item{{SKU: "BOOK-1", Quantity: 2}, {SKU: "PEN-7", Quantity: 1}},
		PlacedAt: time.Date(2026, 11, 26, 9, 30, 15, 0, time.UTC),
	}, ev)
	assert.Equal(t, "Your order o-1 of 3 items totalling 26.99 was placed on 2026-11-26.", ev.Message())

	valid := event("e-1", "o-1", 42)
	for _, tc := range []struct{ name, payload, want string }{
		{"not JSON", `{`, "not an OrderPlaced JSON object"},
		{"wrong type", strings.Replace(valid, `"OrderPlaced"`, `"OrderShipped"`, 1), `type is "OrderShipped", want "OrderPlaced"`},
		{"no eventId", strings.Replace(valid, `"e-1"`, `""`, 1), "eventId is required"},
		{"no orderId", strings.Replace(valid, `"o-1"`, `""`, 1), "orderId is required"},
		{"no customerId", strings.Replace(valid, `"customerId": 42`, `"customerId": 0`, 1), "customerId must be a positive integer"},
		{"customerId as string", strings.Replace(valid, `"customerId": 42`, `"customerId": "42"`, 1), "not an OrderPlaced JSON object"},
		{"negative total", strings.Replace(valid, `2699`, `-1`, 1), "totalCents must not be negative"},
		{"no items", `{"eventId":"e","type":"OrderPlaced","orderId":"o","customerId":1,"totalCents":1,"items":[],"placedAt":"2026-11-26T09:30:15Z"}`, "at least one item"},
		{"item without quantity", strings.Replace(valid, `"quantity":2`, `"quantity":0`, 1), "items[0] needs a sku and a quantity"},
		{"no placedAt", strings.Replace(valid, `"placedAt": "2026-11-26T09:30:15Z"`, `"placedAt": null`, 1), "placedAt is required"},
		{"bad placedAt", strings.Replace(valid, `2026-11-26T09:30:15Z`, `yesterday`, 1), "not an OrderPlaced JSON object"},
		{"string total", strings.Replace(valid, `2699`, `"2699"`, 1), "not an OrderPlaced JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notifier.ParseOrderPlaced([]byte(tc.payload))
			require.Error(t, err)
			assert.True(t, errors.Is(err, notifier.ErrInvalidEvent), "wraps ErrInvalidEvent: %v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestHandleOrderPlacedRecordsANotification(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	n := newNotifier(db)
	require.NoError(t, n.HandleOrderPlaced(context.Background(), []byte(event("e-1", "o-1", 42))))

	got, err := n.Notifications(context.Background(), 42)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.NotZero(t, got[0].ID)
	got[0].ID = 0
	assert.Equal(t, notifier.Notification{
		EventID: "e-1", OrderID: "o-1", CustomerID: 42,
		Message:   "Your order o-1 of 3 items totalling 26.99 was placed on 2026-11-26.",
		CreatedAt: received,
	}, got[0])
}

func TestHandleOrderPlacedIsIdempotentOnEventID(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	n := newNotifier(db)
	ctx := context.Background()

	// The same event delivered again, also concurrently, records one notification.
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = n.HandleOrderPlaced(ctx, []byte(event("e-1", "o-1", 42))) }()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "delivery #%d", i)
	}
	require.NoError(t, n.HandleOrderPlaced(ctx, []byte(event("e-1", "o-1", 42))))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM notifications WHERE event_id = 'e-1'`))

	// A different event is a different notification.
	require.NoError(t, n.HandleOrderPlaced(ctx, []byte(event("e-2", "o-2", 42))))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM notifications`))
}

func TestHandleOrderPlacedWritesNothingForAnInvalidEvent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	err := newNotifier(db).HandleOrderPlaced(context.Background(), []byte(`{"type":"OrderPlaced","orderId":"o-1"}`))
	assert.True(t, errors.Is(err, notifier.ErrInvalidEvent), "got %v", err)
	assert.Zero(t, count(t, db, `SELECT count(*) FROM notifications`))
}

func TestEventsAPI(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := httptest.NewServer(notifier.NewHandler(newNotifier(db), nil))
	t.Cleanup(srv.Close)
	post := func(body string) (int, string) {
		resp, err := http.Post(srv.URL+"/events", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, body := post(event("e-1", "o-1", 42))
	assert.Equal(t, http.StatusNoContent, status, body)
	status, body = post(event("e-1", "o-1", 42))
	assert.Equal(t, http.StatusNoContent, status, "a redelivered event is acknowledged: %s", body)
	status, _ = post(event("e-2", "o-2", 43))
	assert.Equal(t, http.StatusNoContent, status)

	status, body = post(`{"type":"OrderPlaced","orderId":"o-3"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "eventId is required")
	status, body = post(`not json`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "not a JSON object")
	status, body = post(`{"type":"OrderShipped","eventId":"e-9"}`)
	assert.Equal(t, http.StatusAccepted, status, "unhandled event types are acknowledged, not retried forever")
	assert.Contains(t, body, `event type \"OrderShipped\" is not handled`)

	resp, err := http.Get(srv.URL + "/notifications?customerId=42")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"notifications":[{"id":1,"eventId":"e-1","orderId":"o-1","customerId":42,
		"message":"Your order o-1 of 3 items totalling 26.99 was placed on 2026-11-26.",
		"createdAt":"2026-11-26T10:00:00Z"}]}`, string(b))

	resp, err = http.Get(srv.URL + "/notifications")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(b), "customerId query parameter must be a positive integer")

	resp, err = http.Get(srv.URL + "/notifications?customerId=77")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"notifications":[]}`, string(b))
}
