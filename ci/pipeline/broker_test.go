package pipeline

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startBroker serves Accord's broker on a free loopback port, over a fresh
// SQLite database, for the length of the test.
func startBroker(t *testing.T) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "broker.sqlite3"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: httpapi.New(store, httpapi.Config{}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func pactCLI(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs("../../.tools/bin/pact")
	require.NoError(t, err)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the pact CLI is missing at %s: run `make setup`", path)
	}
	return path
}

// TestPipelineAgainstTheBroker runs publish, can-i-deploy and
// record-deployment through the official pact CLI against Accord's broker,
// as a consumer's CI would, and reads the summary back.
func TestPipelineAgainstTheBroker(t *testing.T) {
	base := startBroker(t)
	var out bytes.Buffer
	p := &Pipeline{Root: "../..", Pact: pactCLI(t), BrokerURL: base,
		Build: build.Info{Version: "0a1b2c3", Branch: "main"}, Stdout: &out, Stderr: &out}
	ctx := context.Background()

	require.NoError(t, p.Publish(ctx, "testdata"), out.String())
	assert.Contains(t, out.String(), "publishing 1 pact(s)")

	cli := func(args ...string) {
		cmd := exec.Command(p.Pact, append([]string{"broker"}, append(args, "--broker-base-url", base)...)...)
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, string(b))
	}
	cli("create-environment", "--name", "production", "--production")

	// Never verified: the consumer may not go where its provider is unknown.
	err := p.CanIDeploy(ctx, "shop", "", "production", 0, time.Second)
	require.ErrorIs(t, err, ErrNotDeployable, out.String())
	assert.Contains(t, err.Error(), "do not deploy shop 0a1b2c3 to production")

	// The provider verifies (as its CI would, through the broker's API) and
	// goes to production first; then the consumer may follow.
	cli("create-or-update-version", "--pacticipant", "stock", "--version", "9f8e7d6", "--branch", "main")
	publishVerification(t, base, "stock", "shop", "9f8e7d6", true)
	require.NoError(t, p.RecordDeployment(ctx, "stock", "9f8e7d6", "production"), out.String())
	require.NoError(t, p.CanIDeploy(ctx, "shop", "", "production", 0, time.Second), out.String())
	require.NoError(t, p.RecordDeployment(ctx, "shop", "", "production"), out.String())

	rows, err := p.Status(ctx, "production")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "shop", rows[0].Name)
	assert.Equal(t, "0a1b2c3", rows[0].Version)
	assert.Equal(t, []string{"stock 9f8e7d6 (passed)"}, rows[0].VerifiedBy)
	require.NotNil(t, rows[0].Deployable)
	assert.True(t, *rows[0].Deployable)
	var table bytes.Buffer
	WriteStatus(&table, rows, "production")
	assert.Contains(t, table.String(), "DEPLOYABLE TO PRODUCTION")
}

// publishVerification records a verification result of the latest pact
// between consumer and provider, following the broker's links as the
// verifier does.
func publishVerification(t *testing.T, base, provider, consumer, providerVersion string, success bool) {
	t.Helper()
	p := &Pipeline{BrokerURL: base}
	var pact struct {
		Links struct {
			Publish struct{ Href string } `json:"pb:publish-verification-results"`
		} `json:"_links"`
	}
	require.NoError(t, p.getJSON(context.Background(), "/pacts/provider/"+provider+"/consumer/"+consumer+"/latest", nil, &pact))
	require.NotEmpty(t, pact.Links.Publish.Href)
	body := `{"success":` + map[bool]string{true: "true", false: "false"}[success] + `,"providerApplicationVersion":"` + providerVersion + `"}`
	resp, err := http.Post(pact.Links.Publish.Href, "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}
