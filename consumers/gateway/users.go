package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound means the provider has no such resource.
var ErrNotFound = errors.New("not found")

// User is what the gateway reads of an account. It holds only the fields
// the gateway uses: that is what its contract with users promises.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"createdAt"`
}

// UsersClient calls the users service.
type UsersClient struct {
	BaseURL string
	HTTP    *http.Client
}

// User fetches one account; ErrNotFound when users has none with that id.
func (c *UsersClient) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := getJSON(ctx, c.HTTP, c.BaseURL, "/users/"+strconv.FormatInt(id, 10), nil, &u)
	if err != nil {
		return User{}, fmt.Errorf("users: get user %d: %w", id, err)
	}
	if u.ID != id || u.Name == "" {
		return User{}, fmt.Errorf("users: get user %d: response is missing the id or name", id)
	}
	return u, nil
}

func getJSON(ctx context.Context, hc *http.Client, base, path string, query url.Values, out any) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	u := strings.TrimSuffix(base, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("unexpected status %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}
