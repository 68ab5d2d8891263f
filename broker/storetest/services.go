package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
)

// The services other than pacts, versions and verifications: environments
// and deployments, webhooks and their outbox, the matrix facts and health.

func testEnvironmentsAndDeployments(t *testing.T, s Store) {
	ctx := t.Context()
	for _, v := range []string{"1", "2", "3"} {
		Publish(t, s, "Web", v, "main", "Orders", nil, "get "+v)
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
		code(t, err, broker.Conflict)
		_, err = s.ReplaceEnvironment(ctx, "no-such-uuid", broker.Environment{Name: "x"})
		code(t, err, broker.NotFound)
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
		code(t, err, broker.NotFound)
		_, _, err = s.DeployVersion(ctx, "Web", "1", "no-such-uuid", "")
		code(t, err, broker.NotFound)
		_, err = s.Undeploy(ctx, "no-such-uuid")
		code(t, err, broker.NotFound)
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
		code(t, err, broker.NotFound)
		code(t, s.DeleteEnvironment(ctx, prod.UUID), broker.NotFound)
	})
}

// Concurrent deployments to one slot leave exactly one version there.
func testConcurrentDeployments(t *testing.T, s Store) {
	ctx := t.Context()
	const n = 8
	for i := range n {
		Publish(t, s, "Web", fmt.Sprint(i), "main", "Orders", nil, "get")
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
}

func testWebhooks(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "1", "main", "Orders", nil, "get")
	hook := broker.Webhook{Description: "build orders", Consumer: &broker.WebhookPacticipant{Name: "Web"}, Provider: &broker.WebhookPacticipant{Name: "Orders"},
		Enabled: true, Events: []string{broker.EventContractPublished}, Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/orders"}}

	bad := hook
	bad.Consumer = &broker.WebhookPacticipant{Name: "Nobody"}
	_, err := s.CreateWebhook(ctx, bad)
	code(t, err, broker.Invalid)

	saved, err := s.CreateWebhook(ctx, hook)
	require.NoError(t, err)
	require.NotEmpty(t, saved.UUID, "a webhook without a UUID gets one")
	got, err := s.GetWebhook(ctx, saved.UUID)
	require.NoError(t, err)
	assert.Equal(t, "build orders", got.Description)
	assert.Equal(t, []string{broker.EventContractPublished}, got.Events)

	other := hook
	other.UUID, other.Description, other.Events = "0b0b0b0b-0000-4000-8000-000000000001", "on verification", []string{broker.EventProviderVerificationPublished}
	_, created, err := s.PutWebhook(ctx, other)
	require.NoError(t, err)
	assert.True(t, created)
	other.Description = "on every verification"
	put, created, err := s.PutWebhook(ctx, other)
	require.NoError(t, err)
	assert.False(t, created, "putting the same UUID replaces")
	assert.Equal(t, "on every verification", put.Description)
	all, err := s.ListWebhooks(ctx, broker.WebhookFilter{})
	require.NoError(t, err)
	assert.Len(t, all, 2)

	// A publication enqueues the webhooks it triggers, in its transaction.
	Publish(t, s, "Web", "2", "main", "Orders", nil, "get", "list")
	ts, err := s.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: "Web", Provider: "Orders", ConsumerVersion: "2"})
	require.NoError(t, err)
	require.Len(t, ts, 1, "only the webhook of contract_published fires")
	assert.Equal(t, saved.UUID, ts[0].WebhookUUID)
	assert.Equal(t, broker.TriggeredNotRun, ts[0].Status)
	assert.Equal(t, "2", ts[0].Context.ConsumerVersion)

	wctx, err := s.WebhookTestContext(ctx, got)
	require.NoError(t, err)
	assert.Equal(t, "Web", wctx.Consumer)
	assert.Equal(t, "2", wctx.ConsumerVersion, "a test run renders the latest matching pact")

	require.NoError(t, s.DeleteWebhook(ctx, saved.UUID))
	_, err = s.GetWebhook(ctx, saved.UUID)
	code(t, err, broker.NotFound)
	ts, err = s.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: "Web", Provider: "Orders", ConsumerVersion: "2"})
	require.NoError(t, err)
	assert.Empty(t, ts, "deleting a webhook deletes what it triggered")
}

func testWebhookOutbox(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "1", "main", "Orders", nil, "get")
	_, err := s.CreateWebhook(ctx, broker.Webhook{Enabled: true, Events: []string{broker.EventContractPublished},
		Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/any"}})
	require.NoError(t, err)
	Publish(t, s, "Web", "2", "main", "Orders", nil, "get", "list")

	claimed, err := s.ClaimDeliveries(ctx, "broker-a", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	again, err := s.ClaimDeliveries(ctx, "broker-b", time.Minute, 10)
	require.NoError(t, err)
	assert.Empty(t, again, "a leased delivery belongs to one owner")

	held, err := s.FinishDelivery(ctx, "broker-b", claimed[0].ID, broker.DeliveryOutcome{Success: true})
	require.NoError(t, err)
	assert.False(t, held, "only the owner of the lease records the attempt")
	held, err = s.FinishDelivery(ctx, "broker-a", claimed[0].ID, broker.DeliveryOutcome{Logs: "503", RetryAfter: time.Hour})
	require.NoError(t, err)
	assert.True(t, held)
	tw, execs, err := s.TriggeredWebhookLogs(ctx, claimed[0].UUID)
	require.NoError(t, err)
	assert.Equal(t, broker.TriggeredRetrying, tw.Status)
	assert.Equal(t, 1, tw.Attempts)
	require.Len(t, execs, 1)
	assert.Equal(t, "503", execs[0].Logs)
	later, err := s.ClaimDeliveries(ctx, "broker-b", time.Minute, 10)
	require.NoError(t, err)
	assert.Empty(t, later, "a retry waits for its time")

	// Releasing hands a lease back at once.
	Publish(t, s, "Web", "3", "main", "Orders", nil, "get", "list", "cancel")
	claimed, err = s.ClaimDeliveries(ctx, "broker-a", time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	require.NoError(t, s.ReleaseDeliveries(ctx, "broker-a"))
	again, err = s.ClaimDeliveries(ctx, "broker-b", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, claimed[0].ID, again[0].ID)
}

func testMatrix(t *testing.T, s Store) {
	ctx := context.Background()
	Publish(t, s, "Web", "1", "main", "Orders", nil, "get")
	Publish(t, s, "Web", "2", "main", "Orders", nil, "get", "list")
	p, err := s.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: "1"})
	require.NoError(t, err)
	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p.SHA, ProviderVersion: "o1", Success: true})
	require.NoError(t, err)

	ask := func(web string) matrix.Result {
		t.Helper()
		res, err := matrix.Decide(ctx, s.MatrixFacts(), matrix.Query{Selectors: []matrix.Selector{{Pacticipant: "Web", Version: web}, {Pacticipant: "Orders", Version: "o1"}}})
		require.NoError(t, err)
		return res
	}
	res := ask("1")
	require.Len(t, res.Rows, 1)
	require.NotNil(t, res.Summary.Deployable)
	assert.True(t, *res.Summary.Deployable, "Web 1 was verified by Orders o1")
	assert.Nil(t, ask("2").Summary.Deployable, "Web 2's content was never verified")

	details, err := s.MatrixVersionDetails(ctx, []int64{res.Rows[0].Pact.ConsumerVersion.ID})
	require.NoError(t, err)
	d := details[res.Rows[0].Pact.ConsumerVersion.ID]
	require.Len(t, d.Branches, 1)
	assert.Equal(t, matrix.BranchInfo{Name: "main", Latest: false}, d.Branches[0], "Web 2 is the head of main")
}

func testHealth(t *testing.T, s Store) {
	require.NoError(t, s.Ping(context.Background()))
}
