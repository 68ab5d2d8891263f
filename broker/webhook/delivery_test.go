package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/webhook"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

const brokerURL = "http://broker.test"

func openStore(t testing.TB, dbURL string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func sqliteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "broker.sqlite3")
}

// testConfig delivers to loopback over http with short, test-sized waits.
func testConfig(schedule ...time.Duration) webhook.Config {
	if schedule == nil {
		schedule = []time.Duration{}
	}
	return webhook.Config{
		RetrySchedule: schedule,
		Schemes:       []string{"http"},
		Hosts:         []string{"127.0.0.1"},
		Timeout:       2 * time.Second,
		PollInterval:  10 * time.Millisecond,
	}
}

func startDispatcher(t testing.TB, q broker.WebhookOutbox, cfg webhook.Config) *webhook.Dispatcher {
	t.Helper()
	d := webhook.NewDispatcher(q, cfg, nil, nil)
	d.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

// hit is one request a receiver got.
type hit struct {
	Path, Query, UserAgent string
	Body                   map[string]string
}

// receiver is a webhook target on 127.0.0.1 that answers with the status
// its respond function gives.
type receiver struct {
	mu      sync.Mutex
	hits    []hit
	respond func(n int) int
	addr    string
	srv     *http.Server
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h := hit{Path: r.URL.Path, Query: r.URL.RawQuery, UserAgent: r.UserAgent(), Body: map[string]string{}}
	_ = json.Unmarshal(b, &h.Body)
	rc.mu.Lock()
	rc.hits = append(rc.hits, h)
	n := len(rc.hits)
	respond := rc.respond
	rc.mu.Unlock()
	status := http.StatusOK
	if respond != nil {
		status = respond(n)
	}
	w.WriteHeader(status)
}

func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

func (rc *receiver) setRespond(f func(int) int) {
	rc.mu.Lock()
	rc.respond = f
	rc.mu.Unlock()
}

// serve starts serving on ln.
func (rc *receiver) serve(t testing.TB, ln net.Listener) {
	rc.addr = ln.Addr().String()
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()
	t.Cleanup(func() { _ = rc.srv.Close() })
}

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	rc := &receiver{}
	rc.serve(t, ln)
	return rc
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what)
		}
		<-tick.C
	}
}

func publish(t testing.TB, s broker.Store, consumer, version, branch, provider string, descriptions ...string) {
	t.Helper()
	ctx := broker.WithBaseURL(context.Background(), brokerURL)
	_, err := s.PublishContracts(ctx, broker.PublishRequest{
		Pacticipant: consumer, Version: version, Branch: branch,
		Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: provider, Content: storetest.PactJSON(consumer, provider, descriptions...)}},
	})
	require.NoError(t, err)
}

func createWebhook(t testing.TB, s *sqlstore.Store, provider, target string, events ...string) broker.Webhook {
	t.Helper()
	w := broker.Webhook{
		Description: "trigger " + provider + " build",
		Enabled:     true,
		Events:      events,
		Request: broker.WebhookRequest{
			Method:  "POST",
			URL:     target + "/build?pact=${pactbroker.pactUrl}",
			Headers: map[string]string{"Content-Type": "application/json"},
			Body: json.RawMessage(`{"pactUrl":"${pactbroker.pactUrl}","consumer":"${pactbroker.consumerName}","consumerVersion":"${pactbroker.consumerVersionNumber}",
				"consumerBranch":"${pactbroker.consumerVersionBranch}","provider":"${pactbroker.providerName}","providerVersion":"${pactbroker.providerVersionNumber}",
				"providerBranch":"${pactbroker.providerVersionBranch}","why":"${pactbroker.providerVersionDescriptions}","event":"${pactbroker.eventName}",
				"github":"${pactbroker.githubVerificationStatus}"}`),
		},
	}
	if provider != "" {
		w.Provider = &broker.WebhookPacticipant{Name: provider}
		_, _, err := s.UpdatePacticipant(context.Background(), provider, broker.PacticipantUpdate{}, true)
		require.NoError(t, err)
	}
	saved, err := s.CreateWebhook(context.Background(), w)
	require.NoError(t, err)
	return saved
}

func triggered(t testing.TB, s broker.Webhooks, consumer, provider, version string) []broker.TriggeredWebhook {
	t.Helper()
	ts, err := s.TriggeredWebhooks(context.Background(), broker.TriggeredFilter{Consumer: consumer, Provider: provider, ConsumerVersion: version})
	require.NoError(t, err)
	return ts
}

func countTriggered(t testing.TB, s *sqlstore.Store) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT COUNT(*) FROM triggered_webhooks`).Scan(&n))
	return n
}

func stop(t testing.TB, d *webhook.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, d.Stop(ctx))
}

// TestChangedPactTriggersRequiredVerifications: a changed pact fires
// contract_requiring_verification_published once per provider version that
// must verify it, with the template parameters filled in; identical content
// fires nothing new.
func TestChangedPactTriggersRequiredVerifications(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dbURL := sqliteURL(t)
			if backend == "postgres" {
				dbURL = pg.Database(t)
			}
			s := openStore(t, dbURL)
			rc := newReceiver(t)

			// Orders: main branch head p-main-2, p-prod-1 deployed to production.
			main := "main"
			_, _, err := s.UpdatePacticipant(ctx, "Orders", broker.PacticipantUpdate{MainBranch: &main}, true)
			require.NoError(t, err)
			for _, v := range []string{"p-main-1", "p-main-2"} {
				_, _, err = s.AddBranchVersion(ctx, "Orders", "main", v)
				require.NoError(t, err)
			}
			_, _, err = s.AddBranchVersion(ctx, "Orders", "release/1", "p-prod-1")
			require.NoError(t, err)
			_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "production", DisplayName: "Production", Production: true})
			require.NoError(t, err)
			storetest.Deploy(t, s, "Orders", "p-prod-1", "production", "")

			// Content A is published and verified by the main branch head
			// before the webhook exists.
			publish(t, s, "Gateway", "c0", "main", "Orders", "get order")
			a, err := s.GetPact(ctx, broker.PactRef{Consumer: "Gateway", Provider: "Orders", Version: "c0"})
			require.NoError(t, err)
			_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Gateway", Provider: "Orders", SHA: a.SHA, ProviderVersion: "p-main-2", Success: true})
			require.NoError(t, err)

			createWebhook(t, s, "Orders", "http://"+rc.addr, broker.EventContractRequiringVerificationPublished)
			d := startDispatcher(t, s, testConfig())

			publish(t, s, "Gateway", "c1", "feat/a", "Orders", "get order")
			eventually(t, 10*time.Second, "one delivery for the deployed version that has not verified content A", func() bool { return len(rc.got()) == 1 })
			h := rc.got()[0]
			assert.Equal(t, "p-prod-1", h.Body["providerVersion"], "p-main-2 already verified this content")
			assert.Equal(t, "release/1", h.Body["providerBranch"])
			assert.Equal(t, "deployed in production", h.Body["why"])

			publish(t, s, "Gateway", "c2", "feat/b", "Orders", "get order", "list orders")
			eventually(t, 10*time.Second, "two more deliveries for changed content", func() bool { return len(rc.got()) == 3 })
			b, err := s.GetPact(ctx, broker.PactRef{Consumer: "Gateway", Provider: "Orders", Version: "c2"})
			require.NoError(t, err)
			byVersion := map[string]hit{}
			for _, h := range rc.got()[1:] {
				byVersion[h.Body["providerVersion"]] = h
			}
			require.Len(t, byVersion, 2, "one trigger per provider version")
			mainHit, prodHit := byVersion["p-main-2"], byVersion["p-prod-1"]
			assert.Equal(t, "main", mainHit.Body["providerBranch"])
			assert.Equal(t, "latest from main branch", mainHit.Body["why"])
			assert.Equal(t, "deployed in production", prodHit.Body["why"])
			for _, h := range []hit{mainHit, prodHit} {
				assert.Equal(t, "/build", h.Path)
				assert.Equal(t, "Gateway", h.Body["consumer"])
				assert.Equal(t, "c2", h.Body["consumerVersion"])
				assert.Equal(t, "feat/b", h.Body["consumerBranch"])
				assert.Equal(t, "Orders", h.Body["provider"])
				assert.Equal(t, "contract_requiring_verification_published", h.Body["event"])
				assert.Equal(t, "pending", h.Body["github"])
				prefix := brokerURL + "/pacts/provider/Orders/consumer/Gateway/pact-version/" + b.SHA + "/metadata/"
				assert.True(t, strings.HasPrefix(h.Body["pactUrl"], prefix), "pactUrl %q should start with %q", h.Body["pactUrl"], prefix)
				q, err := url.ParseQuery(h.Query)
				require.NoError(t, err)
				assert.Equal(t, h.Body["pactUrl"], q.Get("pact"), "the URL carries the same pact URL, query-escaped")
			}

			before := countTriggered(t, s)
			publish(t, s, "Gateway", "c3", "feat/b", "Orders", "get order", "list orders")
			publish(t, s, "Gateway", "c2", "feat/b", "Orders", "get order", "list orders")
			assert.Equal(t, before, countTriggered(t, s), "identical content triggers nothing new (the outbox is written with the publication)")
			stop(t, d)
			assert.Len(t, rc.got(), 3)
			for _, tw := range triggered(t, s, "Gateway", "Orders", "c2") {
				assert.Equal(t, broker.TriggeredSuccess, tw.Status)
				assert.Equal(t, 1, tw.Attempts)
			}
		})
	}
}

// TestContentChangedAndVerificationEvents covers the other events and what
// they render.
func TestContentChangedAndVerificationEvents(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, sqliteURL(t))
	createWebhook(t, s, "", "http://127.0.0.1:1", broker.EventContractPublished, broker.EventContractContentChanged,
		broker.EventProviderVerificationPublished, broker.EventProviderVerificationSucceeded, broker.EventProviderVerificationFailed)
	events := func(version string) []string {
		var out []string
		for _, tw := range triggered(t, s, "Web", "Users", version) {
			out = append(out, tw.EventName)
		}
		return out
	}
	publish(t, s, "Web", "1", "main", "Users", "a")
	assert.ElementsMatch(t, []string{"contract_published", "contract_content_changed"}, events("1"), "the first pact is a change")
	publish(t, s, "Web", "2", "main", "Users", "a")
	assert.ElementsMatch(t, []string{"contract_published"}, events("2"), "same content as the previous version")
	publish(t, s, "Web", "3", "main", "Users", "a", "b")
	assert.ElementsMatch(t, []string{"contract_published", "contract_content_changed"}, events("3"))

	p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Users", Version: "3"})
	require.NoError(t, err)
	v, err := s.RecordVerification(broker.WithBaseURL(ctx, brokerURL), broker.VerificationRequest{Consumer: "Web", Provider: "Users", SHA: p.SHA, ProviderVersion: "u1", Success: false, BuildURL: "https://ci/9"})
	require.NoError(t, err)
	ts, err := s.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: "Web", Provider: "Users", SHA: p.SHA, VerificationNumber: v.Number})
	require.NoError(t, err)
	var names []string
	for _, tw := range ts {
		names = append(names, tw.EventName)
		params := webhook.Params(tw.Context, tw.BaseURL)
		assert.Equal(t, "failure", params["githubVerificationStatus"])
		assert.Equal(t, "u1", params["providerVersionNumber"])
		assert.Equal(t, "3", params["consumerVersionNumber"])
		assert.Equal(t, "https://ci/9", params["buildUrl"])
		assert.Equal(t, fmt.Sprintf("%s/pacts/provider/Users/consumer/Web/pact-version/%s/verification-results/%d", brokerURL, p.SHA, v.Number), params["verificationResultUrl"])
	}
	assert.ElementsMatch(t, []string{"provider_verification_published", "provider_verification_failed"}, names)

	// A result for a pact selected for two consumer versions with that
	// content fires once per consumer version.
	publish(t, s, "Web", "4", "feat/x", "Users", "a", "b")
	v3, err := s.GetVersion(ctx, "Web", "3")
	require.NoError(t, err)
	v4, err := s.GetVersion(ctx, "Web", "4")
	require.NoError(t, err)
	v, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Users", SHA: p.SHA, ProviderVersion: "u2", Success: true,
		ConsumerVersionIDs: []int64{v3.ID, v4.ID}})
	require.NoError(t, err)
	ts, err = s.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: "Web", Provider: "Users", SHA: p.SHA, VerificationNumber: v.Number})
	require.NoError(t, err)
	perVersion := map[string][]string{}
	for _, tw := range ts {
		params := webhook.Params(tw.Context, brokerURL)
		perVersion[params["consumerVersionNumber"]] = append(perVersion[params["consumerVersionNumber"]], tw.EventName+"/"+params["githubVerificationStatus"]+"/"+params["consumerVersionBranch"])
	}
	assert.Equal(t, map[string][]string{
		"3": {"provider_verification_published/success/main", "provider_verification_succeeded/success/main"},
		"4": {"provider_verification_published/success/feat/x", "provider_verification_succeeded/success/feat/x"},
	}, perVersion)
}

// TestRetriesUntilTheReceiverIsUp: nothing listens at first, then the
// receiver starts on the same address and gets the webhook exactly once.
func TestRetriesUntilTheReceiverIsUp(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // down: connections are refused

	createWebhook(t, s, "Users", "http://"+addr, broker.EventContractPublished)
	cfg := testConfig()
	for range 40 {
		cfg.RetrySchedule = append(cfg.RetrySchedule, 50*time.Millisecond)
	}
	d := startDispatcher(t, s, cfg)
	publish(t, s, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "two failed attempts while the receiver is down", func() bool {
		ts := triggered(t, s, "Web", "Users", "1")
		return len(ts) == 1 && ts[0].Attempts >= 2 && ts[0].Status == broker.TriggeredRetrying
	})

	var up net.Listener
	eventually(t, 5*time.Second, "listen again on "+addr, func() bool {
		up, err = net.Listen("tcp", addr)
		return err == nil
	})
	rc := &receiver{}
	rc.serve(t, up)
	eventually(t, 10*time.Second, "delivery once the receiver is up", func() bool {
		ts := triggered(t, s, "Web", "Users", "1")
		return ts[0].Status == broker.TriggeredSuccess
	})
	stop(t, d)
	assert.Len(t, rc.got(), 1, "delivered exactly once")
	tw := triggered(t, s, "Web", "Users", "1")[0]
	_, execs, err := s.TriggeredWebhookLogs(context.Background(), tw.UUID)
	require.NoError(t, err)
	require.Equal(t, tw.Attempts, len(execs), "every attempt is logged")
	assert.False(t, execs[0].Success)
	assert.Contains(t, execs[0].Logs, "connection refused")
	assert.True(t, execs[len(execs)-1].Success)
}

// TestSuccessCodesAndGivingUp: statuses outside the success codes are
// retried until the schedule runs out.
func TestSuccessCodesAndGivingUp(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	rc := newReceiver(t)
	rc.setRespond(func(int) int { return http.StatusAccepted })
	createWebhook(t, s, "Users", "http://"+rc.addr, broker.EventContractPublished)
	cfg := testConfig(20*time.Millisecond, 20*time.Millisecond)
	cfg.SuccessCodes = []int{http.StatusOK}
	d := startDispatcher(t, s, cfg)
	publish(t, s, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "the webhook fails after three attempts", func() bool {
		ts := triggered(t, s, "Web", "Users", "1")
		return ts[0].Status == broker.TriggeredFailure
	})
	stop(t, d)
	assert.Len(t, rc.got(), 3, "202 is not a success code here: one attempt and two retries")
	assert.Equal(t, 3, triggered(t, s, "Web", "Users", "1")[0].Attempts)
}

// TestRefusedWhenSent: the allow-lists are checked again at send time, so
// a webhook saved under looser rules is never sent.
func TestRefusedWhenSent(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	createWebhook(t, s, "Users", "http://127.0.0.2:9", broker.EventContractPublished)
	d := startDispatcher(t, s, testConfig(time.Millisecond, time.Millisecond))
	publish(t, s, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "the refused webhook fails without retries", func() bool {
		return triggered(t, s, "Web", "Users", "1")[0].Status == broker.TriggeredFailure
	})
	stop(t, d)
	tw := triggered(t, s, "Web", "Users", "1")[0]
	assert.Equal(t, 1, tw.Attempts, "retrying cannot make a refused host allowed")
	_, execs, err := s.TriggeredWebhookLogs(context.Background(), tw.UUID)
	require.NoError(t, err)
	assert.Contains(t, execs[0].Logs, "not in the allow-list")
}

// TestSurvivesRestart: the broker stops between two attempts; a new broker
// on the same database delivers the webhook.
func TestSurvivesRestart(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { survivesRestart(t, backend) })
	}
}

func survivesRestart(t *testing.T, backend string) {
	dbURL := sqliteURL(t)
	if backend == "postgres" {
		dbURL = pg.Database(t)
	}
	rc := newReceiver(t)
	rc.setRespond(func(int) int { return http.StatusServiceUnavailable })

	first := openStore(t, dbURL)
	createWebhook(t, first, "Users", "http://"+rc.addr, broker.EventContractPublished)
	cfg := testConfig(200 * time.Millisecond)
	d := startDispatcher(t, first, cfg)
	publish(t, first, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "the first attempt fails", func() bool {
		ts := triggered(t, first, "Web", "Users", "1")
		return ts[0].Attempts == 1
	})
	stop(t, d)
	require.NoError(t, first.Close())
	require.Len(t, rc.got(), 1)

	rc.setRespond(nil)
	second := openStore(t, dbURL)
	d = startDispatcher(t, second, cfg)
	eventually(t, 10*time.Second, "the restarted broker delivers", func() bool {
		return triggered(t, second, "Web", "Users", "1")[0].Status == broker.TriggeredSuccess
	})
	stop(t, d)
	assert.Len(t, rc.got(), 2, "one failed attempt before the restart, one delivery after")
	assert.Equal(t, 2, triggered(t, second, "Web", "Users", "1")[0].Attempts)
}

// TestLeaseOfACrashedBrokerExpires: a broker that claimed a delivery and
// died never finishes it; once the lease runs out another broker delivers.
func TestLeaseOfACrashedBrokerExpires(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, sqliteURL(t))
	rc := newReceiver(t)
	createWebhook(t, s, "Users", "http://"+rc.addr, broker.EventContractPublished)
	publish(t, s, "Web", "1", "main", "Users", "a")
	claimed, err := s.ClaimDeliveries(ctx, "crashed-broker", 300*time.Millisecond, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	again, err := s.ClaimDeliveries(ctx, "other-broker", time.Minute, 10)
	require.NoError(t, err)
	assert.Empty(t, again, "a leased delivery is not handed out twice")

	d := startDispatcher(t, s, testConfig())
	eventually(t, 10*time.Second, "delivered after the crashed broker's lease expired", func() bool {
		return triggered(t, s, "Web", "Users", "1")[0].Status == broker.TriggeredSuccess
	})
	stop(t, d)
	assert.Len(t, rc.got(), 1)
	held, err := s.FinishDelivery(ctx, "crashed-broker", claimed[0].ID, broker.DeliveryOutcome{Success: true})
	require.NoError(t, err)
	assert.False(t, held, "the crashed broker lost its lease and records nothing")
}

// TestTwoBrokersOneDatabase: two brokers share one database (PostgreSQL,
// and an SQLite file); every delivery is made exactly once between them.
func TestTwoBrokersOneDatabase(t *testing.T) {
	for _, backend := range []string{"postgres", "sqlite"} {
		t.Run(backend, func(t *testing.T) { twoBrokers(t, backend) })
	}
}

func twoBrokers(t *testing.T, backend string) {
	dbURL := sqliteURL(t)
	if backend == "postgres" {
		dbURL = pg.Database(t)
	}
	a, b := openStore(t, dbURL), openStore(t, dbURL)
	rc := newReceiver(t)
	createWebhook(t, a, "Users", "http://"+rc.addr, broker.EventContractPublished)
	cfgA, cfgB := testConfig(), testConfig()
	cfgA.UserAgent, cfgB.UserAgent = "broker-a", "broker-b"
	cfgA.Workers, cfgB.Workers = 3, 3
	da, db := startDispatcher(t, a, cfgA), startDispatcher(t, b, cfgB)

	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			ctx := broker.WithBaseURL(context.Background(), brokerURL)
			v := fmt.Sprint(i)
			_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: v, Branch: "main",
				Contracts: []broker.Contract{{ConsumerName: "Web", ProviderName: "Users", Content: storetest.PactJSON("Web", "Users", "interaction "+v)}}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, n, countTriggered(t, a), "each publication wrote its trigger")
	eventually(t, 30*time.Second, "all deliveries done", func() bool {
		var pending int
		require.NoError(t, a.DB().QueryRow(`SELECT COUNT(*) FROM triggered_webhooks WHERE status <> 'success'`).Scan(&pending))
		return pending == 0
	})
	stop(t, da)
	stop(t, db)

	seen := map[string]int{}
	byBroker := map[string]int{}
	for _, h := range rc.got() {
		seen[h.Body["consumerVersion"]]++
		byBroker[h.UserAgent]++
	}
	assert.Len(t, seen, n, "every delivery arrived")
	for v, c := range seen {
		assert.Equal(t, 1, c, "consumer version %s delivered %d times", v, c)
	}
	assert.Len(t, rc.got(), n, "no delivery was doubled")
	t.Logf("deliveries per broker: %v", byBroker)
	var execs int
	require.NoError(t, a.DB().QueryRow(`SELECT COUNT(*) FROM webhook_executions`).Scan(&execs))
	assert.Equal(t, n, execs, "one recorded attempt per delivery")
}

// TestStopHandsBackLeases: a dispatcher stopped with a send in flight and
// no time left abandons it without counting an attempt, and another
// dispatcher delivers it.
func TestStopHandsBackLeases(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	release := make(chan struct{})
	var once sync.Once
	rc := newReceiver(t)
	rc.setRespond(func(n int) int {
		if n == 1 {
			<-release // hold the first request until the test lets go
		}
		return http.StatusOK
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	createWebhook(t, s, "Users", "http://"+rc.addr, broker.EventContractPublished)
	d := startDispatcher(t, s, testConfig())
	publish(t, s, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "the first send is in flight", func() bool { return len(rc.got()) == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace period
	require.NoError(t, d.Stop(ctx))
	once.Do(func() { close(release) })
	tw := triggered(t, s, "Web", "Users", "1")[0]
	assert.Equal(t, 0, tw.Attempts, "an abandoned send is not an attempt")
	assert.Equal(t, broker.TriggeredNotRun, tw.Status)

	d2 := startDispatcher(t, s, testConfig())
	eventually(t, 10*time.Second, "the next dispatcher delivers at once", func() bool {
		return triggered(t, s, "Web", "Users", "1")[0].Status == broker.TriggeredSuccess
	})
	stop(t, d2)
	assert.Len(t, rc.got(), 2, "at-least-once: the abandoned send may have arrived too")
}
