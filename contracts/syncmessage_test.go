package contracts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/pact-foundation/pact-go/v2/matchers"
	v4 "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
)

// quote is the request/response a pricing service answers over a
// message channel.
type quoteRequest struct {
	SKU string `json:"sku"`
}

type quote struct {
	SKU        string `json:"sku"`
	PriceCents int    `json:"priceCents"`
}

// TestSyncMessagesBothSides: a consumer records a synchronous message
// (request and response), and the provider's handler is verified against
// it with its provider state; with the response broken, that interaction's
// subtest fails naming the field.
func TestSyncMessagesBothSides(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", dir)

	pact := contracts.NewSyncMessagePact(t, "checkout", "pricing")
	err := pact.AddSynchronousMessage("a price quote for BOOK-1").
		Given("BOOK-1 costs 12.50").
		WithRequest(func(b *v4.SynchronousMessageWithRequestBuilder) {
			b.WithJSONContent(map[string]any{"sku": "BOOK-1"})
		}).
		WithResponse(func(b *v4.SynchronousMessageWithResponseBuilder) {
			b.WithJSONContent(map[string]any{"sku": "BOOK-1", "priceCents": matchers.Integer(1250)})
		}).
		ExecuteTest(t, func(m v4.SynchronousMessage) error {
			// The consumer's real decoding of the reply.
			var q quote
			if err := json.Unmarshal(m.Response[0].Contents, &q); err != nil {
				return err
			}
			if q.PriceCents <= 0 {
				return fmt.Errorf("no price in %s", m.Response[0].Contents)
			}
			return nil
		})
	require.NoError(t, err)

	prices := map[string]int{}
	field := "priceCents"
	if os.Getenv("ACCORD_TEST_BREAK_QUOTE") == "1" {
		field = "price" // run by TestSyncMessageBreakFailsItsSubtest
	}
	contracts.VerifyProvider(t, contracts.Provider{
		Name:   "pricing",
		Source: contracts.PactFiles(dir),
		Reset:  func(context.Context) error { clear(prices); return nil },
		States: []contracts.State{contracts.Given("BOOK-1 costs 12.50", func(context.Context) error {
			prices["BOOK-1"] = 1250
			return nil
		})},
		SyncMessages: map[string]contracts.SyncMessageHandler{
			"a price quote for BOOK-1": func(_ context.Context, req contracts.Message) (contracts.Message, error) {
				var r quoteRequest
				if err := json.Unmarshal(req.Body, &r); err != nil {
					return contracts.Message{}, err
				}
				price, ok := prices[r.SKU]
				if !ok {
					return contracts.Message{}, fmt.Errorf("no price for %q", r.SKU)
				}
				body, _ := json.Marshal(map[string]any{"sku": r.SKU, field: price})
				return contracts.Message{Body: body, Metadata: map[string]any{"contentType": "application/json"}}, nil
			},
		},
	})
}

func TestSyncMessageBreakFailsItsSubtest(t *testing.T) {
	out := contracts.VerifyBroken(t, "^TestSyncMessagesBothSides$", "ACCORD_TEST_BREAK_QUOTE=1")
	assert.Contains(t, out, "--- FAIL: TestSyncMessagesBothSides/checkout/a_price_quote_for_BOOK-1")
	assert.Contains(t, out, "priceCents")
}
