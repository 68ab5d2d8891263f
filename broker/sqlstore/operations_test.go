package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

func bothBackends(t *testing.T, test func(t *testing.T, s *sqlstore.Store)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "postgres" {
				test(t, newPostgres(t))
				return
			}
			test(t, newSQLite(t))
		})
	}
}

func assertNoOrphans(t *testing.T, s *sqlstore.Store) { brokertest.AssertNoOrphans(t, s) }

func TestLabels(t *testing.T) {
	bothBackends(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		l, created, err := s.AddLabel(ctx, "Web", "team-a")
		require.NoError(t, err)
		assert.True(t, created, "labelling creates the pacticipant and the label")
		assert.Equal(t, "team-a", l.Name)
		_, created, err = s.AddLabel(ctx, "Web", "team-a")
		require.NoError(t, err)
		assert.False(t, created, "labelling again changes nothing")
		_, _, err = s.AddLabel(ctx, "Orders", "team-a")
		require.NoError(t, err)
		_, _, err = s.AddLabel(ctx, "Orders", "async")
		require.NoError(t, err)

		names, total, err := s.LabelNames(ctx, broker.Page{})
		require.NoError(t, err)
		assert.Equal(t, []string{"async", "team-a"}, names)
		assert.Equal(t, 2, total)
		ps, err := s.LabelledPacticipants(ctx, "team-a")
		require.NoError(t, err)
		require.Len(t, ps, 2)
		assert.Equal(t, "Orders", ps[0].Name)
		ls, err := s.PacticipantLabels(ctx, "Orders")
		require.NoError(t, err)
		require.Len(t, ls, 2)
		assert.Equal(t, "async", ls[0].Name)

		require.NoError(t, s.DeleteLabel(ctx, "Orders", "async"))
		_, err = s.GetLabel(ctx, "Orders", "async")
		codeOf(t, err, broker.NotFound)
		codeOf(t, s.DeleteLabel(ctx, "Orders", "async"), broker.NotFound)
		_, _, err = s.AddLabel(ctx, "Orders", "")
		codeOf(t, err, broker.Invalid)

		require.NoError(t, s.DeletePacticipant(ctx, "Web"))
		ps, err = s.LabelledPacticipants(ctx, "team-a")
		require.NoError(t, err)
		require.Len(t, ps, 1, "a deleted pacticipant's labels go with it")
		assertNoOrphans(t, s)
	})
}

func TestDeleteIntegrationCascades(t *testing.T) {
	bothBackends(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		res := storetest.Publish(t, s, "Web", "1", "main", "Orders", []string{"prod"}, "get order")
		storetest.Publish(t, s, "Web", "2", "main", "Orders", nil, "get order", "list orders")
		storetest.Publish(t, s, "Web", "2", "main", "Users", nil, "get user")
		_, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: res.Pacts[0].Pact.SHA, ProviderVersion: "o1", Success: true})
		require.NoError(t, err)

		ins, err := s.Integrations(ctx)
		require.NoError(t, err)
		require.Len(t, ins, 2)
		assert.Equal(t, broker.Integration{Consumer: "Web", Provider: "Orders", CreatedAt: ins[0].CreatedAt}, ins[0])

		require.NoError(t, s.DeleteIntegration(ctx, "Web", "Orders"))
		codeOf(t, s.DeleteIntegration(ctx, "Web", "Orders"), broker.NotFound)
		ins, err = s.Integrations(ctx)
		require.NoError(t, err)
		require.Len(t, ins, 1)
		assert.Equal(t, "Users", ins[0].Provider)
		_, err = s.GetPacticipant(ctx, "Orders")
		codeOf(t, err, broker.NotFound) // left with nothing, it goes
		_, err = s.GetVersion(ctx, "Web", "1")
		codeOf(t, err, broker.NotFound) // published only to Orders
		_, err = s.GetVersion(ctx, "Web", "2")
		require.NoError(t, err, "still has a pact with Users")
		assertNoOrphans(t, s)

		require.NoError(t, s.DeleteAllIntegrations(ctx))
		ins, err = s.Integrations(ctx)
		require.NoError(t, err)
		assert.Empty(t, ins)
		assertNoOrphans(t, s)
	})
}

func TestDeleteBranchesKeepsMainAndExcluded(t *testing.T) {
	bothBackends(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		for i, b := range []string{"main", "feat-a", "feat-b", "release"} {
			_, _, err := s.AddBranchVersion(ctx, "Web", b, string(rune('1'+i)))
			require.NoError(t, err)
		}
		deleted, err := s.DeleteBranches(ctx, "Web", []string{"release"})
		require.NoError(t, err)
		assert.Equal(t, []string{"feat-a", "feat-b"}, deleted)
		bs, err := s.ListBranches(ctx, "Web")
		require.NoError(t, err)
		var names []string
		for _, b := range bs {
			names = append(names, b.Name)
		}
		assert.ElementsMatch(t, []string{"main", "release"}, names)
		_, err = s.GetVersion(ctx, "Web", "2")
		require.NoError(t, err, "versions stay")
		_, err = s.DeleteBranches(ctx, "Nobody", nil)
		codeOf(t, err, broker.NotFound)
		assertNoOrphans(t, s)
	})
}

func TestCounts(t *testing.T) {
	bothBackends(t, func(t *testing.T, s *sqlstore.Store) {
		storetest.Publish(t, s, "Web", "1", "main", "Orders", []string{"prod"}, "get order")
		m, err := s.Counts(t.Context())
		require.NoError(t, err)
		assert.Equal(t, int64(2), m["pacticipants"].(map[string]any)["count"])
		assert.Equal(t, int64(1), m["integrations"].(map[string]any)["count"])
		assert.Equal(t, int64(1), m["tags"].(map[string]any)["count"])
		assert.NotNil(t, m["pactPublications"].(map[string]any)["first"])
		assert.Equal(t, map[string]int64{"1": 1}, m["pactRevisionsPerConsumerVersion"].(map[string]any)["distribution"])
	})
}

// TestFieldUsageAfterDeletes publishes new content after each way content
// can be deleted: SQLite gives the new content the deleted one's id, and
// field usage must describe the new one, not a cached index of the old.
func TestFieldUsageAfterDeletes(t *testing.T) {
	ctx := t.Context()
	deletes := map[string]func(t *testing.T, s *sqlstore.Store){
		"pact":        func(t *testing.T, s *sqlstore.Store) { require.NoError(t, s.DeletePact(ctx, "Web", "Users", "1")) },
		"version":     func(t *testing.T, s *sqlstore.Store) { require.NoError(t, s.DeleteVersion(ctx, "Web", "1")) },
		"pacticipant": func(t *testing.T, s *sqlstore.Store) { require.NoError(t, s.DeletePacticipant(ctx, "Web")) },
		"integration": func(t *testing.T, s *sqlstore.Store) { require.NoError(t, s.DeleteIntegration(ctx, "Web", "Users")) },
		"everything":  func(t *testing.T, s *sqlstore.Store) { require.NoError(t, s.DeleteAllIntegrations(ctx)) },
		"verification, after the pact": func(t *testing.T, s *sqlstore.Store) {
			p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Users", Version: "1"})
			require.NoError(t, err)
			v, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Users", SHA: p.SHA, ProviderVersion: "u1", Success: true})
			require.NoError(t, err)
			require.NoError(t, s.DeletePact(ctx, "Web", "Users", "1"))
			require.NoError(t, s.DeleteVerification(ctx, "Web", "Users", p.SHA, v.Number))
		},
	}
	for name, del := range deletes {
		t.Run(name, func(t *testing.T) {
			s := newSQLite(t)
			paths := func() []string {
				t.Helper()
				cvs, err := s.FieldUsageFacts(ctx, "Users", fieldusage.Filter{})
				require.NoError(t, err)
				require.Len(t, cvs, 1)
				var out []string
				for _, in := range cvs[0].Index.Interactions {
					out = append(out, in.Path)
				}
				return out
			}
			storetest.Publish(t, s, "Web", "1", "main", "Users", nil, "old")
			require.Equal(t, []string{"/old"}, paths(), "read once, so the index is cached")
			del(t, s)
			storetest.Publish(t, s, "Web", "2", "main", "Users", nil, "new")
			assert.Equal(t, []string{"/new"}, paths())
			assertNoOrphans(t, s)
		})
	}
}

// TestRetentionDeletesResultsWithTheirContent: retention deleting the
// results of a pact deleted earlier leaves no content behind.
func TestRetentionDeletesResultsWithTheirContent(t *testing.T) {
	bothBackends(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		res := storetest.Publish(t, s, "Web", "1", "main", "Users", nil, "get user")
		v, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Users", SHA: res.Pacts[0].Pact.SHA, ProviderVersion: "u1", Success: true})
		require.NoError(t, err)
		require.NoError(t, s.DeletePact(ctx, "Web", "Users", "1"))
		assertNoOrphans(t, s) // the content lives on for its result
		require.NoError(t, s.DeleteVerifications(ctx, []int64{v.ID}))
		assertNoOrphans(t, s)
	})
}
