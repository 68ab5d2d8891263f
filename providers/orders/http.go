package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds a request body; an order of MaxItems items fits easily.
const maxBodyBytes = 1 << 20

// NewHandler returns the orders HTTP API backed by svc. Errors are answered
// as {"error": "..."} with a status chosen by the error vocabulary; causes
// that are not the client's business are logged, not sent.
func NewHandler(svc *Service, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	h := &handler{svc: svc, log: logger}
	mux := http.NewServeMux()
	mux.Handle("POST /orders", h.wrap(h.placeOrder))
	mux.Handle("GET /orders", h.wrap(h.listOrders))
	mux.Handle("GET /orders/{id}", h.wrap(h.getOrder))
	mux.Handle("GET /healthz", h.wrap(h.health))
	return mux
}

type handler struct {
	svc *Service
	log *slog.Logger
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *handler) wrap(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

// errorResponse is the body of every error answer.
type errorResponse struct {
	Error string `json:"error"`
}

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error: the orders service logged the cause; retry later"
	switch {
	case errors.Is(err, ErrInvalid):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrNotFound):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, ErrUnknownCustomer):
		status, msg = http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, ErrUsersUnavailable):
		status, msg = http.StatusServiceUnavailable, "the users service could not confirm the customer; retry later"
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	writeJSON(w, status, errorResponse{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *handler) placeOrder(w http.ResponseWriter, r *http.Request) error {
	var req PlaceOrderRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	o, err := h.svc.PlaceOrder(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/orders/"+o.ID)
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (h *handler) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Order(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// ordersList is the body of GET /orders?customerId=.
type ordersList struct {
	Orders []Order `json:"orders"`
}

func (h *handler) listOrders(w http.ResponseWriter, r *http.Request) error {
	if !r.URL.Query().Has("customerId") {
		return fmt.Errorf("%w: the customerId query parameter is required, e.g. GET /orders?customerId=42", ErrInvalid)
	}
	raw := r.URL.Query().Get("customerId")
	customerID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || customerID <= 0 {
		return fmt.Errorf("%w: customerId must be a positive integer (a user id of the users service), got %q", ErrInvalid, raw)
	}
	orders, err := h.svc.CustomerOrders(r.Context(), customerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ordersList{Orders: orders})
	return nil
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.svc.DB.PingContext(ctx); err != nil {
		return fmt.Errorf("health: database: %w", err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%w: Content-Type must be application/json, got %q", ErrInvalid, ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return fmt.Errorf("%w: request body exceeds %d bytes", ErrInvalid, maxBodyBytes)
		}
		return fmt.Errorf("%w: request body is not valid JSON for this endpoint: %v (expected %s)", ErrInvalid, err, bodyShape(r))
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return fmt.Errorf("%w: request body must hold exactly one JSON object", ErrInvalid)
	}
	return nil
}

// Server serves an http.Handler on a listener opened synchronously by Open,
// so URL is valid as soon as Open returns.
type Server struct {
	Addr    string // e.g. ":8080" or "127.0.0.1:0"
	Handler http.Handler

	ln  net.Listener
	srv *http.Server
	err chan error
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w: pick a free address with ADDR", s.Addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
	s.err = make(chan error, 1)
	go func() { s.err <- s.srv.Serve(ln) }()
	return nil
}

// URL is the base URL the server answers on, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	addr := s.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close stops accepting connections and waits for in-flight requests until
// ctx expires, then closes what is left.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	if serveErr := <-s.err; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// bodyShape describes the JSON an endpoint accepts, for error messages.
func bodyShape(r *http.Request) string {
	if r.Method == http.MethodPost && r.URL.Path == "/orders" {
		return `{"customerId": 42, "items": [{"sku": "BOOK-1", "quantity": 1, "unitPriceCents": 1250}]}`
	}
	return "a JSON object"
}
