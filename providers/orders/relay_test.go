package orders_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/providers/orders"
)

// subscriber is an httptest webhook receiver that records every delivery and
// fails the first failFirst of them with 500.
type subscriber struct {
	*httptest.Server
	mu         sync.Mutex
	deliveries []delivery
	failFirst  int
}

type delivery struct {
	eventID, eventType, contentType string
	body                            []byte
	accepted                        bool
}

func newSubscriber(tb testing.TB, failFirst int) *subscriber {
	tb.Helper()
	s := &subscriber{failFirst: failFirst}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		d := delivery{
			eventID: r.Header.Get("X-Event-Id"), eventType: r.Header.Get("X-Event-Type"),
			contentType: r.Header.Get("Content-Type"), body: body,
			accepted: len(s.deliveries) >= s.failFirst,
		}
		s.deliveries = append(s.deliveries, d)
		if !d.accepted {
			http.Error(w, "subscriber temporarily down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *subscriber) received() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.deliveries...)
}

func newRelay(tb testing.TB, db *sql.DB, urls ...string) *orders.Relay {
	tb.Helper()
	pub, err := orders.NewWebhookPublisher(urls, nil)
	require.NoError(tb, err)
	return &orders.Relay{DB: db, Publisher: pub, Now: func() time.Time { return placedAt.Add(time.Second) }}
}

func placeOrders(tb testing.TB, svc *orders.Service, customerID int64, n int) []orders.Order {
	tb.Helper()
	var out []orders.Order
	for range n {
		o, err := svc.PlaceOrder(context.Background(), orders.PlaceOrderRequest{CustomerID: customerID, Items: twoItems()})
		require.NoError(tb, err)
		out = append(out, o)
	}
	return out
}

func TestRelayDeliversOutboxEventsAndMarksThemPublished(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	svc := newService(t, db, newUsersStub(t, 42).URL)
	placed := placeOrders(t, svc, 42, 2)
	sub := newSubscriber(t, 0)
	relay := newRelay(t, db, sub.URL+"/events")

	published, failed, err := relay.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, published)
	assert.Zero(t, failed)

	got := sub.received()
	require.Len(t, got, 2)
	for i, o := range placed {
		want, err := orders.OutboxMessage(context.Background(), db, o.ID)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got[i].body), "the subscriber receives the outbox payload byte for byte, in order")
		var ev orders.OrderPlaced
		require.NoError(t, json.Unmarshal(got[i].body, &ev))
		assert.Equal(t, o.ID, ev.OrderID)
		assert.Equal(t, ev.EventID, got[i].eventID)
		assert.Equal(t, "OrderPlaced", got[i].eventType)
		assert.Equal(t, "application/json", got[i].contentType)
	}
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 1 AND last_error IS NULL`))

	published, failed, err = relay.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Zero(t, published+failed, "published events are not sent again")
	assert.Len(t, sub.received(), 2)
}

func TestRelayRetriesAfterSubscriberFailure(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	svc := newService(t, db, newUsersStub(t, 42).URL)
	o := placeOrders(t, svc, 42, 1)[0]
	sub := newSubscriber(t, 1)
	relay := newRelay(t, db, sub.URL+"/events")
	now := placedAt.Add(time.Second)
	relay.Now = func() time.Time { return now }
	relay.MinBackoff = 30 * time.Second

	published, failed, err := relay.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, published)
	assert.Equal(t, 1, failed)

	var attempts int
	var lastErr string
	var next time.Time
	var pub sql.NullTime
	require.NoError(t, db.QueryRow(`SELECT attempts, last_error, next_attempt_at, published_at FROM outbox WHERE aggregate_id = $1`, o.ID).
		Scan(&attempts, &lastErr, &next, &pub))
	assert.Equal(t, 1, attempts)
	assert.Contains(t, lastErr, "500 Internal Server Error")
	assert.Contains(t, lastErr, "subscriber temporarily down")
	assert.True(t, next.Equal(now.Add(30*time.Second)), "next attempt after the backoff, got %v", next)
	assert.False(t, pub.Valid)

	published, failed, err = relay.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Zero(t, published+failed, "not retried before its backoff is over")

	now = now.Add(31 * time.Second)
	published, failed, err = relay.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, published)
	assert.Zero(t, failed)

	got := sub.received()
	require.Len(t, got, 2)
	assert.False(t, got[0].accepted)
	assert.True(t, got[1].accepted)
	assert.Equal(t, got[0].body, got[1].body, "the retry sends the same event")
	require.NoError(t, db.QueryRow(`SELECT attempts, published_at FROM outbox WHERE aggregate_id = $1`, o.ID).Scan(&attempts, &pub))
	assert.Equal(t, 2, attempts)
	assert.True(t, pub.Valid)
}

func TestConcurrentRelaysDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	svc := newService(t, db, newUsersStub(t, 42).URL)
	placed := placeOrders(t, svc, 42, 12)
	sub := newSubscriber(t, 0)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		r := newRelay(t, db, sub.URL+"/events")
		r.BatchSize = 2
		r.Interval = 10 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, r.Run(ctx)) }()
	}
	assert.Eventually(t, func() bool {
		return count(t, db, `SELECT count(*) FROM outbox WHERE published_at IS NULL`) == 0
	}, 15*time.Second, 10*time.Millisecond, "relays drain the outbox")
	cancel()
	wg.Wait()

	perEvent := map[string]int{}
	for _, d := range sub.received() {
		perEvent[d.eventID]++
	}
	assert.Len(t, perEvent, len(placed), "every event delivered")
	for id, n := range perEvent {
		assert.Equal(t, 1, n, "event %s delivered %d times", id, n)
	}
}

func TestRelayRunStopsWhenContextIsCancelled(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	r := newRelay(t, db, "http://127.0.0.1:1/events")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Relay.Run did not return after its context was cancelled")
	}
}

func TestRelayWithoutPublisherSaysWhatIsMissing(t *testing.T) {
	_, _, err := (&orders.Relay{}).RunOnce(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DB and Publisher must be set")
}

func TestRelayBackoffDoublesUpToTheCap(t *testing.T) {
	r := &orders.Relay{MinBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 50: 10 * time.Second} {
		assert.Equal(t, want, r.Backoff(attempts), "after %d failed attempts", attempts)
	}
	assert.Equal(t, time.Second, (&orders.Relay{}).Backoff(1), "default minimum")
	assert.Equal(t, 5*time.Minute, (&orders.Relay{}).Backoff(100), "default cap")
}

func TestWebhookPublisherReportsEverySubscriberThatFailed(t *testing.T) {
	ok := newSubscriber(t, 0)
	down := newSubscriber(t, 1)
	pub, err := orders.NewWebhookPublisher([]string{ok.URL + "/a", down.URL + "/b"}, nil)
	require.NoError(t, err)

	err = pub.Publish(context.Background(), orders.Message{EventID: "e1", Type: "OrderPlaced", Payload: []byte(`{"x":1}`)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deliver event e1 to "+down.URL+"/b")
	assert.NotContains(t, err.Error(), ok.URL+"/a")
	assert.Len(t, ok.received(), 1)

	require.NoError(t, pub.Publish(context.Background(), orders.Message{EventID: "e1", Type: "OrderPlaced", Payload: []byte(`{"x":1}`)}))
}

func TestNewWebhookPublisherRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "notifier/events", "ftp://x/events", "http:///events"} {
		_, err := orders.NewWebhookPublisher([]string{u}, nil)
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "must be an absolute http(s) URL")
	}
}

func TestHTTPUsersClient(t *testing.T) {
	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/users/42":
			_, _ = w.Write([]byte(`{"id":42,"name":"Ada","email":"ada@example.com","createdAt":"2026-01-02T03:04:05Z"}`))
		case "/users/5":
			_, _ = w.Write([]byte(`<html>`))
		case "/users/6":
			http.Error(w, "overloaded", http.StatusBadGateway)
		case "/users/7":
			_, _ = w.Write([]byte(`{"id":8,"name":"Not Seven"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(users.Close)
	c, err := orders.NewHTTPUsersClient(users.URL+"/", nil)
	require.NoError(t, err)
	ctx := context.Background()

	cust, err := c.Customer(ctx, 42)
	require.NoError(t, err)
	assert.Equal(t, orders.Customer{ID: 42, Name: "Ada", Email: "ada@example.com"}, cust)

	_, err = c.Customer(ctx, 999)
	assert.True(t, errors.Is(err, orders.ErrUnknownCustomer), "got %v", err)
	assert.Contains(t, err.Error(), "customer 999 does not exist")

	for _, id := range []int64{5, 6, 7} {
		_, err = c.Customer(ctx, id)
		assert.True(t, errors.Is(err, orders.ErrUsersUnavailable), "user %d: got %v", id, err)
	}
	down, err := orders.NewHTTPUsersClient("http://127.0.0.1:1", nil)
	require.NoError(t, err)
	_, err = down.Customer(ctx, 42)
	assert.True(t, errors.Is(err, orders.ErrUsersUnavailable), "got %v", err)
	assert.Contains(t, err.Error(), "check USERS_URL")

	_, err = orders.NewHTTPUsersClient("users:8080", nil)
	assert.ErrorContains(t, err, "must be an absolute http(s) URL")
}
