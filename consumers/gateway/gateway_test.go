package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accord-cdc/accord/consumers/gateway"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeUsers map[int64]gateway.User

func (f fakeUsers) User(_ context.Context, id int64) (gateway.User, error) {
	u, ok := f[id]
	if !ok {
		return gateway.User{}, gateway.ErrNotFound
	}
	return u, nil
}

type fakeOrders struct {
	orders []gateway.Order
	err    error
}

func (f fakeOrders) CustomerOrders(context.Context, int64) ([]gateway.Order, error) {
	return f.orders, f.err
}

func TestCustomerOverviewHTTP(t *testing.T) {
	users := fakeUsers{1: {ID: 1, Name: "Ada"}}
	for _, tc := range []struct {
		name   string
		path   string
		orders fakeOrders
		status int
		check  func(t *testing.T, body []byte)
	}{
		{"composes user and orders", "/customers/1",
			fakeOrders{orders: []gateway.Order{{ID: "a", TotalCents: 250}, {ID: "b", TotalCents: 1000}}}, 200,
			func(t *testing.T, body []byte) {
				var ov gateway.Overview
				require.NoError(t, json.Unmarshal(body, &ov))
				assert.Equal(t, "Ada", ov.Customer.Name)
				assert.Equal(t, 2, ov.OrderCount)
				assert.Equal(t, int64(1250), ov.TotalSpentCents)
			}},
		{"unknown customer", "/customers/2", fakeOrders{}, 404, nil},
		{"bad id", "/customers/x", fakeOrders{}, 400, nil},
		{"orders down", "/customers/1", fakeOrders{err: errors.New("boom")}, 502, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(gateway.NewHandler(users, tc.orders, slog.New(slog.NewTextHandler(io.Discard, nil))))
			defer srv.Close()
			resp, err := http.Get(srv.URL + tc.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tc.status, resp.StatusCode, string(body))
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
}
