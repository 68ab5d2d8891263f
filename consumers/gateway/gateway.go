package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
)

// Overview is a customer with their orders, composed from two services.
type Overview struct {
	Customer        User    `json:"customer"`
	Orders          []Order `json:"orders"`
	OrderCount      int     `json:"orderCount"`
	TotalSpentCents int64   `json:"totalSpentCents"`
}

// Users and Orders are the providers the gateway depends on; UsersClient
// and OrdersClient are the real ones.
type (
	Users interface {
		User(ctx context.Context, id int64) (User, error)
	}
	Orders interface {
		CustomerOrders(ctx context.Context, customerID int64) ([]Order, error)
	}
)

// NewHandler returns the gateway's HTTP API.
func NewHandler(users Users, orders Orders, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "customer id must be a positive integer"})
			return
		}
		ov, err := CustomerOverview(r.Context(), users, orders, id)
		switch {
		case errors.Is(err, ErrNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no customer " + r.PathValue("id")})
		case err != nil:
			logger.Error("customer overview", "customer", id, "err", err)
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "a backing service failed; see the gateway log"})
		default:
			writeJSON(w, http.StatusOK, ov)
		}
	})
	return mux
}

// CustomerOverview composes the overview of customer id.
func CustomerOverview(ctx context.Context, users Users, orders Orders, id int64) (Overview, error) {
	u, err := users.User(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	list, err := orders.CustomerOrders(ctx, id)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Customer: u, Orders: list, OrderCount: len(list)}
	for _, o := range list {
		ov.TotalSpentCents += o.TotalCents
	}
	return ov, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
