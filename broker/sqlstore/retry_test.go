package sqlstore_test

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/accord-cdc/accord/broker"
)

// racesToLose is how many more times accord_test_lose_race() answers true:
// a trigger uses it to make a write transaction fail once the way a lost
// race does (a unique key already taken), so the store runs it again.
var racesToLose atomic.Int32

func init() {
	sqlite.MustRegisterScalarFunction("accord_test_lose_race", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if racesToLose.Add(-1) >= 0 {
			return int64(1), nil
		}
		return int64(0), nil
	})
}

// TestPublishRetriedAfterALostRaceReportsEachPactOnce: when the publish
// transaction loses a race after its first contract and is run again, the
// result describes the second run only, not the abandoned first one too.
func TestPublishRetriedAfterALostRaceReportsEachPactOnce(t *testing.T) {
	ctx := context.Background()
	s := newSQLite(t)
	_, err := s.CreatePacticipant(ctx, "Orders", broker.PacticipantUpdate{})
	require.NoError(t, err)
	for _, q := range []string{
		`CREATE TABLE test_taken (id INTEGER PRIMARY KEY)`,
		`INSERT INTO test_taken (id) VALUES (1)`,
		`CREATE TRIGGER test_lose_race AFTER INSERT ON pact_publications
			WHEN CASE WHEN NEW.provider_id = (SELECT id FROM pacticipants WHERE name = 'Orders') THEN accord_test_lose_race() ELSE 0 END
			BEGIN INSERT INTO test_taken (id) VALUES (1); END`,
	} {
		_, err := s.DB().ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	pactFor := func(provider string) []byte {
		return []byte(`{"consumer":{"name":"Web"},"provider":{"name":"` + provider + `"},"interactions":[{"description":"a request","request":{"method":"GET","path":"/"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	}
	racesToLose.Store(1)
	res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "1", Branch: "main", Contracts: []broker.Contract{
		{ConsumerName: "Web", ProviderName: "Users", Content: pactFor("Users")},
		{ConsumerName: "Web", ProviderName: "Orders", Content: pactFor("Orders")},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(-1), racesToLose.Load(), "the first run lost the race and the second ran to the end")

	var providers []string
	for _, p := range res.Pacts {
		providers = append(providers, p.Pact.Provider)
		assert.Equal(t, broker.PactCreated, p.Outcome, "%s", p.Pact.Provider)
	}
	assert.Equal(t, []string{"Users", "Orders"}, providers, "one entry per contract published")
	assert.True(t, res.VersionCreated)
}
