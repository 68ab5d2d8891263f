package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/accord-cdc/accord/consumers/gateway"
	"github.com/accord-cdc/accord/contracts"
	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsumerUsers records what the gateway needs from the users service.
func TestConsumerUsers(t *testing.T) {
	pact := contracts.NewHTTPPact(t, "gateway", "users")

	t.Run("an existing user", func(t *testing.T) {
		err := pact.AddInteraction().
			Given("user 1 exists").
			UponReceiving("a request for user 1").
			WithRequest("GET", "/users/1", func(b *consumer.V4RequestBuilder) {
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
				b.Header("Content-Type", matchers.Regex("application/json", `application/json.*`))
				body := matchers.Map{
					"id":        matchers.Integer(1),
					"name":      matchers.Like("Ada Lovelace"),
					"email":     matchers.Regex("ada@example.com", `^[^@\s]+@[^@\s]+$`),
					"createdAt": matchers.Regex("2024-05-01T09:30:00Z", contracts.RFC3339Pattern),
				}
				if os.Getenv("ACCORD_DEMO_FEATURE") == "loyalty" {
					// make demo's feature branch: the gateway starts to need
					// the customer's loyalty tier, which users does not have.
					body["loyaltyTier"] = matchers.Regex("gold", `^(bronze|silver|gold)$`)
				}
				b.JSONBody(body)
			}).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				c := &gateway.UsersClient{BaseURL: fmt.Sprintf("http://%s:%d", cfg.Host, cfg.Port)}
				u, err := c.User(context.Background(), 1)
				if err != nil {
					return err
				}
				assert.Equal(t, int64(1), u.ID)
				assert.Equal(t, "Ada Lovelace", u.Name)
				assert.False(t, u.CreatedAt.IsZero(), "createdAt is parsed")
				return nil
			})
		require.NoError(t, err)
	})

	t.Run("a user that does not exist", func(t *testing.T) {
		err := pact.AddInteraction().
			Given("no user 404 exists").
			UponReceiving("a request for user 404").
			WithRequest("GET", "/users/404", func(b *consumer.V4RequestBuilder) {
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(404).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				c := &gateway.UsersClient{BaseURL: fmt.Sprintf("http://%s:%d", cfg.Host, cfg.Port)}
				_, err := c.User(context.Background(), 404)
				if !errors.Is(err, gateway.ErrNotFound) {
					return fmt.Errorf("want ErrNotFound, got %v", err)
				}
				return nil
			})
		require.NoError(t, err)
	})
}

// TestConsumerOrders records what the gateway needs from the orders service.
func TestConsumerOrders(t *testing.T) {
	pact := contracts.NewHTTPPact(t, "gateway", "orders")
	client := func(cfg consumer.MockServerConfig) *gateway.OrdersClient {
		return &gateway.OrdersClient{BaseURL: fmt.Sprintf("http://%s:%d", cfg.Host, cfg.Port)}
	}

	t.Run("a customer with orders", func(t *testing.T) {
		err := pact.AddInteraction().
			Given("customer 1 has orders").
			UponReceiving("a request for the orders of customer 1").
			WithRequest("GET", "/orders", func(b *consumer.V4RequestBuilder) {
				b.Query("customerId", matchers.S("1"))
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
				b.Header("Content-Type", matchers.Regex("application/json", `application/json.*`))
				b.JSONBody(matchers.Map{
					"orders": matchers.EachLike(matchers.Map{
						"id":         matchers.Like("0b6a4f6e-3f2d-4a51-9a57-1f0e7c1d2a10"),
						"status":     matchers.Regex("placed", `^(placed|paid|shipped|cancelled)$`),
						"totalCents": matchers.Integer(2500),
						"placedAt":   contracts.Timestamp("2024-05-01T09:30:00Z"),
						"items": matchers.EachLike(matchers.Map{
							"sku":      matchers.Like("BOOK-1"),
							"quantity": matchers.Integer(1),
						}, 1),
					}, 1),
				})
			}).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				orders, err := client(cfg).CustomerOrders(context.Background(), 1)
				if err != nil {
					return err
				}
				require.Len(t, orders, 1)
				assert.Equal(t, int64(2500), orders[0].TotalCents)
				assert.Equal(t, "BOOK-1", orders[0].Items[0].SKU)
				return nil
			})
		require.NoError(t, err)
	})

	t.Run("a customer without orders", func(t *testing.T) {
		err := pact.AddInteraction().
			Given("customer 2 has no orders").
			UponReceiving("a request for the orders of customer 2").
			WithRequest("GET", "/orders", func(b *consumer.V4RequestBuilder) {
				b.Query("customerId", matchers.S("2"))
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
				b.JSONBody(map[string]any{"orders": []any{}})
			}).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				orders, err := client(cfg).CustomerOrders(context.Background(), 2)
				if err != nil {
					return err
				}
				assert.Empty(t, orders)
				return nil
			})
		require.NoError(t, err)
	})
}
