package pipeline

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/contracts/build"
)

// stockOAS describes GET /stock/{sku}; available is declared only when
// declareAvailable, so shop's pact (which reads it) is then compatible.
func stockOAS(declareAvailable bool) string {
	props := "sku: {type: string}"
	if declareAvailable {
		props += ", available: {type: integer}"
	}
	return `openapi: 3.0.3
info: {title: stock, version: "1"}
paths:
  /stock/{sku}:
    get:
      parameters: [{name: sku, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the stock of one SKU
          content:
            application/json:
              schema: {type: object, properties: {` + props + `}}
`
}

// TestProviderContractThroughThePipeline publishes a provider contract with
// the Go client (accord publish-provider-contract), has the broker's
// checker check shop's pact against it, and reads the answer back as
// can-i-deploy and the summary do: the matrix row is marked as a provider
// contract check, compatible or not, and decides the answer.
func TestProviderContractThroughThePipeline(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, sqliteURL(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(brokertest.API(store, httpapi.Config{}))
	t.Cleanup(srv.Close)
	checker := contractcheck.New(store, nil)

	var out bytes.Buffer
	p := &Pipeline{Root: "../..", Broker: &Broker{BaseURL: srv.URL},
		Build: build.Info{Version: "0a1b2c3", Branch: "main"}, Stdout: &out, Stderr: &out}
	require.NoError(t, p.Publish(ctx, "testdata/pacts"), out.String())
	require.NoError(t, p.CreateEnvironment(ctx, "production", "", true))
	ask := func() (Decision, error) {
		return p.CanIDeploy(ctx, DeployQuery{Pacticipant: "shop", Version: "0a1b2c3", Environment: "production"})
	}
	summary := func() []string {
		rows, err := p.Status(ctx, "production")
		require.NoError(t, err)
		for _, r := range rows {
			if r.Name == "shop" {
				return r.VerifiedBy
			}
		}
		t.Fatalf("no summary row for shop in %+v", rows)
		return nil
	}

	dir := t.TempDir()
	for _, tc := range []struct {
		version    string
		declared   bool
		deployable bool
		verified   string
	}{
		{"1", false, false, "stock 1 (incompatible by provider contract)"},
		{"2", true, true, "stock 2 (compatible by provider contract)"},
	} {
		file := filepath.Join(dir, "stock-"+tc.version+".yaml")
		require.NoError(t, os.WriteFile(file, []byte(stockOAS(tc.declared)), 0o600))
		out.Reset()
		require.NoError(t, p.PublishProviderContract(ctx, ProviderContract{Provider: "stock", Version: tc.version, Branch: "main",
			File: file, SelfVerified: true, Verifier: "go test"}), out.String())
		n, err := checker.RunOnce(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n, "the publication queued one check")
		require.NoError(t, p.RecordDeployment(ctx, "stock", tc.version, "production"))

		d, err := ask()
		if tc.deployable {
			require.NoError(t, err, d.Reason)
		} else {
			require.ErrorIs(t, err, ErrNotDeployable)
			assert.Contains(t, d.Reason, "response.body.$.available", "the reason names the undeclared field")
		}
		require.Len(t, d.Rows, 1)
		assert.True(t, d.Rows[0].ProviderContract, "the row is a provider contract check")
		require.NotNil(t, d.Rows[0].Success)
		assert.Equal(t, tc.deployable, *d.Rows[0].Success)
		assert.Equal(t, []string{tc.verified}, summary())
	}
	// A verification by replay is not marked.
	publishVerification(t, p.Broker, "stock", "shop", "3", true)
	require.NoError(t, p.RecordDeployment(ctx, "stock", "3", "production"))
	d, err := ask()
	require.NoError(t, err, d.Reason)
	require.Len(t, d.Rows, 1)
	assert.False(t, d.Rows[0].ProviderContract)
	assert.Equal(t, []string{"stock 3 (passed)"}, summary())
}
