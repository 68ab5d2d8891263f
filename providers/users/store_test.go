package users_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/users"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func migrate(ctx context.Context, connString string) error {
	pool, err := pgxpool.New(ctx, connString)
	if err != nil {
		return err
	}
	defer pool.Close()
	return users.Migrate(ctx, pool)
}

// newService returns the users API over a freshly reset database.
func newService(t *testing.T) (*httptest.Server, *users.Store, *contracts.PostgresDB) {
	t.Helper()
	db := contracts.Postgres(t, contracts.WithDatabase("users"), contracts.WithMigrations(migrate))
	store := users.NewStore(db.Pool(t))
	srv := httptest.NewServer(users.NewHandler(store, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return srv, store, db
}

func TestCreateAndGet(t *testing.T) {
	srv, _, _ := newService(t)

	resp, err := http.Post(srv.URL+"/users", "application/json", strings.NewReader(`{"name":"Ada Lovelace","email":"ada@example.com"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var created users.User
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	assert.Equal(t, "Ada Lovelace", created.Name)
	assert.Equal(t, "/users/1", resp.Header.Get("Location"))

	resp, err = http.Get(srv.URL + "/users/1")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got users.User
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, created.ID, got.ID)
	assert.Equal(t, "ada@example.com", got.Email)
}

func TestErrors(t *testing.T) {
	srv, store, _ := newService(t)
	_, err := store.Create(context.Background(), "Grace Hopper", "grace@example.com")
	require.NoError(t, err)

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"unknown user", "GET", "/users/99", "", 404, "user not found"},
		{"id not a number", "GET", "/users/abc", "", 400, "positive integer"},
		{"duplicate email", "POST", "/users", `{"name":"G","email":"grace@example.com"}`, 409, "already exists"},
		{"missing name", "POST", "/users", `{"email":"x@example.com"}`, 400, "name is required"},
		{"bad email", "POST", "/users", `{"name":"X","email":"nope"}`, 400, "not an email address"},
		{"unknown field", "POST", "/users", `{"name":"X","email":"x@example.com","admin":true}`, 400, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			var body struct{ Error string }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.Contains(t, body.Error, tc.message)
		})
	}
}

func TestResetGivesEachTestCleanData(t *testing.T) {
	_, store, db := newService(t)
	_, err := store.Create(context.Background(), "Temp", "temp@example.com")
	require.NoError(t, err)

	require.NoError(t, db.Reset(context.Background()))
	list, err := store.List(context.Background(), "")
	require.NoError(t, err)
	assert.Empty(t, list, "reset removes rows")
	u, err := store.Create(context.Background(), "Again", "temp@example.com")
	require.NoError(t, err)
	assert.Equal(t, int64(1), u.ID, "reset restarts sequences")
}
