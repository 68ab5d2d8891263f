package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
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
	rep, err := broker.ProviderFieldUsage(r.Context(), s.svc.FieldUsage, provider, f)
	if err != nil {
		return err
	}
	l := s.links(r)
	body := map[string]any{
		"provider":  rep.Provider,
		"endpoints": rep.Endpoints,
		"_links": map[string]any{
			"self":                      Link{Href: l.base + r.URL.RequestURI()},
			"pb:provider":               Link{Href: l.pacticipant(provider), Title: provider},
			"accord:can-i-remove-field": Link{Href: l.base + "/can-i-remove-field?provider=" + url.QueryEscape(provider) + "&method={method}&path={path}&location={location}", Templated: true},
			"accord:route-coverage":     Link{Href: l.url("pacticipants", provider, "route-coverage")},
		},
	}
	if len(rep.Notices) > 0 {
		body["notices"] = rep.Notices
	}
	if rep.HasContract {
		body["unused"] = rep.Unused
	} else {
		body["unusedNote"] = rep.UnusedNote
	}
	if rep.Coverage != nil {
		body["routeCoverage"] = rep.Coverage
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
	d, err := broker.CanRemoveField(r.Context(), s.svc.FieldUsage, q)
	if err != nil {
		return err
	}
	l := s.links(r)
	body := map[string]any{
		"removable": d.Removable,
		"consumers": d.Consumers,
		"reason":    d.Reason,
		"_links": map[string]any{
			"self":               Link{Href: l.base + r.URL.RequestURI()},
			"accord:field-usage": Link{Href: l.url("field-usage", "provider", q.Provider)},
		},
	}
	if len(d.Notices) > 0 {
		body["notices"] = d.Notices
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// routeCoverages is GET /pacticipants/{pacticipant}/route-coverage: the route coverage of the
// provider's newest versions that published one, newest first (at most 100).
func (s *Server) routeCoverages(w http.ResponseWriter, r *http.Request, p params) error {
	provider := p["pacticipant"]
	stored, err := s.svc.FieldUsage.RouteCoverages(r.Context(), provider, 100)
	if err != nil {
		if broker.IsNotFound(err) {
			return broker.Errorf(broker.NotFound, "no pacticipant named %q; check the spelling (names are case-sensitive)", provider)
		}
		return err
	}
	l := s.links(r)
	items := make([]map[string]any, 0, len(stored))
	for _, sc := range stored {
		c := sc.Decode()
		items = append(items, map[string]any{
			"providerVersion": c.ProviderVersion, "routes": c.Routes, "covered": c.Covered, "notCovered": c.NotCovered,
			"unlisted": c.Unlisted, "unrouted": c.Unrouted, "createdAt": c.CreatedAt.Format(time.RFC3339),
			"_links": map[string]any{"self": Link{Href: l.url("pacticipants", provider, "versions", c.ProviderVersion, "route-coverage")}},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"provider": provider,
		"versions": items,
		"_links": map[string]any{
			"self":               Link{Href: l.url("pacticipants", provider, "route-coverage")},
			"pb:pacticipant":     Link{Href: l.pacticipant(provider), Title: provider},
			"accord:field-usage": Link{Href: l.url("field-usage", "provider", provider)},
		},
	})
	return nil
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

// consumerFieldUsage is GET /field-usage/provider/{provider}/consumer/{consumer}[?version=V]
// [&environment=E|branch=B]: the fields of the consumer's pact (its latest, or version V's) and
// which other consumers use each — those with none are used by nobody else.
func (s *Server) consumerFieldUsage(w http.ResponseWriter, r *http.Request, p params) error {
	f, err := fieldusage.ParseFilter(r.URL.Query())
	if err != nil {
		return invalidQuery(err)
	}
	ref := broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], Version: r.URL.Query().Get("version")}
	cu, err := broker.ConsumerFieldUsage(r.Context(), s.svc.FieldUsage, s.svc.Pacts, ref, f)
	if err != nil {
		return err
	}
	l := s.links(r)
	body := map[string]any{
		"consumer": cu.Consumer, "provider": cu.Provider, "consumerVersion": cu.ConsumerVersion,
		"endpoints": cu.Endpoints,
		"_links": map[string]any{
			"self":               Link{Href: l.base + r.URL.RequestURI()},
			"pb:pact-version":    Link{Href: l.url("pacts", "provider", cu.Provider, "consumer", cu.Consumer, "version", cu.ConsumerVersion)},
			"accord:field-usage": Link{Href: l.url("field-usage", "provider", cu.Provider)},
		},
	}
	if len(cu.Notices) > 0 {
		body["notices"] = cu.Notices
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}
