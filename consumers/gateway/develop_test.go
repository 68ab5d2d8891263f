package gateway_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/consumers/gateway"
	"github.com/accord-cdc/accord/contracts"
)

// stubFrom is where the development stubs come from: with a broker
// (PACT_BROKER_BASE_URL), what the providers deployed to
// $ACCORD_STUB_ENVIRONMENT (default production) were verified to answer;
// without one, the gateway's own pacts in contracts/pacts, which
// TestConsumerUsers and TestConsumerOrders write.
func stubFrom(t *testing.T, provider string) contracts.StubFrom {
	if os.Getenv("PACT_BROKER_BASE_URL") != "" {
		env := os.Getenv("ACCORD_STUB_ENVIRONMENT")
		if env == "" {
			env = "production"
		}
		return contracts.StubFrom{Environment: env}
	}
	dir, err := contracts.PactDir()
	require.NoError(t, err)
	return contracts.StubFrom{PactFile: filepath.Join(dir, contracts.PactFileName("gateway", provider))}
}

// TestDevelopAgainstStubs runs the real gateway against stubs of users and
// orders — no containers, no databases — the way a developer works on the
// gateway alone.
func TestDevelopAgainstStubs(t *testing.T) {
	users := contracts.Stub(t, "users", stubFrom(t, "users"), contracts.WithState("user 1 exists"))
	orders := contracts.Stub(t, "orders", stubFrom(t, "orders"), contracts.WithState("customer 1 has orders"))
	srv := httptest.NewServer(gateway.NewHandler(&gateway.UsersClient{BaseURL: users}, &gateway.OrdersClient{BaseURL: orders},
		slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/customers/1")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var ov gateway.Overview
	require.NoError(t, json.Unmarshal(body, &ov))
	assert.Equal(t, int64(1), ov.Customer.ID)
	assert.NotEmpty(t, ov.Customer.Name)
	assert.Positive(t, ov.OrderCount)
}
