package orders_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/orders"
)

// TestConsumerUsers records what orders needs from the users service when it
// places an order: the customer's user, found or not. It drives the real
// HTTPUsersClient against the pact mock server. Orders reads only the user's
// id, so that is all the contract pins.
func TestConsumerUsers(t *testing.T) {
	pact := contracts.NewHTTPPact(t, "orders", "users")
	client := func(cfg consumer.MockServerConfig) *orders.HTTPUsersClient {
		c, err := orders.NewHTTPUsersClient(fmt.Sprintf("http://%s:%d", cfg.Host, cfg.Port), nil)
		require.NoError(t, err)
		return c
	}

	t.Run("the customer exists", func(t *testing.T) {
		err := pact.AddInteraction().
			// The users provider creates user 7001 and hands back its id,
			// which the verifier puts into the path in place of the
			// example 42 the mock server uses here.
			GivenWithParameter(models.ProviderState{Name: "a user exists", Parameters: map[string]any{"id": 7001}}).
			UponReceiving("orders checks that an existing customer exists").
			WithRequestPathMatcher("GET", matchers.FromProviderState("/users/${id}", "/users/42"), func(b *consumer.V4RequestBuilder) {
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
				b.Header("Content-Type", matchers.Regex("application/json", `application/json.*`))
				b.JSONBody(matchers.Map{"id": matchers.Integer(42)})
			}).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				cust, err := client(cfg).Customer(context.Background(), 42)
				if err != nil {
					return err
				}
				assert.Equal(t, int64(42), cust.ID)
				return nil
			})
		require.NoError(t, err)
	})

	t.Run("the customer does not exist", func(t *testing.T) {
		err := pact.AddInteraction().
			Given("no user 404 exists").
			UponReceiving("orders checks that customer 404 exists").
			WithRequest("GET", "/users/404", func(b *consumer.V4RequestBuilder) {
				b.Header("Accept", matchers.S("application/json"))
			}).
			WillRespondWith(404).
			ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
				_, err := client(cfg).Customer(context.Background(), 404)
				if !errors.Is(err, orders.ErrUnknownCustomer) {
					return fmt.Errorf("want ErrUnknownCustomer for a 404, got %v", err)
				}
				return nil
			})
		require.NoError(t, err)
	})
}
