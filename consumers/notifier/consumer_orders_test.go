package notifier_test

import (
	"context"
	"testing"

	"github.com/pact-foundation/pact-go/v2/matchers"
	v4 "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/consumers/notifier"
	"github.com/accord-cdc/accord/contracts"
)

// TestConsumerOrders records the OrderPlaced event the notifier consumes
// from orders, and proves the real handler, over its real database, turns
// the example event into a notification. It pins only the fields the
// notifier reads.
func TestConsumerOrders(t *testing.T) {
	db := newDB(t)
	n := &notifier.Notifier{DB: db}
	pact := contracts.NewMessagePact(t, "notifier", "orders")

	err := pact.AddAsynchronousMessage().
		Given("an order was placed").
		ExpectsToReceive("an OrderPlaced event").
		WithJSONContent(matchers.Map{
			"eventId":    matchers.Like("7f9c2a3e-5b1d-4c8e-9a6f-2d4b8e1c3a5f"),
			"type":       matchers.S("OrderPlaced"),
			"orderId":    matchers.Like("0b6a4f6e-3f2d-4a51-9a57-1f0e7c1d2a10"),
			"customerId": matchers.Integer(42),
			"totalCents": matchers.Integer(2699),
			"items": matchers.EachLike(matchers.Map{
				"sku":      matchers.Like("BOOK-1"),
				"quantity": matchers.Integer(2),
			}, 1),
			"placedAt": matchers.Regex("2026-11-26T09:30:15Z", contracts.RFC3339Pattern),
		}).
		ConsumedBy(func(m v4.AsynchronousMessage) error {
			return n.HandleOrderPlaced(context.Background(), m.Contents)
		}).
		Verify(t)
	require.NoError(t, err)

	got, err := n.Notifications(context.Background(), 42)
	require.NoError(t, err)
	require.Len(t, got, 1, "the example event became a notification")
	assert.Equal(t, "0b6a4f6e-3f2d-4a51-9a57-1f0e7c1d2a10", got[0].OrderID)
	assert.Equal(t, "7f9c2a3e-5b1d-4c8e-9a6f-2d4b8e1c3a5f", got[0].EventID)
}
