package matrix

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Data is a broker's state written out as plain facts, in the order things happened. Memory
// answers Facts from it; tests, benchmarks and tools use it to state a situation directly.
//
// Applications and versions named anywhere are created on first mention: Versions first (in list
// order), then those first named by Pacts, Verifications, Deployments and Releases. A version's
// creation order decides which one is "latest".
type Data struct {
	Pacticipants  []Pacticipant // only needed to set a main branch
	Environments  []string
	Versions      []VersionFact
	Pacts         []PactFact // publications, oldest first; republishing a consumer version adds a revision
	Verifications []VerificationFact
	Deployments   []Deployment // oldest first; a deployment replaces the previous one in its slot
	Releases      []Release
}

// VersionFact is a version with its branches and tags.
type VersionFact struct {
	Pacticipant, Number string
	Branches, Tags      []string
	CreatedAt           time.Time
}

// PactFact is a publication of content (identified by SHA) for a consumer version.
type PactFact struct {
	Consumer, ConsumerVersion, Provider, SHA string
	CreatedAt                                time.Time
}

// VerificationFact is a verification result of content by a provider version. It counts for every
// consumer version that published the same content.
type VerificationFact struct {
	Consumer, Provider, SHA, ProviderVersion string
	Success                                  bool
	VerifiedAt                               time.Time
}

// Deployment records a version deployed to an environment on an application instance ("" is its
// own slot). A later deployment to the same slot replaces it; Undeployed records its removal.
type Deployment struct {
	Pacticipant, Version, Environment, ApplicationInstance string
	Undeployed                                             bool
}

// Release records a version released to an environment; several can be supported at once until
// their support ends.
type Release struct {
	Pacticipant, Version, Environment string
	SupportEnded                      bool
}

// Memory implements Facts over Data with in-memory indexes. It is read-only after NewMemory and
// safe for concurrent use.
type Memory struct {
	apps     map[string]Pacticipant
	envs     map[string]bool
	versions map[string][]*memVersion // per application, oldest first
	byNumber map[[2]string]*memVersion
	byID     map[int64]*memVersion
	inEnv    map[[2]string][]*memVersion // application, environment -> versions there, newest first
	byTag    map[[2]string][]*memVersion // application, tag -> versions, oldest first
	onBranch map[[2]string][]*memVersion // application, branch -> versions, oldest first

	pacts          []Publication
	latestRevision map[[3]string]int // consumer, version number, provider -> index into pacts
	pactsByCons    map[string][]int  // every revision, oldest first
	isLatest       []bool            // per pact: the latest revision for its consumer version and provider
	pactsByContent map[Content][]int
	consumersOf    map[string][]string
	providersOfCV  map[int64][]string

	verifs          []Verification
	verifsByContent map[Content][]int
	verifsByPV      map[int64][]int
}

type memVersion struct {
	v        Version
	app      string
	branches []string
	tags     []string
	envs     map[string]bool // currently deployed or supported in
}

var _ Facts = (*Memory)(nil)

// NewMemory indexes d. It fails on facts that cannot be placed: empty names, or deployments and
// releases to environments that are not listed.
func NewMemory(d Data) (*Memory, error) {
	m := &Memory{
		apps: map[string]Pacticipant{}, envs: map[string]bool{}, versions: map[string][]*memVersion{},
		byNumber: map[[2]string]*memVersion{}, byID: map[int64]*memVersion{}, latestRevision: map[[3]string]int{},
		inEnv: map[[2]string][]*memVersion{}, byTag: map[[2]string][]*memVersion{}, onBranch: map[[2]string][]*memVersion{},
		pactsByCons:    map[string][]int{},
		pactsByContent: map[Content][]int{}, consumersOf: map[string][]string{}, providersOfCV: map[int64][]string{},
		verifsByContent: map[Content][]int{}, verifsByPV: map[int64][]int{},
	}
	for _, p := range d.Pacticipants {
		if p.Name == "" {
			return nil, fmt.Errorf("matrix: pacticipant without a name")
		}
		m.apps[p.Name] = p
	}
	for _, e := range d.Environments {
		m.envs[e] = true
	}
	for _, v := range d.Versions {
		mv, err := m.version(v.Pacticipant, v.Number)
		if err != nil {
			return nil, err
		}
		mv.branches = append(mv.branches, v.Branches...)
		mv.tags = append(mv.tags, v.Tags...)
		mv.v.CreatedAt = v.CreatedAt
	}
	revisions := map[[3]string]int{}
	for i, p := range d.Pacts {
		if p.Provider == "" || p.SHA == "" {
			return nil, fmt.Errorf("matrix: pact %d needs a provider and a SHA", i)
		}
		cv, err := m.version(p.Consumer, p.ConsumerVersion)
		if err != nil {
			return nil, err
		}
		m.app(p.Provider)
		k := [3]string{p.Consumer, p.ConsumerVersion, p.Provider}
		revisions[k]++
		m.pacts = append(m.pacts, Publication{ID: int64(i + 1), Consumer: p.Consumer, ConsumerVersion: cv.v, Provider: p.Provider,
			SHA: p.SHA, Revision: revisions[k], CreatedAt: p.CreatedAt})
		m.latestRevision[k] = i
		m.pactsByCons[p.Consumer] = append(m.pactsByCons[p.Consumer], i)
		if !slices.Contains(m.consumersOf[p.Provider], p.Consumer) {
			m.consumersOf[p.Provider] = append(m.consumersOf[p.Provider], p.Consumer)
		}
		if !slices.Contains(m.providersOfCV[cv.v.ID], p.Provider) {
			m.providersOfCV[cv.v.ID] = append(m.providersOfCV[cv.v.ID], p.Provider)
		}
	}
	m.isLatest = make([]bool, len(m.pacts))
	for _, i := range m.latestRevision {
		m.isLatest[i] = true
	}
	for i, p := range m.pacts {
		m.pactsByContent[contentOf(p)] = append(m.pactsByContent[contentOf(p)], i)
	}
	numbers := map[Content]int{}
	for i, v := range d.Verifications {
		if v.Consumer == "" || v.Provider == "" || v.SHA == "" {
			return nil, fmt.Errorf("matrix: verification %d needs a consumer, a provider and a SHA", i)
		}
		pv, err := m.version(v.Provider, v.ProviderVersion)
		if err != nil {
			return nil, err
		}
		c := Content{v.Consumer, v.Provider, v.SHA}
		numbers[c]++
		m.verifs = append(m.verifs, Verification{ID: int64(i + 1), Number: numbers[c], Consumer: v.Consumer, Provider: v.Provider,
			SHA: v.SHA, ProviderVersion: pv.v, Success: v.Success, VerifiedAt: v.VerifiedAt})
		m.verifsByContent[c] = append(m.verifsByContent[c], i)
		m.verifsByPV[pv.v.ID] = append(m.verifsByPV[pv.v.ID], i)
	}
	type slot struct{ app, env, instance string }
	current := map[slot]*memVersion{}
	var slots []slot
	for _, dep := range d.Deployments {
		if !m.envs[dep.Environment] {
			return nil, fmt.Errorf("matrix: deployment of %s %s to unknown environment %q; list it in Data.Environments", dep.Pacticipant, dep.Version, dep.Environment)
		}
		mv, err := m.version(dep.Pacticipant, dep.Version)
		if err != nil {
			return nil, err
		}
		s := slot{dep.Pacticipant, dep.Environment, dep.ApplicationInstance}
		if _, seen := current[s]; !seen {
			slots = append(slots, s)
		}
		current[s] = mv
		if dep.Undeployed {
			current[s] = nil
		}
	}
	for _, s := range slots {
		if mv := current[s]; mv != nil {
			mv.envs[s.env] = true
		}
	}
	for _, rel := range d.Releases {
		if !m.envs[rel.Environment] {
			return nil, fmt.Errorf("matrix: release of %s %s to unknown environment %q; list it in Data.Environments", rel.Pacticipant, rel.Version, rel.Environment)
		}
		mv, err := m.version(rel.Pacticipant, rel.Version)
		if err != nil {
			return nil, err
		}
		if !rel.SupportEnded {
			mv.envs[rel.Environment] = true
		}
	}
	for _, vs := range m.versions {
		for i := len(vs) - 1; i >= 0; i-- {
			mv := vs[i]
			for env := range mv.envs {
				k := [2]string{mv.app, env}
				m.inEnv[k] = append(m.inEnv[k], mv)
			}
		}
		for _, mv := range vs {
			for _, t := range mv.tags {
				m.byTag[[2]string{mv.app, t}] = append(m.byTag[[2]string{mv.app, t}], mv)
			}
			for _, b := range mv.branches {
				m.onBranch[[2]string{mv.app, b}] = append(m.onBranch[[2]string{mv.app, b}], mv)
			}
		}
	}
	return m, nil
}

func (m *Memory) app(name string) {
	if _, ok := m.apps[name]; !ok {
		m.apps[name] = Pacticipant{Name: name}
	}
}

func (m *Memory) version(app, number string) (*memVersion, error) {
	if app == "" || number == "" {
		return nil, fmt.Errorf("matrix: a version needs a pacticipant name and a number (got %q %q)", app, number)
	}
	m.app(app)
	k := [2]string{app, number}
	if mv, ok := m.byNumber[k]; ok {
		return mv, nil
	}
	id := int64(len(m.byNumber) + 1)
	mv := &memVersion{v: Version{ID: id, Number: number, Order: id}, app: app, envs: map[string]bool{}}
	m.byNumber[k] = mv
	m.byID[id] = mv
	m.versions[app] = append(m.versions[app], mv)
	return mv, nil
}

// Pacticipant implements Facts; names match exactly.
func (m *Memory) Pacticipant(_ context.Context, name string) (Pacticipant, bool, error) {
	p, ok := m.apps[name]
	return p, ok, nil
}

// EnvironmentExists implements Facts.
func (m *Memory) EnvironmentExists(_ context.Context, name string) (bool, error) {
	return m.envs[name], nil
}

// Versions implements Facts.
func (m *Memory) Versions(_ context.Context, s Selector) ([]Version, error) {
	main := m.apps[s.Pacticipant].MainBranch
	// Start from the narrowest index; every filter is still applied below.
	vs := m.versions[s.Pacticipant]
	switch {
	case s.Version != "":
		vs = nil
		if mv, ok := m.byNumber[[2]string{s.Pacticipant, s.Version}]; ok {
			vs = []*memVersion{mv}
		}
	case s.Environment != "":
		vs = slices.Clone(m.inEnv[[2]string{s.Pacticipant, s.Environment}])
		slices.Reverse(vs) // oldest first, like the others
	case s.Tag != "":
		vs = m.byTag[[2]string{s.Pacticipant, s.Tag}]
	case s.Branch != "":
		vs = m.onBranch[[2]string{s.Pacticipant, s.Branch}]
	case s.MainBranch:
		vs = m.onBranch[[2]string{s.Pacticipant, main}]
	}
	var out []Version
	for i := len(vs) - 1; i >= 0; i-- {
		mv := vs[i]
		if s.Version != "" && mv.v.Number != s.Version ||
			s.Tag != "" && !slices.Contains(mv.tags, s.Tag) ||
			s.Branch != "" && !slices.Contains(mv.branches, s.Branch) ||
			s.MainBranch && (main == "" || !slices.Contains(mv.branches, main)) ||
			s.Environment != "" && !mv.envs[s.Environment] {
			continue
		}
		out = append(out, mv.v)
		if s.Latest {
			break
		}
	}
	return out, nil
}

// Providers implements Facts.
func (m *Memory) Providers(_ context.Context, consumer string, versionIDs []int64) ([]string, error) {
	var out []string
	if versionIDs == nil {
		for provider, consumers := range m.consumersOf {
			if slices.Contains(consumers, consumer) {
				out = append(out, provider)
			}
		}
	} else {
		for _, id := range versionIDs {
			for _, p := range m.providersOfCV[id] {
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Consumers implements Facts.
func (m *Memory) Consumers(_ context.Context, provider string) ([]string, error) {
	return slices.Sorted(slices.Values(m.consumersOf[provider])), nil
}

// Pacts implements Facts.
func (m *Memory) Pacts(_ context.Context, q PactQuery) ([]Publication, error) {
	keep := func(i int) bool {
		p := m.pacts[i]
		if !q.AllRevisions && !m.isLatest[i] {
			return false
		}
		return q.Providers == nil || slices.Contains(q.Providers, p.Provider)
	}
	seen := map[int]bool{}
	var idx []int
	add := func(i int) {
		if !seen[i] && keep(i) {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	for _, c := range q.Contents {
		for _, i := range m.pactsByContent[c] {
			add(i)
		}
	}
	for _, s := range q.Consumers {
		if s.All || q.AllRevisions {
			for _, i := range m.pactsByCons[s.Pacticipant] {
				if s.All || slices.Contains(s.VersionIDs, m.pacts[i].ConsumerVersion.ID) {
					add(i)
				}
			}
			continue
		}
		for _, id := range s.VersionIDs {
			mv, ok := m.byID[id]
			if !ok || mv.app != s.Pacticipant {
				continue
			}
			for _, p := range m.providersOfCV[id] {
				if i, ok := m.latestRevision[[3]string{s.Pacticipant, mv.v.Number, p}]; ok {
					add(i)
				}
			}
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(b, a) }) // newest first
	if q.Limit > 0 && len(idx) > q.Limit {
		idx = idx[:q.Limit]
	}
	out := make([]Publication, len(idx))
	for i, j := range idx {
		out[i] = m.pacts[j]
	}
	return out, nil
}

// Verifications implements Facts.
func (m *Memory) Verifications(_ context.Context, q VerificationQuery) ([]Verification, error) {
	selected := func(v Verification) bool {
		if q.Providers == nil {
			return true
		}
		for _, s := range q.Providers {
			if s.Pacticipant == v.Provider && (s.All || slices.Contains(s.VersionIDs, v.ProviderVersion.ID)) {
				return true
			}
		}
		return false
	}
	var candidates []int
	switch {
	case q.Contents != nil:
		for _, c := range q.Contents {
			candidates = append(candidates, m.verifsByContent[c]...)
		}
	default:
		for _, s := range q.Providers {
			if s.All {
				for i, v := range m.verifs {
					if v.Provider == s.Pacticipant {
						candidates = append(candidates, i)
					}
				}
				continue
			}
			for _, id := range s.VersionIDs {
				candidates = append(candidates, m.verifsByPV[id]...)
			}
		}
	}
	type key struct {
		c  Content
		pv int64
	}
	latest := map[key]int{}
	var out []Verification
	for _, i := range candidates {
		v := m.verifs[i]
		if !selected(v) {
			continue
		}
		if q.AllResults {
			out = append(out, v)
			continue
		}
		k := key{contentOfVerification(v), v.ProviderVersion.ID}
		if j, ok := latest[k]; !ok || i > j {
			latest[k] = i
		}
	}
	if !q.AllResults {
		idx := make([]int, 0, len(latest))
		for _, i := range latest {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		idx = slices.Compact(idx)
		for _, i := range idx {
			out = append(out, m.verifs[i])
		}
	}
	return out, nil
}
