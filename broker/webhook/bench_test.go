package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/webhook"
)

func benchStore(b *testing.B, backend string) *sqlstore.Store {
	if backend == "postgres" {
		return openStore(b, pg.Database(b))
	}
	return openStore(b, sqliteURL(b))
}

// BenchmarkPublishOutbox measures what writing triggered webhooks in the
// publication's transaction costs: publishing with no webhooks against
// publishing with three that all fire (one of them once per provider
// version that must verify).
func BenchmarkPublishOutbox(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, hooks := range []int{0, 3} {
			b.Run(fmt.Sprintf("%s/webhooks=%d", backend, hooks), func(b *testing.B) {
				ctx := context.Background()
				s := benchStore(b, backend)
				main := "main"
				if _, _, err := s.UpdatePacticipant(ctx, "Users", broker.PacticipantUpdate{MainBranch: &main}, true); err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.AddBranchVersion(ctx, "Users", "main", "u1"); err != nil {
					b.Fatal(err)
				}
				events := [][]string{{broker.EventContractPublished}, {broker.EventContractContentChanged}, {broker.EventContractRequiringVerificationPublished}}
				for i := range hooks {
					createWebhook(b, s, "Users", "http://127.0.0.1:9", events[i%len(events)]...)
				}
				b.ResetTimer()
				for i := range b.N {
					v := fmt.Sprint(i)
					_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: v, Branch: "main",
						Contracts: []broker.Contract{{ConsumerName: "Web", ProviderName: "Users", Content: storetest.PactJSON("Web", "Users", "i"+v)}}})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publications/s")
			})
		}
	}
}

// BenchmarkDispatch measures delivery throughput from the outbox to a
// loopback receiver.
func BenchmarkDispatch(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			s := benchStore(b, backend)
			rc := newReceiver(b)
			rc.setRespond(func(int) int { return http.StatusNoContent })
			createWebhook(b, s, "Users", "http://"+rc.addr, broker.EventContractPublished)
			for i := range b.N {
				v := fmt.Sprint(i)
				if _, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: v,
					Contracts: []broker.Contract{{ConsumerName: "Web", ProviderName: "Users", Content: storetest.PactJSON("Web", "Users", "i"+v)}}}); err != nil {
					b.Fatal(err)
				}
			}
			cfg := testConfig()
			cfg.Workers = 8
			b.ResetTimer()
			d := webhook.NewDispatcher(s, cfg, nil, nil)
			d.Start()
			eventually(b, time.Minute, "all delivered", func() bool { return len(rc.got()) >= b.N })
			b.StopTimer()
			stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = d.Stop(stopCtx)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
