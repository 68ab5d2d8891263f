package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
)

// TestWhichWebhooksFire: scoping by name and label, and disabled webhooks.
func TestWhichWebhooksFire(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, sqliteURL(t))
	for _, n := range []string{"Web", "Mobile", "Users", "Orders"} {
		_, _, err := s.UpdatePacticipant(ctx, n, broker.PacticipantUpdate{}, true)
		require.NoError(t, err)
	}
	var usersID int64
	require.NoError(t, s.DB().QueryRow(`SELECT id FROM pacticipants WHERE name = 'Users'`).Scan(&usersID))
	_, err := s.DB().Exec(`INSERT INTO labels (pacticipant_id, name, created_at) VALUES (?, 'core', 0)`, usersID)
	require.NoError(t, err)

	hook := func(desc string, enabled bool, consumer, provider *broker.WebhookPacticipant) {
		_, err := s.CreateWebhook(ctx, broker.Webhook{Description: desc, Enabled: enabled, Consumer: consumer, Provider: provider,
			Events: []string{broker.EventContractPublished}, Request: broker.WebhookRequest{Method: "POST", URL: "http://127.0.0.1:9/" + desc}})
		require.NoError(t, err)
	}
	hook("global", true, nil, nil)
	hook("disabled", false, nil, nil)
	hook("web-only", true, &broker.WebhookPacticipant{Name: "Web"}, nil)
	hook("users-only", true, nil, &broker.WebhookPacticipant{Name: "Users"})
	hook("core-label", true, nil, &broker.WebhookPacticipant{Label: "core"})
	hook("mobile-users", true, &broker.WebhookPacticipant{Name: "Mobile"}, &broker.WebhookPacticipant{Name: "Users"})

	fired := func(consumer, provider string) []string {
		publish(t, s, consumer, "1", "main", provider, "a")
		var out []string
		for _, tw := range triggered(t, s, consumer, provider, "1") {
			out = append(out, tw.Webhook.Description)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"global", "web-only", "users-only", "core-label"}, fired("Web", "Users"))
	assert.ElementsMatch(t, []string{"global", "users-only", "core-label", "mobile-users"}, fired("Mobile", "Users"))
	assert.ElementsMatch(t, []string{"global", "web-only"}, fired("Web", "Orders"))
}

// TestTimeout: a receiver that does not answer in time fails the attempt.
func TestTimeout(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	release := make(chan struct{})
	rc := newReceiver(t)
	rc.setRespond(func(int) int {
		<-release
		return http.StatusOK
	})
	t.Cleanup(func() { close(release) })
	createWebhook(t, s, "Users", "http://"+rc.addr, broker.EventContractPublished)
	cfg := testConfig()
	cfg.Timeout = 100 * time.Millisecond
	d := startDispatcher(t, s, cfg)
	publish(t, s, "Web", "1", "main", "Users", "a")
	eventually(t, 10*time.Second, "the attempt times out", func() bool {
		return triggered(t, s, "Web", "Users", "1")[0].Status == broker.TriggeredFailure
	})
	stop(t, d)
	tw := triggered(t, s, "Web", "Users", "1")[0]
	_, execs, err := s.TriggeredWebhookLogs(context.Background(), tw.UUID)
	require.NoError(t, err)
	require.Len(t, execs, 1)
	assert.Contains(t, execs[0].Logs, "no response within 100ms")
}

// TestSlowReceiverHoldsUpOnlyItsWorker: while one delivery hangs, the other
// workers keep delivering.
func TestSlowReceiverHoldsUpOnlyItsWorker(t *testing.T) {
	s := openStore(t, sqliteURL(t))
	release := make(chan struct{})
	slow, fast := newReceiver(t), newReceiver(t)
	slow.setRespond(func(n int) int {
		if n == 1 {
			<-release
		}
		return http.StatusOK
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	createWebhook(t, s, "Users", "http://"+slow.addr, broker.EventContractPublished)
	createWebhook(t, s, "Users", "http://"+fast.addr, broker.EventContractPublished)
	cfg := testConfig()
	cfg.Workers = 2
	d := startDispatcher(t, s, cfg)
	for _, v := range []string{"1", "2", "3"} {
		publish(t, s, "Web", v, "main", "Users", "a"+v)
	}
	eventually(t, 10*time.Second, "everything but the hanging delivery is delivered", func() bool {
		return len(fast.got()) == 3 && len(slow.got()) == 3
	})
	assert.Equal(t, broker.TriggeredNotRun, triggered(t, s, "Web", "Users", "1")[0].Status, "the first delivery still hangs")
	close(release)
	eventually(t, 10*time.Second, "the hanging delivery completes", func() bool {
		for _, tw := range triggered(t, s, "Web", "Users", "1") {
			if tw.Status != broker.TriggeredSuccess {
				return false
			}
		}
		return true
	})
	stop(t, d)
}
