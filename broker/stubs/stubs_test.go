package stubs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/stubs"
)

// facts is an in-memory Facts: users versions 1 (deployed to production,
// verified gateway's and orders' pacts, failed an old one) and 2 (head of
// main, verified nothing).
type facts struct{}

var (
	v1 = matrix.Version{ID: 1, Number: "1", Order: 1}
	v2 = matrix.Version{ID: 2, Number: "2", Order: 2}
)

const (
	v4Pact = `{"consumer":{"name":"gateway"},"provider":{"name":"users"},"interactions":[
	  {"type":"Synchronous/HTTP","_id":"x","description":"a request for user 1","providerStates":[{"name":"user 1 exists"}],
	   "request":{"method":"GET","path":"/users/1"},"response":{"status":200,"body":{"content":{"id":1},"contentType":"application/json","encoded":false}}},
	  {"type":"Asynchronous/Messages","description":"an event","contents":{"content":{}}}],
	  "metadata":{"pactSpecification":{"version":"4.0"}}}`
	v2Pact = `{"consumer":{"name":"orders"},"provider":{"name":"users"},"interactions":[
	  {"description":"a customer check","providerState":"a user exists","request":{"method":"GET","path":"/users/7","query":"fields=id&fields=name","headers":{"Accept":"application/json"}},
	   "response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":7}}}],
	  "metadata":{"pactSpecification":{"version":"2.0.0"}}}`
)

func (facts) Pacticipant(_ context.Context, name string) (matrix.Pacticipant, bool, error) {
	return matrix.Pacticipant{Name: "users", MainBranch: "main"}, name == "users", nil
}

func (facts) EnvironmentExists(_ context.Context, name string) (bool, error) {
	return name == "production" || name == "test", nil
}

func (facts) Versions(_ context.Context, s matrix.Selector) ([]matrix.Version, error) {
	switch {
	case s.Environment == "production":
		return []matrix.Version{v1}, nil
	case s.Branch == "main":
		return []matrix.Version{v2}, nil
	case s.Branch == "release":
		return []matrix.Version{v1}, nil
	}
	return nil, nil
}

func (facts) Verifications(_ context.Context, q matrix.VerificationQuery) ([]matrix.Verification, error) {
	if q.Providers[0].VersionIDs[0] != 1 {
		return nil, nil
	}
	return []matrix.Verification{
		{Consumer: "gateway", Provider: "users", SHA: "g1", Success: true},
		{Consumer: "orders", Provider: "users", SHA: "o1", Success: true},
		{Consumer: "old", Provider: "users", SHA: "x1", Success: false},
	}, nil
}

func (facts) PactContent(_ context.Context, consumer, _, sha string) ([]byte, error) {
	switch consumer + "/" + sha {
	case "gateway/g1":
		return []byte(v4Pact), nil
	case "orders/o1":
		return []byte(v2Pact), nil
	}
	return nil, errors.New("no such pact: " + consumer + " " + sha)
}

func TestStubPactMergesWhatTheVersionVerified(t *testing.T) {
	for _, tc := range []struct {
		name string
		get  func() ([]byte, error)
	}{
		{"environment", func() ([]byte, error) {
			return stubs.ForEnvironment(context.Background(), facts{}, "users", "production")
		}},
		{"branch", func() ([]byte, error) { return stubs.ForBranch(context.Background(), facts{}, "users", "release") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := tc.get()
			require.NoError(t, err)
			var pact struct {
				Consumer     struct{ Name string }
				Provider     struct{ Name string }
				Interactions []map[string]any
				Metadata     struct {
					PactSpecification struct{ Version string }
				}
			}
			require.NoError(t, json.Unmarshal(raw, &pact))
			assert.Equal(t, "gateway+orders", pact.Consumer.Name)
			assert.Equal(t, "users", pact.Provider.Name)
			assert.Equal(t, "4.0", pact.Metadata.PactSpecification.Version)
			require.Len(t, pact.Interactions, 2, "HTTP interactions only, of the successful verifications only")
			assert.NotContains(t, pact.Interactions[0], "_id")
			assert.Equal(t, map[string]any{"consumer": "gateway"}, pact.Interactions[0]["comments"])
			// The V2 interaction, in V4 form.
			v2 := pact.Interactions[1]
			assert.Equal(t, "Synchronous/HTTP", v2["type"])
			assert.Equal(t, []any{map[string]any{"name": "a user exists"}}, v2["providerStates"])
			req := v2["request"].(map[string]any)
			assert.Equal(t, map[string]any{"fields": []any{"id", "name"}}, req["query"])
			assert.Equal(t, map[string]any{"Accept": []any{"application/json"}}, req["headers"])
			resp := v2["response"].(map[string]any)
			assert.Equal(t, map[string]any{"content": map[string]any{"id": 7.0}, "contentType": "application/json", "encoded": false}, resp["body"])
		})
	}
}

func TestStubPactSaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		get  func() ([]byte, error)
		want string
	}{
		{"unknown provider", func() ([]byte, error) { return stubs.ForEnvironment(ctx, facts{}, "nobody", "production") },
			`there is no pacticipant "nobody": check the provider's name`},
		{"unknown environment", func() ([]byte, error) { return stubs.ForEnvironment(ctx, facts{}, "users", "staging") },
			`there is no environment "staging": create it (accord create-environment --name staging)`},
		{"nothing deployed", func() ([]byte, error) { return stubs.ForEnvironment(ctx, facts{}, "users", "test") },
			"no version of users is deployed to test: record a deployment (accord record-deployment --pacticipant users --version VERSION --environment test)"},
		{"no version on the branch", func() ([]byte, error) { return stubs.ForBranch(ctx, facts{}, "users", "feat/x") },
			`users has no version on the branch "feat/x"`},
		{"nothing verified", func() ([]byte, error) { return stubs.ForBranch(ctx, facts{}, "users", "main") },
			"users 2 (the latest of the branch main) has no successful verification, so nothing is proven to stub: verify it and publish the results (accord verify --publish)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.get()
			var be *broker.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, broker.NotFound, be.Code)
			assert.Contains(t, be.Message, tc.want)
		})
	}
}
