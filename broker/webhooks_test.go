package broker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker"
)

func TestBaseURLContext(t *testing.T) {
	assert.Equal(t, "", broker.BaseURL(context.Background()))
	assert.Equal(t, "https://b.example", broker.BaseURL(broker.WithBaseURL(context.Background(), "https://b.example")))
}

func TestIsWebhookEvent(t *testing.T) {
	for _, e := range broker.WebhookEvents {
		assert.True(t, broker.IsWebhookEvent(e), e)
	}
	assert.False(t, broker.IsWebhookEvent("contract_changed"))
}
