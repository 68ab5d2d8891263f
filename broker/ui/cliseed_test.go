package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// pactCLI is the official pact CLI that `make setup` installs.
func pactCLI(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin", "pact")
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("the official pact CLI is missing at %s: run `make setup` (it installs pact 18.1.2): %v", p, err)
	}
	return p
}

// runPact runs the official CLI; wantOK says whether it must succeed.
func runPact(tb testing.TB, wantOK bool, args ...string) string {
	tb.Helper()
	cmd := exec.Command(pactCLI(tb), args...)
	cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "PACT_BROKER_HTTP_RETRIES=1")
	out, err := cmd.CombinedOutput()
	if wantOK {
		require.NoError(tb, err, "pact %s\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// usersProvider answers the users pacts (testdata v2.json and v3.json) the
// way the contract says, or with 500 for everything when broken.
func usersProvider(tb testing.TB, broken bool) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken {
			http.Error(w, "the users service is down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/users/42":
			fmt.Fprint(w, `{"id": 42, "name": "Ada", "email": "ada@example.com"}`)
		case r.URL.Path == "/users" && r.URL.Query().Get("role") == "admin":
			fmt.Fprint(w, `{"users": [{"id": 1, "name": "Ada", "joined": "2024-05-01"}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
}

// seedThroughCLI gives the broker at url the same story as seed, but
// through the official pact CLI: pacticipants, publications and (with
// `pact verifier` against a provider on loopback) verification results.
//
//	gateway 1.0.0  -> orders  V4 pact, unverified
//	gateway 1.0.0  -> users   V2 pact, verified by users 7.0.0
//	billing 0.1.0  -> users   same interactions as gateway's, failed by users 7.0.1
//	orders 2.0.0   -> users   V3 pact, failed by users 7.0.1 while pending
//	notifier 3.0.0 -> orders  V3 message pact, unverified
//
// Environments and deployments go through the CLI when the API has
// /environments, and through the store until then.
func seedThroughCLI(t *testing.T, url string, store *sqlstore.Store) {
	t.Helper()
	for _, name := range []string{"gateway", "orders", "users", "notifier", "billing"} {
		runPact(t, true, "broker", "create-or-update-pacticipant", "--name", name, "--main-branch", "main", "--broker-base-url", url)
	}
	publish := func(consumer, version string, tags []string, files map[string]string) {
		dir := t.TempDir()
		for provider, file := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, consumer+"-"+provider+".json"), pactFile(t, file, consumer, provider), 0o644))
		}
		args := []string{"broker", "publish", dir, "--consumer-app-version", version, "--branch", "main", "--broker-base-url", url}
		for _, tag := range tags {
			args = append(args, "--tag", tag)
		}
		runPact(t, true, args...)
	}
	publish("gateway", "1.0.0", nil, map[string]string{"orders": "v4.json", "users": "v2.json"})
	publish("orders", "2.0.0", nil, map[string]string{"users": "v3.json"})
	publish("notifier", "3.0.0", []string{"prod"}, map[string]string{"orders": "v3-message.json"})

	verify := func(consumer, version string, broken bool) string {
		return runPact(t, !broken, "verifier", "--broker-url", url, "--provider-name", "users", "--filter-consumer", consumer,
			"--provider-version", version, "--provider-branch", "main", "--publish", "--enable-pending",
			"--build-url", "https://ci.example/users/"+version, "--hostname", "127.0.0.1", "--port", usersProvider(t, broken))
	}
	verify("gateway", "7.0.0", false)
	// Published after users verified the same interactions on main, so the
	// failure is not pending.
	publish("billing", "0.1.0", nil, map[string]string{"users": "v2.json"})
	verify("billing", "7.0.1", true)
	verify("orders", "7.0.1", true)

	res, err := http.Get(url + "/environments")
	require.NoError(t, err)
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Log("environments and deployments: through the pact CLI")
		runPact(t, true, "broker", "create-environment", "--name", "production", "--display-name", "Production", "--production", "--broker-base-url", url)
		runPact(t, true, "broker", "create-environment", "--name", "staging", "--display-name", "Staging", "--broker-base-url", url)
		runPact(t, true, "broker", "record-deployment", "--pacticipant", "gateway", "--version", "1.0.0", "--environment", "production", "--broker-base-url", url)
		runPact(t, true, "broker", "record-deployment", "--pacticipant", "orders", "--version", "2.0.0", "--environment", "production", "--broker-base-url", url)
		runPact(t, true, "broker", "record-release", "--pacticipant", "notifier", "--version", "3.0.0", "--environment", "production", "--broker-base-url", url)
	} else {
		t.Logf("environments and deployments: through the store (GET /environments answers %d: the API has no environments yet)", res.StatusCode)
		ctx := context.Background()
		for _, e := range []broker.Environment{{Name: "production", DisplayName: "Production", Production: true}, {Name: "staging", DisplayName: "Staging"}} {
			_, err := store.CreateEnvironment(ctx, e)
			require.NoError(t, err)
		}
		storetest.Deploy(t, store, "gateway", "1.0.0", "production", "")
		storetest.Deploy(t, store, "orders", "2.0.0", "production", "")
		storetest.Release(t, store, "notifier", "3.0.0", "production")
	}

	// The CLI's verification results must have arrived as the story says.
	for _, c := range []struct {
		consumer string
		success  bool
	}{{"gateway", true}, {"billing", false}, {"orders", false}} {
		p, err := store.GetPact(context.Background(), broker.PactRef{Consumer: c.consumer, Provider: "users"})
		require.NoError(t, err)
		v, err := store.LatestVerification(context.Background(), c.consumer, "users", p.SHA)
		require.NoError(t, err, "pact verifier published no result for %s", c.consumer)
		require.Equal(t, c.success, v.Success, "%s -> users", c.consumer)
	}
}

// ordersUsersStatus is what the index must show for orders -> users: the
// pact was pending when users failed it, but seedThroughCLI runs pact CLI
// 18.1.2 without --consumer-version-selectors, so the verifier reads the
// latest pacts and posts the result without the pact's metadata, and the
// broker records it as not pending, as the Ruby broker does (see
// broker/doc.go). The page shows what was recorded.
func ordersUsersStatus(t *testing.T, store *sqlstore.Store) string {
	t.Helper()
	p, err := store.GetPact(context.Background(), broker.PactRef{Consumer: "orders", Provider: "users"})
	require.NoError(t, err)
	v, err := store.LatestVerification(context.Background(), "orders", "users", p.SHA)
	require.NoError(t, err)
	if v.Pending {
		return "pending"
	}
	t.Log("orders -> users was pending, but the broker recorded the result as not pending (the verifier ran without selectors and sent no pact metadata)")
	return "failed"
}
