package httpapi

import (
	"net/http"
	"strings"
)

// metrics serves the official broker's JSON counts to HAL clients and the
// Prometheus metrics (Config.Metrics) to scrapers, which ask for text,
// OpenMetrics or protobuf by name.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ params) error {
	if s.cfg.Metrics != nil && wantsPrometheus(r.Header.Get("Accept")) {
		s.cfg.Metrics.ServeHTTP(w, r)
		return nil
	}
	counts, err := s.svc.Operations.Counts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, counts)
	return nil
}

// wantsPrometheus reports whether an Accept header names one of the
// formats Prometheus scrapers ask for. Every scraper names one; HAL
// clients, browsers and curl's */* get the JSON the official broker serves.
func wantsPrometheus(accept string) bool {
	accept = strings.ToLower(accept)
	if strings.Contains(accept, "json") {
		return false
	}
	for _, t := range []string{"text/plain", "application/openmetrics-text", "application/vnd.google.protobuf"} {
		if strings.Contains(accept, t) {
			return true
		}
	}
	return false
}
