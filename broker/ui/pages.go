package ui

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/matrix"
)

const defaultPageSize = 50

// pager is one page of a list with links to its neighbours.
type pager struct {
	Number, Size, Total, Pages int
	First, Last                int // 1-based positions shown
	Prev, Next                 string
}

func newPager(r *http.Request, total, defSize int) pager {
	q := r.URL.Query()
	size := atoiOr(q.Get("pageSize"), atoiOr(q.Get("size"), defSize))
	size = min(max(size, 1), 1000)
	n := max(atoiOr(q.Get("page"), atoiOr(q.Get("pageNumber"), 1)), 1)
	pages := max((total+size-1)/size, 1)
	n = min(n, pages)
	p := pager{Number: n, Size: size, Total: total, Pages: pages}
	p.First, p.Last = (n-1)*size+1, min(n*size, total)
	link := func(to int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(to))
		v.Set("pageSize", strconv.Itoa(size))
		v.Del("size")
		v.Del("pageNumber")
		return "?" + v.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if n < pages {
		p.Next = link(n + 1)
	}
	return p
}

func (p pager) slice(n int) (int, int) {
	lo := min((p.Number-1)*p.Size, n)
	return lo, min(lo+p.Size, n)
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

type indexData struct {
	Search, Status string
	Rows           []Integration
	Counts         map[Status]int
	All            int
	Pager          pager
	Statuses       []Status
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) error {
	ins, err := h.src.Integrations(r.Context())
	if err != nil {
		return err
	}
	d := indexData{Search: strings.TrimSpace(r.URL.Query().Get("search")), Status: r.URL.Query().Get("status"),
		Counts: map[Status]int{}, All: len(ins), Statuses: []Status{Verified, Failed, Pending, Unverified}}
	needle := strings.ToLower(d.Search)
	var rows []Integration
	for _, in := range ins {
		if needle != "" && !strings.Contains(strings.ToLower(in.Consumer), needle) && !strings.Contains(strings.ToLower(in.Provider), needle) {
			continue
		}
		d.Counts[in.Status()]++
		if d.Status != "" && string(in.Status()) != d.Status {
			continue
		}
		rows = append(rows, in)
	}
	d.Pager = newPager(r, len(rows), defaultPageSize)
	lo, hi := d.Pager.slice(len(rows))
	d.Rows = rows[lo:hi]
	return h.render(w, http.StatusOK, "index", "Integrations", "index", d)
}

type pactData struct {
	Pact         broker.Pact
	Version      broker.Version
	View         pactView
	Verification *broker.Verification
	Status       Status
	Others       []broker.Pact
	RawURL       string
	BadgeURL     string
	Markdown     string
	DiffURL      string
	MayWrite     bool
}

// pactRef reads which pact the URL names.
func pactRef(r *http.Request) broker.PactRef {
	ref := broker.PactRef{Consumer: r.PathValue("consumer"), Provider: r.PathValue("provider"), SHA: r.PathValue("sha"),
		Version: r.PathValue("version"), Branch: r.PathValue("branch"), Tag: r.PathValue("tag")}
	ref.Untagged = strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/badge"), "/latest-untagged")
	return ref
}

func (h *Handler) pact(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ref := pactRef(r)
	// A pact over the page's limit is not shown, so not read either.
	ref.MaxContent = maxViewBytes
	p, err := h.src.Pact(ctx, ref)
	if err != nil {
		return err
	}
	d := pactData{Pact: p, View: renderPact(p.Content)}
	if p.Content == nil && p.ContentSize > maxViewBytes {
		d.View = tooLarge(p.ContentSize)
	}
	if d.Version, err = h.src.Version(ctx, p.Consumer, p.ConsumerVersion); err != nil && !broker.IsNotFound(err) {
		return err
	}
	if d.Verification, err = h.src.LatestVerification(ctx, p.Consumer, p.Provider, p.SHA); err != nil {
		return err
	}
	d.Status = verificationStatus(d.Verification)
	if d.Verification != nil {
		d.View.attachResults(d.Verification.TestResults)
	}
	all, err := h.src.PactVersions(ctx, p.Consumer, p.Provider)
	if err != nil {
		return err
	}
	d.Others = all[:min(len(all), 10)]
	d.RawURL = h.pactURL(p.Consumer, p.Provider, p.ConsumerVersion) + ".json"
	d.BadgeURL = h.latestPactURL(p.Consumer, p.Provider) + "/badge"
	d.DiffURL = h.pactURL(p.Consumer, p.Provider, p.ConsumerVersion) + "/diff/previous-distinct"
	d.MayWrite = httpedge.MayWrite(r)
	d.Markdown = "[![" + p.Consumer + "/" + p.Provider + " Pact Status](" + absolute(r, d.BadgeURL) + ")](" + absolute(r, h.latestPactURL(p.Consumer, p.Provider)) + ")"
	return h.render(w, http.StatusOK, "pact", "Pact between "+p.Consumer+" and "+p.Provider, "", d)
}

// absolute makes a path absolute for snippets people paste elsewhere.
func absolute(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.TrimSpace(strings.Split(p, ",")[0])
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host = strings.TrimSpace(strings.Split(fh, ",")[0])
	}
	return scheme + "://" + host + path
}

type versionRow struct {
	broker.Version
	Deployments []Deployment
	// Coverage is the route coverage this version published with its verification results.
	Coverage *broker.RouteCoverage
	// Contract links the provider contract this version published, "" when it has none.
	Contract string
}

type pacticipantData struct {
	P           broker.Pacticipant
	AsConsumer  []Integration
	AsProvider  []Integration
	Network     template.HTML
	Versions    []versionRow
	Pager       pager
	Branches    []broker.Branch
	Deployments Deployments
	Mine        []Deployment
	Labels      labelsData
	MayWrite    bool
	// HasCoverage: some version of it published route coverage, so the versions list shows it.
	HasCoverage bool
	// HasContracts: some version on the page published a provider contract (an OpenAPI
	// document), so the versions list links them.
	HasContracts bool
}

func (h *Handler) pacticipant(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name := r.PathValue("pacticipant")
	p, err := h.src.Pacticipant(ctx, name)
	if err != nil {
		return err
	}
	d := pacticipantData{P: p, MayWrite: httpedge.MayWrite(r)}
	if d.Labels, err = h.labels(r, p); err != nil {
		return err
	}
	ins, err := h.src.Integrations(ctx)
	if err != nil {
		return err
	}
	var mine []Integration
	for _, in := range ins {
		if in.Consumer == p.Name {
			d.AsConsumer = append(d.AsConsumer, in)
		}
		if in.Provider == p.Name {
			d.AsProvider = append(d.AsProvider, in)
		}
		if in.Consumer == p.Name || in.Provider == p.Name {
			mine = append(mine, in)
		}
	}
	d.Network = networkSVG(p.Name, mine, h.pacticipantURL)
	_, total, err := h.src.Versions(ctx, p.Name, broker.Page{Number: 1, Size: 1})
	if err != nil {
		return err
	}
	d.Pager = newPager(r, total, 20)
	vs, _, err := h.src.Versions(ctx, p.Name, broker.Page{Number: d.Pager.Number, Size: d.Pager.Size})
	if err != nil {
		return err
	}
	if d.Branches, err = h.src.Branches(ctx, p.Name); err != nil {
		return err
	}
	if d.Deployments, err = h.src.Deployments(ctx); err != nil {
		return err
	}
	byVersion := d.Deployments.ByVersion()
	// A provider's versions show the route coverage each published: the newest hundred cover
	// the pages people look at.
	coverages, err := h.src.RouteCoverages(ctx, p.Name, 100)
	if err != nil {
		return err
	}
	coverage := map[string]*broker.RouteCoverage{}
	for i := range coverages {
		coverage[coverages[i].ProviderVersion] = &coverages[i]
	}
	numbers := make([]string, 0, len(vs))
	for _, v := range vs {
		numbers = append(numbers, v.Number)
	}
	contracts, err := h.src.ProviderContractVersions(ctx, p.Name, numbers)
	if err != nil {
		return err
	}
	for _, v := range vs {
		row := versionRow{Version: v, Deployments: byVersion[[2]string{p.Name, v.Number}], Coverage: coverage[v.Number]}
		if contracts[v.Number] {
			row.Contract = h.providerContractURL(p.Name, v.Number)
		}
		d.HasCoverage = d.HasCoverage || row.Coverage != nil
		d.HasContracts = d.HasContracts || row.Contract != ""
		d.Versions = append(d.Versions, row)
	}
	for _, it := range d.Deployments.Items {
		if it.Pacticipant == p.Name {
			d.Mine = append(d.Mine, it)
		}
	}
	return h.render(w, http.StatusOK, "pacticipant", p.Name, "", d)
}

// selectorRow is one line of the matrix form.
type selectorRow struct {
	Pacticipant, Version, Branch, Tag string
	Latest, MainBranch                bool
}

type matrixData struct {
	Selectors    []selectorRow
	Environment  string
	LatestBy     string
	Limit        int
	Pacticipants []string
	Environments []broker.Environment
	Asked        bool
	Problems     []string
	Result       matrix.Result
	Verdict      string // "yes", "no", "unknown"
	// MayWrite: the client may delete, so each verified row offers to
	// delete its verification result.
	MayWrite bool
}

func (h *Handler) matrix(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var q matrix.Query
	var perr error
	switch {
	case r.PathValue("consumer") != "":
		q = matrix.Query{Selectors: []matrix.Selector{{Pacticipant: r.PathValue("consumer")}, {Pacticipant: r.PathValue("provider")}},
			LatestBy: matrix.ByConsumerVersionAndProviderVersion, Limit: 100}
	case r.PathValue("to") != "":
		q = matrix.LatestTaggedToTag(r.PathValue("pacticipant"), r.PathValue("tag"), r.PathValue("to"))
	case r.PathValue("environment") != "":
		q = matrix.LatestOnBranchToEnvironment(r.PathValue("pacticipant"), r.PathValue("branch"), r.PathValue("environment"))
	default:
		q, perr = matrix.ParseQuery(r.URL.RawQuery)
		q.Selectors = slices.DeleteFunc(q.Selectors, func(s matrix.Selector) bool { return s.Pacticipant == "" })
	}
	d := matrixData{Environment: q.Environment, LatestBy: string(q.LatestBy), Limit: q.Limit, MayWrite: httpedge.MayWrite(r)}
	if d.Limit == 0 {
		d.Limit = matrix.DefaultLimit
	}
	for _, s := range q.Selectors {
		d.Selectors = append(d.Selectors, selectorRow{Pacticipant: s.Pacticipant, Version: s.Version, Branch: s.Branch, Tag: s.Tag, Latest: s.Latest, MainBranch: s.MainBranch})
	}
	// An empty row to add another application, also without JavaScript.
	d.Selectors = append(d.Selectors, selectorRow{})
	for len(d.Selectors) < 2 {
		d.Selectors = append(d.Selectors, selectorRow{})
	}
	pts, err := h.src.Pacticipants(ctx)
	if err != nil {
		return err
	}
	for _, p := range pts {
		d.Pacticipants = append(d.Pacticipants, p.Name)
	}
	if d.Environments, err = h.src.Environments(ctx); err != nil {
		return err
	}
	var ve *matrix.ValidationError
	switch {
	case errors.As(perr, &ve):
		d.Problems = ve.Problems
	case perr != nil:
		return perr
	case len(q.Selectors) > 0:
		d.Asked = true
		d.Result, err = h.src.Matrix(ctx, q)
		if errors.As(err, &ve) {
			d.Problems, d.Asked = ve.Problems, false
		} else if err != nil {
			return err
		}
		switch dep := d.Result.Summary.Deployable; {
		case dep == nil:
			d.Verdict = "unknown"
		case *dep:
			d.Verdict = "yes"
		default:
			d.Verdict = "no"
		}
	}
	status := http.StatusOK
	if len(d.Problems) > 0 {
		status = http.StatusBadRequest
	}
	return h.render(w, status, "matrix", "Matrix", "matrix", d)
}

// matrixRowStatus maps a matrix row to the page's statuses.
func matrixRowStatus(row matrix.Row) Status {
	switch row.Status() {
	case matrix.Succeeded:
		return Verified
	case matrix.Failed:
		return Failed
	}
	return Unverified
}

type envData struct {
	Environments []envRow
	Deployments  Deployments
}

type envRow struct {
	broker.Environment
	Deployed, Released []Deployment
}

func (h *Handler) environments(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	envs, err := h.src.Environments(ctx)
	if err != nil {
		return err
	}
	d := envData{}
	if d.Deployments, err = h.src.Deployments(ctx); err != nil {
		return err
	}
	for _, e := range envs {
		row := envRow{Environment: e}
		for _, it := range d.Deployments.Items {
			switch {
			case it.Environment != e.Name:
			case it.Released:
				row.Released = append(row.Released, it)
			default:
				row.Deployed = append(row.Deployed, it)
			}
		}
		d.Environments = append(d.Environments, row)
	}
	return h.render(w, http.StatusOK, "environments", "Environments", "environments", d)
}
