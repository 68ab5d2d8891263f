package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

// pacticipantBody accepts the camelCase fields clients send and the
// snake_case ones of older clients.
type pacticipantBody struct {
	Name                *string `json:"name"`
	DisplayName         *string `json:"displayName"`
	DisplayNameSnake    *string `json:"display_name"`
	RepositoryURL       *string `json:"repositoryUrl"`
	RepositoryURLSnake  *string `json:"repository_url"`
	RepositoryName      *string `json:"repositoryName"`
	RepositoryNamespace *string `json:"repositoryNamespace"`
	MainBranch          *string `json:"mainBranch"`
	MainBranchSnake     *string `json:"main_branch"`
}

func first(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

func (b pacticipantBody) update(replace bool) (broker.PacticipantUpdate, error) {
	u := broker.PacticipantUpdate{
		DisplayName:         first(b.DisplayName, b.DisplayNameSnake),
		RepositoryURL:       first(b.RepositoryURL, b.RepositoryURLSnake),
		RepositoryName:      b.RepositoryName,
		RepositoryNamespace: b.RepositoryNamespace,
		MainBranch:          first(b.MainBranch, b.MainBranchSnake),
		Replace:             replace,
	}
	if u.MainBranch != nil && strings.ContainsAny(*u.MainBranch, " \t\n") {
		return u, broker.FieldErrorf("mainBranch", "cannot contain spaces (got %q)", *u.MainBranch)
	}
	return u, nil
}

// maxPageParam bounds page and size: their product stays far from int64's
// limit.
const maxPageParam = 1_000_000_000

// pageParams reads page/size or pageNumber/pageSize (size defaults to 100
// when a page is asked for).
func pageParams(r *http.Request) (broker.Page, error) {
	q := r.URL.Query()
	get := func(a, b string) string {
		if v := q.Get(a); v != "" {
			return v
		}
		return q.Get(b)
	}
	var p broker.Page
	for _, f := range []struct {
		raw string
		dst *int
		nm  string
	}{{get("page", "pageNumber"), &p.Number, "page"}, {get("size", "pageSize"), &p.Size, "size"}} {
		if f.raw == "" {
			continue
		}
		n, err := strconv.Atoi(f.raw)
		if err != nil || n < 1 || n > maxPageParam {
			// The cap keeps (page-1)*size, the query's OFFSET, from
			// overflowing into a negative number the database refuses.
			return p, broker.FieldErrorf(f.nm, "must be a whole number of at least 1 and at most %d (got %q)", maxPageParam, f.raw)
		}
		*f.dst = n
	}
	if p.Number > 0 && p.Size == 0 {
		p.Size = 100
	}
	if p.Size > 0 && p.Number == 0 {
		p.Number = 1
	}
	return p, nil
}

func pageJSON(l links, path string, p broker.Page, total int, body map[string]any) {
	if p.Size == 0 {
		return
	}
	pages := (total + p.Size - 1) / p.Size
	body["page"] = map[string]any{"number": p.Number, "size": p.Size, "totalElements": total, "totalPages": pages}
	ls := body["_links"].(map[string]any)
	if p.Number < pages {
		ls["next"] = Link{Href: l.base + path + "?size=" + strconv.Itoa(p.Size) + "&page=" + strconv.Itoa(p.Number+1), Title: "Next page"}
	}
	if p.Number > 1 {
		ls["previous"] = Link{Href: l.base + path + "?size=" + strconv.Itoa(p.Size) + "&page=" + strconv.Itoa(p.Number-1), Title: "Previous page"}
	}
}

func (s *Server) latestOf(r *http.Request, name string) *broker.Version {
	v, err := s.svc.Versions.LatestVersion(r.Context(), name, "")
	if err != nil {
		return nil
	}
	return &v
}

func (s *Server) listPacticipants(w http.ResponseWriter, r *http.Request, _ params) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	ps, total, err := s.svc.Pacticipants.ListPacticipants(r.Context(), page)
	if err != nil {
		return err
	}
	l := s.links(r)
	items, linksList := []any{}, []Link{}
	for _, p := range ps {
		items = append(items, l.pacticipantJSON(p, s.latestOf(r, p.Name)))
		linksList = append(linksList, Link{Href: l.pacticipant(p.Name), Title: p.Name, Name: p.Name})
	}
	body := map[string]any{
		"_embedded":    map[string]any{"pacticipants": items},
		"pacticipants": items,
		"_links": map[string]any{
			"self":                       Link{Href: l.url("pacticipants")},
			"pb:pacticipants":            linksList,
			"pacticipants":               linksList,
			"pb:pacticipants-with-label": Link{Href: l.url("pacticipants", "label", "{label}"), Templated: true},
		},
	}
	pageJSON(l, "/pacticipants", page, total, body)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) writePacticipant(w http.ResponseWriter, r *http.Request, status int, p broker.Pacticipant) {
	l := s.links(r)
	body := l.pacticipantJSON(p, s.latestOf(r, p.Name))
	if lbs, err := s.svc.Labels.PacticipantLabels(r.Context(), p.Name); err != nil {
		// The pacticipant was found; its labels are an extra, as its
		// latest version is.
		s.log.Warn("pacticipant labels", "pacticipant", p.Name, "err", err)
	} else {
		items := []any{}
		for _, lb := range lbs {
			items = append(items, l.labelJSON(lb))
		}
		body["_embedded"].(map[string]any)["labels"] = items
	}
	writeJSON(w, status, body)
}

func (s *Server) createPacticipant(w http.ResponseWriter, r *http.Request, _ params) error {
	var b pacticipantBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return broker.FieldErrorf("name", "is missing; send {\"name\": \"...\"}")
	}
	u, err := b.update(false)
	if err != nil {
		return err
	}
	p, err := s.svc.Pacticipants.CreatePacticipant(r.Context(), *b.Name, u)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.links(r).pacticipant(p.Name))
	s.writePacticipant(w, r, http.StatusCreated, p)
	return nil
}

func (s *Server) getPacticipant(w http.ResponseWriter, r *http.Request, p params) error {
	pa, err := s.svc.Pacticipants.GetPacticipant(r.Context(), p["pacticipant"])
	if err != nil {
		return err
	}
	s.writePacticipant(w, r, http.StatusOK, pa)
	return nil
}

func (s *Server) updatePacticipant(w http.ResponseWriter, r *http.Request, p params, replace, create bool) error {
	var b pacticipantBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	u, err := b.update(replace)
	if err != nil {
		return err
	}
	pa, created, err := s.svc.Pacticipants.UpdatePacticipant(r.Context(), p["pacticipant"], u, create)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writePacticipant(w, r, status, pa)
	return nil
}

func (s *Server) putPacticipant(w http.ResponseWriter, r *http.Request, p params) error {
	return s.updatePacticipant(w, r, p, true, false)
}

func (s *Server) patchPacticipant(w http.ResponseWriter, r *http.Request, p params) error {
	return s.updatePacticipant(w, r, p, false, true)
}

func (s *Server) deletePacticipant(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Pacticipants.DeletePacticipant(r.Context(), p["pacticipant"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, p params) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	vs, total, err := s.svc.Versions.ListVersions(r.Context(), p["pacticipant"], page)
	if err != nil {
		return err
	}
	s.writeVersions(w, r, vs, total, page, "/pacticipants/"+p["pacticipant"]+"/versions", s.links(r).url("pacticipants", p["pacticipant"], "versions"))
	return nil
}

func (s *Server) writeVersions(w http.ResponseWriter, r *http.Request, vs []broker.Version, total int, page broker.Page, path, self string) {
	l := s.links(r)
	items, ls := []any{}, []Link{}
	for _, v := range vs {
		items = append(items, l.versionJSON(v, nil))
		ls = append(ls, Link{Href: l.version(v.Pacticipant, v.Number), Title: "Version", Name: v.Number})
	}
	body := map[string]any{
		"_embedded": map[string]any{"versions": items},
		"_links":    map[string]any{"self": Link{Href: self, Title: "Versions"}, "pb:versions": ls, "versions": ls},
	}
	pageJSON(l, path, page, total, body)
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, p params) error {
	v, err := s.svc.Versions.GetVersion(r.Context(), p["pacticipant"], p["version"])
	if err != nil {
		return err
	}
	envs, err := s.svc.Environments.FindEnvironments(r.Context(), "")
	if err != nil {
		return err
	}
	body := s.links(r).versionJSON(v, envs)
	if err := s.linkRouteCoverage(r, v, body); err != nil {
		return err
	}
	if err := s.linkProviderContract(r, v, body); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// linkRouteCoverage links a provider version to the route coverage it published with its
// verification results (accord:route-coverage), only when it published one: a version that
// did not has no such resource, and a link must not lead to a 404.
func (s *Server) linkRouteCoverage(r *http.Request, v broker.Version, body map[string]any) error {
	if s.svc.FieldUsage == nil {
		return nil
	}
	_, err := s.svc.FieldUsage.RouteCoverage(r.Context(), v.Pacticipant, v.Number)
	if broker.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	l := s.links(r)
	body["_links"].(map[string]any)["accord:route-coverage"] = Link{
		Href:  l.url("pacticipants", v.Pacticipant, "versions", v.Number, "route-coverage"),
		Title: "Which of the provider's routes the consumer contracts covered in this version's verification",
	}
	return nil
}

// linkProviderContract links a provider version to the provider contract it published
// (pf:provider-contract), only when it published one.
func (s *Server) linkProviderContract(r *http.Request, v broker.Version, body map[string]any) error {
	if s.svc.ProviderContracts == nil {
		return nil
	}
	has, err := s.svc.ProviderContracts.ProviderContractVersions(r.Context(), v.Pacticipant, []string{v.Number})
	if err != nil || !has[v.Number] {
		return err
	}
	body["_links"].(map[string]any)["pf:provider-contract"] = Link{
		Href:  s.links(r).providerContract(v.Pacticipant, v.Number),
		Title: "The provider contract (OpenAPI document) this version published, and the consumer pacts checked against it",
	}
	return nil
}

type versionBody struct {
	BuildURL *string `json:"buildUrl"`
	Tags     []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

func (s *Server) writeVersion(w http.ResponseWriter, r *http.Request, p params, replace bool) error {
	var b versionBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	u := broker.VersionUpdate{BuildURL: b.BuildURL, Replace: replace}
	for _, t := range b.Tags {
		u.Tags = append(u.Tags, t.Name)
	}
	v, created, err := s.svc.Versions.PutVersion(r.Context(), p["pacticipant"], p["version"], u)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.links(r).versionJSON(v, nil))
	return nil
}

func (s *Server) putVersion(w http.ResponseWriter, r *http.Request, p params) error {
	return s.writeVersion(w, r, p, true)
}

func (s *Server) patchVersion(w http.ResponseWriter, r *http.Request, p params) error {
	return s.writeVersion(w, r, p, false)
}

func (s *Server) deleteVersion(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Versions.DeleteVersion(r.Context(), p["pacticipant"], p["version"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) latestVersion(w http.ResponseWriter, r *http.Request, p params) error {
	var (
		v   broker.Version
		err error
	)
	if b, ok := p["branch"]; ok {
		v, err = s.svc.Versions.LatestBranchVersion(r.Context(), p["pacticipant"], b)
	} else {
		v, err = s.svc.Versions.LatestVersion(r.Context(), p["pacticipant"], p["tag"])
	}
	if err != nil {
		return err
	}
	body := s.links(r).versionJSON(v, nil)
	if err := s.linkRouteCoverage(r, v, body); err != nil {
		return err
	}
	if err := s.linkProviderContract(r, v, body); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) getTag(w http.ResponseWriter, r *http.Request, p params) error {
	t, err := s.svc.Versions.GetTag(r.Context(), p["pacticipant"], p["version"], p["tag"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).tagJSON(p["pacticipant"], p["version"], t))
	return nil
}

func (s *Server) putTag(w http.ResponseWriter, r *http.Request, p params) error {
	t, created, err := s.svc.Versions.AddTag(r.Context(), p["pacticipant"], p["version"], p["tag"])
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", s.links(r).tag(p["pacticipant"], p["version"], p["tag"]))
	}
	writeJSON(w, status, s.links(r).tagJSON(p["pacticipant"], p["version"], t))
	return nil
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Versions.DeleteTag(r.Context(), p["pacticipant"], p["version"], p["tag"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (l links) branchJSON(b broker.Branch) map[string]any {
	m := map[string]any{
		"name":      b.Name,
		"createdAt": ts(b.CreatedAt),
		"_links": map[string]any{
			"self":           Link{Href: l.branch(b.Pacticipant, b.Name), Title: "Branch", Name: b.Name},
			"pb:versions":    Link{Href: l.url("pacticipants", b.Pacticipant, "branches", b.Name, "versions"), Title: "Versions"},
			"pb:pacticipant": Link{Href: l.pacticipant(b.Pacticipant), Title: "Pacticipant", Name: b.Pacticipant},
		},
	}
	if b.LatestVersion != "" {
		m["_embedded"] = map[string]any{"latestVersion": map[string]any{"number": b.LatestVersion,
			"_links": map[string]any{"self": Link{Href: l.version(b.Pacticipant, b.LatestVersion), Title: "Version", Name: b.LatestVersion}}}}
	}
	return m
}

func (s *Server) listBranches(w http.ResponseWriter, r *http.Request, p params) error {
	bs, err := s.svc.Versions.ListBranches(r.Context(), p["pacticipant"])
	if err != nil {
		return err
	}
	l := s.links(r)
	items := []any{}
	for _, b := range bs {
		items = append(items, l.branchJSON(b))
	}
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"branches": items},
		"_links": map[string]any{"self": Link{Href: l.url("pacticipants", p["pacticipant"], "branches"), Title: "Branches"}}})
	return nil
}

func (s *Server) getBranch(w http.ResponseWriter, r *http.Request, p params) error {
	b, err := s.svc.Versions.GetBranch(r.Context(), p["pacticipant"], p["branch"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).branchJSON(b))
	return nil
}

func (s *Server) deleteBranch(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Versions.DeleteBranch(r.Context(), p["pacticipant"], p["branch"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) branchVersions(w http.ResponseWriter, r *http.Request, p params) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Versions.GetBranch(r.Context(), p["pacticipant"], p["branch"]); err != nil {
		return err
	}
	vs, total, err := s.svc.Versions.BranchVersions(r.Context(), p["pacticipant"], p["branch"], page)
	if err != nil {
		return err
	}
	s.writeVersions(w, r, vs, total, page, "/pacticipants/"+p["pacticipant"]+"/branches/"+p["branch"]+"/versions",
		s.links(r).url("pacticipants", p["pacticipant"], "branches", p["branch"], "versions"))
	return nil
}

func (l links) branchVersionJSON(p, b string, v broker.Version) map[string]any {
	latest := false
	for _, bv := range v.Branches {
		if bv.Branch == b {
			latest = bv.Latest
		}
	}
	return map[string]any{
		"name":   b,
		"latest": latest,
		"_links": map[string]any{
			"self":       Link{Href: l.branchVersion(p, b, v.Number), Title: "Branch version", Name: b},
			"pb:version": Link{Href: l.version(p, v.Number), Title: "Version", Name: v.Number},
			"pb:branch":  Link{Href: l.branch(p, b), Title: "Branch", Name: b},
		},
	}
}

func (s *Server) getBranchVersion(w http.ResponseWriter, r *http.Request, p params) error {
	v, err := s.svc.Versions.GetVersion(r.Context(), p["pacticipant"], p["version"])
	if err != nil {
		return err
	}
	for _, b := range v.Branches {
		if b.Branch == p["branch"] {
			writeJSON(w, http.StatusOK, s.links(r).branchVersionJSON(p["pacticipant"], p["branch"], v))
			return nil
		}
	}
	return broker.Errorf(broker.NotFound, "version %q of %q is not on branch %q", p["version"], p["pacticipant"], p["branch"])
}

// deleteBranchVersion takes the version off the branch; the version stays.
func (s *Server) deleteBranchVersion(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Versions.DeleteBranchVersion(r.Context(), p["pacticipant"], p["branch"], p["version"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) putBranchVersion(w http.ResponseWriter, r *http.Request, p params) error {
	v, created, err := s.svc.Versions.AddBranchVersion(r.Context(), p["pacticipant"], p["branch"], p["version"])
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.links(r).branchVersionJSON(p["pacticipant"], p["branch"], v))
	return nil
}
