package notifier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/consumers/notifier"
	"github.com/accord-cdc/accord/providers/orders"
)

// TestOrderPlacedFlowsFromOrdersOutboxToNotification runs the real orders
// service code (PlaceOrder, outbox, relay, webhook publisher) against the
// real notifier HTTP API, each with its own database.
func TestOrderPlacedFlowsFromOrdersOutboxToNotification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	notifierDB := newDB(t)
	notif := &notifier.Server{Addr: "127.0.0.1:0", Handler: notifier.NewHandler(&notifier.Notifier{DB: notifierDB}, nil)}
	require.NoError(t, notif.Open())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, notif.Close(ctx))
	})

	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/users/42" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"id":42,"name":"Ada","email":"ada@example.com","createdAt":"2026-01-02T03:04:05Z"}`))
	}))
	t.Cleanup(users.Close)
	usersClient, err := orders.NewHTTPUsersClient(users.URL, nil)
	require.NoError(t, err)
	ordersDB := newOrdersDB(t)
	svc := &orders.Service{DB: ordersDB, Users: usersClient}

	o, err := svc.PlaceOrder(ctx, orders.PlaceOrderRequest{CustomerID: 42, Items: []orders.Item{
		{SKU: "BOOK-1", Quantity: 2, UnitPriceCents: 1250}, {SKU: "PEN-7", Quantity: 1, UnitPriceCents: 199},
	}})
	require.NoError(t, err)
	var ev orders.OrderPlaced
	msg, err := orders.OutboxMessage(ctx, ordersDB, o.ID)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(msg, &ev))

	pub, err := orders.NewWebhookPublisher([]string{notif.URL() + "/events"}, nil)
	require.NoError(t, err)
	relay := &orders.Relay{DB: ordersDB, Publisher: pub}
	published, failed, err := relay.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, published, "the relay delivered the event to the notifier")
	require.Zero(t, failed)

	var eventID, orderID, message string
	var customerID int64
	require.NoError(t, notifierDB.QueryRow(`SELECT event_id, order_id, customer_id, message FROM notifications`).
		Scan(&eventID, &orderID, &customerID, &message))
	assert.Equal(t, ev.EventID, eventID)
	assert.Equal(t, o.ID, orderID)
	assert.EqualValues(t, 42, customerID)
	assert.Equal(t, "Your order "+o.ID+" of 3 items totalling 26.99 was placed on "+o.PlacedAt.Format("2006-01-02")+".", message)

	// At-least-once delivery: force a redelivery; the notifier keeps one notification.
	_, err = ordersDB.Exec(`UPDATE outbox SET published_at = NULL`)
	require.NoError(t, err)
	published, _, err = relay.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, published)
	assert.Equal(t, 1, count(t, notifierDB, `SELECT count(*) FROM notifications`))

	resp, err := http.Get(notif.URL() + "/notifications?customerId=42")
	require.NoError(t, err)
	defer resp.Body.Close()
	var list struct{ Notifications []notifier.Notification }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	require.Len(t, list.Notifications, 1)
	assert.True(t, strings.HasPrefix(list.Notifications[0].Message, "Your order "+o.ID))
}
