package broker_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker"
)

func TestMetadataConsumerVersions(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := map[string][]int64{
		enc("s%5B%5D%5Bb%5D=main&s%5B%5D%5Bcv%5D=5&s%5B%5D%5Bt%5D=dev&s%5B%5D%5Bcv%5D=7&s%5B%5D%5Bcv%5D=5&p=true"): {5, 7},
		enc("w=true"):  nil,
		"":             nil,
		"!!not-base64": nil,
	}
	for seg, want := range cases {
		assert.Equal(t, want, broker.MetadataConsumerVersions(seg), seg)
	}
}

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
