package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

func TestDeployments(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var s *sqlstore.Store
			if backend == "postgres" {
				s = newPostgres(t)
			} else {
				s = newSQLite(t)
			}
			testDeployments(t, s)
		})
	}
}

func codeOf(t *testing.T, err error, want broker.Code) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, want, broker.ErrorCode(err), "%v", err)
}

func testDeployments(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	for _, v := range []string{"1", "2", "3"} {
		storetest.Publish(t, s, "Web", v, "main", "Orders", nil, "get "+v)
	}
	prod, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true, Contacts: []byte(`[{"name":"Ops"}]`)})
	require.NoError(t, err)
	test, err := s.CreateEnvironment(ctx, broker.Environment{Name: "test", DisplayName: "Test"})
	require.NoError(t, err)

	t.Run("environments", func(t *testing.T) {
		envs, err := s.FindEnvironments(ctx, "")
		require.NoError(t, err)
		require.Len(t, envs, 2)
		assert.Equal(t, []string{"production", "test"}, []string{envs[0].Name, envs[1].Name})
		envs, err = s.FindEnvironments(ctx, "test")
		require.NoError(t, err)
		require.Len(t, envs, 1)
		assert.Equal(t, test.UUID, envs[0].UUID)
		e, err := s.GetEnvironment(ctx, prod.UUID)
		require.NoError(t, err)
		assert.Equal(t, "production", e.DisplayName, "the display name defaults to the name")
		assert.JSONEq(t, `[{"name":"Ops"}]`, string(e.Contacts))
		_, err = s.ReplaceEnvironment(ctx, test.UUID, broker.Environment{Name: "production"})
		codeOf(t, err, broker.Conflict)
		_, err = s.ReplaceEnvironment(ctx, "no-such-uuid", broker.Environment{Name: "x"})
		codeOf(t, err, broker.NotFound)
		e, err = s.ReplaceEnvironment(ctx, test.UUID, broker.Environment{Name: "staging", DisplayName: "Staging"})
		require.NoError(t, err)
		assert.Equal(t, "staging", e.Name)
		assert.Nil(t, e.Contacts)
		_, err = s.ReplaceEnvironment(ctx, test.UUID, broker.Environment{Name: "test", DisplayName: "Test"})
		require.NoError(t, err)
	})

	t.Run("a deployment replaces the version in its slot", func(t *testing.T) {
		d1, created, err := s.DeployVersion(ctx, "Web", "1", prod.UUID, "")
		require.NoError(t, err)
		assert.True(t, created)
		again, created, err := s.DeployVersion(ctx, "Web", "1", prod.UUID, "")
		require.NoError(t, err)
		assert.False(t, created, "the same version again is returned as-is")
		assert.Equal(t, d1.UUID, again.UUID)
		blue, _, err := s.DeployVersion(ctx, "Web", "2", prod.UUID, "blue")
		require.NoError(t, err)
		assert.Equal(t, "blue", blue.ApplicationInstance)
		cur, err := s.CurrentlyDeployed(ctx, prod.UUID, broker.DeploymentFilter{})
		require.NoError(t, err)
		require.Len(t, cur, 2, "another instance is its own slot")

		d3, _, err := s.DeployVersion(ctx, "Web", "3", prod.UUID, "")
		require.NoError(t, err)
		old, err := s.GetDeployedVersion(ctx, d1.UUID)
		require.NoError(t, err)
		assert.False(t, old.CurrentlyDeployed(), "version 1 left when 3 took its slot")
		cur, err = s.CurrentlyDeployed(ctx, prod.UUID, broker.DeploymentFilter{Pacticipant: "Web", ApplicationInstance: "blue"})
		require.NoError(t, err)
		require.Len(t, cur, 1)
		assert.Equal(t, "2", cur[0].Version.Number)

		un, err := s.Undeploy(ctx, d3.UUID)
		require.NoError(t, err)
		assert.NotNil(t, un.UndeployedAt)
		un2, err := s.Undeploy(ctx, d3.UUID)
		require.NoError(t, err)
		assert.Equal(t, un.UndeployedAt, un2.UndeployedAt, "undeploying twice keeps the first time")
		hist, err := s.VersionDeployments(ctx, "Web", "1", prod.UUID)
		require.NoError(t, err)
		require.Len(t, hist, 1)

		_, _, err = s.DeployVersion(ctx, "Web", "9", prod.UUID, "")
		codeOf(t, err, broker.NotFound)
		_, _, err = s.DeployVersion(ctx, "Web", "1", "no-such-uuid", "")
		codeOf(t, err, broker.NotFound)
		_, err = s.Undeploy(ctx, "no-such-uuid")
		codeOf(t, err, broker.NotFound)
	})

	t.Run("several releases are supported at once", func(t *testing.T) {
		r1, created, err := s.ReleaseVersion(ctx, "Web", "1", prod.UUID)
		require.NoError(t, err)
		assert.True(t, created)
		_, _, err = s.ReleaseVersion(ctx, "Web", "2", prod.UUID)
		require.NoError(t, err)
		sup, err := s.CurrentlySupported(ctx, prod.UUID, broker.DeploymentFilter{Pacticipant: "Web"})
		require.NoError(t, err)
		require.Len(t, sup, 2)
		ended, err := s.EndSupport(ctx, r1.UUID)
		require.NoError(t, err)
		assert.False(t, ended.CurrentlySupported())
		sup, err = s.CurrentlySupported(ctx, prod.UUID, broker.DeploymentFilter{})
		require.NoError(t, err)
		require.Len(t, sup, 1)
		back, created, err := s.ReleaseVersion(ctx, "Web", "1", prod.UUID)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, r1.UUID, back.UUID)
		assert.True(t, back.CurrentlySupported(), "releasing again supports it again")
	})

	t.Run("a tag named after an environment records a deployment", func(t *testing.T) {
		_, _, err := s.AddTag(ctx, "Web", "2", "test")
		require.NoError(t, err)
		cur, err := s.CurrentlyDeployed(ctx, test.UUID, broker.DeploymentFilter{Pacticipant: "Web"})
		require.NoError(t, err)
		require.Len(t, cur, 1)
		assert.True(t, cur[0].AutoCreated)
		_, _, err = s.AddTag(ctx, "Web", "2", "not-an-environment")
		require.NoError(t, err)
	})

	t.Run("deleting an environment removes its records", func(t *testing.T) {
		cur, err := s.CurrentlyDeployed(ctx, prod.UUID, broker.DeploymentFilter{})
		require.NoError(t, err)
		require.NotEmpty(t, cur)
		require.NoError(t, s.DeleteEnvironment(ctx, prod.UUID))
		_, err = s.GetDeployedVersion(ctx, cur[0].UUID)
		codeOf(t, err, broker.NotFound)
		codeOf(t, s.DeleteEnvironment(ctx, prod.UUID), broker.NotFound)
	})
}

// Concurrent deployments to one slot leave exactly one version there.
func TestConcurrentDeployments(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var s *sqlstore.Store
			if backend == "postgres" {
				s = newPostgres(t)
			} else {
				s = newSQLite(t)
			}
			ctx := t.Context()
			const n = 8
			for i := range n {
				storetest.Publish(t, s, "Web", fmt.Sprint(i), "main", "Orders", nil, "get")
			}
			env, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
			require.NoError(t, err)
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, errs[i] = s.DeployVersion(ctx, "Web", fmt.Sprint(i), env.UUID, "")
				}()
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			cur, err := s.CurrentlyDeployed(ctx, env.UUID, broker.DeploymentFilter{Pacticipant: "Web"})
			require.NoError(t, err)
			assert.Len(t, cur, 1, "one version per environment slot")
		})
	}
}
