package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// A webhook is delivered right after the publication that triggered it
// commits, not at the dispatcher's next poll (a minute here): the committing
// broker wakes its dispatcher, and on PostgreSQL a publication through
// another broker (here a bare API over its own store, with no dispatcher)
// wakes this one through LISTEN/NOTIFY.
func TestWebhooksWakeOnCommit(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			hits := make(chan time.Time, 16)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				hits <- time.Now()
			}))
			t.Cleanup(receiver.Close)
			db := "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")
			if backend == "postgres" {
				db = pg.Database(t)
			}
			m := NewMain(io.Discard)
			require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", db}, env(map[string]string{
				"PACT_BROKER_WEBHOOK_SCHEME_WHITELIST": "http",
				"PACT_BROKER_WEBHOOK_HOST_WHITELIST":   "127.0.0.1",
				"PACT_BROKER_WEBHOOK_POLL_INTERVAL":    "60",
			})))
			require.NoError(t, m.Run(context.Background()))
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				m.Close(ctx)
			})
			status, body := postJSON(t, m.URL()+"/webhooks", map[string]any{
				"events":  []map[string]string{{"name": "contract_published"}},
				"request": map[string]any{"method": "POST", "url": receiver.URL + "/hook"},
			})
			require.Equal(t, http.StatusCreated, status, "%v", body)
			publishTo := map[string]string{"this broker": m.URL()}
			if backend == "postgres" {
				other, err := sqlstore.Open(t.Context(), db, nil)
				require.NoError(t, err)
				t.Cleanup(func() { other.Close() })
				publishTo["another broker"] = brokertest.Serve(t, other, httpapi.Config{})
			}
			time.Sleep(100 * time.Millisecond) // the dispatcher's first poll is over
			for name, base := range publishTo {
				var took []time.Duration
				for i := range 5 {
					status, body := postJSON(t, base+"/contracts/publish", map[string]any{
						"pacticipantName": "Web", "pacticipantVersionNumber": fmt.Sprintf("%s-%d", name, i), "branch": "main",
						"contracts": []map[string]any{{"consumerName": "Web", "providerName": "Users", "specification": "pact", "contentType": "application/json",
							"content": storetest.PactJSON("Web", "Users", "get user")}},
					})
					acked := time.Now()
					require.Equal(t, http.StatusOK, status, "%v", body)
					select {
					case at := <-hits:
						took = append(took, max(at.Sub(acked), 0))
					case <-time.After(10 * time.Second):
						t.Fatalf("publication %d through %s: no delivery within 10 s (the poll is every 60 s)", i, name)
					}
				}
				slices.Sort(took)
				t.Logf("%s: publication acknowledged -> delivery p50 %s, max %s", name, took[len(took)/2], took[len(took)-1])
			}
		})
	}
}
