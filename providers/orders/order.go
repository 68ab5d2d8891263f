package orders

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// The service's error vocabulary. Errors returned by [Service] wrap one of
// these with a message meant for the API client; [NewHandler] maps each to
// one HTTP status.
var (
	// ErrInvalid: the request is malformed or breaks a rule (400).
	ErrInvalid = errors.New("invalid request")
	// ErrNotFound: no order has the given id (404).
	ErrNotFound = errors.New("not found")
	// ErrUnknownCustomer: the users service does not know the customer (422).
	ErrUnknownCustomer = errors.New("unknown customer")
	// ErrUsersUnavailable: the users service could not be asked (503).
	ErrUsersUnavailable = errors.New("users service unavailable")
)

// StatusPlaced is the status of an order that has just been placed.
const StatusPlaced = "placed"

// Limits that keep one order within what the schema and a sane client need.
const (
	MaxItems    = 100
	MaxQuantity = 10_000
)

// Item is one line of an order.
type Item struct {
	SKU            string `json:"sku"`
	Quantity       int    `json:"quantity"`
	UnitPriceCents int64  `json:"unitPriceCents"`
}

// Order is an order as the API returns it.
type Order struct {
	ID         string    `json:"id"`
	CustomerID int64     `json:"customerId"`
	Status     string    `json:"status"`
	Items      []Item    `json:"items"`
	TotalCents int64     `json:"totalCents"`
	PlacedAt   time.Time `json:"placedAt"`
}

// MarshalJSON writes placedAt as RFC 3339 in UTC with whole seconds, the
// format the API promises.
func (o Order) MarshalJSON() ([]byte, error) {
	type plain Order
	return json.Marshal(struct {
		plain
		PlacedAt string `json:"placedAt"`
	}{plain(o), o.PlacedAt.UTC().Format(time.RFC3339)})
}

// PlaceOrderRequest is the body of POST /orders.
type PlaceOrderRequest struct {
	CustomerID int64  `json:"customerId"` // the users service's user id
	Items      []Item `json:"items"`
}

// Validate reports the first rule the request breaks, wrapping [ErrInvalid],
// and returns the order total in cents.
func (r PlaceOrderRequest) Validate() (totalCents int64, err error) {
	if r.CustomerID <= 0 {
		return 0, fmt.Errorf("%w: customerId is required and must be a user id of the users service (a positive integer), got %d", ErrInvalid, r.CustomerID)
	}
	if len(r.Items) == 0 {
		return 0, fmt.Errorf("%w: items must list at least one item", ErrInvalid)
	}
	if len(r.Items) > MaxItems {
		return 0, fmt.Errorf("%w: an order holds at most %d items, got %d: split it into several orders", ErrInvalid, MaxItems, len(r.Items))
	}
	for i, it := range r.Items {
		switch {
		case it.SKU == "":
			return 0, fmt.Errorf("%w: items[%d].sku is required", ErrInvalid, i)
		case it.Quantity < 1 || it.Quantity > MaxQuantity:
			return 0, fmt.Errorf("%w: items[%d].quantity must be between 1 and %d, got %d", ErrInvalid, i, MaxQuantity, it.Quantity)
		case it.UnitPriceCents < 0:
			return 0, fmt.Errorf("%w: items[%d].unitPriceCents must not be negative, got %d", ErrInvalid, i, it.UnitPriceCents)
		}
		line := it.UnitPriceCents * int64(it.Quantity)
		if it.UnitPriceCents != 0 && line/int64(it.Quantity) != it.UnitPriceCents || totalCents > math.MaxInt64-line {
			return 0, fmt.Errorf("%w: the order total overflows: items[%d] is priced too high", ErrInvalid, i)
		}
		totalCents += line
	}
	return totalCents, nil
}

// Service places and reads orders. Set DB and Users; Now and NewID default to
// the wall clock and random UUIDs.
type Service struct {
	DB    *sql.DB
	Users UsersClient
	Now   func() time.Time
	NewID func() string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return NewUUID()
}

// PlaceOrder checks that the customer exists, then stores the order, its items
// and its OrderPlaced outbox event in one transaction.
func (s *Service) PlaceOrder(ctx context.Context, req PlaceOrderRequest) (Order, error) {
	total, err := req.Validate()
	if err != nil {
		return Order{}, err
	}
	if s.Users == nil {
		return Order{}, fmt.Errorf("place order: %w: no users client configured", ErrUsersUnavailable)
	}
	if _, err := s.Users.Customer(ctx, req.CustomerID); err != nil {
		return Order{}, fmt.Errorf("place order: %w", err)
	}

	o := Order{
		ID:         s.newID(),
		CustomerID: req.CustomerID,
		Status:     StatusPlaced,
		Items:      append([]Item(nil), req.Items...),
		TotalCents: total,
		// Whole seconds: the API shows RFC 3339 without fractions and a
		// re-read order must equal the one returned here.
		PlacedAt: s.now().UTC().Truncate(time.Second),
	}
	ev := newOrderPlaced(s.newID(), o)
	payload, err := json.Marshal(ev)
	if err != nil {
		return Order{}, fmt.Errorf("place order: encode event: %w", err)
	}

	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return Order{}, fmt.Errorf("place order: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit

	if _, err := tx.ExecContext(ctx,
		`INSERT INTO orders (id, customer_id, status, total_cents, placed_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.CustomerID, o.Status, o.TotalCents, o.PlacedAt); err != nil {
		return Order{}, fmt.Errorf("place order: insert order: %w", err)
	}
	for i, it := range o.Items {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents) VALUES ($1, $2, $3, $4, $5)`,
			o.ID, i+1, it.SKU, it.Quantity, it.UnitPriceCents); err != nil {
			return Order{}, fmt.Errorf("place order: insert item %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO outbox (event_id, event_type, aggregate_id, payload, created_at, next_attempt_at)
		 VALUES ($1, $2, $3, $4, $5, $5)`,
		ev.EventID, ev.Type, o.ID, string(payload), o.PlacedAt); err != nil {
		return Order{}, fmt.Errorf("place order: write outbox event: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Order{}, fmt.Errorf("place order: commit: %w", err)
	}
	return o, nil
}

// Order returns the order with the given id, or an error wrapping ErrNotFound.
func (s *Service) Order(ctx context.Context, id string) (Order, error) {
	if !IsUUID(id) {
		return Order{}, fmt.Errorf("%w: no order with id %q (order ids are UUIDs)", ErrNotFound, id)
	}
	var o Order
	err := s.DB.QueryRowContext(ctx,
		`SELECT id, customer_id, status, total_cents, placed_at FROM orders WHERE id = $1`, id).
		Scan(&o.ID, &o.CustomerID, &o.Status, &o.TotalCents, &o.PlacedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, fmt.Errorf("%w: no order with id %q", ErrNotFound, id)
	}
	if err != nil {
		return Order{}, fmt.Errorf("get order %s: %w", id, err)
	}
	items, err := s.items(ctx, []string{o.ID})
	if err != nil {
		return Order{}, err
	}
	o.Items = items[o.ID]
	return o, nil
}

// CustomerOrders returns the customer's orders, newest first. A customer
// without orders gets an empty list, not an error: orders does not own
// customers and does not ask the users service here.
func (s *Service) CustomerOrders(ctx context.Context, customerID int64) ([]Order, error) {
	if customerID <= 0 {
		return nil, fmt.Errorf("%w: customerId must be a positive integer, e.g. GET /orders?customerId=42", ErrInvalid)
	}
	rows, err := s.DB.QueryContext(ctx,
		`SELECT id, customer_id, status, total_cents, placed_at FROM orders
		 WHERE customer_id = $1 ORDER BY placed_at DESC, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list orders of customer %d: %w", customerID, err)
	}
	defer rows.Close()
	orders := []Order{}
	var ids []string
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Status, &o.TotalCents, &o.PlacedAt); err != nil {
			return nil, fmt.Errorf("list orders of customer %d: %w", customerID, err)
		}
		orders = append(orders, o)
		ids = append(ids, o.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list orders of customer %d: %w", customerID, err)
	}
	if len(ids) == 0 {
		return orders, nil
	}
	items, err := s.items(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range orders {
		orders[i].Items = items[orders[i].ID]
	}
	return orders, nil
}

func (s *Service) items(ctx context.Context, orderIDs []string) (map[string][]Item, error) {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT order_id, sku, quantity, unit_price_cents FROM order_items
		 WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line`, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("read order items: %w", err)
	}
	defer rows.Close()
	items := make(map[string][]Item, len(orderIDs))
	for rows.Next() {
		var id string
		var it Item
		if err := rows.Scan(&id, &it.SKU, &it.Quantity, &it.UnitPriceCents); err != nil {
			return nil, fmt.Errorf("read order items: %w", err)
		}
		items[id] = append(items[id], it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read order items: %w", err)
	}
	return items, nil
}

// NewUUID returns a random (version 4) UUID in its canonical text form.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// IsUUID reports whether s is a UUID in canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
