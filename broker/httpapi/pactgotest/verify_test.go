package pactgotest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// userAPI is a provider that satisfies every pact storetest.PactJSON writes
// for it: GET /<description> answers 200.
func userAPI(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPactGoVerificationThroughBroker(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := brokertest.NewStore(t, backend)
			since := time.Now().Add(-time.Hour)
			const prov = "User API"

			mainPact := storetest.Publish(t, s, "Web App", "w1", "main", prov, nil, "main-user").Pacts[0].Pact.SHA
			matching := storetest.Publish(t, s, "Web App", "w2", "feat/login", prov, nil, "login-user").Pacts[0].Pact.SHA
			deployed := storetest.Publish(t, s, "Mobile", "m1", "release/1", prov, nil, "mobile-user").Pacts[0].Pact.SHA
			_, err := s.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
			require.NoError(t, err)
			storetest.Deploy(t, s, "Mobile", "m1", "production", "")
			wip := storetest.Publish(t, s, "Mobile", "m2", "feat/wip", prov, nil, "wip-user").Pacts[0].Pact.SHA

			url := brokertest.Serve(t, s, httpapi.Config{Auth: httpedge.Auth{Token: "t0ken"}})
			err = provider.NewVerifier().VerifyProvider(t, provider.VerifyRequest{
				Provider:        prov,
				ProviderBaseURL: userAPI(t),
				BrokerURL:       url,
				BrokerToken:     "t0ken",
				ConsumerVersionSelectors: []provider.Selector{
					&provider.ConsumerVersionSelector{MainBranch: true},
					&provider.ConsumerVersionSelector{MatchingBranch: true},
					&provider.ConsumerVersionSelector{DeployedOrReleased: true},
				},
				EnablePending:              true,
				IncludeWIPPactsSince:       &since,
				ProviderVersion:            "p1",
				ProviderBranch:             "feat/login",
				PublishVerificationResults: true,
				FailIfNoPactsFound:         true,
				DisableColoredOutput:       true,
			})
			require.NoError(t, err)

			v, err := s.GetVersion(ctx, prov, "p1")
			require.NoError(t, err, "the verifier records the provider version")
			require.Len(t, v.Branches, 1)
			assert.Equal(t, "feat/login", v.Branches[0].Branch)

			for name, c := range map[string]struct {
				consumer, sha string
				wip           bool
			}{
				"mainBranch":         {"Web App", mainPact, false},
				"matchingBranch":     {"Web App", matching, false},
				"deployedOrReleased": {"Mobile", deployed, false},
				"work in progress":   {"Mobile", wip, true},
			} {
				ver, err := s.LatestVerification(ctx, c.consumer, prov, c.sha)
				require.NoError(t, err, "%s pact was not verified", name)
				assert.True(t, ver.Success, name)
				assert.Equal(t, "p1", ver.ProviderVersion, name)
				assert.Equal(t, c.wip, ver.WIP, name)
				assert.True(t, ver.Pending, "%s: never verified before, so it was pending", name)
				assert.Contains(t, string(ver.VerifiedBy), "pact-go", name)
				assert.Contains(t, string(ver.TestResults), "interactionId", name)
			}

			// A second run: feat/login has now verified everything, so
			// nothing is pending and the WIP pact is no longer WIP... except
			// that WIP verifications do not count, so it stays WIP.
			pacts, err := verifiable.Find(ctx, s, prov, verifiable.Query{
				Selectors:      []verifiable.ConsumerVersionSelector{{MainBranch: true}, {MatchingBranch: true}, {DeployedOrReleased: true}},
				ProviderBranch: "feat/login", IncludePending: true, WIPSince: &since,
			})
			require.NoError(t, err)
			require.Len(t, pacts, 4)
			for _, p := range pacts {
				assert.Equal(t, p.WIP, p.Pending, "%s %s: only the WIP pact is still pending", p.Consumer, p.ShortDescription())
			}
		})
	}
}
