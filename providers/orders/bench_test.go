package orders_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/providers/orders"
)

// BenchmarkPlaceOrder measures placing one two-item order: the users check
// over HTTP (a local stub) and the order + items + outbox transaction.
func BenchmarkPlaceOrder(b *testing.B) {
	db := newDB(b)
	svc := newService(b, db, newUsersStub(b, 42).URL)
	req := orders.PlaceOrderRequest{CustomerID: 42, Items: twoItems()}
	ctx := context.Background()
	for b.Loop() {
		if _, err := svc.PlaceOrder(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelay measures delivering one outbox event to an HTTP subscriber
// and marking it published, in batches of 50.
func BenchmarkRelay(b *testing.B) {
	db := newDB(b)
	svc := newService(b, db, newUsersStub(b, 42).URL)
	sub := newSubscriber(b, 0)
	relay := newRelay(b, db, sub.URL+"/events")
	ctx := context.Background()
	placeOrders(b, svc, 42, b.N)
	b.ResetTimer()
	delivered := 0
	for delivered < b.N {
		n, failed, err := relay.RunOnce(ctx)
		require.NoError(b, err)
		require.Zero(b, failed)
		require.NotZero(b, n, "relay made no progress")
		delivered += n
	}
}
