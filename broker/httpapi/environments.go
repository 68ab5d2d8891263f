package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

func (l links) environment(uuid string) string { return l.url("environments", uuid) }

func (l links) environmentJSON(e broker.Environment) map[string]any {
	m := map[string]any{
		"uuid":        e.UUID,
		"name":        e.Name,
		"displayName": envDisplayName(e),
		"production":  e.Production,
		"createdAt":   ts(e.CreatedAt),
		"_links": map[string]any{
			"self": Link{Href: l.environment(e.UUID), Title: "Environment", Name: e.Name},
			"pb:currently-deployed-deployed-versions": Link{Href: l.url("environments", e.UUID, "deployed-versions", "currently-deployed"),
				Title: "Versions currently deployed to " + envDisplayName(e) + " environment"},
			"pb:currently-supported-released-versions": Link{Href: l.url("environments", e.UUID, "released-versions", "currently-supported"),
				Title: "Versions released and supported in " + envDisplayName(e) + " environment"},
			"pb:environments": Link{Href: l.url("environments"), Title: "Environments"},
		},
	}
	if len(e.Contacts) > 0 {
		m["contacts"] = json.RawMessage(e.Contacts)
	}
	if !e.UpdatedAt.IsZero() && !e.UpdatedAt.Equal(e.CreatedAt) {
		m["updatedAt"] = ts(e.UpdatedAt)
	}
	return m
}

// envDisplayName is never empty: clients parse it as a required string.
func envDisplayName(e broker.Environment) string {
	if e.DisplayName != "" {
		return e.DisplayName
	}
	return e.Name
}

// environmentBody is the JSON of POST and PUT /environments.
type environmentBody struct {
	UUID        string          `json:"uuid"`
	Name        string          `json:"name"`
	DisplayName *string         `json:"displayName"`
	Production  *bool           `json:"production"`
	Contacts    json.RawMessage `json:"contacts"`
}

func (b environmentBody) environment() (broker.Environment, error) {
	var problems []string
	switch {
	case strings.TrimSpace(b.Name) == "":
		problems = append(problems, `name is required: send {"name": "production", "production": true}`)
	case strings.ContainsAny(b.Name, " \t\r\n"):
		problems = append(problems, fmt.Sprintf("name %q contains whitespace, which clients cannot pass on a command line; use a name like \"eu-production\" and put the words in displayName", b.Name))
	}
	if b.Production == nil {
		problems = append(problems, "production is required: true when the environment is production, else false")
	}
	contacts := bytes.TrimSpace(b.Contacts)
	if len(contacts) > 0 && !bytes.Equal(contacts, []byte("null")) && contacts[0] != '[' {
		problems = append(problems, `contacts must be an array like [{"name": "Team A", "details": {"emailAddress": "a@example.com"}}]`)
	}
	if len(problems) > 0 {
		return broker.Environment{}, &broker.Error{Code: broker.Invalid, Message: strings.Join(problems, "; ")}
	}
	e := broker.Environment{UUID: b.UUID, Name: b.Name, Production: *b.Production}
	if b.DisplayName != nil {
		e.DisplayName = *b.DisplayName
	}
	if len(contacts) > 0 && !bytes.Equal(contacts, []byte("null")) {
		e.Contacts = contacts
	}
	return e, nil
}

func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request, _ params) error {
	envs, err := s.svc.Environments.FindEnvironments(r.Context(), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	l := s.links(r)
	items, ls := []any{}, []Link{}
	for _, e := range envs {
		items = append(items, l.environmentJSON(e))
		ls = append(ls, Link{Href: l.environment(e.UUID), Title: "Environment", Name: e.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"environments": items},
		"_links": map[string]any{
			"self":            Link{Href: l.url("environments"), Title: "Environments"},
			"pb:environments": ls,
			"pb:environment":  Link{Href: l.url("environments", "{uuid}"), Title: "Environment", Templated: true},
		},
	})
	return nil
}

func (s *Server) createEnvironment(w http.ResponseWriter, r *http.Request, _ params) error {
	var body environmentBody
	if err := s.decode(r, &body); err != nil {
		return err
	}
	env, err := body.environment()
	if err != nil {
		return err
	}
	created, err := s.svc.Environments.CreateEnvironment(r.Context(), env)
	if err != nil {
		return err
	}
	l := s.links(r)
	w.Header().Set("Location", l.environment(created.UUID))
	writeJSON(w, http.StatusCreated, l.environmentJSON(created))
	return nil
}

func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request, p params) error {
	e, err := s.svc.Environments.GetEnvironment(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).environmentJSON(e))
	return nil
}

func (s *Server) putEnvironment(w http.ResponseWriter, r *http.Request, p params) error {
	var body environmentBody
	if err := s.decode(r, &body); err != nil {
		return err
	}
	env, err := body.environment()
	if err != nil {
		return err
	}
	e, err := s.svc.Environments.ReplaceEnvironment(r.Context(), p["uuid"], env)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).environmentJSON(e))
	return nil
}

func (s *Server) deleteEnvironment(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Environments.DeleteEnvironment(r.Context(), p["uuid"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// embedded is the short form of a pacticipant, version and environment in
// deployment and release records.
func (l links) deploymentEmbedded(pacticipant string, v broker.Version, e broker.Environment) map[string]any {
	return map[string]any{
		"pacticipant": map[string]any{"name": pacticipant, "_links": map[string]any{"self": Link{Href: l.pacticipant(pacticipant), Title: "Pacticipant", Name: pacticipant}}},
		"version": map[string]any{"number": v.Number, "createdAt": ts(v.CreatedAt),
			"_links": map[string]any{"self": Link{Href: l.version(pacticipant, v.Number), Title: "Version", Name: v.Number}}},
		"environment": l.environmentJSON(e),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (l links) deployedVersionJSON(d broker.DeployedVersion) map[string]any {
	m := map[string]any{
		"uuid":                d.UUID,
		"currentlyDeployed":   d.CurrentlyDeployed(),
		"target":              nullable(d.ApplicationInstance),
		"applicationInstance": nullable(d.ApplicationInstance),
		"createdAt":           ts(d.CreatedAt),
		"_embedded":           l.deploymentEmbedded(d.Pacticipant, d.Version, d.Environment),
		"_links": map[string]any{
			"self": Link{Href: l.url("deployed-versions", d.UUID), Title: "Deployed version",
				Name: fmt.Sprintf("Deployment of %s %s to %s", d.Pacticipant, d.Version.Number, envDisplayName(d.Environment))},
		},
	}
	if d.UndeployedAt != nil {
		m["undeployedAt"] = ts(*d.UndeployedAt)
	}
	return m
}

func (l links) releasedVersionJSON(rel broker.ReleasedVersion) map[string]any {
	m := map[string]any{
		"uuid":               rel.UUID,
		"currentlySupported": rel.CurrentlySupported(),
		"createdAt":          ts(rel.CreatedAt),
		"_embedded":          l.deploymentEmbedded(rel.Pacticipant, rel.Version, rel.Environment),
		"_links": map[string]any{
			"self": Link{Href: l.url("released-versions", rel.UUID), Title: "Released version",
				Name: fmt.Sprintf("Release of %s %s to %s", rel.Pacticipant, rel.Version.Number, envDisplayName(rel.Environment))},
		},
	}
	if rel.SupportEndedAt != nil {
		m["supportEndedAt"] = ts(*rel.SupportEndedAt)
	}
	return m
}

func (s *Server) writeDeployments(w http.ResponseWriter, r *http.Request, title string, ds []broker.DeployedVersion) {
	l := s.links(r)
	items := []any{}
	for _, d := range ds {
		items = append(items, l.deployedVersionJSON(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"deployedVersions": items},
		"_links":    map[string]any{"self": Link{Href: l.base + r.URL.RequestURI(), Title: title}},
	})
}

func (s *Server) writeReleases(w http.ResponseWriter, r *http.Request, title string, rs []broker.ReleasedVersion) {
	l := s.links(r)
	items := []any{}
	for _, rel := range rs {
		items = append(items, l.releasedVersionJSON(rel))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"releasedVersions": items},
		"_links":    map[string]any{"self": Link{Href: l.base + r.URL.RequestURI(), Title: title}},
	})
}

func (s *Server) currentlyDeployed(w http.ResponseWriter, r *http.Request, p params) error {
	q := r.URL.Query()
	instance := q.Get("applicationInstance")
	if instance == "" {
		instance = q.Get("target")
	}
	deps, err := s.svc.Deployments.CurrentlyDeployed(r.Context(), p["uuid"], broker.DeploymentFilter{Pacticipant: q.Get("pacticipant"), ApplicationInstance: instance})
	if err != nil {
		return err
	}
	s.writeDeployments(w, r, "Currently deployed versions", deps)
	return nil
}

func (s *Server) currentlySupported(w http.ResponseWriter, r *http.Request, p params) error {
	rels, err := s.svc.Deployments.CurrentlySupported(r.Context(), p["uuid"], broker.DeploymentFilter{Pacticipant: r.URL.Query().Get("pacticipant")})
	if err != nil {
		return err
	}
	s.writeReleases(w, r, "Currently supported released versions", rels)
	return nil
}

func (s *Server) versionDeployments(w http.ResponseWriter, r *http.Request, p params) error {
	deps, err := s.svc.Deployments.VersionDeployments(r.Context(), p["pacticipant"], p["version"], p["uuid"])
	if err != nil {
		return err
	}
	s.writeDeployments(w, r, "Deployed versions", deps)
	return nil
}

func (s *Server) versionReleases(w http.ResponseWriter, r *http.Request, p params) error {
	rels, err := s.svc.Deployments.VersionReleases(r.Context(), p["pacticipant"], p["version"], p["uuid"])
	if err != nil {
		return err
	}
	s.writeReleases(w, r, "Released versions", rels)
	return nil
}

func (s *Server) recordDeployment(w http.ResponseWriter, r *http.Request, p params) error {
	var body struct {
		ApplicationInstance *string `json:"applicationInstance"`
		Target              *string `json:"target"` // the older name
	}
	if err := s.decode(r, &body); err != nil {
		return err
	}
	instance := ""
	if body.ApplicationInstance != nil {
		instance = *body.ApplicationInstance
	} else if body.Target != nil {
		instance = *body.Target
	}
	d, created, err := s.svc.Deployments.DeployVersion(r.Context(), p["pacticipant"], p["version"], p["uuid"], instance)
	if err != nil {
		return err
	}
	l := s.links(r)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", l.url("deployed-versions", d.UUID))
	writeJSON(w, status, l.deployedVersionJSON(d))
	return nil
}

func (s *Server) recordRelease(w http.ResponseWriter, r *http.Request, p params) error {
	var body struct{}
	if err := s.decode(r, &body); err != nil {
		return err
	}
	rel, created, err := s.svc.Deployments.ReleaseVersion(r.Context(), p["pacticipant"], p["version"], p["uuid"])
	if err != nil {
		return err
	}
	l := s.links(r)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", l.url("released-versions", rel.UUID))
	writeJSON(w, status, l.releasedVersionJSON(rel))
	return nil
}

func (s *Server) getDeployedVersion(w http.ResponseWriter, r *http.Request, p params) error {
	d, err := s.svc.Deployments.GetDeployedVersion(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).deployedVersionJSON(d))
	return nil
}

// patchDeployedVersion records an undeployment: a merge patch setting
// currentlyDeployed to false. A deployment cannot be revived; a new one is
// recorded instead.
func (s *Server) patchDeployedVersion(w http.ResponseWriter, r *http.Request, p params) error {
	var body struct {
		CurrentlyDeployed *bool `json:"currentlyDeployed"`
	}
	if err := s.decode(r, &body); err != nil {
		return err
	}
	d, err := s.svc.Deployments.GetDeployedVersion(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	switch {
	case body.CurrentlyDeployed == nil:
	case *body.CurrentlyDeployed && !d.CurrentlyDeployed():
		return broker.FieldErrorf("currentlyDeployed", "version %s of %s was undeployed from %s; currentlyDeployed cannot be set back to true: record a new deployment instead (pact broker record-deployment)",
			d.Version.Number, d.Pacticipant, d.Environment.Name)
	case !*body.CurrentlyDeployed:
		if d, err = s.svc.Deployments.Undeploy(r.Context(), p["uuid"]); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, s.links(r).deployedVersionJSON(d))
	return nil
}

func (s *Server) getReleasedVersion(w http.ResponseWriter, r *http.Request, p params) error {
	rel, err := s.svc.Deployments.GetReleasedVersion(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).releasedVersionJSON(rel))
	return nil
}

// patchReleasedVersion records the end of support: a merge patch setting
// currentlySupported to false. Recording the release again supports it
// again.
func (s *Server) patchReleasedVersion(w http.ResponseWriter, r *http.Request, p params) error {
	var body struct {
		CurrentlySupported *bool `json:"currentlySupported"`
	}
	if err := s.decode(r, &body); err != nil {
		return err
	}
	rel, err := s.svc.Deployments.GetReleasedVersion(r.Context(), p["uuid"])
	if err != nil {
		return err
	}
	switch {
	case body.CurrentlySupported == nil:
	case *body.CurrentlySupported && !rel.CurrentlySupported():
		return broker.FieldErrorf("currentlySupported", "support for version %s of %s in %s has ended; to support it again, record the release again (pact broker record-release)",
			rel.Version.Number, rel.Pacticipant, rel.Environment.Name)
	case !*body.CurrentlySupported:
		if rel, err = s.svc.Deployments.EndSupport(r.Context(), p["uuid"]); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, s.links(r).releasedVersionJSON(rel))
	return nil
}
