package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Order is what the gateway reads of an order.
type Order struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	TotalCents int64     `json:"totalCents"`
	PlacedAt   time.Time `json:"placedAt"`
	Items      []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
}

// OrdersClient calls the orders service.
type OrdersClient struct {
	BaseURL string
	HTTP    *http.Client
}

// CustomerOrders lists a customer's orders (none is an empty list).
func (c *OrdersClient) CustomerOrders(ctx context.Context, customerID int64) ([]Order, error) {
	var body struct {
		Orders []Order `json:"orders"`
	}
	q := url.Values{"customerId": {strconv.FormatInt(customerID, 10)}}
	if err := getJSON(ctx, c.HTTP, c.BaseURL, "/orders", q, &body); err != nil {
		return nil, fmt.Errorf("orders: list orders of customer %d: %w", customerID, err)
	}
	if body.Orders == nil {
		return nil, fmt.Errorf("orders: list orders of customer %d: response has no orders list", customerID)
	}
	return body.Orders, nil
}
