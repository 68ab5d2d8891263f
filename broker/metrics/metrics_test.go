package metrics_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	_ "modernc.org/sqlite"

	"github.com/accord-cdc/accord/broker/metrics"
)

// scrape fetches the Prometheus text and parses it with the official parser.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("the official parser refuses the text: %v", err)
	}
	return fams
}

// value returns the value of the family's series with all the labels given.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

func TestRequestsAreCountedTimedAndLogged(t *testing.T) {
	m := metrics.New()
	var logs bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pacticipants/{name}", func(w http.ResponseWriter, r *http.Request) {
		metrics.SetUser(r.Context(), "alice")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("DELETE /pacticipants/{name}", func(w http.ResponseWriter, r *http.Request) {
		metrics.SetRoute(r.Context(), "DELETE /pacticipants/{name}")
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(m.Middleware(slog.New(slog.NewJSONHandler(&logs, nil)), mux))
	defer srv.Close()

	before := scrape(t, m)
	for _, path := range []string{"/pacticipants/Foo", "/pacticipants/Bar", "/nowhere/1", "/nowhere/2"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set(metrics.RequestIDHeader, "req-"+path[1:4])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get(metrics.RequestIDHeader); got != "req-"+path[1:4] {
			t.Errorf("request id echoed as %q", got)
		}
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/pacticipants/Foo", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get(metrics.RequestIDHeader) == "" {
		t.Error("no request id made up")
	}
	after := scrape(t, m)

	for _, c := range []struct {
		route, method, code string
		want                float64
	}{
		{"GET /pacticipants/{name}", "GET", "200", 2},
		{"unmatched", "GET", "404", 2},
		{"DELETE /pacticipants/{name}", "DELETE", "204", 1},
	} {
		l := map[string]string{"route": c.route, "method": c.method, "code": c.code}
		if got := value(after, "pact_broker_http_requests_total", l) - value(before, "pact_broker_http_requests_total", l); got != c.want {
			t.Errorf("requests %v moved by %v, want %v", l, got, c.want)
		}
	}
	if n := value(after, "pact_broker_http_request_duration_seconds", map[string]string{"route": "GET /pacticipants/{name}"}); n != 2 {
		t.Errorf("latency samples = %v, want 2", n)
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d access log lines, want 5:\n%s", len(lines), logs.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"level": "INFO", "msg": "request", "method": "GET", "route": "GET /pacticipants/{name}",
		"status": float64(200), "bytes": float64(5), "request_id": "req-pac", "user": "alice"} {
		if first[k] != want {
			t.Errorf("log %s = %v, want %v (line %s)", k, first[k], want, lines[0])
		}
	}
	if _, ok := first["duration"]; !ok {
		t.Errorf("no duration in %s", lines[0])
	}
}

// A forged id (a new line would forge a log line) is replaced.
func TestRequestIDMustBePrintable(t *testing.T) {
	m := metrics.New()
	h := m.Middleware(slog.New(slog.NewTextHandler(io.Discard, nil)), http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(metrics.RequestIDHeader, "a b")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get(metrics.RequestIDHeader); got == "a b" || len(got) != 24 {
		t.Fatalf("request id %q", got)
	}
}

func TestDomainCountersAndGauges(t *testing.T) {
	m := metrics.New()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m.WatchDB("broker", db)
	depth := 3.0
	m.WatchWebhookQueue(func() float64 { return depth })
	m.WatchAnswerCaches(func() []metrics.CacheLookups {
		return []metrics.CacheLookups{{Cache: "matrix", Hits: 7, Misses: 2, Shared: 1}, {Cache: "for_verification", Misses: 5}}
	})
	m.Published("created")
	m.Published("created")
	m.Verified(false)
	m.Delivered("success")
	m.Cleaned("deleted", map[string]int{"versions": 4}, time.Unix(1700000000, 0))
	m.Cleaned("dry_run", map[string]int{"versions": 9, "triggered_webhooks": 2}, time.Unix(1700000000, 0))
	f := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pact_broker_pact_publications_total", map[string]string{"outcome": "created"}, 2},
		{"pact_broker_verification_results_total", map[string]string{"success": "false"}, 1},
		{"pact_broker_webhook_deliveries_total", map[string]string{"outcome": "success"}, 1},
		{"pact_broker_webhook_queue_depth", nil, 3},
		{"pact_broker_retention_runs_total", map[string]string{"outcome": "deleted"}, 1},
		{"pact_broker_retention_deleted_total", map[string]string{"kind": "versions"}, 4},
		{"pact_broker_retention_runs_total", map[string]string{"outcome": "dry_run"}, 1},
		{"pact_broker_retention_dry_run_would_delete", map[string]string{"kind": "versions"}, 9},
		{"pact_broker_retention_dry_run_would_delete", map[string]string{"kind": "triggered_webhooks"}, 2},
		{"pact_broker_retention_last_run_timestamp_seconds", nil, 1700000000},
		{"go_sql_max_open_connections", map[string]string{"db_name": "broker"}, 0},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "matrix", "result": "hit"}, 7},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "matrix", "result": "miss"}, 2},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "matrix", "result": "shared"}, 1},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "for_verification", "result": "miss"}, 5},
	} {
		if _, ok := f[c.name]; !ok {
			t.Errorf("%s missing", c.name)
			continue
		}
		if got := value(f, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}
