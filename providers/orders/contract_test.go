package orders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/orders"
)

// knownCustomers is the provider test's UsersClient: the orders→users
// interaction has its own contract, so here the customers are whoever the
// provider states say exist.
type knownCustomers struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (k *knownCustomers) add(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ids[id] = true
}

func (k *knownCustomers) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ids = map[int64]bool{}
}

func (k *knownCustomers) Customer(_ context.Context, id int64) (orders.Customer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.ids[id] {
		return orders.Customer{}, fmt.Errorf("%w: customer %d does not exist in the users service", orders.ErrUnknownCustomer, id)
	}
	return orders.Customer{ID: id}, nil
}

// ordersProvider is the orders service as its consumers' pacts see it: the
// real handler and service over real PostgreSQL, the OrderPlaced message
// read from the real outbox row that PlaceOrder wrote, and the provider
// states the pacts name. broken renames totalCents to total in every
// response and message, the kind of change the contracts must catch.
func ordersProvider(t *testing.T, broken bool) contracts.Provider {
	pg := contracts.Postgres(t, contracts.WithDatabase("orders"), contracts.WithMigrations(migrateOrders))
	db := openDB(t, pg)
	users := &knownCustomers{ids: map[int64]bool{}}
	svc := &orders.Service{DB: db, Users: users}
	var h http.Handler = orders.NewHandler(svc, slog.New(slog.DiscardHandler))
	if broken {
		h = renameOrderField("totalCents", "total")(h)
	}
	var (
		mu        sync.Mutex
		lastOrder string // the order the last state placed
	)
	place := func(ctx context.Context, customerID int64, items ...orders.Item) (orders.Order, error) {
		users.add(customerID)
		o, err := svc.PlaceOrder(ctx, orders.PlaceOrderRequest{CustomerID: customerID, Items: items})
		mu.Lock()
		lastOrder = o.ID
		mu.Unlock()
		return o, err
	}
	return contracts.Provider{
		Name:    "orders",
		Handler: h,
		Messages: map[string]contracts.MessageProducer{
			"an OrderPlaced event": func(ctx context.Context) (contracts.Message, error) {
				mu.Lock()
				id := lastOrder
				mu.Unlock()
				if id == "" {
					return contracts.Message{}, fmt.Errorf("no order was placed: the interaction needs the state %q", "an order was placed")
				}
				body, err := orders.OutboxMessage(ctx, db, id)
				if err != nil {
					return contracts.Message{}, err
				}
				if broken {
					body = renameJSONField(body, "totalCents", "total")
				}
				return contracts.Message{Body: body, Metadata: map[string]any{"contentType": "application/json"}}, nil
			},
		},
		Reset: func(ctx context.Context) error {
			users.reset()
			mu.Lock()
			lastOrder = ""
			mu.Unlock()
			return pg.Reset(ctx)
		},
		States: []contracts.State{
			contracts.Given("customer 1 has orders", func(ctx context.Context) error {
				if _, err := place(ctx, 1, orders.Item{SKU: "BOOK-1", Quantity: 2, UnitPriceCents: 1250}); err != nil {
					return err
				}
				_, err := place(ctx, 1, orders.Item{SKU: "PEN-7", Quantity: 1, UnitPriceCents: 199})
				return err
			}),
			contracts.Given("customer 2 has no orders", func(context.Context) error {
				users.add(2)
				return nil
			}),
			contracts.Given("an order was placed", func(ctx context.Context) error {
				_, err := place(ctx, 42,
					orders.Item{SKU: "BOOK-1", Quantity: 2, UnitPriceCents: 1250},
					orders.Item{SKU: "PEN-7", Quantity: 1, UnitPriceCents: 199})
				return err
			}),
		},
	}
}

// TestProviderOrders verifies the orders service against every pact that
// names it: gateway's HTTP pact and notifier's message pact.
//
// With ACCORD_BREAK_ORDERS=1 (set only by TestProviderOrdersCatchesABreak,
// in a child process) it verifies a broken variant instead, which sends
// "totalCents" as "total" in responses and messages.
func TestProviderOrders(t *testing.T) {
	contracts.VerifyProvider(t, ordersProvider(t, os.Getenv("ACCORD_BREAK_ORDERS") == "1"))
}

// TestProviderOrdersCatchesABreak proves the contract catches a breaking
// change: verifying the renamed field must fail and say where.
func TestProviderOrdersCatchesABreak(t *testing.T) {
	text := contracts.VerifyBroken(t, "^TestProviderOrders$", "ACCORD_BREAK_ORDERS=1")
	assert.Contains(t, text, "orders does not honour its contracts")
	assert.Contains(t, text, "a request for the orders of customer 1", "the failure names the HTTP interaction")
	assert.Contains(t, text, "an OrderPlaced event", "the failure names the message")
	assert.Contains(t, text, "missing the following keys: totalCents", "the failure names the missing field")
	assert.NotContains(t, text, "panic:")
	if i := strings.Index(text, "Failures:"); i >= 0 {
		text = text[i:]
	}
	t.Logf("the broken provider failed as it should:\n%.1500s", text)
}

// renameOrderField rewrites every order object in JSON responses (a single
// order or {"orders": [...]}), sending field old as new.
func renameOrderField(old, new string) func(http.Handler) http.Handler {
	rename := func(m map[string]any) {
		if v, ok := m[old]; ok {
			delete(m, old)
			m[new] = v
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				rename(m)
				if list, ok := m["orders"].([]any); ok {
					for _, o := range list {
						if om, ok := o.(map[string]any); ok {
							rename(om)
						}
					}
				}
				body, _ = json.Marshal(m)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// renameJSONField sends field old of a JSON object as new.
func renameJSONField(body []byte, old, new string) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if v, ok := m[old]; ok {
		delete(m, old)
		m[new] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
