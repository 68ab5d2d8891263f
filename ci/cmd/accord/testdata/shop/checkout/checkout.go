// Package checkout is the consumer of the guide's shop: it asks inventory
// how many of an item are in stock.
package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Inventory is checkout's client of the inventory service.
type Inventory struct{ BaseURL string }

// Available returns how many of sku are in stock.
func (c Inventory) Available(ctx context.Context, sku string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/stock/"+sku, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("inventory: %s", resp.Status)
	}
	var body struct {
		Available int `json:"available"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, fmt.Errorf("inventory: %w", err)
	}
	return body.Available, nil
}
