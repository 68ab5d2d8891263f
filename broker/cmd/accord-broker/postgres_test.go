package main

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/storetest"
)

// pg is the test binary's PostgreSQL container, started by the first test
// that needs it.
var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// PACT_BROKER_DATABASE_STATEMENT_TIMEOUT reaches PostgreSQL: a statement
// running longer is aborted there, others run.
func TestStatementTimeoutAbortsLongStatements(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", pg.Database(t)},
		env(map[string]string{"PACT_BROKER_DATABASE_STATEMENT_TIMEOUT": "0.3"})))
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, m.Close(ctx))
	})
	start := time.Now()
	_, err := m.store.DB().ExecContext(t.Context(), `SELECT pg_sleep(3)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "statement timeout")
	assert.Less(t, time.Since(start), 2*time.Second)
	_, err = m.store.DB().ExecContext(t.Context(), `SELECT pg_sleep(0.01)`)
	assert.NoError(t, err)
}
