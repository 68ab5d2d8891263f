package httpapi

import (
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker/matrix"
)

// decide answers q and writes the matrix document: 400 with the problems
// when the question is invalid (an unknown pacticipant or environment is
// never a "yes").
func (s *Server) decide(w http.ResponseWriter, r *http.Request, q matrix.Query, parseErr error) error {
	if parseErr == nil {
		res, err := matrix.Decide(r.Context(), s.svc.Matrix.MatrixFacts(), q)
		if err == nil {
			return s.writeMatrix(w, r, res)
		}
		parseErr = err
	}
	return parseErr // a *matrix.ValidationError is a 400 listing the problems
}

func (s *Server) writeMatrix(w http.ResponseWriter, r *http.Request, res matrix.Result) error {
	if accept := r.Header.Get("Accept"); strings.Contains(accept, "text/plain") && !strings.Contains(accept, "json") {
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, matrix.Text(res))
		return nil
	}
	var ids []int64
	for _, row := range res.Rows {
		ids = append(ids, row.Pact.ConsumerVersion.ID)
		if row.ProviderVersion != nil {
			ids = append(ids, row.ProviderVersion.ID)
		}
	}
	slices.Sort(ids)
	details, err := s.svc.Matrix.MatrixVersionDetails(r.Context(), slices.Compact(ids))
	if err != nil {
		return err
	}
	body := matrix.NewBody(res, matrix.RenderOptions{
		BaseURL: s.links(r).base,
		Details: func(_ string, v matrix.Version) matrix.VersionDetails { return details[v.ID] },
	})
	writeJSON(w, http.StatusOK, body)
	return nil
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
