package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/storetest"
)

// syncBuffer is a log sink the broker's goroutines write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startMain(t *testing.T, out io.Writer, settings map[string]string) *Main {
	t.Helper()
	m := NewMain(out)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")}, env(settings)))
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, m.Close(ctx))
	})
	return m
}

func get(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// scrapeAccept is what Prometheus 2.x sends.
const scrapeAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// scrape fetches /metrics as Prometheus does and parses it with the
// official parser (in the text format, which the parser reads).
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	res, body := get(t, base+"/metrics", "text/plain;version=0.0.4")
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	require.Contains(t, res.Header.Get("Content-Type"), "text/plain")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err, "the official parser reads the text")
	return fams
}

// sample returns the value of name's series whose labels include want
// (a histogram's sample count), and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
next:
	for _, m := range fams[name].GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsAndAccessLog runs the broker as the command does and checks
// what an operator sees: Prometheus text the official parser reads, with
// counters that move as requests, publications, verifications and
// webhook deliveries happen, labelled by route pattern (never by path);
// the official JSON counts for HAL clients at the same URL; one access-log
// line per request.
func TestMetricsAndAccessLog(t *testing.T) {
	var delivered sync.WaitGroup
	delivered.Add(1)
	var once sync.Once
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { once.Do(delivered.Done) }))
	t.Cleanup(receiver.Close)

	logs := &syncBuffer{}
	m := startMain(t, logs, map[string]string{
		"PACT_BROKER_WEBHOOK_SCHEME_WHITELIST": "http",
		"PACT_BROKER_WEBHOOK_HOST_WHITELIST":   "127.0.0.1",
		"PACT_BROKER_WEBHOOK_POLL_INTERVAL":    "0.01",
		"PACT_BROKER_BASIC_AUTH_USERNAME":      "admin",
		"PACT_BROKER_BASIC_AUTH_PASSWORD":      "pw",
		"PACT_BROKER_ALLOW_PUBLIC_READ":        "true",
		"PACT_BROKER_DATABASE_MAX_CONNECTIONS": "3",
	})
	base := m.URL()
	before := scrape(t, base)
	maxOpen, _ := sample(before, "go_sql_max_open_connections", map[string]string{"db_name": "broker"})
	assert.Equal(t, 3.0, maxOpen, "PACT_BROKER_DATABASE_MAX_CONNECTIONS bounds the pool")
	for _, name := range []string{"go_sql_open_connections", "go_sql_max_open_connections", "pact_broker_webhook_queue_depth", "pact_broker_retention_last_run_timestamp_seconds", "go_goroutines"} {
		assert.Contains(t, before, name, "exported before anything happened")
	}

	write := func(method, path string, body any) int {
		t.Helper()
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.SetBasicAuth("admin", "pw")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", "test-"+strings.ToLower(method))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Less(t, res.StatusCode, 300, "%s %s: %s", method, path, msg)
		return res.StatusCode
	}
	write("POST", "/webhooks", map[string]any{
		"events":  []map[string]string{{"name": "contract_published"}},
		"request": map[string]any{"method": "POST", "url": receiver.URL + "/hook"},
	})
	write("POST", "/contracts/publish", map[string]any{
		"pacticipantName": "Web", "pacticipantVersionNumber": "1", "branch": "main",
		"contracts": []map[string]any{{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
			"content": storetest.PactJSON("Web", "Users", "get user")}},
	})
	res, body := get(t, base+"/pacts/provider/Users/consumer/Web/version/1", "application/hal+json")
	require.Equal(t, 200, res.StatusCode, "%s", body)
	var pact struct {
		Links struct {
			Verify struct{ Href string } `json:"pb:publish-verification-results"`
		} `json:"_links"`
	}
	require.NoError(t, json.Unmarshal(body, &pact))
	verify := strings.TrimPrefix(pact.Links.Verify.Href, base)
	require.NotEmpty(t, verify)
	write("POST", verify, map[string]any{"success": false, "providerApplicationVersion": "10"})
	for _, name := range []string{"Web", "Users", "Nobody"} {
		get(t, base+"/pacticipants/"+name, "application/hal+json")
	}
	for range 2 { // the first is decided, the second answered from the cache
		res, body := get(t, base+"/can-i-deploy?pacticipant=Web&version=1&to=prod", "application/hal+json")
		require.Equal(t, 200, res.StatusCode, "%s", body)
	}
	get(t, base+"/no/such/path/1", "application/hal+json")
	get(t, base+"/no/such/path/2", "application/hal+json")
	delivered.Wait()
	pollUntil(t, "the delivery is counted", func() bool {
		n, _ := sample(scrape(t, base), "pact_broker_webhook_deliveries_total", map[string]string{"outcome": "success"})
		return n == 1
	})

	after := scrape(t, base)
	moved := func(name string, labels map[string]string) float64 {
		a, _ := sample(after, name, labels)
		b, _ := sample(before, name, labels)
		return a - b
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pact_broker_http_requests_total", map[string]string{"method": "GET", "route": "GET /pacticipants/{pacticipant}", "code": "200"}, 2},
		{"pact_broker_http_requests_total", map[string]string{"method": "GET", "route": "GET /pacticipants/{pacticipant}", "code": "404"}, 1},
		{"pact_broker_http_requests_total", map[string]string{"method": "POST", "route": "POST /contracts/publish", "code": "200"}, 1},
		{"pact_broker_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "code": "404"}, 2},
		{"pact_broker_http_request_duration_seconds", map[string]string{"method": "GET", "route": "GET /pacticipants/{pacticipant}"}, 3},
		{"pact_broker_pact_publications_total", map[string]string{"outcome": "created"}, 1},
		{"pact_broker_verification_results_total", map[string]string{"success": "false"}, 1},
		{"pact_broker_webhook_deliveries_total", map[string]string{"outcome": "success"}, 1},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "matrix", "result": "miss"}, 1},
		{"pact_broker_answer_cache_lookups_total", map[string]string{"cache": "matrix", "result": "hit"}, 1},
	} {
		assert.Equal(t, c.want, moved(c.name, c.labels), "%s %v", c.name, c.labels)
	}
	for _, f := range after["pact_broker_http_requests_total"].GetMetric() {
		for _, l := range f.GetLabel() {
			if l.GetName() == "route" {
				assert.NotContains(t, l.GetValue(), "Nobody", "routes are patterns, never paths")
			}
		}
	}
	depth, ok := sample(after, "pact_broker_webhook_queue_depth", nil)
	assert.True(t, ok)
	assert.Equal(t, 0.0, depth, "the delivery left the queue")

	// HAL clients get the official counts at the same URL.
	res, body = get(t, base+"/metrics", "application/hal+json")
	require.Equal(t, 200, res.StatusCode)
	var counts map[string]map[string]any
	require.NoError(t, json.Unmarshal(body, &counts), "%s", body)
	assert.EqualValues(t, 2, counts["pacticipants"]["count"])
	assert.EqualValues(t, 1, counts["pactPublications"]["count"])
	assert.EqualValues(t, 1, counts["verificationResults"]["failureCount"])
	assert.EqualValues(t, 1, counts["webhooks"]["count"])
	res, _ = get(t, base+"/metrics", "")
	assert.Contains(t, res.Header.Get("Content-Type"), "json", "no Accept: the official JSON")
	res, _ = get(t, base+"/metrics", scrapeAccept)
	assert.Contains(t, res.Header.Get("Content-Type"), "openmetrics", "Prometheus' own Accept gets OpenMetrics")

	// One access-log line per request, at info, naming the user.
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"request_id":"test-post"`) && strings.Contains(l, "/contracts/publish") {
			require.NoError(t, json.Unmarshal([]byte(l), &line))
		}
	}
	require.NotNil(t, line, "an access-log line for the publication:\n%s", logs.String())
	for k, want := range map[string]any{"level": "INFO", "msg": "request", "method": "POST", "route": "POST /contracts/publish", "status": 200.0, "user": "admin"} {
		assert.Equal(t, want, line[k], k)
	}
	assert.Greater(t, line["bytes"], 0.0)
	assert.Contains(t, line, "duration")
}

// PACT_BROKER_LOG_FORMAT=logfmt gives the access log as logfmt.
func TestAccessLogAsLogfmt(t *testing.T) {
	logs := &syncBuffer{}
	m := startMain(t, logs, map[string]string{"PACT_BROKER_LOG_FORMAT": "logfmt"})
	res, _ := get(t, m.URL()+"/pacticipants/Foo", "application/hal+json")
	assert.Equal(t, 404, res.StatusCode)
	assert.Regexp(t, `level=INFO msg=request method=GET route="GET /pacticipants/\{pacticipant\}" path=/pacticipants/Foo status=404 duration=\S+ bytes=\d+ request_id=[0-9a-f]{24} user=anonymous reason="no pacticipant named \\"Foo\\"; [^\n]*"\n`, logs.String())
	assert.NotContains(t, logs.String(), "request refused", "one line per request: the refusal's reason is on it")
}

// A keep selector or cron expression the broker cannot read exactly stops
// it at start, naming the setting, before the database is even opened:
// nothing is ever deleted under a configuration it misreads.
func TestCleanConfigurationStopsTheBroker(t *testing.T) {
	for name, c := range map[string]struct{ key, value, want string }{
		"unknown selector key": {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": 30}, {"latest": true, "colour": "blue"}]`, `selector 2 {"latest":true,"colour":"blue"}: unknown key "colour"`},
		"malformed selectors":  {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": 30}`, "PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS: not a JSON list"},
		"bad cron":             {"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE", "15 2 * *", `PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE: cron expression "15 2 * *"`},
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "b.sqlite3")
			m := NewMain(io.Discard)
			err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + db},
				env(map[string]string{"PACT_BROKER_DATABASE_CLEAN_ENABLED": "true", c.key: c.value}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			_, statErr := os.Stat(db)
			assert.True(t, os.IsNotExist(statErr), "the database was not touched")
		})
	}
}

// With the clean enabled, main schedules it; a dry run logs its plan and
// counts itself, and what it would delete, in the metrics.
func TestCleanIsScheduled(t *testing.T) {
	logs := &syncBuffer{}
	m := startMain(t, logs, map[string]string{
		"PACT_BROKER_DATABASE_CLEAN_ENABLED":       "true",
		"PACT_BROKER_DATABASE_CLEAN_DRY_RUN":       "true",
		"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE": "0 3 1 1 *",
	})
	assert.Contains(t, logs.String(), `"msg":"data clean-up scheduled","cron":"0 3 1 1 *"`)
	require.NotNil(t, m.cleaner)
	// Run one now rather than wait for the schedule.
	rep, err := m.cleaner.Run(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.DryRun)
	fams := scrape(t, m.URL())
	n, _ := sample(fams, "pact_broker_retention_runs_total", map[string]string{"outcome": "dry_run"})
	assert.GreaterOrEqual(t, n, 1.0)
	_, ok := sample(fams, "pact_broker_retention_dry_run_would_delete", map[string]string{"kind": "versions"})
	assert.True(t, ok, "a dry run says what it would delete")
	assert.Contains(t, logs.String(), "[DRY RUN] clean plan")
}

// PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION: off (the default), a
// changed pact for a published consumer version is refused; on, it
// replaces the published one.
func TestDangerousContractModification(t *testing.T) {
	publish := func(base, description string) int {
		status, _ := postJSON(t, base+"/contracts/publish", map[string]any{
			"pacticipantName": "Web", "pacticipantVersionNumber": "1", "branch": "main",
			"contracts": []map[string]any{{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
				"content": storetest.PactJSON("Web", "Users", description)}},
		})
		return status
	}
	for _, c := range []struct {
		setting string
		second  int
		served  string
	}{{"", http.StatusConflict, "get user"}, {"true", http.StatusOK, "list users"}} {
		m := startMain(t, io.Discard, map[string]string{"PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION": c.setting})
		require.Equal(t, http.StatusOK, publish(m.URL(), "get user"))
		assert.Equal(t, c.second, publish(m.URL(), "list users"), "setting %q", c.setting)
		_, body := get(t, m.URL()+"/pacts/provider/Users/consumer/Web/version/1", "application/hal+json")
		assert.Contains(t, string(body), c.served, "setting %q: the pact served", c.setting)
	}
}
