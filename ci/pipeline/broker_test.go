package pipeline

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// startBroker serves Accord's broker on a free loopback port over the
// database at dbURL, for the length of the test.
func startBroker(t *testing.T, dbURL string, auth httpedge.Auth) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: brokertest.API(store, httpapi.Config{Auth: auth}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func sqliteURL(t *testing.T) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "broker.sqlite3")
}

// TestPipelineAgainstTheBroker runs publish, create-environment,
// can-i-deploy and record-deployment through the Go client against Accord's
// broker on SQLite and on PostgreSQL, as a consumer's and a provider's CI
// would, and reads the summary back.
func TestPipelineAgainstTheBroker(t *testing.T) {
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", sqliteURL},
		{"postgres", func(t *testing.T) string { return pg.Database(t) }},
	} {
		t.Run(db.name, func(t *testing.T) { testPipeline(t, startBroker(t, db.url(t), httpedge.Auth{})) })
	}
}

func testPipeline(t *testing.T, base string) {
	var out bytes.Buffer
	p := &Pipeline{Root: "../..", Broker: &Broker{BaseURL: base},
		Build: build.Info{Version: "0a1b2c3", Branch: "main"}, Stdout: &out, Stderr: &out}
	ctx := context.Background()

	require.NoError(t, p.Publish(ctx, "testdata/pacts"), out.String())
	assert.Contains(t, out.String(), "publishing 1 pact(s)")
	assert.Contains(t, out.String(), "shop -> stock: published")

	require.NoError(t, p.CreateEnvironment(ctx, "production", "Production", true))
	require.NoError(t, p.CreateEnvironment(ctx, "production", "", true), "creating it again changes nothing")
	assert.Contains(t, out.String(), "environment production exists already")

	// Never verified: the consumer may not go where its provider is unknown.
	q := DeployQuery{Pacticipant: "shop", Environment: "production"}
	d, err := p.CanIDeploy(ctx, q)
	require.ErrorIs(t, err, ErrNotDeployable, out.String())
	assert.NotEmpty(t, d.Reason)

	// An unknown environment or version is an error that says what to do.
	err = p.RecordDeployment(ctx, "shop", "", "staging")
	assert.ErrorContains(t, err, "accord create-environment --name staging")
	err = p.RecordDeployment(ctx, "shop", "no-such-version", "production")
	assert.ErrorContains(t, err, "the broker has no version no-such-version of shop")

	// The provider verifies (as its CI would, through the broker's links)
	// and goes to production first; then the consumer may follow.
	publishVerification(t, p.Broker, "stock", "shop", "9f8e7d6", true)
	require.NoError(t, p.RecordDeployment(ctx, "stock", "9f8e7d6", "production"), out.String())
	d, err = p.CanIDeploy(ctx, q)
	require.NoError(t, err, out.String())
	require.NotNil(t, d.Deployable)
	require.Len(t, d.Rows, 1)
	assert.Equal(t, MatrixRow{Consumer: "shop", ConsumerVersion: "0a1b2c3", Provider: "stock", ProviderVersion: "9f8e7d6", Success: d.Rows[0].Success}, d.Rows[0])
	require.NotNil(t, d.Rows[0].Success)
	assert.True(t, *d.Rows[0].Success)
	var table bytes.Buffer
	WriteDecision(&table, DeployQuery{Pacticipant: "shop", Version: "0a1b2c3", Environment: "production"}, d)
	assert.Contains(t, table.String(), "yes: shop 0a1b2c3 may be deployed to production")
	require.NoError(t, p.RecordDeployment(ctx, "shop", "", "production"), out.String())

	rows, err := p.Status(ctx, "production")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "shop", rows[0].Name)
	assert.Equal(t, "0a1b2c3", rows[0].Version)
	assert.Equal(t, []string{"stock 9f8e7d6 (passed)"}, rows[0].VerifiedBy)
	require.NotNil(t, rows[0].Deployable)
	assert.True(t, *rows[0].Deployable)
	table.Reset()
	WriteStatus(&table, rows, "production")
	assert.Contains(t, table.String(), "DEPLOYABLE TO PRODUCTION")
}

// publishVerification records a verification result of the latest pact
// between consumer and provider, following the broker's links as the
// verifier does.
func publishVerification(t *testing.T, b *Broker, provider, consumer, providerVersion string, success bool) {
	t.Helper()
	ctx := context.Background()
	var pact struct {
		Links struct {
			Publish struct{ Href string } `json:"pb:publish-verification-results"`
		} `json:"_links"`
	}
	require.NoError(t, b.get(ctx, b.BaseURL+"/pacts/provider/"+provider+"/consumer/"+consumer+"/latest", &pact))
	require.NotEmpty(t, pact.Links.Publish.Href)
	require.NoError(t, b.post(ctx, pact.Links.Publish.Href, map[string]any{"success": success, "providerApplicationVersion": providerVersion}, nil))
}

func TestBrokerErrorsSayWhatToDo(t *testing.T) {
	ctx := context.Background()
	base := startBroker(t, sqliteURL(t), httpedge.Auth{Username: "ci", Password: "right"})
	p := &Pipeline{Broker: &Broker{BaseURL: base, Username: "ci", Password: "wrong"}, Build: build.Info{Version: "1"}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	err := p.CreateEnvironment(ctx, "test", "", false)
	assert.ErrorContains(t, err, "401")
	assert.ErrorContains(t, err, "check the credentials")

	p.Broker = &Broker{BaseURL: "http://127.0.0.1:1"}
	err = p.CreateEnvironment(ctx, "test", "", false)
	assert.ErrorContains(t, err, "cannot reach the broker at http://127.0.0.1:1")
	assert.ErrorContains(t, err, "PACT_BROKER_BASE_URL")

	p.Broker = &Broker{BaseURL: base, Username: "ci", Password: "right"}
	require.NoError(t, p.CreateEnvironment(ctx, "test", "", false), "the right credentials work")
}
