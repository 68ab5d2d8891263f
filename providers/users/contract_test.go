package users_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/users"
	"github.com/stretchr/testify/assert"
)

// provider is the users service as its consumers' pacts see it, with the
// provider states they name.
func provider(t testing.TB, handler func(http.Handler) http.Handler) contracts.Provider {
	db := contracts.Postgres(t, contracts.WithDatabase("users"), contracts.WithMigrations(migrate))
	pool := db.Pool(t)
	var h http.Handler = users.NewHandler(users.NewStore(pool), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if handler != nil {
		h = handler(h)
	}
	seed := func(ctx context.Context, id int64, name, email string) error {
		_, err := pool.Exec(ctx, `INSERT INTO users (id, name, email) VALUES ($1, $2, $3)`, id, name, email)
		if err == nil {
			_, err = pool.Exec(ctx, `SELECT setval('users_id_seq', (SELECT max(id) FROM users))`)
		}
		return err
	}
	type userParams struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	return contracts.Provider{
		Name:    "users",
		Handler: h,
		Routes:  users.Routes(),
		Reset:   db.Reset,
		States: []contracts.State{
			contracts.Given("user 1 exists", func(ctx context.Context) error {
				return seed(ctx, 1, "Ada Lovelace", "ada@example.com")
			}),
			contracts.Given("no user 404 exists", func(context.Context) error { return nil }),
			contracts.GivenWith("a user exists", func(ctx context.Context, p userParams) (map[string]any, error) {
				if p.Name == "" {
					p.Name = "Customer"
				}
				if p.Email == "" {
					p.Email = "customer@example.com"
				}
				return map[string]any{"id": p.ID}, seed(ctx, p.ID, p.Name, p.Email)
			}),
		},
	}
}

// TestProviderUsers verifies the users service against every pact that
// names it (gateway, orders).
//
// With ACCORD_BREAK_USERS=1 (set only by TestProviderUsersCatchesABreak, in
// a child process) it verifies a broken variant instead, which sends the
// field "name" as "fullName".
func TestProviderUsers(t *testing.T) {
	var variant func(http.Handler) http.Handler
	if os.Getenv("ACCORD_BREAK_USERS") == "1" {
		variant = renameField("name", "fullName")
	}
	contracts.VerifyProvider(t, provider(t, variant))
}

// TestProviderUsersCatchesABreak proves the contract catches a breaking
// change: verification of the renamed field must fail, and say where.
func TestProviderUsersCatchesABreak(t *testing.T) {
	text := contracts.VerifyBroken(t, "^TestProviderUsers$", "ACCORD_BREAK_USERS=1")
	assert.Contains(t, text, "users does not honour its contracts")
	assert.Contains(t, text, "a request for user 1", "the failure names the interaction")
	assert.Contains(t, text, "missing the following keys: name", "the failure names the missing field")
	assert.NotContains(t, text, "panic:")
	t.Logf("the broken provider failed as it should:\n%s", excerpt(text))
}

func excerpt(s string) string {
	if i := strings.Index(s, "Failures:"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1200 {
		s = s[:1200] + "…"
	}
	return s
}

// renameField rewrites JSON object responses, sending field old as new.
func renameField(old, new string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				if v, ok := m[old]; ok {
					delete(m, old)
					m[new] = v
					body, _ = json.Marshal(m)
				}
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}
