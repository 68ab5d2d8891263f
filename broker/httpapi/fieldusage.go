package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/openapi"
)

// Field usage: who uses which field of a provider, and can one be removed (broker/fieldusage
// decides; the indexes were stored when the pacts were published).

// fieldUsage is GET /field-usage/provider/{provider}[?environment=E|branch=B].
func (s *Server) fieldUsage(w http.ResponseWriter, r *http.Request, p params) error {
	provider := p["provider"]
	f, err := fieldusage.ParseFilter(r.URL.Query())
	if err != nil {
		return invalidQuery(err)
	}
	versions, routes, err := s.usageFacts(r.Context(), provider, f)
	if err != nil {
		return err
	}
	declared, note, err := s.declaredOperations(r.Context(), provider)
	if err != nil {
		return err
	}
	rep := fieldusage.Usage(provider, versions, fieldusage.Options{Filter: f, Routes: routes, Declared: declared})
	l := s.links(r)
	body := map[string]any{
		"provider":  rep.Provider,
		"endpoints": rep.Endpoints,
		"_links": map[string]any{
			"self":                      Link{Href: l.base + r.URL.RequestURI()},
			"pb:provider":               Link{Href: l.pacticipant(provider), Title: provider},
			"accord:can-i-remove-field": Link{Href: l.base + "/can-i-remove-field?provider=" + url.QueryEscape(provider) + "&method={method}&path={path}&location={location}", Templated: true},
		},
	}
	if len(rep.Notices) > 0 {
		body["notices"] = rep.Notices
	}
	if declared != nil {
		body["unused"] = rep.Unused
		if rep.Unused == nil {
			body["unused"] = []fieldusage.Unused{}
		}
	} else {
		body["unusedNote"] = note
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// canIRemoveField is GET /can-i-remove-field?provider=P&method=M&path=PATH&location=LOC[&environment=E|branch=B].
func (s *Server) canIRemoveField(w http.ResponseWriter, r *http.Request, _ params) error {
	q, err := fieldusage.ParseRemoveQuery(r.URL.Query())
	if err != nil {
		return invalidQuery(err)
	}
	versions, routes, err := s.usageFacts(r.Context(), q.Provider, q.Filter)
	if err != nil {
		return err
	}
	d := fieldusage.CanRemove(q, versions, routes)
	l := s.links(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"removable": d.Removable,
		"consumers": d.Consumers,
		"reason":    d.Reason,
		"notices":   d.Notices,
		"_links": map[string]any{
			"self":               Link{Href: l.base + r.URL.RequestURI()},
			"accord:field-usage": Link{Href: l.url("field-usage", "provider", q.Provider)},
		},
	})
	return nil
}

// usageFacts reads the selected consumer versions and the provider's known routes.
func (s *Server) usageFacts(ctx context.Context, provider string, f fieldusage.Filter) ([]fieldusage.ConsumerVersion, fieldusage.Routes, error) {
	fu := s.svc.FieldUsage
	versions, err := fu.FieldUsageFacts(ctx, provider, f)
	if err != nil {
		if broker.IsNotFound(err) {
			return nil, nil, broker.Errorf(broker.NotFound, "no provider named %q; check the spelling (names are case-sensitive)", provider)
		}
		return nil, nil, err
	}
	patterns, err := fu.LatestRoutes(ctx, provider)
	if err != nil {
		return nil, nil, err
	}
	var routes fieldusage.Routes
	for _, p := range patterns {
		if rt, err := fieldusage.ParseRoute(p); err == nil {
			routes = append(routes, rt)
		}
	}
	return versions, routes, nil
}

// declaredOperations reads the provider's newest contract as operations and response fields;
// without one, note says why nothing can be called unused.
func (s *Server) declaredOperations(ctx context.Context, provider string) ([]fieldusage.Operation, string, error) {
	fu := s.svc.FieldUsage
	pc, err := fu.LatestProviderContract(ctx, provider)
	if broker.IsNotFound(err) {
		return nil, provider + " has published no provider contract (OpenAPI), so no field can be called unused: only the fields consumers use are known", nil
	}
	if err != nil {
		return nil, "", err
	}
	doc, err := openapi.Parse(pc.Content)
	if err != nil {
		return nil, fmt.Sprintf("the provider contract of %s %s could not be read (%v), so no field can be called unused", provider, pc.ProviderVersion, err), nil
	}
	ops := doc.DeclaredOperations()
	declared := make([]fieldusage.Operation, 0, len(ops))
	for _, op := range ops {
		declared = append(declared, fieldusage.Operation{Method: op.Method, Path: op.Path, Fields: op.Fields})
	}
	return declared, "", nil
}

func invalidQuery(err error) error {
	var ve *fieldusage.ValidationError
	if errors.As(err, &ve) {
		return broker.Errorf(broker.Invalid, "%s", strings.Join(ve.Problems, "; "))
	}
	return err
}

// putRouteCoverage is PUT /pacticipants/{pacticipant}/versions/{version}/route-coverage: the
// route coverage contracts.VerifyProvider publishes beside its verification results.
func (s *Server) putRouteCoverage(w http.ResponseWriter, r *http.Request, p params) error {
	var c struct {
		Routes     []string `json:"routes"`
		Covered    []string `json:"covered"`
		NotCovered []string `json:"notCovered"`
		Unlisted   []string `json:"unlisted,omitempty"`
		Unrouted   []string `json:"unrouted,omitempty"`
	}
	if err := s.decode(r, &c); err != nil {
		return err
	}
	for _, list := range [][]string{c.Routes, c.Covered, c.NotCovered, c.Unlisted} {
		for _, rt := range list {
			if _, err := fieldusage.ParseRoute(rt); err != nil {
				return broker.FieldErrorf("routes", "%v; send routes as ServeMux patterns like \"GET /users/{id}\"", err)
			}
		}
	}
	js, err := json.Marshal(c)
	if err != nil {
		return err
	}
	fu := s.svc.FieldUsage
	if err := fu.RecordRouteCoverage(r.Context(), p["pacticipant"], p["version"], js); err != nil {
		return err
	}
	return s.writeRouteCoverage(w, r, p, js)
}

// getRouteCoverage is GET /pacticipants/{pacticipant}/versions/{version}/route-coverage.
func (s *Server) getRouteCoverage(w http.ResponseWriter, r *http.Request, p params) error {
	fu := s.svc.FieldUsage
	js, err := fu.RouteCoverage(r.Context(), p["pacticipant"], p["version"])
	if err != nil {
		return err
	}
	return s.writeRouteCoverage(w, r, p, js)
}

func (s *Server) writeRouteCoverage(w http.ResponseWriter, r *http.Request, p params, js []byte) error {
	var body map[string]any
	if err := json.Unmarshal(js, &body); err != nil {
		return err
	}
	l := s.links(r)
	body["_links"] = map[string]any{
		"self":               Link{Href: l.url("pacticipants", p["pacticipant"], "versions", p["version"], "route-coverage")},
		"pb:version":         Link{Href: l.version(p["pacticipant"], p["version"])},
		"accord:field-usage": Link{Href: l.url("field-usage", "provider", p["pacticipant"])},
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}
