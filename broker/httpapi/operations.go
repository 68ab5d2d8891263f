package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/pactdiff"
)

// The resources an operator and a team use to look after a broker:
// provider states, pact diffs, labels, integrations, bulk deletes and
// dependency diagnostics.

// providerStates lists the provider states the provider's latest pacts
// ask for: from the consumers' main branches, one branch, or the consumer
// versions deployed or released in one environment.
func (s *Server) providerStates(w http.ResponseWriter, r *http.Request, p params) error {
	ctx := r.Context()
	if _, err := s.svc.Pacticipants.GetPacticipant(ctx, p["provider"]); err != nil {
		return err
	}
	var refs []broker.PactRef
	if p["uuid"] != "" {
		uuid, err := s.environmentUUID(r, p["uuid"])
		if err != nil {
			return err
		}
		deployed, err := s.svc.Deployments.CurrentlyDeployed(ctx, uuid, broker.DeploymentFilter{})
		if err != nil {
			return err
		}
		released, err := s.svc.Deployments.CurrentlySupported(ctx, uuid, broker.DeploymentFilter{})
		if err != nil {
			return err
		}
		for _, d := range deployed {
			refs = append(refs, broker.PactRef{Consumer: d.Pacticipant, Provider: p["provider"], Version: d.Version.Number})
		}
		for _, rel := range released {
			refs = append(refs, broker.PactRef{Consumer: rel.Pacticipant, Provider: p["provider"], Version: rel.Version.Number})
		}
	} else {
		f := broker.PactFilter{Latest: true, MainBranch: p["branch"] == "", Branch: p["branch"]}
		ps, err := s.svc.Pacts.ProviderPacts(ctx, p["provider"], f)
		if err != nil {
			return err
		}
		for _, pa := range ps {
			refs = append(refs, broker.PactRef{Consumer: pa.Consumer, Provider: pa.Provider, SHA: pa.SHA})
		}
	}
	var pacts []broker.Pact
	for _, ref := range refs {
		pa, err := s.svc.Pacts.GetPact(ctx, ref)
		if broker.IsNotFound(err) {
			continue // a deployed version that publishes no pact to this provider
		}
		if err != nil {
			return err
		}
		pacts = append(pacts, pa)
	}
	states := broker.ProviderStatesOf(pacts)
	if states == nil {
		states = []broker.ProviderState{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"providerStates": states})
	return nil
}

// environmentUUID resolves an environment named by UUID, as the API
// addresses them, or by name, as pact broker provider-states list
// --environment sends it.
func (s *Server) environmentUUID(r *http.Request, id string) (string, error) {
	env, err := s.svc.Environments.GetEnvironment(r.Context(), id)
	if err == nil {
		return env.UUID, nil
	}
	if !broker.IsNotFound(err) {
		return "", err
	}
	envs, ferr := s.svc.Environments.FindEnvironments(r.Context(), id)
	if ferr != nil {
		return "", ferr
	}
	if len(envs) != 1 {
		return "", err
	}
	return envs[0].UUID, nil
}

// previousDistinct finds the newest publication of the pair, older than
// pact, whose content differs; maxContent is broker.PactRef's (1: only
// whether there is one, its content left unread).
func (s *Server) previousDistinct(r *http.Request, pact broker.Pact, maxContent int) (broker.Pact, error) {
	prev, err := s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: pact.Consumer, Provider: pact.Provider, PreviousDistinctOf: &pact, MaxContent: maxContent})
	if broker.IsNotFound(err) {
		return broker.Pact{}, broker.Errorf(broker.NotFound, "no previous distinct version was found for the %s", pactTitle(pact))
	}
	return prev, err
}

// pactRelations are the conditional relations of a pact resource.
type pactRelations struct{ previousDistinct, latestUntagged bool }

func (s *Server) pactRelations(r *http.Request, pact broker.Pact) (pactRelations, error) {
	var has pactRelations
	_, err := s.previousDistinct(r, pact, 1)
	if err != nil && !broker.IsNotFound(err) {
		return has, err
	}
	has.previousDistinct = err == nil
	// Only whether it exists: MaxContent 1 leaves its content unread.
	_, err = s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: pact.Consumer, Provider: pact.Provider, Untagged: true, MaxContent: 1})
	if err != nil && !broker.IsNotFound(err) {
		return has, err
	}
	has.latestUntagged = err == nil
	return has, nil
}

func (s *Server) getPreviousDistinct(w http.ResponseWriter, r *http.Request, p params) error {
	pact, err := s.svc.Pacts.GetPact(r.Context(), pactRef(r, p))
	if err != nil {
		return err
	}
	prev, err := s.previousDistinct(r, pact, 0)
	if err != nil {
		return err
	}
	has, err := s.pactRelations(r, prev)
	if err != nil {
		return err
	}
	body, err := s.links(r).pactJSON(prev, "", has)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", halJSON)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// pactDiff answers the diff resources in text/plain, as the Ruby broker
// does: a title, the unified diff from the older pact to the newer one
// (compared regardless of interaction order) and links to both.
func (s *Server) pactDiff(w http.ResponseWriter, r *http.Request, p params) error {
	ctx := r.Context()
	pact, err := s.svc.Pacts.GetPact(ctx, broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], Version: p["version"], SHA: p["sha"]})
	if err != nil {
		return err
	}
	var other broker.Pact
	switch {
	case p["comparison_version"] != "":
		other, err = s.svc.Pacts.GetPact(ctx, broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], Version: p["comparison_version"]})
	case p["comparison_sha"] != "":
		other, err = s.svc.Pacts.GetPact(ctx, broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], SHA: p["comparison_sha"]})
	default:
		other, err = s.previousDistinct(r, pact, 0)
		if broker.IsNotFound(err) {
			w.Header().Set("Content-Type", "text/plain;charset=utf-8")
			_, err = fmt.Fprintf(w, "No previous distinct version was found for the %s\n", pactTitle(pact))
			return err
		}
	}
	if err != nil {
		return err
	}
	older, newer := other, pact
	if older.ConsumerVersionID > newer.ConsumerVersionID {
		older, newer = newer, older
	}
	diff, err := pactdiff.Diff(pactTitle(older), older.Content, pactTitle(newer), newer.Content)
	if err != nil {
		return err
	}
	if diff == "" {
		diff = "No differences: the two pacts have the same interactions (compared regardless of order).\n"
	}
	l := s.links(r)
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	_, err = fmt.Fprintf(w, "# Diff between versions %s and %s of the pact between %s and %s\n\n%s\n## Links\n\npact-version: %s\ncomparison-pact-version: %s\n",
		older.ConsumerVersion, newer.ConsumerVersion, pact.Consumer, pact.Provider, diff,
		l.pactVersion(newer.Provider, newer.Consumer, newer.ConsumerVersion), l.pactVersion(older.Provider, older.Consumer, older.ConsumerVersion))
	return err
}

// withContentDiff adds to a refused publication (a Conflict: the content
// of a published consumer version's pact changed) the diff of each
// changed pact, as the Ruby broker's 409 does, so the publisher sees what
// their build changed.
func (s *Server) withContentDiff(r *http.Request, consumer, version string, contracts []broker.Contract, err error) error {
	var de *broker.Error
	if !errors.As(err, &de) || de.Code != broker.Conflict {
		return err
	}
	out := *de
	out.Notices = slices.Clone(de.Notices)
	for _, c := range contracts {
		prior, gerr := s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: consumer, Provider: c.ProviderName, Version: version})
		if gerr != nil {
			continue
		}
		d, derr := pactdiff.Diff(fmt.Sprintf("pact published for %s version %s", consumer, version), prior.Content,
			fmt.Sprintf("pact being published for %s version %s", consumer, version), c.Content)
		if derr != nil || d == "" {
			continue
		}
		out.Notices = append(out.Notices, broker.Notice{Type: "info", Text: fmt.Sprintf("The changes to the pact between %s and %s:\n%s", consumer, c.ProviderName, d)})
	}
	return &out
}

func (l links) label(p, name string) string { return l.url("pacticipants", p, "labels", name) }

func (l links) labelJSON(lb broker.Label) map[string]any {
	return map[string]any{
		"name":      lb.Name,
		"createdAt": ts(lb.CreatedAt),
		"_links": map[string]any{
			"self":        Link{Href: l.label(lb.Pacticipant, lb.Name), Title: "Label", Name: lb.Name},
			"pacticipant": Link{Href: l.pacticipant(lb.Pacticipant), Title: "Pacticipant", Name: lb.Pacticipant},
		},
	}
}

func (s *Server) getLabel(w http.ResponseWriter, r *http.Request, p params) error {
	lb, err := s.svc.Labels.GetLabel(r.Context(), p["pacticipant"], p["label"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).labelJSON(lb))
	return nil
}

func (s *Server) putLabel(w http.ResponseWriter, r *http.Request, p params) error {
	lb, created, err := s.svc.Labels.AddLabel(r.Context(), p["pacticipant"], p["label"])
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", s.links(r).label(lb.Pacticipant, lb.Name))
	}
	writeJSON(w, status, s.links(r).labelJSON(lb))
	return nil
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Labels.DeleteLabel(r.Context(), p["pacticipant"], p["label"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) labelledPacticipants(w http.ResponseWriter, r *http.Request, p params) error {
	ps, err := s.svc.Labels.LabelledPacticipants(r.Context(), p["label"])
	if err != nil {
		return err
	}
	l := s.links(r)
	items, ls := []any{}, []Link{}
	for _, pa := range ps {
		items = append(items, l.pacticipantJSON(pa, nil))
		ls = append(ls, Link{Href: l.pacticipant(pa.Name), Title: "Pacticipant", Name: pa.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"pacticipants": items},
		"_links":    map[string]any{"self": Link{Href: l.url("pacticipants", "label", p["label"]), Title: "Pacticipants with label " + p["label"]}, "pb:pacticipants": ls},
	})
	return nil
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request, _ params) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	names, total, err := s.svc.Labels.LabelNames(r.Context(), page)
	if err != nil {
		return err
	}
	l := s.links(r)
	items := []any{}
	for _, n := range names {
		items = append(items, map[string]any{"name": n, "_links": map[string]any{
			"pb:pacticipants": Link{Href: l.url("pacticipants", "label", n), Title: "Pacticipants with label " + n}}})
	}
	body := map[string]any{"_embedded": map[string]any{"labels": items}, "_links": map[string]any{"self": Link{Href: l.url("labels"), Title: "Labels"}}}
	pageJSON(l, "/labels", page, total, body)
	writeJSON(w, http.StatusOK, body)
	return nil
}

// integrations lists consumer/provider pairs in HAL, or as a Graphviz DOT
// graph for Accept: text/vnd.graphviz.
func (s *Server) integrations(w http.ResponseWriter, r *http.Request, _ params) error {
	ins, err := s.svc.Operations.Integrations(r.Context())
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "text/vnd.graphviz") {
		var b strings.Builder
		b.WriteString("digraph { ranksep=3; ratio=auto; overlap=false; node [ shape = plaintext, fontname = \"Helvetica\" ];\n")
		for _, in := range ins {
			fmt.Fprintf(&b, "  %s -> %s\n", dotID(in.Consumer), dotID(in.Provider))
		}
		b.WriteString("}\n")
		w.Header().Set("Content-Type", "text/vnd.graphviz;charset=utf-8")
		_, err := w.Write([]byte(b.String()))
		return err
	}
	l := s.links(r)
	items := []any{}
	for _, in := range ins {
		items = append(items, map[string]any{
			"consumer":  map[string]any{"name": in.Consumer},
			"provider":  map[string]any{"name": in.Provider},
			"createdAt": ts(in.CreatedAt),
			"_links": map[string]any{
				"pb:dashboard": Link{Href: l.url("dashboard", "provider", in.Provider, "consumer", in.Consumer), Title: "BETA: Pacts to show on the dashboard"},
				// The Ruby broker's group_url is the consumer's page.
				"pb:group":              Link{Href: l.pacticipant(in.Consumer)},
				"pb:matrix":             Link{Href: l.url("matrix", "provider", in.Provider, "consumer", in.Consumer), Title: fmt.Sprintf("Matrix of pacts/verification results for %s and %s", in.Consumer, in.Provider)},
				"pb:delete_integration": Link{Href: l.url("integrations", "provider", in.Provider, "consumer", in.Consumer), Title: fmt.Sprintf("Delete the integration between %s and %s", in.Consumer, in.Provider)},
			},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"integrations": items},
		"_links": map[string]any{"self": Link{Href: l.url("integrations"), Title: "Integrations"}}})
	return nil
}

// dotID quotes a name for DOT, escaping what would end the string.
func dotID(name string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`).Replace(name) + `"`
}

func (s *Server) deleteIntegration(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Operations.DeleteIntegration(r.Context(), p["consumer"], p["provider"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteAllIntegrations(w http.ResponseWriter, r *http.Request, _ params) error {
	if err := s.svc.Operations.DeleteAllIntegrations(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteBranches removes a pacticipant's branches but the main branch and
// those in exclude[] (the Ruby broker's query), answering 202 with the
// Ruby broker's notice. The Ruby broker deletes after it has answered;
// this one deletes first, so a client that reads the branches next sees
// them gone and nothing is lost if the broker stops, and answers the same.
func (s *Server) deleteBranches(w http.ResponseWriter, r *http.Request, p params) error {
	q := r.URL.Query()
	keep := append(q["exclude[]"], q["exclude"]...)
	deleted, err := s.svc.Operations.DeleteBranches(r.Context(), p["pacticipant"], keep)
	if err != nil {
		return err
	}
	remaining, err := s.svc.Versions.ListBranches(r.Context(), p["pacticipant"])
	if err != nil {
		return err
	}
	slices.SortStableFunc(remaining, func(a, b broker.Branch) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var names []string
	for _, b := range remaining {
		names = append(names, b.Name)
	}
	text := fmt.Sprintf("Scheduled deletion of %d branches for pacticipant %s. Remaining branches are: %s", len(deleted), p["pacticipant"], strings.Join(names, ", "))
	writeJSON(w, http.StatusAccepted, map[string]any{"notices": []broker.Notice{{Type: "success", Text: text}},
		"_links": map[string]any{"pb:branches": Link{Href: s.links(r).url("pacticipants", p["pacticipant"], "branches"), Title: "Branches"}}})
	return nil
}

// pactList reads the pacts a consumer/provider pact-version list shows:
// all of the pair's, or those of a consumer tag or branch (the main
// branch when none is named), or only the latest of them.
func (s *Server) pactList(r *http.Request, p params) ([]broker.Pact, error) {
	path := r.Pattern
	if strings.HasSuffix(path, "/versions") && !strings.Contains(path, "/branch") {
		return s.svc.Pacts.PactVersions(r.Context(), p["consumer"], p["provider"])
	}
	f := broker.PactFilter{Consumer: p["consumer"], Tag: p["tag"], Branch: p["branch"], MainBranch: p["tag"] == "" && p["branch"] == "",
		Latest: strings.Contains(path, "/latest/")}
	return s.svc.Pacts.ProviderPacts(r.Context(), p["provider"], f)
}

// branchPacts serves the official consumer/provider branch lists
// (…/branch/versions, …/branch/latest/versions, …/branch/{b}/latest/versions).
func (s *Server) branchPacts(w http.ResponseWriter, r *http.Request, p params) error {
	ps, err := s.pactList(r, p)
	if err != nil {
		return err
	}
	s.writePactList(w, r, p["provider"], "Pact versions", ps)
	return nil
}

// deletePactList deletes the publications a pact-version list shows.
func (s *Server) deletePactList(w http.ResponseWriter, r *http.Request, p params) error {
	ps, err := s.pactList(r, p)
	if err != nil {
		return err
	}
	for _, pa := range ps {
		if err := s.svc.Pacts.DeletePact(r.Context(), pa.Consumer, pa.Provider, pa.ConsumerVersion); err != nil && !broker.IsNotFound(err) {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// dependencies reports whether the database answers, with 500 when not,
// so a load balancer can tell a broker that cannot serve.
func (s *Server) dependencies(w http.ResponseWriter, r *http.Request, _ params) error {
	db := map[string]any{"ok": true}
	status := http.StatusOK
	if err := s.svc.Health.Ping(r.Context()); err != nil {
		s.log.Error("dependency check: database", "err", err)
		db = map[string]any{"ok": false, "error": map[string]any{"message": "the database does not answer; see the broker's log"}}
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, map[string]any{"database": db, "_links": map[string]any{"self": Link{Href: s.links(r).url("diagnostic", "status", "dependencies")}}})
	return nil
}

// environmentVersions lists a pacticipant's versions deployed or released
// (and supported) in an environment.
func (s *Server) environmentVersions(w http.ResponseWriter, r *http.Request, p params) error {
	ctx := r.Context()
	env, err := s.svc.Environments.GetEnvironment(ctx, p["uuid"])
	if err != nil {
		return err
	}
	if _, err := s.svc.Pacticipants.GetPacticipant(ctx, p["pacticipant"]); err != nil {
		return err
	}
	f := broker.DeploymentFilter{Pacticipant: p["pacticipant"]}
	deployed, err := s.svc.Deployments.CurrentlyDeployed(ctx, env.UUID, f)
	if err != nil {
		return err
	}
	released, err := s.svc.Deployments.CurrentlySupported(ctx, env.UUID, f)
	if err != nil {
		return err
	}
	var vs []broker.Version
	seen := map[string]bool{}
	add := func(v broker.Version) {
		if !seen[v.Number] {
			seen[v.Number] = true
			vs = append(vs, v)
		}
	}
	for _, d := range deployed {
		add(d.Version)
	}
	for _, rel := range released {
		add(rel.Version)
	}
	self := s.links(r).url("pacticipants", p["pacticipant"], "environments", p["uuid"], "versions")
	s.writeVersions(w, r, vs, len(vs), broker.Page{}, strings.TrimPrefix(self, s.links(r).base), self)
	return nil
}

// consumerVersionVerifications is the latest verification result of each
// pact a consumer version published; success only when every one of them
// has a successful result.
func (s *Server) consumerVersionVerifications(w http.ResponseWriter, r *http.Request, p params) error {
	ctx := r.Context()
	if _, err := s.svc.Versions.GetVersion(ctx, p["consumer"], p["version"]); err != nil {
		return err
	}
	ins, err := s.svc.Operations.Integrations(ctx)
	if err != nil {
		return err
	}
	l := s.links(r)
	results := []any{}
	success := true
	for _, in := range ins {
		if in.Consumer != p["consumer"] {
			continue
		}
		pact, err := s.svc.Pacts.GetPact(ctx, broker.PactRef{Consumer: in.Consumer, Provider: in.Provider, Version: p["version"]})
		if broker.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		v, err := s.svc.Verifications.LatestVerification(ctx, in.Consumer, in.Provider, pact.SHA)
		if broker.IsNotFound(err) {
			success = false // unverified is not a success
			continue
		}
		if err != nil {
			return err
		}
		success = success && v.Success
		results = append(results, l.verificationJSON(v, pact.ConsumerVersion))
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": success, "_embedded": map[string]any{"verificationResults": results},
		"_links": map[string]any{"self": Link{Href: l.url("verification-results", "consumer", p["consumer"], "version", p["version"], "latest"), Title: "Latest verification results for consumer version"}}})
	return nil
}

// tagVersions lists a pacticipant's versions with a tag, newest first.
func (s *Server) tagVersions(w http.ResponseWriter, r *http.Request, p params) error {
	all, _, err := s.svc.Versions.ListVersions(r.Context(), p["pacticipant"], broker.Page{})
	if err != nil {
		return err
	}
	var vs []broker.Version
	for _, v := range all {
		if slices.ContainsFunc(v.Tags, func(t broker.Tag) bool { return t.Name == p["tag"] }) {
			vs = append(vs, v)
		}
	}
	l := s.links(r)
	self := l.url("pacticipants", p["pacticipant"], "tags", p["tag"], "versions")
	s.writeVersions(w, r, vs, len(vs), broker.Page{}, strings.TrimPrefix(self, l.base), self)
	return nil
}
