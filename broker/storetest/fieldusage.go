package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
)

// Field usage: the facts "who uses this field?" is answered from (the consumer versions that
// count, each with the index stored when its pact was published), route coverage per provider
// version, and the provider contract's declared operations.

// usageFacts returns the facts f selects by "consumer version".
func usageFacts(t *testing.T, s Store, provider string, f fieldusage.Filter) map[string]fieldusage.ConsumerVersion {
	t.Helper()
	cvs, err := s.FieldUsageFacts(context.Background(), provider, f)
	require.NoError(t, err)
	out := map[string]fieldusage.ConsumerVersion{}
	for _, cv := range cvs {
		k := cv.Consumer + " " + cv.Version
		_, dup := out[k]
		require.False(t, dup, "%s listed twice", k)
		slices.Sort(cv.LatestOf)
		slices.Sort(cv.Environments)
		out[k] = cv
	}
	return out
}

func keys(m map[string]fieldusage.ConsumerVersion) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func paths(ix fieldusage.Index) []string {
	var out []string
	for _, in := range ix.Interactions {
		out = append(out, in.Method+" "+in.Path)
	}
	return out
}

func testFieldUsage(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.FieldUsageFacts(ctx, "Users", fieldusage.Filter{})
	code(t, err, broker.NotFound)

	Publish(t, s, "Web", "1", "main", "Users", nil, "one")
	Publish(t, s, "Web", "2", "main", "Users", nil, "two")
	Publish(t, s, "Web", "3", "main", "Orders", nil, "other") // main moves on without a pact with Users
	Publish(t, s, "Web", "4", "feat", "Users", nil, "four")
	Publish(t, s, "App", "1", "master", "Users", nil, "app")
	Publish(t, s, "App", "2", "master", "Users", nil, "app2")
	for _, e := range []string{"production", "test"} {
		_, err := s.CreateEnvironment(ctx, broker.Environment{Name: e})
		require.NoError(t, err)
	}
	dep := Deploy(t, s, "Web", "1", "production", "")
	Release(t, s, "App", "1", "production")
	Release(t, s, "App", "1", "test")

	t.Run("by default: each main branch's head with a pact with the provider, and what is deployed or released", func(t *testing.T) {
		got := usageFacts(t, s, "Users", fieldusage.Filter{})
		assert.Equal(t, []string{"App 1", "App 2", "Web 1", "Web 2"}, keys(got))
		assert.Equal(t, []string{"main"}, got["Web 2"].LatestOf, "Web 3 has no pact with Users")
		assert.Equal(t, "main", got["Web 2"].MainBranch)
		assert.Equal(t, []string{"production"}, got["Web 1"].Environments)
		assert.Empty(t, got["Web 1"].LatestOf)
		assert.Equal(t, []string{"production", "test"}, got["App 1"].Environments)
		assert.Equal(t, "master", got["App 2"].MainBranch, "master is a main branch by its name")
		assert.Equal(t, []string{"master"}, got["App 2"].LatestOf)
		assert.Equal(t, []string{"GET /two"}, paths(got["Web 2"].Index), "each version carries the index of its own pact")
		assert.Equal(t, []string{"GET /one"}, paths(got["Web 1"].Index))
	})
	t.Run("by environment", func(t *testing.T) {
		got := usageFacts(t, s, "Users", fieldusage.Filter{Environment: "test"})
		assert.Equal(t, []string{"App 1"}, keys(got))
		assert.Equal(t, []string{"test"}, got["App 1"].Environments)
		assert.Empty(t, usageFacts(t, s, "Users", fieldusage.Filter{Environment: "nowhere"}))
	})
	t.Run("by branch", func(t *testing.T) {
		got := usageFacts(t, s, "Users", fieldusage.Filter{Branch: "feat"})
		assert.Equal(t, []string{"Web 4"}, keys(got))
		assert.Equal(t, []string{"feat"}, got["Web 4"].LatestOf)
		assert.Empty(t, got["Web 4"].Environments)
	})
	t.Run("undeployed and unsupported versions no longer count", func(t *testing.T) {
		_, err := s.Undeploy(ctx, dep.UUID)
		require.NoError(t, err)
		rels, err := s.CurrentlySupported(ctx, environmentNamed(t, s, "test").UUID, broker.DeploymentFilter{})
		require.NoError(t, err)
		require.Len(t, rels, 1)
		_, err = s.EndSupport(ctx, rels[0].UUID)
		require.NoError(t, err)
		got := usageFacts(t, s, "Users", fieldusage.Filter{})
		assert.Equal(t, []string{"App 1", "App 2", "Web 2"}, keys(got))
		assert.Equal(t, []string{"production"}, got["App 1"].Environments, "still supported in production")
	})
	t.Run("a pact the index cannot read completely is indexed as far as possible and says so", func(t *testing.T) {
		pact := `{"consumer":{"name":"Old"},"provider":{"name":"Users"},"interactions":[{"description":"d",
		  "request":{"method":"GET","path":"/old"},"response":{"status":200,"body":{"id":1}}},{"type":"Synchronous/Plugin","description":"grpc"}],
		  "metadata":{"pactSpecification":{"version":"9.0"}}}`
		_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Old", Version: "1", Branch: "main",
			Contracts: []broker.Contract{{ConsumerName: "Old", ProviderName: "Users", Content: []byte(pact)}}})
		require.NoError(t, err)
		ix := usageFacts(t, s, "Users", fieldusage.Filter{})["Old 1"].Index
		require.Len(t, ix.Interactions, 1)
		assert.Equal(t, []string{"response.body.$.id"}, ix.Interactions[0].Fields)
		assert.Equal(t, 1, ix.Unread)
		assert.Len(t, ix.Notices, 2, "the unknown version and the unread interaction: %q", ix.Notices)
	})

	t.Run("route coverage per provider version", func(t *testing.T) {
		routes, err := s.LatestRoutes(ctx, "Users")
		require.NoError(t, err)
		assert.Nil(t, routes, "none published yet")
		_, err = s.RouteCoverages(ctx, "Nobody", 10)
		code(t, err, broker.NotFound)
		err = s.RecordRouteCoverage(ctx, "Users", "1", json.RawMessage(`{"routes":["GET /a"]}`))
		code(t, err, broker.NotFound) // no such version yet
		_, err = s.RouteCoverage(ctx, "Users", "1")
		code(t, err, broker.NotFound)

		for _, v := range []string{"1", "2"} {
			_, _, err := s.PutVersion(ctx, "Users", v, broker.VersionUpdate{})
			require.NoError(t, err)
		}
		require.NoError(t, s.RecordRouteCoverage(ctx, "Users", "1", json.RawMessage(`{"routes":["GET /one","GET /two"],"covered":["GET /one"],"notCovered":["GET /two"]}`)))
		require.NoError(t, s.RecordRouteCoverage(ctx, "Users", "2", json.RawMessage(`{"routes":["GET /x"],"unlisted":["GET /y"]}`)))
		require.NoError(t, s.RecordRouteCoverage(ctx, "Users", "2", json.RawMessage(`{"routes":["GET /users/{id}"],"unlisted":["GET /healthz"]}`)),
			"a later run of the same version replaces its coverage")
		js, err := s.RouteCoverage(ctx, "Users", "1")
		require.NoError(t, err)
		assert.JSONEq(t, `{"routes":["GET /one","GET /two"],"covered":["GET /one"],"notCovered":["GET /two"]}`, string(js))
		routes, err = s.LatestRoutes(ctx, "Users")
		require.NoError(t, err)
		assert.Equal(t, []string{"GET /users/{id}", "GET /healthz"}, routes, "the newest version's routes and the unlisted ones it served")
		list, err := s.RouteCoverages(ctx, "Users", 10)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []string{"2", "1"}, []string{list[0].ProviderVersion, list[1].ProviderVersion}, "newest first")
		assert.False(t, list[0].CreatedAt.IsZero())
		assert.JSONEq(t, `{"routes":["GET /users/{id}"],"unlisted":["GET /healthz"]}`, string(list[0].Coverage))
		list, err = s.RouteCoverages(ctx, "Users", 1)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		list, err = s.RouteCoverages(ctx, "Web", 10)
		require.NoError(t, err)
		assert.Empty(t, list, "a pacticipant that published none")
	})

	t.Run("the provider contract's declared operations", func(t *testing.T) {
		_, err := s.LatestDeclaredOperations(ctx, "Users")
		code(t, err, broker.NotFound)
		contract := `{"openapi":"3.0.3","info":{"title":"Users","version":"1"},"paths":{"/users/{id}":{
		  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
		  "get":{"responses":{"200":{"description":"a user","content":{"application/json":{"schema":{"type":"object",
		    "properties":{"id":{"type":"string"},"name":{"type":"string"}}}}}}}}}}}`
		_, err = s.PublishProviderContract(ctx, broker.ProviderContractRequest{Provider: "Users", Version: "3", Branch: "main",
			Specification: "oas", ContentType: "application/json", Content: []byte(contract)})
		require.NoError(t, err)
		d, err := s.LatestDeclaredOperations(ctx, "Users")
		require.NoError(t, err)
		assert.Equal(t, "3", d.ProviderVersion)
		assert.Empty(t, d.Problem)
		assert.Equal(t, []fieldusage.Operation{{Method: "GET", Path: "/users/{id}", Fields: []string{"response.body.$.id", "response.body.$.name"}}}, d.Operations)
	})
}
