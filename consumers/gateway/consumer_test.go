package gateway_test

import (
	"context"
	"errors"
	"fmt"
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
				b.JSONBody(matchers.Map{
					"id":        matchers.Integer(1),
					"name":      matchers.Like("Ada Lovelace"),
					"email":     matchers.Regex("ada@example.com", `^[^@\s]+@[^@\s]+$`),
					"createdAt": matchers.Regex("2024-05-01T09:30:00Z", contracts.RFC3339Pattern),
				})
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
