package broker

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Label tags a pacticipant ("team-a", "async") so webhooks and people can
// address groups of applications.
type Label struct {
	Pacticipant string
	Name        string
	CreatedAt   time.Time
}

// Labels stores pacticipant labels.
type Labels interface {
	// AddLabel labels a pacticipant, creating it when missing; created is
	// false when the label was there.
	AddLabel(ctx context.Context, pacticipant, label string) (l Label, created bool, err error)
	GetLabel(ctx context.Context, pacticipant, label string) (Label, error)
	DeleteLabel(ctx context.Context, pacticipant, label string) error
	// PacticipantLabels lists a pacticipant's labels by name.
	PacticipantLabels(ctx context.Context, pacticipant string) ([]Label, error)
	// LabelNames lists the distinct label names in use, sorted.
	LabelNames(ctx context.Context, page Page) ([]string, int, error)
	// LabelledPacticipants lists the pacticipants with a label, by name.
	LabelledPacticipants(ctx context.Context, label string) ([]Pacticipant, error)
}

// Integration is a consumer/provider pair that has exchanged a pact.
type Integration struct {
	Consumer, Provider string
	CreatedAt          time.Time
}

// Operations are what an operator does to keep a broker tidy: see and
// remove integrations, remove branches in bulk, count everything.
type Operations interface {
	Integrations(ctx context.Context) ([]Integration, error)
	// DeleteIntegration removes everything between the pair — pacts,
	// verification results, webhooks — then the versions of either left
	// with no pact or result (unless deployed or released) and either
	// pacticipant left with nothing, as the Ruby broker does.
	DeleteIntegration(ctx context.Context, consumer, provider string) error
	// DeleteAllIntegrations removes all pacts, results, versions,
	// webhooks and pacticipants: a broker emptied of data.
	DeleteAllIntegrations(ctx context.Context) error
	// DeleteBranches removes a pacticipant's branches except those named
	// in keep and its main branch; the versions stay. It returns the
	// names deleted.
	DeleteBranches(ctx context.Context, pacticipant string, keep []string) ([]string, error)
	// Counts returns the official /metrics JSON counts.
	Counts(ctx context.Context) (map[string]any, error)
}

// ProviderState is a provider state that consumers' pacts ask for.
type ProviderState struct {
	Name      string         `json:"name"`
	Params    map[string]any `json:"params,omitempty"`
	Consumers []string       `json:"consumers"`
}

// ProviderStatesOf lists, de-duplicated by name and params and sorted by
// name, the provider states the pacts' interactions and messages ask for
// ("providerState" in V2, "providerStates" in V3 and V4), with the
// consumers asking. Pacts whose content is not JSON are skipped: they
// were checked when published.
func ProviderStatesOf(pacts []Pact) []ProviderState {
	type key struct{ name, params string }
	var order []key
	states := map[key]*ProviderState{}
	add := func(consumer, name string, params map[string]any) {
		p, _ := json.Marshal(params)
		k := key{name, string(p)}
		s := states[k]
		if s == nil {
			s = &ProviderState{Name: name, Params: params}
			states[k] = s
			order = append(order, k)
		}
		if !slices.Contains(s.Consumers, consumer) {
			s.Consumers = append(s.Consumers, consumer)
		}
	}
	for _, pact := range pacts {
		var doc struct {
			Interactions []json.RawMessage `json:"interactions"`
			Messages     []json.RawMessage `json:"messages"`
		}
		if json.Unmarshal(pact.Content, &doc) != nil {
			continue
		}
		for _, raw := range append(doc.Interactions, doc.Messages...) {
			var it struct {
				ProviderState  *string `json:"providerState"`
				ProviderStates []struct {
					Name   string         `json:"name"`
					Params map[string]any `json:"params"`
				} `json:"providerStates"`
			}
			if json.Unmarshal(raw, &it) != nil {
				continue
			}
			if it.ProviderState != nil && *it.ProviderState != "" {
				add(pact.Consumer, *it.ProviderState, nil)
			}
			for _, ps := range it.ProviderStates {
				add(pact.Consumer, ps.Name, ps.Params)
			}
		}
	}
	out := make([]ProviderState, 0, len(order))
	for _, k := range order {
		out = append(out, *states[k])
	}
	slices.SortStableFunc(out, func(a, b ProviderState) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// CountInteractions counts a pact's HTTP interactions and its messages
// (V3 "messages", V4 interactions of a message type), for /metrics.
func CountInteractions(content []byte) (interactions, messages int) {
	var doc struct {
		Interactions []struct {
			Type string `json:"type"`
		} `json:"interactions"`
		Messages []json.RawMessage `json:"messages"`
	}
	if json.Unmarshal(content, &doc) != nil {
		return 0, 0
	}
	for _, it := range doc.Interactions {
		if strings.Contains(it.Type, "Messages") {
			messages++
		} else {
			interactions++
		}
	}
	return interactions, messages + len(doc.Messages)
}
