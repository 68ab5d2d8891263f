package notifier

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
	"time"
)

// maxEventBytes bounds an event body.
const maxEventBytes = 1 << 20

// NewHandler returns the notifier's HTTP API:
//
//	POST /events                        receive an event (the orders relay's webhook)
//	GET  /notifications?customerId={id} a customer's notifications
//
// POST /events answers 204 when an OrderPlaced event was recorded or was a
// duplicate, 400 when the event is invalid (with the reason), 202 when the
// event type is not one the notifier handles (acknowledged so the producer
// does not retry it forever), and 500 when it could not be stored (the
// producer should retry).
func NewHandler(n *Notifier, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	h := &handler{n: n, log: logger}
	mux := http.NewServeMux()
	mux.Handle("POST /events", h.wrap(h.receiveEvent))
	mux.Handle("GET /notifications", h.wrap(h.listNotifications))
	mux.Handle("GET /healthz", h.wrap(h.health))
	return mux
}

type handler struct {
	n   *Notifier
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

type errorResponse struct {
	Error string `json:"error"`
}

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error: the notifier logged the cause; retry later"
	switch {
	case errors.Is(err, ErrInvalidEvent), errors.Is(err, ErrInvalid):
		status, msg = http.StatusBadRequest, err.Error()
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

func (h *handler) receiveEvent(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBytes))
	if err != nil {
		return fmt.Errorf("%w: read body: %v (events are at most %d bytes)", ErrInvalidEvent, err, maxEventBytes)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return fmt.Errorf("%w: body is not a JSON object: %v", ErrInvalidEvent, err)
	}
	if head.Type != EventOrderPlaced {
		h.log.Warn("event type not handled; acknowledged", "type", head.Type, "eventId", r.Header.Get("X-Event-Id"))
		writeJSON(w, http.StatusAccepted, map[string]string{"ignored": fmt.Sprintf("event type %q is not handled by the notifier", head.Type)})
		return nil
	}
	if err := h.n.HandleOrderPlaced(r.Context(), body); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type notificationsList struct {
	Notifications []Notification `json:"notifications"`
}

func (h *handler) listNotifications(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("customerId")
	customerID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || customerID <= 0 {
		return fmt.Errorf("%w: the customerId query parameter must be a positive integer, e.g. GET /notifications?customerId=42; got %q", ErrInvalid, raw)
	}
	ns, err := h.n.Notifications(r.Context(), customerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, notificationsList{Notifications: ns})
	return nil
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.n.DB.PingContext(ctx); err != nil {
		return fmt.Errorf("health: database: %w", err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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
