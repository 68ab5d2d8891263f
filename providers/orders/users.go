package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Customer is what orders needs to know about a user of the users service.
type Customer struct {
	ID    int64
	Name  string
	Email string
}

// UsersClient asks the users service about customers. Customer returns an
// error wrapping [ErrUnknownCustomer] when the customer does not exist and
// one wrapping [ErrUsersUnavailable] when the service could not answer.
type UsersClient interface {
	Customer(ctx context.Context, id int64) (Customer, error)
}

// HTTPUsersClient is the real UsersClient: GET {BaseURL}/users/{id}.
type HTTPUsersClient struct {
	BaseURL string       // e.g. http://users:8080
	Client  *http.Client // default: a client with a 5s timeout
}

var _ UsersClient = (*HTTPUsersClient)(nil)

var defaultUsersHTTPClient = &http.Client{Timeout: 5 * time.Second}

// NewHTTPUsersClient checks that baseURL is an absolute http(s) URL.
func NewHTTPUsersClient(baseURL string, client *http.Client) (*HTTPUsersClient, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("users service URL %q must be an absolute http(s) URL, e.g. http://users:8080", baseURL)
	}
	return &HTTPUsersClient{BaseURL: strings.TrimRight(baseURL, "/"), Client: client}, nil
}

// userJSON is the part of the users service's user representation that
// orders reads.
type userJSON struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Customer fetches the user with the given id.
func (c *HTTPUsersClient) Customer(ctx context.Context, id int64) (Customer, error) {
	client := c.Client
	if client == nil {
		client = defaultUsersHTTPClient
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/users/" + strconv.FormatInt(id, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Customer{}, fmt.Errorf("%w: build request %s: %v", ErrUsersUnavailable, u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return Customer{}, fmt.Errorf("%w: GET %s: %v: check USERS_URL and that the users service is up", ErrUsersUnavailable, u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Customer{}, fmt.Errorf("%w: customer %d does not exist in the users service: create the user first (POST /users)", ErrUnknownCustomer, id)
	case resp.StatusCode != http.StatusOK:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return Customer{}, fmt.Errorf("%w: GET %s answered %s: %s", ErrUsersUnavailable, u, resp.Status, strings.TrimSpace(string(body)))
	}
	var uj userJSON
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&uj); err != nil {
		return Customer{}, fmt.Errorf("%w: GET %s: response is not a user JSON object: %v", ErrUsersUnavailable, u, err)
	}
	if uj.ID != id {
		return Customer{}, fmt.Errorf("%w: GET %s answered user id %d, want %d", ErrUsersUnavailable, u, uj.ID, id)
	}
	return Customer{ID: uj.ID, Name: uj.Name, Email: uj.Email}, nil
}
