// Package inventory is the provider of the guide's shop: the stock of each
// item, in PostgreSQL.
package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrate creates the schema.
func Migrate(ctx context.Context, connString string) error {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE stock (sku text PRIMARY KEY, available integer NOT NULL)`)
	return err
}

// NewHandler serves GET /stock/{sku}.
func NewHandler(db *pgxpool.Pool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stock/{sku}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		err := db.QueryRow(r.Context(), `SELECT available FROM stock WHERE sku = $1`, r.PathValue("sku")).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"sku": r.PathValue("sku"), "available": n})
	})
	return mux
}
