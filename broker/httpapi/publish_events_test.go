package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// TestPublishNoticeReportsContentChangedLikeTheOutbox publishes a series of
// pacts with a contract_content_changed webhook configured and checks that
// the "Events detected" notice names contract_content_changed exactly when
// the outbox queued it, with the Pact Broker's reasons: identical content
// for a new version is no change.
func TestPublishNoticeReportsContentChangedLikeTheOutbox(t *testing.T) {
	ctx := context.Background()
	store, c := newAPI(t, httpapi.Config{Webhooks: loopbackWebhooks})
	for _, n := range []string{"Web", "Users"} {
		_, err := store.CreatePacticipant(ctx, n, broker.PacticipantUpdate{})
		require.NoError(t, err)
	}
	_, err := store.CreateWebhook(ctx, broker.Webhook{
		Description: "users build", Enabled: true,
		Events:  []string{broker.EventContractContentChanged},
		Request: broker.WebhookRequest{Method: "POST", URL: "http://127.0.0.1:1/hook"},
	})
	require.NoError(t, err)

	steps := []struct {
		name, version string
		tags          []string
		interactions  []string
		changed       bool
		events        string
	}{
		{"first pact for a tag", "1", []string{"dev"}, []string{"a"}, true,
			"contract_published, contract_content_changed (first time any pact published for this consumer with consumer version tagged dev)"},
		{"same content, new version, same tag", "2", []string{"dev"}, []string{"a"}, false,
			"contract_published (pact content is the same as previous version with tag dev and no new tags were applied)"},
		{"same content republished for the same version", "2", []string{"dev"}, []string{"a"}, false,
			"contract_published"},
		{"new content for the tag", "3", []string{"dev"}, []string{"a", "b"}, true,
			"contract_published, contract_content_changed (pact content has changed since the last consumer version tagged with dev)"},
		{"same content under a new tag", "4", []string{"dev", "prod"}, []string{"a", "b"}, true,
			"contract_published, contract_content_changed (first time any pact published for this consumer with consumer version tagged prod)"},
		{"same content under both tags", "5", []string{"dev", "prod"}, []string{"a", "b"}, false,
			"contract_published (pact content is the same as previous versions with tags dev, prod and no new tags were applied)"},
		{"first untagged pact", "6", nil, []string{"a", "b"}, true,
			"contract_published, contract_content_changed (first time untagged pact published)"},
		{"same untagged content", "7", nil, []string{"a", "b"}, false,
			"contract_published (pact content is the same as the previous untagged version)"},
		{"changed untagged content", "8", nil, []string{"c"}, true,
			"contract_published, contract_content_changed (pact content has changed since previous untagged version)"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := changedTriggers(t, store, st.version)
			body := map[string]any{
				"pacticipantName": "Web", "pacticipantVersionNumber": st.version, "branch": "main", "tags": st.tags,
				"contracts": []any{map[string]any{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
					"content": base64.StdEncoding.EncodeToString(storetest.PactJSON("Web", "Users", st.interactions...))}},
			}
			code, res, _ := c.do("POST", "/contracts/publish", body)
			require.Equal(t, 200, code, "%v", res)
			var detected []string
			for _, n := range res["notices"].([]any) {
				if text := n.(map[string]any)["text"].(string); strings.HasPrefix(text, "  Events detected: ") {
					detected = append(detected, strings.TrimPrefix(text, "  Events detected: "))
				}
			}
			require.Len(t, detected, 1, "one Events detected notice per contract: %v", res["notices"])
			assert.Equal(t, st.events, detected[0])

			queued := changedTriggers(t, store, st.version) - before
			want := 0
			if st.changed {
				want = 1
			}
			assert.Equal(t, want, queued, "the outbox queues contract_content_changed exactly when the notice lists it")
			assert.Equal(t, queued == 1, strings.Contains(detected[0], "contract_content_changed"))
		})
	}
}

// changedTriggers counts the contract_content_changed webhooks queued for
// a version of Web's pact with Users.
func changedTriggers(t *testing.T, s broker.Webhooks, version string) int {
	t.Helper()
	ts, err := s.TriggeredWebhooks(context.Background(), broker.TriggeredFilter{Consumer: "Web", Provider: "Users", ConsumerVersion: version})
	if broker.ErrorCode(err) == broker.NotFound {
		return 0
	}
	require.NoError(t, err, fmt.Sprintf("triggered webhooks of version %s", version))
	n := 0
	for _, tw := range ts {
		if tw.EventName == broker.EventContractContentChanged {
			n++
		}
	}
	return n
}
