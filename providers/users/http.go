package users

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
)

// NewHandler returns the service's HTTP API.
func NewHandler(store *Store, logger *slog.Logger) http.Handler {
	h := &handler{store: store, log: logger}
	mux := http.NewServeMux()
	for _, r := range h.routes() {
		mux.Handle(r.pattern, r.handler)
	}
	return mux
}

// Routes lists the service's routes as ServeMux patterns (the contract test reports which of
// them no consumer contract covers).
func Routes() []string {
	var out []string
	for _, r := range (&handler{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

type route struct {
	pattern string
	handler http.Handler
}

func (h *handler) routes() []route {
	return []route{
		{"GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })},
		{"GET /users", h.wrap(h.list)},
		{"GET /users/{id}", h.wrap(h.get)},
		{"POST /users", h.wrap(h.create)},
	}
}

type handler struct {
	store *Store
	log   *slog.Logger
}

// apiError is a failure with the status and message the client sees.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func (h *handler) wrap(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		var ae *apiError
		switch {
		case errors.As(err, &ae):
		case errors.Is(err, ErrNotFound):
			ae = &apiError{http.StatusNotFound, err.Error()}
		case errors.Is(err, ErrDuplicate):
			ae = &apiError{http.StatusConflict, err.Error()}
		case errors.Is(err, ErrInvalid):
			ae = &apiError{http.StatusBadRequest, err.Error()}
		default:
			h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			ae = &apiError{http.StatusInternalServerError, "internal error; see the users service log"}
		}
		writeJSON(w, ae.status, map[string]string{"error": ae.msg})
	})
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &apiError{http.StatusBadRequest, "user id must be a positive integer, got " + strconv.Quote(r.PathValue("id"))}
	}
	u, err := h.store.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) error {
	users, err := h.store.List(r.Context(), r.URL.Query().Get("email"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (h *handler) create(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return &apiError{http.StatusBadRequest, "body must be JSON {\"name\": ..., \"email\": ...}: " + err.Error()}
	}
	u, err := h.store.Create(r.Context(), in.Name, in.Email)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
