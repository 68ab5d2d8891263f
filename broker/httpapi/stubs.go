package httpapi

import (
	"context"
	"net/http"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/stubs"
)

// stubFacts gives broker/stubs the matrix's facts and the pacts' content.
type stubFacts struct {
	matrix.Facts
	pacts broker.Pacts
}

func (f stubFacts) PactContent(ctx context.Context, consumer, provider, sha string) ([]byte, error) {
	p, err := f.pacts.GetPact(ctx, broker.PactRef{Consumer: consumer, Provider: provider, SHA: sha})
	if err != nil {
		return nil, err
	}
	return p.Content, nil
}

// stubPact serves the stub pact of the provider version deployed to an
// environment, or of the head of a branch: a plain pact file that
// contracts.Stub or the official `pact stub` answers from.
func (s *Server) stubPact(w http.ResponseWriter, r *http.Request, p params) error {
	f := stubFacts{Facts: s.svc.Matrix.MatrixFacts(), pacts: s.svc.Pacts}
	var (
		pact []byte
		err  error
	)
	if env, ok := p["environment"]; ok {
		pact, err = stubs.ForEnvironment(r.Context(), f, p["provider"], env)
	} else {
		pact, err = stubs.ForBranch(r.Context(), f, p["provider"], p["branch"])
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(pact)
	return err
}
