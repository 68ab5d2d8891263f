package notifier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// The service's error vocabulary; [NewHandler] maps each to one HTTP status.
var (
	// ErrInvalidEvent: the event cannot be parsed or breaks a rule (400).
	// Redelivering it will not help: the producer must be fixed.
	ErrInvalidEvent = errors.New("invalid event")
	// ErrInvalid: a malformed query (400).
	ErrInvalid = errors.New("invalid request")
)

// EventOrderPlaced is the only event type the notifier handles.
const EventOrderPlaced = "OrderPlaced"

// OrderPlaced is the notifier's view of the orders service's OrderPlaced
// event: the fields it reads, nothing more.
type OrderPlaced struct {
	EventID    string    `json:"eventId"`
	Type       string    `json:"type"`
	OrderID    string    `json:"orderId"`
	CustomerID int64     `json:"customerId"` // the users service's user id
	TotalCents int64     `json:"totalCents"`
	Items      []Item    `json:"items"`
	PlacedAt   time.Time `json:"placedAt"`
}

// Item is one line of a placed order.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// ParseOrderPlaced decodes and validates an OrderPlaced event. Errors wrap
// [ErrInvalidEvent] and name the offending field.
func ParseOrderPlaced(payload []byte) (OrderPlaced, error) {
	var ev OrderPlaced
	if err := json.Unmarshal(payload, &ev); err != nil {
		return OrderPlaced{}, fmt.Errorf("%w: not an OrderPlaced JSON object: %v", ErrInvalidEvent, err)
	}
	switch {
	case ev.Type != EventOrderPlaced:
		return OrderPlaced{}, fmt.Errorf("%w: type is %q, want %q", ErrInvalidEvent, ev.Type, EventOrderPlaced)
	case strings.TrimSpace(ev.EventID) == "":
		return OrderPlaced{}, fmt.Errorf("%w: eventId is required: it is what makes redelivery safe", ErrInvalidEvent)
	case ev.OrderID == "":
		return OrderPlaced{}, fmt.Errorf("%w: event %s: orderId is required", ErrInvalidEvent, ev.EventID)
	case ev.CustomerID <= 0:
		return OrderPlaced{}, fmt.Errorf("%w: event %s: customerId must be a positive integer, got %d", ErrInvalidEvent, ev.EventID, ev.CustomerID)
	case ev.TotalCents < 0:
		return OrderPlaced{}, fmt.Errorf("%w: event %s: totalCents must not be negative, got %d", ErrInvalidEvent, ev.EventID, ev.TotalCents)
	case len(ev.Items) == 0:
		return OrderPlaced{}, fmt.Errorf("%w: event %s: items must list at least one item", ErrInvalidEvent, ev.EventID)
	case ev.PlacedAt.IsZero():
		return OrderPlaced{}, fmt.Errorf("%w: event %s: placedAt is required (RFC 3339)", ErrInvalidEvent, ev.EventID)
	}
	for i, it := range ev.Items {
		if it.SKU == "" || it.Quantity < 1 {
			return OrderPlaced{}, fmt.Errorf("%w: event %s: items[%d] needs a sku and a quantity of at least 1", ErrInvalidEvent, ev.EventID, i)
		}
	}
	return ev, nil
}

// Message is the text the customer is sent for the event.
func (ev OrderPlaced) Message() string {
	n := 0
	for _, it := range ev.Items {
		n += it.Quantity
	}
	noun := "items"
	if n == 1 {
		noun = "item"
	}
	return fmt.Sprintf("Your order %s of %d %s totalling %d.%02d was placed on %s.",
		ev.OrderID, n, noun, ev.TotalCents/100, ev.TotalCents%100, ev.PlacedAt.UTC().Format("2006-01-02"))
}

// Notification is a message recorded for a customer.
type Notification struct {
	ID         int64     `json:"id"`
	EventID    string    `json:"eventId"`
	OrderID    string    `json:"orderId"`
	CustomerID int64     `json:"customerId"`
	Message    string    `json:"message"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Notifier handles events and reads notifications. Set DB; Now and Logger
// default to the wall clock and slog.Default().
type Notifier struct {
	DB     *sql.DB
	Now    func() time.Time
	Logger *slog.Logger
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notifier) logger() *slog.Logger {
	if n.Logger != nil {
		return n.Logger
	}
	return slog.Default()
}

// HandleOrderPlaced parses and validates an OrderPlaced event and records its
// notification. An event whose eventId was handled before is accepted and
// changes nothing. Invalid events give an error wrapping [ErrInvalidEvent].
func (n *Notifier) HandleOrderPlaced(ctx context.Context, payload []byte) error {
	_, _, err := n.handleOrderPlaced(ctx, payload)
	return err
}

// handleOrderPlaced also reports whether the event was new.
func (n *Notifier) handleOrderPlaced(ctx context.Context, payload []byte) (OrderPlaced, bool, error) {
	ev, err := ParseOrderPlaced(payload)
	if err != nil {
		return OrderPlaced{}, false, err
	}
	res, err := n.DB.ExecContext(ctx,
		`INSERT INTO notifications (event_id, order_id, customer_id, message, created_at)
		 VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (event_id) DO NOTHING`,
		ev.EventID, ev.OrderID, ev.CustomerID, ev.Message(), n.now().UTC())
	if err != nil {
		return OrderPlaced{}, false, fmt.Errorf("record notification for event %s: %w", ev.EventID, err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return OrderPlaced{}, false, fmt.Errorf("record notification for event %s: %w", ev.EventID, err)
	}
	if rows == 0 {
		n.logger().Info("duplicate event ignored", "eventId", ev.EventID, "orderId", ev.OrderID)
		return ev, false, nil
	}
	n.logger().Info("notification recorded", "eventId", ev.EventID, "orderId", ev.OrderID, "customerId", ev.CustomerID)
	return ev, true, nil
}

// Notifications returns the customer's notifications, newest first.
func (n *Notifier) Notifications(ctx context.Context, customerID int64) ([]Notification, error) {
	if customerID <= 0 {
		return nil, fmt.Errorf("%w: customerId must be a positive integer, e.g. GET /notifications?customerId=42", ErrInvalid)
	}
	rows, err := n.DB.QueryContext(ctx,
		`SELECT id, event_id, order_id, customer_id, message, created_at FROM notifications
		 WHERE customer_id = $1 ORDER BY created_at DESC, id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list notifications of customer %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var nt Notification
		if err := rows.Scan(&nt.ID, &nt.EventID, &nt.OrderID, &nt.CustomerID, &nt.Message, &nt.CreatedAt); err != nil {
			return nil, fmt.Errorf("list notifications of customer %d: %w", customerID, err)
		}
		nt.CreatedAt = nt.CreatedAt.UTC()
		out = append(out, nt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list notifications of customer %d: %w", customerID, err)
	}
	return out, nil
}
