package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// EventOrderPlaced is the type of the event written when an order is placed.
const EventOrderPlaced = "OrderPlaced"

// OrderPlaced is the payload of the event that leaves the service when an
// order is placed. It is what subscribers (the notifier) receive.
type OrderPlaced struct {
	EventID    string `json:"eventId"`
	Type       string `json:"type"`
	OrderID    string `json:"orderId"`
	CustomerID int64  `json:"customerId"`
	TotalCents int64  `json:"totalCents"`
	Items      []Item `json:"items"`
	PlacedAt   string `json:"placedAt"` // RFC 3339, UTC
}

func newOrderPlaced(eventID string, o Order) OrderPlaced {
	return OrderPlaced{
		EventID:    eventID,
		Type:       EventOrderPlaced,
		OrderID:    o.ID,
		CustomerID: o.CustomerID,
		TotalCents: o.TotalCents,
		Items:      o.Items,
		PlacedAt:   o.PlacedAt.UTC().Format(time.RFC3339),
	}
}

// Message is one outbox event as the relay hands it to a [Publisher].
type Message struct {
	ID      int64  // outbox row id
	EventID string // the payload's eventId; subscribers deduplicate on it
	Type    string // e.g. "OrderPlaced"
	Payload []byte // JSON, exactly as written with the order
}

// OutboxMessage returns the payload of the OrderPlaced outbox row written when
// the order was placed: the exact bytes the relay delivers to subscribers.
// It returns an error wrapping [ErrNotFound] when the order has no such row.
func OutboxMessage(ctx context.Context, db *sql.DB, orderID string) ([]byte, error) {
	if !IsUUID(orderID) {
		return nil, fmt.Errorf("%w: no outbox event for order %q (order ids are UUIDs)", ErrNotFound, orderID)
	}
	var payload string
	err := db.QueryRowContext(ctx,
		`SELECT payload FROM outbox WHERE aggregate_id = $1 AND event_type = $2 ORDER BY id LIMIT 1`,
		orderID, EventOrderPlaced).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no %s outbox event for order %s: was it placed through Service.PlaceOrder?", ErrNotFound, EventOrderPlaced, orderID)
	}
	if err != nil {
		return nil, fmt.Errorf("read outbox event of order %s: %w", orderID, err)
	}
	return []byte(payload), nil
}
