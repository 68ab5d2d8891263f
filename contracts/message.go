package contracts

import (
	"context"
	"testing"

	v4 "github.com/pact-foundation/pact-go/v2/message/v4"
)

// NewMessagePact returns a pact-go V4 asynchronous-message pact for the pair:
// the consumer states which messages it can handle, and the provider later
// proves it produces them. Files go where NewHTTPPact puts them.
func NewMessagePact(t testing.TB, consumerName, providerName string) *v4.AsynchronousPact {
	t.Helper()
	dir := pactDirFor(t, consumerName, providerName)
	p, err := v4.NewAsynchronousPact(v4.Config{Consumer: consumerName, Provider: providerName, PactDir: dir})
	if err != nil {
		t.Fatalf("contracts: message pact %s -> %s: %v\n(is libpact_ffi 0.4.28 installed? run `make setup`)", consumerName, providerName, err)
	}
	return p
}

// Message is what a message producer hands to the verifier: the bytes it
// would put on the wire and their metadata (e.g. "contentType").
type Message struct {
	Body     []byte
	Metadata map[string]any
}

// MessageProducer produces the message a pact describes, from the
// provider's real code, after the interaction's provider states are set up.
type MessageProducer func(ctx context.Context) (Message, error)
