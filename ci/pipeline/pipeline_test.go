package pipeline

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStagesSayWhatToDoNext(t *testing.T) {
	p := &Pipeline{Root: "../..", Pact: "/nonexistent/pact", Build: build.Info{Version: "abc"}, Stdout: io.Discard, Stderr: io.Discard}
	ctx := context.Background()

	err := p.Publish(ctx, t.TempDir())
	var se *StageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "publish", se.Stage)
	assert.Contains(t, err.Error(), "PACT_BROKER_BASE_URL is not set")

	p.BrokerURL = "http://127.0.0.1:1"
	err = p.Publish(ctx, t.TempDir())
	assert.ErrorContains(t, err, "no pact files")
	assert.ErrorContains(t, err, "run the consumer tests first")

	err = p.Verify(ctx, "../etc", "")
	assert.ErrorContains(t, err, "is not a provider name")
	err = p.Verify(ctx, "payments", "")
	assert.ErrorContains(t, err, "no package ./providers/payments/")

	p.BrokerURL = ""
	for _, err := range []error{
		p.CanIDeploy(ctx, "users", "", "production", 0, 0),
		p.RecordDeployment(ctx, "users", "", "production"),
	} {
		assert.ErrorContains(t, err, "export PACT_BROKER_BASE_URL")
		assert.False(t, errors.Is(err, ErrNotDeployable))
	}
}

func TestExportedTestName(t *testing.T) {
	assert.Equal(t, "Users", exported("users"))
	assert.Equal(t, "OrderHistory", exported("order-history"))
}
