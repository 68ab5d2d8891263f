package orders_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/orders"
)

var placedAt = time.Date(2026, 11, 26, 9, 30, 15, 0, time.UTC)

// usersStub stands in for the users service: it knows the customers in known
// and answers 404 for everyone else. The real interaction is pinned by the
// orders→users contract test.
type usersStub struct {
	*httptest.Server
	requests atomic.Int64
}

func newUsersStub(tb testing.TB, known ...int64) *usersStub {
	tb.Helper()
	s := &usersStub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		id, ok := strings.CutPrefix(r.URL.Path, "/users/")
		if r.Method != http.MethodGet || !ok {
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		for _, k := range known {
			if strconv.FormatInt(k, 10) == id {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{
					"id": k, "name": "Ada Lovelace", "email": "ada@example.com", "createdAt": "2026-01-02T03:04:05Z",
				})
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"user not found"}`))
	}))
	tb.Cleanup(s.Close)
	return s
}

func newService(tb testing.TB, db *sql.DB, usersURL string) *orders.Service {
	tb.Helper()
	users, err := orders.NewHTTPUsersClient(usersURL, nil)
	require.NoError(tb, err)
	return &orders.Service{DB: db, Users: users, Now: func() time.Time { return placedAt }}
}

func twoItems() []orders.Item {
	return []orders.Item{
		{SKU: "BOOK-1", Quantity: 2, UnitPriceCents: 1250},
		{SKU: "PEN-7", Quantity: 1, UnitPriceCents: 199},
	}
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
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = orders.Migrate(ctx, db) }()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "concurrent Migrate #%d", i)
	}
	require.NoError(t, orders.Migrate(ctx, db), "Migrate on an up-to-date schema")

	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM orders_schema_migrations`))
	for _, table := range []string{"orders", "order_items", "outbox"} {
		assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM information_schema.tables WHERE table_name = $1`, table), table)
	}
}

func TestPlaceOrderWritesOrderAndOutboxEventInOneTransaction(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	users := newUsersStub(t, 42)
	svc := newService(t, db, users.URL)
	svc.NewID = sequentialIDs("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")

	o, err := svc.PlaceOrder(context.Background(), orders.PlaceOrderRequest{CustomerID: 42, Items: twoItems()})
	require.NoError(t, err)

	assert.Equal(t, orders.Order{
		ID: "11111111-1111-4111-8111-111111111111", CustomerID: 42, Status: "placed",
		Items: twoItems(), TotalCents: 2*1250 + 199, PlacedAt: placedAt,
	}, o)
	assert.EqualValues(t, 1, users.requests.Load(), "the users service is asked once")

	// Order, items and outbox event were inserted by the same transaction:
	// PostgreSQL stamps every row with the id of the transaction that wrote it.
	var orderXmin, outboxXmin string
	require.NoError(t, db.QueryRow(`SELECT o.xmin::text, ob.xmin::text FROM orders o JOIN outbox ob ON ob.aggregate_id = o.id WHERE o.id = $1`, o.ID).
		Scan(&orderXmin, &outboxXmin))
	assert.Equal(t, orderXmin, outboxXmin, "order and outbox event written by one transaction")
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM order_items WHERE order_id = $1 AND xmin::text = $2`, o.ID, orderXmin))

	msg, err := orders.OutboxMessage(context.Background(), db, o.ID)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"eventId": "22222222-2222-4222-8222-222222222222",
		"type": "OrderPlaced",
		"orderId": "11111111-1111-4111-8111-111111111111",
		"customerId": 42,
		"totalCents": 2699,
		"items": [{"sku":"BOOK-1","quantity":2,"unitPriceCents":1250},{"sku":"PEN-7","quantity":1,"unitPriceCents":199}],
		"placedAt": "2026-11-26T09:30:15Z"
	}`, string(msg))

	var published sql.NullTime
	var attempts int
	require.NoError(t, db.QueryRow(`SELECT published_at, attempts FROM outbox WHERE aggregate_id = $1`, o.ID).Scan(&published, &attempts))
	assert.False(t, published.Valid, "a new event is not yet published")
	assert.Zero(t, attempts)

	got, err := svc.Order(context.Background(), o.ID)
	require.NoError(t, err)
	assert.Equal(t, o, normalize(got))
}

func TestPlaceOrderRollsBackEverythingWhenAWriteFails(t *testing.T) {
	for _, table := range []string{"order_items", "outbox"} {
		t.Run("failing insert into "+table, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			svc := newService(t, db, newUsersStub(t, 42).URL)
			// A real failure inside the transaction, after the order row is written.
			_, err := db.Exec(`CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'simulated failure writing %', TG_TABLE_NAME; END $$`)
			require.NoError(t, err)
			_, err = db.Exec(`CREATE TRIGGER fail BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION fail_insert()`)
			require.NoError(t, err)

			_, err = svc.PlaceOrder(context.Background(), orders.PlaceOrderRequest{CustomerID: 42, Items: twoItems()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "simulated failure writing "+table)

			assert.Zero(t, count(t, db, `SELECT count(*) FROM orders`), "order row rolled back")
			assert.Zero(t, count(t, db, `SELECT count(*) FROM order_items`), "item rows rolled back")
			assert.Zero(t, count(t, db, `SELECT count(*) FROM outbox`), "outbox row rolled back")
		})
	}
}

func TestPlaceOrderForUnknownCustomerIs422AndWritesNothing(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	users := newUsersStub(t, 42)
	srv := httptest.NewServer(orders.NewHandler(newService(t, db, users.URL), nil))
	t.Cleanup(srv.Close)

	resp, body := postJSON(t, srv.URL+"/orders", `{"customerId":999,"items":[{"sku":"BOOK-1","quantity":1,"unitPriceCents":100}]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var e struct{ Error string }
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	assert.Contains(t, e.Error, `customer 999 does not exist`)
	assert.Contains(t, e.Error, "create the user first")
	assert.EqualValues(t, 1, users.requests.Load())

	assert.Zero(t, count(t, db, `SELECT count(*) FROM orders`))
	assert.Zero(t, count(t, db, `SELECT count(*) FROM outbox`))
}

func TestPlaceOrderWhenUsersServiceIsDownIs503AndWritesNothing(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database on fire", http.StatusInternalServerError)
	}))
	t.Cleanup(users.Close)
	srv := httptest.NewServer(orders.NewHandler(newService(t, db, users.URL), nil))
	t.Cleanup(srv.Close)

	resp, body := postJSON(t, srv.URL+"/orders", `{"customerId":42,"items":[{"sku":"A","quantity":1,"unitPriceCents":1}]}`)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), "retry later")
	assert.NotContains(t, string(body), "database on fire", "internal causes are logged, not sent")
	assert.Zero(t, count(t, db, `SELECT count(*) FROM orders`))
}

func TestPlaceOrderRejectsInvalidRequests(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	users := newUsersStub(t, 42)
	srv := httptest.NewServer(orders.NewHandler(newService(t, db, users.URL), nil))
	t.Cleanup(srv.Close)

	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `{`, "not valid JSON"},
		{"unknown field", `{"customerId":42,"items":[{"sku":"A","quantitiy":1}]}`, `unknown field \"quantitiy\"`},
		{"no customer", `{"items":[{"sku":"A","quantity":1,"unitPriceCents":1}]}`, "customerId is required"},
		{"customer id as string", `{"customerId":"42","items":[{"sku":"A","quantity":1,"unitPriceCents":1}]}`, "cannot unmarshal string"},
		{"no items", `{"customerId":42,"items":[]}`, "at least one item"},
		{"no sku", `{"customerId":42,"items":[{"quantity":1,"unitPriceCents":1}]}`, "items[0].sku is required"},
		{"zero quantity", `{"customerId":42,"items":[{"sku":"A","quantity":0,"unitPriceCents":1}]}`, "items[0].quantity must be between 1 and 10000"},
		{"negative price", `{"customerId":42,"items":[{"sku":"A","quantity":1,"unitPriceCents":-5}]}`, "must not be negative"},
		{"overflow", `{"customerId":42,"items":[{"sku":"A","quantity":2,"unitPriceCents":9223372036854775807}]}`, "overflows"},
		{"two objects", `{"customerId":42,"items":[{"sku":"A","quantity":1,"unitPriceCents":1}]} {}`, "exactly one JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := postJSON(t, srv.URL+"/orders", tc.body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
			assert.Contains(t, string(body), tc.want)
		})
	}
	assert.Zero(t, users.requests.Load(), "invalid requests never reach the users service")
	assert.Zero(t, count(t, db, `SELECT count(*) FROM orders`))
}

func TestOrdersAPI(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	svc := newService(t, db, newUsersStub(t, 42, 43).URL)
	clock := placedAt
	svc.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	// Every response is checked against the provider contract: this test's
	// result is the self-verification published with openapi.yaml.
	spec := contracts.LoadOpenAPI(t, "openapi.yaml")
	srv := httptest.NewServer(spec.Handler(t, orders.NewHandler(svc, nil)))
	t.Cleanup(srv.Close)

	resp, body := postJSON(t, srv.URL+"/orders", `{"customerId":42,"items":[{"sku":"BOOK-1","quantity":2,"unitPriceCents":1250}]}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	var first map[string]any
	require.NoError(t, json.Unmarshal(body, &first))
	id, _ := first["id"].(string)
	require.True(t, orders.IsUUID(id), "id %q is a UUID", id)
	assert.Equal(t, "/orders/"+id, resp.Header.Get("Location"))
	assert.Equal(t, map[string]any{
		"id": id, "customerId": 42.0, "status": "placed", "totalCents": 2500.0,
		"items":    []any{map[string]any{"sku": "BOOK-1", "quantity": 2.0, "unitPriceCents": 1250.0}},
		"placedAt": "2026-11-26T09:31:15Z",
	}, first)

	resp, body = postJSON(t, srv.URL+"/orders", `{"customerId":42,"items":[{"sku":"PEN-7","quantity":1,"unitPriceCents":199}]}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	var second orders.Order
	require.NoError(t, json.Unmarshal(body, &second))
	resp, body = postJSON(t, srv.URL+"/orders", `{"customerId":43,"items":[{"sku":"PEN-7","quantity":3,"unitPriceCents":199}]}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))

	t.Run("get one", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/orders/"+id)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		var got map[string]any
		require.NoError(t, json.Unmarshal(body, &got))
		assert.Equal(t, first, got)
	})
	t.Run("list a customer's orders newest first", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/orders?customerId=42")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		var list struct{ Orders []orders.Order }
		require.NoError(t, json.Unmarshal(body, &list))
		require.Len(t, list.Orders, 2)
		assert.Equal(t, second.ID, list.Orders[0].ID)
		assert.Equal(t, id, list.Orders[1].ID)
		assert.EqualValues(t, 42, list.Orders[1].CustomerID)
		assert.Len(t, list.Orders[1].Items, 1)
	})
	t.Run("customer without orders gets an empty list", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/orders?customerId=7")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"orders":[]}`, string(body))
	})
	t.Run("list without customerId is 400", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/orders")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, string(body), "customerId query parameter is required")
	})
	t.Run("list with a non-numeric customerId is 400", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/orders?customerId=ada")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, string(body), `customerId must be a positive integer (a user id of the users service), got \"ada\"`)
	})
	for _, missing := range []string{"33333333-3333-4333-8333-333333333333", "not-a-uuid"} {
		t.Run("unknown order "+missing+" is 404", func(t *testing.T) {
			resp, body := get(t, srv.URL+"/orders/"+missing)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.Contains(t, string(body), "no order with id")
		})
	}
	t.Run("health", func(t *testing.T) {
		resp, body := get(t, srv.URL+"/healthz")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"status":"ok"}`, string(body))
	})
}

func TestOutboxMessageForOrderWithoutEvent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	_, err := orders.OutboxMessage(context.Background(), db, "33333333-3333-4333-8333-333333333333")
	assert.True(t, errors.Is(err, orders.ErrNotFound), "got %v", err)
	_, err = orders.OutboxMessage(context.Background(), db, "42")
	assert.True(t, errors.Is(err, orders.ErrNotFound), "got %v", err)
}

func TestServerOpensSynchronouslyAndShutsDown(t *testing.T) {
	t.Parallel()
	s := &orders.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})}
	require.NoError(t, s.Open())
	resp, _ := get(t, s.URL()+"/anything")
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Close(ctx))
	_, err := http.Get(s.URL())
	assert.Error(t, err, "closed server refuses connections")
}

// normalize gives a read-back order the location the API returns.
func normalize(o orders.Order) orders.Order {
	o.PlacedAt = o.PlacedAt.UTC()
	return o
}

func sequentialIDs(ids ...string) func() string {
	var i int
	return func() string { i++; return ids[i-1] }
}

func postJSON(tb testing.TB, url, body string) (*http.Response, []byte) {
	tb.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(tb, err)
	return resp, readBody(tb, resp)
}

func get(tb testing.TB, url string) (*http.Response, []byte) {
	tb.Helper()
	resp, err := http.Get(url)
	require.NoError(tb, err)
	return resp, readBody(tb, resp)
}

func readBody(tb testing.TB, resp *http.Response) []byte {
	tb.Helper()
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err := buf.ReadFrom(resp.Body)
	require.NoError(tb, err)
	return buf.Bytes()
}
