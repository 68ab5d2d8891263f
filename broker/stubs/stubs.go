// Package stubs builds a provider's stub pact: one valid V4 pact file
// holding the HTTP interactions of every pact that a provider version
// verified successfully — what that version is proven to answer — so a
// consumer can develop against a stub of it (contracts.Stub, or the
// official `pact stub`).
//
// It is pure Go over Facts (the matrix's facts plus pact content), with no
// HTTP and no SQL.
package stubs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
)

// Facts is what a stub pact is built from.
type Facts interface {
	Pacticipant(ctx context.Context, name string) (p matrix.Pacticipant, ok bool, err error)
	EnvironmentExists(ctx context.Context, name string) (bool, error)
	Versions(ctx context.Context, s matrix.Selector) ([]matrix.Version, error)
	Verifications(ctx context.Context, q matrix.VerificationQuery) ([]matrix.Verification, error)
	// PactContent is the stored JSON of the pact content sha of the pair.
	PactContent(ctx context.Context, consumer, provider, sha string) ([]byte, error)
}

// ForEnvironment is the stub pact of the provider versions deployed to (or
// released in) env.
func ForEnvironment(ctx context.Context, f Facts, provider, env string) ([]byte, error) {
	p, err := pacticipant(ctx, f, provider)
	if err != nil {
		return nil, err
	}
	ok, err := f.EnvironmentExists(ctx, env)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, broker.Errorf(broker.NotFound, "there is no environment %q: create it (accord create-environment --name %s)", env, env)
	}
	versions, err := f.Versions(ctx, matrix.Selector{Pacticipant: p.Name, Environment: env})
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, broker.Errorf(broker.NotFound, "no version of %s is deployed to %s: record a deployment (accord record-deployment --pacticipant %s --version VERSION --environment %s)",
			p.Name, env, p.Name, env)
	}
	return build(ctx, f, p.Name, versions, "deployed to "+env)
}

// ForBranch is the stub pact of the latest provider version of branch.
func ForBranch(ctx context.Context, f Facts, provider, branch string) ([]byte, error) {
	p, err := pacticipant(ctx, f, provider)
	if err != nil {
		return nil, err
	}
	versions, err := f.Versions(ctx, matrix.Selector{Pacticipant: p.Name, Branch: branch, Latest: true})
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, broker.Errorf(broker.NotFound, "%s has no version on the branch %q: publish one (a verification with its branch, or accord publish)", p.Name, branch)
	}
	return build(ctx, f, p.Name, versions[:1], "the latest of the branch "+branch)
}

func pacticipant(ctx context.Context, f Facts, name string) (matrix.Pacticipant, error) {
	p, ok, err := f.Pacticipant(ctx, name)
	if err != nil {
		return p, err
	}
	if !ok {
		return p, broker.Errorf(broker.NotFound, "there is no pacticipant %q: check the provider's name", name)
	}
	return p, nil
}

// build merges the interactions of the pacts the versions verified
// successfully (their latest result per pact content).
func build(ctx context.Context, f Facts, provider string, versions []matrix.Version, which string) ([]byte, error) {
	ids := make([]int64, len(versions))
	numbers := make([]string, len(versions))
	for i, v := range versions {
		ids[i], numbers[i] = v.ID, v.Number
	}
	results, err := f.Verifications(ctx, matrix.VerificationQuery{Providers: []matrix.Side{{Pacticipant: provider, VersionIDs: ids}}})
	if err != nil {
		return nil, err
	}
	type content struct{ consumer, sha string }
	var verified []content
	seen := map[content]bool{}
	for _, v := range results {
		c := content{v.Consumer, v.SHA}
		if v.Success && !seen[c] {
			seen[c] = true
			verified = append(verified, c)
		}
	}
	if len(verified) == 0 {
		return nil, broker.Errorf(broker.NotFound, "%s %s (%s) has no successful verification, so nothing is proven to stub: verify it and publish the results (accord verify --publish)",
			provider, strings.Join(numbers, ", "), which)
	}
	slices.SortFunc(verified, func(a, b content) int { return strings.Compare(a.consumer+a.sha, b.consumer+b.sha) })
	var (
		interactions []json.RawMessage
		keys         = map[string]bool{}
		consumers    []string
	)
	for _, c := range verified {
		raw, err := f.PactContent(ctx, c.consumer, provider, c.sha)
		if err != nil {
			return nil, err
		}
		ins, err := httpInteractions(raw, c.consumer)
		if err != nil {
			return nil, fmt.Errorf("pact %s/%s %s: %w", c.consumer, provider, c.sha, err)
		}
		for _, in := range ins {
			if !keys[string(in.key)] {
				keys[string(in.key)] = true
				interactions = append(interactions, in.json)
			}
		}
		if !slices.Contains(consumers, c.consumer) {
			consumers = append(consumers, c.consumer)
		}
	}
	pact := map[string]any{
		"consumer":     map[string]any{"name": strings.Join(consumers, "+")},
		"provider":     map[string]any{"name": provider},
		"interactions": interactions,
		"metadata": map[string]any{
			"pactSpecification": map[string]any{"version": "4.0"},
			"accord":            map[string]any{"stubOf": provider, "providerVersions": numbers, "consumers": consumers},
		},
	}
	return json.MarshalIndent(pact, "", "  ")
}

type interaction struct {
	key  []byte // identical interactions from two pacts are kept once
	json json.RawMessage
}

// httpInteractions returns the HTTP interactions of a V2, V3 or V4 pact
// in V4 form, each noting its consumer in its comments.
func httpInteractions(raw []byte, consumer string) ([]interaction, error) {
	var pact struct {
		Interactions []map[string]any `json:"interactions"`
	}
	if err := json.Unmarshal(raw, &pact); err != nil {
		return nil, err
	}
	var out []interaction
	for _, in := range pact.Interactions {
		typ, _ := in["type"].(string)
		if typ != "" && typ != "Synchronous/HTTP" {
			continue // messages have no HTTP answer
		}
		delete(in, "_id")
		if typ == "" {
			toV4(in)
		}
		key, _ := json.Marshal(in) // before the comments: the same interaction from two consumers is one
		comments, _ := in["comments"].(map[string]any)
		if comments == nil {
			comments = map[string]any{}
		}
		comments["consumer"] = consumer
		in["comments"] = comments
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		out = append(out, interaction{key: key, json: b})
	}
	return out, nil
}

// toV4 rewrites a V2/V3 HTTP interaction in V4 form: a type, provider
// states as a list, header values as lists, bodies wrapped with their
// content type, a V2 query string as a map.
func toV4(in map[string]any) {
	in["type"] = "Synchronous/HTTP"
	if s, ok := in["providerState"].(string); ok {
		if _, has := in["providerStates"]; !has && s != "" {
			in["providerStates"] = []any{map[string]any{"name": s}}
		}
		delete(in, "providerState")
	}
	for _, part := range []string{"request", "response"} {
		m, ok := in[part].(map[string]any)
		if !ok {
			continue
		}
		contentType := "application/json"
		if hs, ok := m["headers"].(map[string]any); ok {
			for k, v := range hs {
				if s, ok := v.(string); ok {
					hs[k] = []any{s}
					if strings.EqualFold(k, "Content-Type") {
						contentType = s
					}
				}
			}
		}
		if q, ok := m["query"].(string); ok {
			m["query"] = v2Query(q)
		}
		if body, ok := m["body"]; ok && body != nil {
			m["body"] = map[string]any{"content": body, "contentType": contentType, "encoded": false}
		}
	}
}

func v2Query(q string) map[string]any {
	out := map[string]any{}
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		list, _ := out[k].([]any)
		out[k] = append(list, v)
	}
	return out
}
