package matrix

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// ValidationError lists what is wrong with a query. The HTTP layer answers it with 400 and
// {"errors": Problems}; every problem says how to fix it.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid matrix query: " + strings.Join(e.Problems, "; ")
}

// Decide answers q from f: it resolves the selectors, finds the integrations involved, infers the
// versions already in the target, builds the rows and sums them up. A query naming an unknown
// application or environment is a *ValidationError, never a "yes"; errors from f are returned
// wrapped.
func Decide(ctx context.Context, f Facts, q Query) (Result, error) {
	d := &decider{ctx: ctx, f: f, q: q, apps: map[string]appLookup{}}
	if q.Limit == 0 {
		d.q.Limit = DefaultLimit
	}
	if err := d.validate(); err != nil {
		return Result{}, err
	}
	if err := d.run(); err != nil {
		return Result{}, fmt.Errorf("matrix: %w", err)
	}
	return d.result(), nil
}

type appLookup struct {
	p  Pacticipant
	ok bool
}

type decider struct {
	ctx  context.Context
	f    Facts
	q    Query
	apps map[string]appLookup

	ignores      []Resolved
	specified    []Resolved
	inferred     []Resolved
	integrations []Integration
	rows         []Row
}

func (d *decider) app(name string) (Pacticipant, bool, error) {
	if a, ok := d.apps[name]; ok {
		return a.p, a.ok, nil
	}
	p, ok, err := d.f.Pacticipant(d.ctx, name)
	if err != nil {
		return Pacticipant{}, false, fmt.Errorf("look up pacticipant %q: %w", name, err)
	}
	d.apps[name] = appLookup{p, ok}
	return p, ok, nil
}

func (d *decider) validate() error {
	var problems []string
	for _, s := range d.q.Selectors {
		if s.Pacticipant == "" {
			problems = append(problems, "every selector needs a pacticipant name (q[][pacticipant]=NAME)")
		} else if s.Version != "" && s.Latest {
			problems = append(problems, fmt.Sprintf("the selector for %s gives both a version number and latest=true; give one of them", s.Pacticipant))
		}
	}
	for _, s := range d.q.Selectors {
		if s.Pacticipant == "" {
			continue
		}
		if _, ok, err := d.app(s.Pacticipant); err != nil {
			return fmt.Errorf("matrix: %w", err)
		} else if !ok {
			problems = append(problems, fmt.Sprintf("there is no pacticipant named %s; check the spelling, or publish a pact or record a version for it first", s.Pacticipant))
		}
	}
	if len(d.q.Selectors) == 0 {
		problems = append(problems, "give at least one selector (q[][pacticipant]=NAME, with a version, tag, branch or environment)")
	}
	for _, ig := range d.q.Ignore {
		if ig.Pacticipant == "" {
			problems = append(problems, "every ignore selector needs a pacticipant name (ignore[][pacticipant]=NAME)")
		}
	}
	targets := 0
	for _, set := range []bool{d.q.Tag != "", d.q.Environment != "", d.q.MainBranch} {
		if set {
			targets++
		}
	}
	if targets > 1 {
		problems = append(problems, "give only one target: a tag, an environment or mainBranch")
	}
	if d.q.Latest && d.q.Environment != "" {
		problems = append(problems, "latest cannot be combined with an environment: the versions in an environment are already known; drop latest")
	}
	if d.q.Environment != "" {
		ok, err := d.f.EnvironmentExists(d.ctx, d.q.Environment)
		if err != nil {
			return fmt.Errorf("matrix: look up environment %q: %w", d.q.Environment, err)
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("there is no environment named %s; check the name (pact broker list-environments) or create it first", d.q.Environment))
		}
	}
	if d.q.Limit < 1 {
		problems = append(problems, "limit must be a number of at least 1")
	}
	switch d.q.LatestBy {
	case EveryRow, ByConsumerVersionAndProviderVersion, ByConsumerVersionAndProvider, ByConsumerAndProvider:
	default:
		problems = append(problems, fmt.Sprintf("latestby %q is not one of cvpv, cvp or cp", d.q.LatestBy))
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

func (d *decider) run() error {
	for _, ig := range d.q.Ignore {
		rs, err := d.resolve(Selector{Pacticipant: ig.Pacticipant, Version: ig.Version}, Ignored)
		if err != nil {
			return err
		}
		d.ignores = append(d.ignores, rs...)
	}
	for _, s := range d.q.Selectors {
		rs, err := d.resolve(s, Specified)
		if err != nil {
			return err
		}
		d.specified = append(d.specified, rs...)
	}
	if err := d.findIntegrations(); err != nil {
		return err
	}
	if d.q.infers() {
		if err := d.inferSelectors(); err != nil {
			return err
		}
	}
	rows, err := d.queryRows()
	if err != nil {
		return err
	}
	d.rows = rows
	return nil
}

// resolve matches one selector against the data: one Resolved per version found, or a single one
// that says nothing matched.
func (d *decider) resolve(s Selector, origin Origin) ([]Resolved, error) {
	p, ok, err := d.app(s.Pacticipant)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []Resolved{{Selector: s, Origin: origin}}, nil
	}
	s.Pacticipant = p.Name
	base := Resolved{Selector: s, Origin: origin, MainBranch: p.MainBranch}
	if s.nameOnly() {
		base.Exists = true
		base.Ignore = origin != Ignored && d.ignoresApp(p.Name)
		return []Resolved{base}, nil
	}
	versions, err := d.f.Versions(d.ctx, s)
	if err != nil {
		return nil, fmt.Errorf("find versions of %s: %w", p.Name, err)
	}
	if s.Latest && len(versions) > 1 {
		versions = versions[:1]
	}
	if len(versions) == 0 {
		base.Ignore = origin != Ignored && d.ignoresApp(p.Name)
		return []Resolved{base}, nil
	}
	out := make([]Resolved, len(versions))
	for i := range versions {
		r := base
		r.Version = &versions[i]
		r.Exists = true
		r.OneOfMany = len(versions) > 1
		r.Ignore = origin != Ignored && d.ignoresVersion(p.Name, versions[i].ID)
		out[i] = r
	}
	return out, nil
}

func (r Resolved) app() string { return r.Selector.Pacticipant }

func (r Resolved) ignoresAll() bool { return r.Selector.Version == "" }

func (d *decider) ignoresApp(name string) bool {
	for _, ig := range d.ignores {
		if ig.Exists && ig.app() == name && ig.ignoresAll() {
			return true
		}
	}
	return false
}

func (d *decider) ignoresVersion(name string, id int64) bool {
	for _, ig := range d.ignores {
		if ig.Exists && ig.app() == name && (ig.ignoresAll() || ig.Version.ID == id) {
			return true
		}
	}
	return false
}

// sides groups resolved selectors per application: every version when any selector for it is
// name-only, else the versions found. Applications whose selectors found nothing are left out.
func sides(rs []Resolved) []Side {
	var out []Side
	idx := map[string]int{}
	for _, r := range rs {
		if !r.Exists || (r.Version == nil && !r.Selector.nameOnly()) {
			continue
		}
		i, seen := idx[r.app()]
		if !seen {
			i = len(out)
			idx[r.app()] = i
			out = append(out, Side{Pacticipant: r.app()})
		}
		if r.Version == nil {
			out[i].All, out[i].VersionIDs = true, nil
		} else if !out[i].All {
			out[i].VersionIDs = append(out[i].VersionIDs, r.Version.ID)
		}
	}
	return out
}

func (s Side) ids() []int64 {
	if s.All {
		return nil
	}
	return s.VersionIDs
}

// findIntegrations works out which consumer/provider pairs the question is about. A consumer being
// deployed requires each provider it has a pact with (for those very versions: integrations come
// and go); a provider being deployed does not require its consumers but must not break them.
func (d *decider) findIntegrations() error {
	specifiedSides := sides(d.specified)
	var found []Integration
	if d.q.infers() || len(d.specified) == 1 {
		for _, s := range specifiedSides {
			providers, err := d.f.Providers(d.ctx, s.Pacticipant, s.ids())
			if err != nil {
				return fmt.Errorf("find providers of %s: %w", s.Pacticipant, err)
			}
			for _, p := range providers {
				found = append(found, Integration{Consumer: s.Pacticipant, Provider: p, Required: true})
			}
		}
		seen := map[string]bool{}
		for _, r := range d.specified {
			if seen[r.app()] {
				continue
			}
			seen[r.app()] = true
			consumers, err := d.f.Consumers(d.ctx, r.app())
			if err != nil {
				return fmt.Errorf("find consumers of %s: %w", r.app(), err)
			}
			for _, c := range consumers {
				found = append(found, Integration{Consumer: c, Provider: r.app()})
			}
		}
	} else {
		names := map[string]bool{}
		for _, r := range d.specified {
			names[r.app()] = true
		}
		for _, s := range specifiedSides {
			providers, err := d.f.Providers(d.ctx, s.Pacticipant, s.ids())
			if err != nil {
				return fmt.Errorf("find providers of %s: %w", s.Pacticipant, err)
			}
			for _, p := range providers {
				if names[p] {
					found = append(found, Integration{Consumer: s.Pacticipant, Provider: p, Required: true})
				}
			}
		}
	}
	byPair := map[[2]string]int{}
	for _, in := range found {
		k := [2]string{in.Consumer, in.Provider}
		if i, ok := byPair[k]; ok {
			d.integrations[i].Required = d.integrations[i].Required || in.Required
			continue
		}
		byPair[k] = len(d.integrations)
		d.integrations = append(d.integrations, in)
	}
	slices.SortFunc(d.integrations, func(a, b Integration) int {
		return cmp.Or(cmp.Compare(a.Consumer, b.Consumer), cmp.Compare(a.Provider, b.Provider))
	})
	return nil
}

// inferSelectors adds, for every application integrated with the specified ones, a selector for
// the target scope: the versions the specified versions would run alongside.
func (d *decider) inferSelectors() error {
	specified := map[string]bool{}
	for _, r := range d.specified {
		specified[r.app()] = true
	}
	done := map[string]bool{}
	for _, in := range d.integrations {
		for _, name := range []string{in.Consumer, in.Provider} {
			if specified[name] || done[name] {
				continue
			}
			done[name] = true
			rs, err := d.resolve(Selector{
				Pacticipant: name,
				Latest:      d.q.Latest,
				Tag:         d.q.Tag,
				MainBranch:  d.q.MainBranch,
				Environment: d.q.Environment,
			}, Inferred)
			if err != nil {
				return err
			}
			d.inferred = append(d.inferred, rs...)
		}
	}
	return nil
}

func (d *decider) all() []Resolved {
	return append(append([]Resolved(nil), d.specified...), d.inferred...)
}

func contentOf(p Publication) Content { return Content{p.Consumer, p.Provider, p.SHA} }

func contentOfVerification(v Verification) Content { return Content{v.Consumer, v.Provider, v.SHA} }

// queryRows gathers the pacts and verifications of the selected versions and joins them on content.
func (d *decider) queryRows() ([]Row, error) {
	all := d.all()
	every := d.q.LatestBy == EveryRow
	var rows []Row
	if len(all) == 1 {
		var err error
		if rows, err = d.singleSelectorRows(all[0], every); err != nil {
			return nil, err
		}
	} else {
		sel := sides(all)
		if len(sel) == 0 {
			return nil, nil
		}
		var names []string
		seen := map[string]bool{}
		for _, r := range all {
			if !seen[r.app()] {
				seen[r.app()] = true
				names = append(names, r.app())
			}
		}
		pacts, err := d.f.Pacts(d.ctx, PactQuery{Consumers: sel, Providers: names, AllRevisions: every, Limit: d.q.Limit})
		if err != nil {
			return nil, fmt.Errorf("find pacts: %w", err)
		}
		verifs, err := d.verificationsFor(pacts, sel, every)
		if err != nil {
			return nil, err
		}
		specified := map[string]bool{}
		for _, r := range d.specified {
			specified[r.app()] = true
		}
		for _, r := range leftJoin(pacts, verifs) {
			if specified[r.Pact.Consumer] || specified[r.Pact.Provider] {
				rows = append(rows, r)
			}
		}
	}
	sortByActivity(rows)
	if len(rows) > d.q.Limit {
		rows = rows[:d.q.Limit]
	}
	return rows, nil
}

func (d *decider) verificationsFor(pacts []Publication, providers []Side, every bool) ([]Verification, error) {
	if len(pacts) == 0 {
		return nil, nil
	}
	var contents []Content
	seen := map[Content]bool{}
	for _, p := range pacts {
		c := contentOf(p)
		if !seen[c] {
			seen[c] = true
			contents = append(contents, c)
		}
	}
	verifs, err := d.f.Verifications(d.ctx, VerificationQuery{Contents: contents, Providers: providers, AllResults: every})
	if err != nil {
		return nil, fmt.Errorf("find verification results: %w", err)
	}
	return verifs, nil
}

// singleSelectorRows answers a query about one application version (set) alone: the rows where it
// is the consumer, with any provider version, and those where it verified as the provider.
func (d *decider) singleSelectorRows(r Resolved, every bool) ([]Row, error) {
	sel := sides([]Resolved{r})
	if len(sel) == 0 {
		return nil, nil
	}
	asConsumer, err := d.f.Pacts(d.ctx, PactQuery{Consumers: sel, AllRevisions: every, Limit: d.q.Limit})
	if err != nil {
		return nil, fmt.Errorf("find pacts: %w", err)
	}
	verifs, err := d.verificationsFor(asConsumer, nil, every)
	if err != nil {
		return nil, err
	}
	rows := leftJoin(asConsumer, verifs)

	byProvider, err := d.f.Verifications(d.ctx, VerificationQuery{Providers: sel, AllResults: every})
	if err != nil {
		return nil, fmt.Errorf("find verification results: %w", err)
	}
	if len(byProvider) == 0 {
		return rows, nil
	}
	var contents []Content
	seen := map[Content]bool{}
	for _, v := range byProvider {
		c := contentOfVerification(v)
		if !seen[c] {
			seen[c] = true
			contents = append(contents, c)
		}
	}
	verified, err := d.f.Pacts(d.ctx, PactQuery{Contents: contents, AllRevisions: every})
	if err != nil {
		return nil, fmt.Errorf("find pacts: %w", err)
	}
	have := map[[2]int64]bool{}
	for _, row := range rows {
		if row.Verification != nil {
			have[[2]int64{row.Pact.ID, row.Verification.ID}] = true
		}
	}
	for _, row := range leftJoin(verified, byProvider) {
		if row.Verification != nil && !have[[2]int64{row.Pact.ID, row.Verification.ID}] {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// leftJoin pairs each pact with every verification of its content; a pact without one still gets
// a row, which is how a missing verification shows.
func leftJoin(pacts []Publication, verifs []Verification) []Row {
	byContent := map[Content][]int{}
	for i, v := range verifs {
		c := contentOfVerification(v)
		byContent[c] = append(byContent[c], i)
	}
	rows := make([]Row, 0, len(pacts))
	for _, p := range pacts {
		idx := byContent[contentOf(p)]
		if len(idx) == 0 {
			rows = append(rows, Row{Pact: p})
			continue
		}
		for _, i := range idx {
			v := verifs[i]
			rows = append(rows, Row{Pact: p, Verification: &v, ProviderVersion: &v.ProviderVersion})
		}
	}
	return rows
}

// sortByActivity orders rows by their latest activity (consumer or provider version creation),
// newest first, as the limit applies to the most recent rows.
func sortByActivity(rows []Row) {
	slices.SortStableFunc(rows, func(a, b Row) int {
		return cmp.Or(
			b.lastAction().Compare(a.lastAction()),
			cmp.Compare(b.Pact.ID, a.Pact.ID),
			cmp.Compare(b.verificationID(), a.verificationID()),
		)
	})
}

func (r Row) verificationID() int64 {
	if r.Verification == nil {
		return 0
	}
	return r.Verification.ID
}
