// Package metrics gives an operator the broker's vital signs: Prometheus
// metrics (requests by route and status, latencies, the database pool,
// webhook queue depth and deliveries, publications and verifications,
// retention runs) and the access log, one structured line per request.
//
// Main creates one Metrics, wraps the HTTP edge in Middleware, hands the
// Observe methods to the parts that publish, verify, deliver and clean,
// and serves Handler to scrapers. Nothing here is global: each Metrics has
// its own registry, so tests and several brokers in one process do not mix.
package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the broker's collectors and their registry.
type Metrics struct {
	registry *prometheus.Registry

	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	published     *prometheus.CounterVec
	verified      *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	retentionRuns *prometheus.CounterVec
	retentionGone *prometheus.CounterVec
	retentionLast prometheus.Gauge
	retentionDry  *prometheus.GaugeVec
}

// New registers the broker's collectors, with Go runtime and process
// metrics, in a registry of its own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "pact_broker_http_request_duration_seconds",
			Help: "Time to answer HTTP requests, by method and route pattern.",
			// From a cached lookup to a large can-i-deploy or a slow publish.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_pact_publications_total",
			Help: "Pacts published, by outcome (created, updated, unchanged, ...).",
		}, []string{"outcome"}),
		verified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_verification_results_total",
			Help: "Verification results recorded, by success.",
		}, []string{"success"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_webhook_deliveries_total",
			Help: "Webhook delivery attempts, by outcome (success, retrying, failure).",
		}, []string{"outcome"}),
		retentionRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_retention_runs_total",
			Help: "Data clean-up runs, by outcome (deleted, dry_run, skipped when another broker was cleaning, error).",
		}, []string{"outcome"}),
		retentionGone: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pact_broker_retention_deleted_total",
			Help: "Rows deleted by data clean-up, by kind (versions, verification_results, triggered_webhooks).",
		}, []string{"kind"}),
		retentionDry: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pact_broker_retention_dry_run_would_delete",
			Help: "Rows the last dry run of data clean-up would have deleted, by kind.",
		}, []string{"kind"}),
		retentionLast: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pact_broker_retention_last_run_timestamp_seconds",
			Help: "When the last data clean-up run finished (Unix time), 0 before the first.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.published, m.verified, m.deliveries,
		m.retentionRuns, m.retentionGone, m.retentionLast, m.retentionDry,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the collectors live, for callers adding their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text (or OpenMetrics, or
// protobuf) format the scraper asks for.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// WatchDB exports the pool statistics of db (open, in use and idle
// connections, waits) as go_sql_* metrics labelled db_name=name.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchWebhookQueue exports depth() — the deliveries waiting to be
// attempted — whenever the broker is scraped.
func (m *Metrics) WatchWebhookQueue(depth func() float64) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pact_broker_webhook_queue_depth",
		Help: "Triggered webhooks waiting for a delivery attempt.",
	}, depth))
}

// CacheLookups are the lookups of one of the broker's answer caches since
// it started: answered from the cache (Hits), computed (Misses), or
// computed once for several requests that asked at the same time and
// waited for it (Shared).
type CacheLookups struct {
	Cache                string
	Hits, Misses, Shared int64
}

// WatchAnswerCaches exports lookups() — the can-i-deploy/matrix and
// pacts-for-verification answer caches' counts — as
// pact_broker_answer_cache_lookups_total{cache, result} whenever the broker
// is scraped: a hit ratio that falls tells an operator the cache is too
// small for the questions asked, or that writes change the state too often.
func (m *Metrics) WatchAnswerCaches(lookups func() []CacheLookups) {
	m.registry.MustRegister(answerCaches(lookups))
}

type answerCaches func() []CacheLookups

var answerLookupsDesc = prometheus.NewDesc("pact_broker_answer_cache_lookups_total",
	"Answer cache lookups by cache (matrix, for_verification) and result (hit; miss: computed; shared: computed once for requests asking at once).",
	[]string{"cache", "result"}, nil)

func (f answerCaches) Describe(ch chan<- *prometheus.Desc) { ch <- answerLookupsDesc }

func (f answerCaches) Collect(ch chan<- prometheus.Metric) {
	for _, c := range f() {
		for _, r := range []struct {
			result string
			n      int64
		}{{"hit", c.Hits}, {"miss", c.Misses}, {"shared", c.Shared}} {
			ch <- prometheus.MustNewConstMetric(answerLookupsDesc, prometheus.CounterValue, float64(r.n), c.Cache, r.result)
		}
	}
}

// Published counts a pact publication with its outcome.
func (m *Metrics) Published(outcome string) { m.published.WithLabelValues(outcome).Inc() }

// Verified counts a verification result.
func (m *Metrics) Verified(success bool) {
	m.verified.WithLabelValues(map[bool]string{true: "true", false: "false"}[success]).Inc()
}

// Delivered counts a webhook delivery attempt with its outcome.
func (m *Metrics) Delivered(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }

// Cleaned records a retention run: its outcome and what it deleted by
// kind, or for a dry run what it would have deleted.
func (m *Metrics) Cleaned(outcome string, deleted map[string]int, at time.Time) {
	m.retentionRuns.WithLabelValues(outcome).Inc()
	for kind, n := range deleted {
		if outcome == "dry_run" {
			m.retentionDry.WithLabelValues(kind).Set(float64(n))
			continue
		}
		m.retentionGone.WithLabelValues(kind).Add(float64(n))
	}
	m.retentionLast.Set(float64(at.UnixNano()) / 1e9)
}
