package contracts

import (
	"context"
	"encoding/json"
	"fmt"
)

// State is a provider state that pacts can name in "Given ...". Setup puts the
// provider in that state (usually by seeding its database) and may return
// values that the pact injects into the request (fromProviderState);
// Teardown, if set, runs after the interaction.
type State struct {
	Name     string
	Setup    func(ctx context.Context, params map[string]any) (map[string]any, error)
	Teardown func(ctx context.Context, params map[string]any) error
}

// Given is a state without parameters.
func Given(name string, setup func(ctx context.Context) error) State {
	return State{Name: name, Setup: func(ctx context.Context, _ map[string]any) (map[string]any, error) {
		return nil, setup(ctx)
	}}
}

// GivenWith is a state whose parameters (pact-go's GivenWithParameter) are
// decoded into P, a struct with json tags. The map it returns, if any, holds
// the values the consumer asked to inject from the provider state.
func GivenWith[P any](name string, setup func(ctx context.Context, params P) (map[string]any, error)) State {
	return State{Name: name, Setup: func(ctx context.Context, raw map[string]any) (map[string]any, error) {
		var p P
		b, err := json.Marshal(raw)
		if err == nil {
			err = json.Unmarshal(b, &p)
		}
		if err != nil {
			return nil, fmt.Errorf("state %q: parameters %s do not fit %T: %w", name, b, p, err)
		}
		return setup(ctx, p)
	}}
}
