package broker_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker"
)

func TestProviderStatesOf(t *testing.T) {
	pacts := []broker.Pact{
		{Consumer: "Web", Content: []byte(`{"interactions":[{"providerState":"an order exists"},{"providerState":"no orders"},{"description":"none"}]}`)},
		{Consumer: "App", Content: []byte(`{"interactions":[{"providerStates":[{"name":"an order exists","params":{"id":1}},{"name":"no orders"}]}]}`)},
		{Consumer: "Billing", Content: []byte(`{"messages":[{"providerStates":[{"name":"an order exists"}]}]}`)},
		{Consumer: "Mobile", Content: []byte(`{"interactions":[{"type":"Synchronous/HTTP","providerStates":[{"name":"a user"}]}]}`)},
		{Consumer: "Broken", Content: []byte(`not json`)},
	}
	got := broker.ProviderStatesOf(pacts)
	assert.Equal(t, []broker.ProviderState{
		{Name: "a user", Consumers: []string{"Mobile"}},
		{Name: "an order exists", Consumers: []string{"Web", "Billing"}},
		{Name: "an order exists", Params: map[string]any{"id": float64(1)}, Consumers: []string{"App"}},
		{Name: "no orders", Consumers: []string{"Web", "App"}},
	}, got)
}

func TestCountInteractions(t *testing.T) {
	for _, c := range []struct {
		pact     string
		http, ms int
	}{
		{`{"interactions":[{},{}]}`, 2, 0},
		{`{"messages":[{},{},{}]}`, 0, 3},
		{`{"interactions":[{"type":"Synchronous/HTTP"},{"type":"Asynchronous/Messages"},{"type":"Synchronous/Messages"}]}`, 1, 2},
		{`nope`, 0, 0},
	} {
		h, m := broker.CountInteractions([]byte(c.pact))
		assert.Equal(t, [2]int{c.http, c.ms}, [2]int{h, m}, c.pact)
	}
}
