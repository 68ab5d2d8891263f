package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/matrix"
)

// decide answers q and writes the matrix document: 400 with the problems
// when the question is invalid (an unknown pacticipant or environment is
// never a "yes"). The decision and the details it shows are read in one
// snapshot; an answer already rendered in that same snapshot's state is
// served again (answers.go says why that is never stale).
func (s *Server) decide(w http.ResponseWriter, r *http.Request, q matrix.Query, parseErr error) error {
	if parseErr != nil {
		return parseErr // a *matrix.ValidationError is a 400 listing the problems
	}
	text := wantsText(r)
	key := fmt.Sprintf("%s\x00%s\x00%t\x00%s", r.URL.Path, r.URL.RawQuery, text, s.links(r).base)
	if ans, ok := kept(r.Context(), &s.answers, s.svc.Matrix.CommittedState, key); ok {
		ans.write(w)
		return nil
	}
	var ans answer
	err := s.svc.Matrix.MatrixSnapshot(r.Context(), func(ctx context.Context, state string, v broker.MatrixView) error {
		var err error
		ans, err = s.answers.answer(state, key, func() (answer, error) {
			res, err := matrix.Decide(ctx, v.MatrixFacts(), q)
			if err != nil {
				return answer{}, err
			}
			return s.renderMatrix(ctx, r, v, res, text)
		})
		return err
	})
	if err != nil {
		return err
	}
	ans.write(w)
	return nil
}

func wantsText(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/plain") && !strings.Contains(accept, "json")
}

// renderMatrix renders res as text or as the HAL matrix document, with the
// branches, tags and environments of its versions read in v.
func (s *Server) renderMatrix(ctx context.Context, r *http.Request, v broker.MatrixView, res matrix.Result, text bool) (answer, error) {
	if text {
		return answer{"text/plain;charset=utf-8", []byte(matrix.Text(res))}, nil
	}
	var ids []int64
	for _, row := range res.Rows {
		ids = append(ids, row.Pact.ConsumerVersion.ID)
		if row.ProviderVersion != nil {
			ids = append(ids, row.ProviderVersion.ID)
		}
	}
	slices.Sort(ids)
	details, err := v.MatrixVersionDetails(ctx, slices.Compact(ids))
	if err != nil {
		return answer{}, err
	}
	body := matrix.NewBody(res, matrix.RenderOptions{
		BaseURL: s.links(r).base,
		Details: func(_ string, v matrix.Version) matrix.VersionDetails { return details[v.ID] },
	})
	b, err := halBytes(body)
	if err != nil {
		return answer{}, err
	}
	return answer{httpedge.HALJSON, b}, nil
}

// matrix is GET /matrix?q[][pacticipant]=...: the rows between the selected
// versions, and whether they can be deployed together.
func (s *Server) matrix(w http.ResponseWriter, r *http.Request, _ params) error {
	q, err := matrix.ParseQuery(r.URL.RawQuery)
	return s.decide(w, r, q, err)
}

// matrixForPair is every row between one consumer and one provider.
func (s *Server) matrixForPair(w http.ResponseWriter, r *http.Request, p params) error {
	q, err := matrix.ForIntegration(p["consumer"], p["provider"], r.URL.RawQuery)
	return s.decide(w, r, q, err)
}

// canIDeploy is GET /can-i-deploy?pacticipant=&version=&environment=|to=.
func (s *Server) canIDeploy(w http.ResponseWriter, r *http.Request, _ params) error {
	q, err := matrix.ParseCanIDeploy(r.URL.RawQuery)
	return s.decide(w, r, q, err)
}

// canIDeployTagToTag is the JSON counterpart of the tag badge: can the
// latest version tagged {tag} go where the latest versions tagged {to} are?
func (s *Server) canIDeployTagToTag(w http.ResponseWriter, r *http.Request, p params) error {
	return s.decide(w, r, matrix.LatestTaggedToTag(p["pacticipant"], p["tag"], p["to"]), nil)
}

// canIDeployBranchToEnvironment is the JSON counterpart of the branch
// badge: can the head of {branch} go to {environment}?
func (s *Server) canIDeployBranchToEnvironment(w http.ResponseWriter, r *http.Request, p params) error {
	return s.decide(w, r, matrix.LatestOnBranchToEnvironment(p["pacticipant"], p["branch"], p["environment"]), nil)
}

// canIMerge is the JSON counterpart of the can-i-merge badge: does the head
// of the pacticipant's main branch work with the heads of the main branches
// of the applications it is integrated with?
func (s *Server) canIMerge(w http.ResponseWriter, r *http.Request, p params) error {
	q := matrix.Query{Selectors: []matrix.Selector{{Pacticipant: p["pacticipant"], MainBranch: true, Latest: true}},
		MainBranch: true, Latest: true, LatestBy: matrix.ByConsumerVersionAndProvider}
	return s.decide(w, r, q, nil)
}
