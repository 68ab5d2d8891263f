package verifiable

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Selection is one pact publication chosen by one selector.
type Selection struct {
	Consumer          string
	ConsumerVersion   string
	ConsumerVersionID int64
	SHA               string
	CreatedAt         time.Time
	// Selector is the selector that chose it (after expansion; matchingBranch
	// keeps its flag and Branch holds the provider branch it matched).
	Selector ConsumerVersionSelector
	// Branch is the consumer branch the version was chosen from (main
	// branch, branch and matchingBranch selectors, WIP).
	Branch string
	// Tag is the consumer tag the version was chosen by.
	Tag string
	// Environment is the environment name for deployed/released selectors.
	Environment string
	// Fallback is true when the selector's fallback tag/branch was used.
	Fallback bool
}

// Pact is one pact content a provider must verify, with every
// selection that led to it (content chosen by several selectors is verified
// once).
type Pact struct {
	Consumer   string
	Provider   string
	SHA        string
	Selections []Selection
	// PendingCalculated is true when the query asked for pending status.
	PendingCalculated bool
	Pending           bool
	WIP               bool
	ProviderBranch    string
	ProviderTags      []string
}

// Dedupe merges selections of the same content for the same consumer into one
// verifiable pact. The order is by consumer name, then first selection.
func Dedupe(provider string, selected []Selection) []Pact {
	type key struct{ consumer, sha string }
	idx := map[key]int{}
	var out []Pact
	for _, s := range selected {
		k := key{s.Consumer, s.SHA}
		if i, ok := idx[k]; ok {
			if !slices.ContainsFunc(out[i].Selections, func(o Selection) bool {
				return o.ConsumerVersionID == s.ConsumerVersionID && o.Selector == s.Selector
			}) {
				out[i].Selections = append(out[i].Selections, s)
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, Pact{Consumer: s.Consumer, Provider: provider, SHA: s.SHA, Selections: []Selection{s}})
	}
	slices.SortStableFunc(out, func(a, b Pact) int { return cmp.Compare(a.Consumer, b.Consumer) })
	return out
}

// PriorVerification is one verification result of some pact content, with the
// provider version's branches and tags: what pending/WIP rules look at.
type PriorVerification struct {
	SHA              string
	Success          bool
	WIP              bool
	ProviderVersion  string
	ProviderBranches []string
	ProviderTags     []string
	CreatedAt        time.Time
}

// PendingContext is what the pending rule needs to know about the provider.
type PendingContext struct {
	ProviderBranch string
	// BranchCreatedAt is nil when the provider branch does not exist yet.
	BranchCreatedAt *time.Time
	ProviderTags    []string
	// TagFirstUsedAt holds, per provider tag, when it was first applied.
	TagFirstUsedAt map[string]time.Time
}

// IsPending decides whether content with these verification facts is pending
// for the provider described by pc: it is, until a version of the provider
// from the same branch (or tag) has verified it successfully, or a version
// from another branch did so before this branch existed. Without branch or
// tags, content is pending until any provider version verifies it.
// WIP verifications count only when countWIP is set.
func IsPending(facts []PriorVerification, pc PendingContext, countWIP bool) bool {
	var ok []PriorVerification
	for _, f := range facts {
		if f.Success && (countWIP || !f.WIP) {
			ok = append(ok, f)
		}
	}
	if pc.ProviderBranch != "" {
		return !verifiedFrom(ok, pc.ProviderBranch, pc.BranchCreatedAt, func(f PriorVerification) []string { return f.ProviderBranches })
	}
	if len(pc.ProviderTags) > 0 {
		for _, tag := range pc.ProviderTags {
			var first *time.Time
			if t, found := pc.TagFirstUsedAt[tag]; found {
				first = &t
			}
			if !verifiedFrom(ok, tag, first, func(f PriorVerification) []string { return f.ProviderTags }) {
				return true
			}
		}
		return false
	}
	return len(ok) == 0
}

// verifiedFrom reports whether a successful verification came from the named
// branch/tag, or from elsewhere before the branch/tag came into being (a new
// branch inherits what its parent had verified). A branch that does not exist
// yet inherits everything.
func verifiedFrom(ok []PriorVerification, name string, createdAt *time.Time, names func(PriorVerification) []string) bool {
	for _, f := range ok {
		if slices.Contains(names(f), name) {
			return true
		}
		if createdAt == nil || f.CreatedAt.Before(*createdAt) {
			return true
		}
	}
	return false
}

// SelectWIP returns the work-in-progress pacts among candidates: content that
// was not explicitly selected and is still pending for the provider branch
// or tags (non-WIP verifications only). Without a provider branch or tags
// there are no WIP pacts.
func SelectWIP(provider string, candidates []Selection, explicit []Pact, facts map[string][]PriorVerification, pc PendingContext) []Pact {
	if pc.ProviderBranch == "" && len(pc.ProviderTags) == 0 {
		return nil
	}
	chosen := map[string]bool{}
	for _, v := range explicit {
		chosen[v.Consumer+"\x00"+v.SHA] = true
	}
	var keep []Selection
	for _, c := range candidates {
		if chosen[c.Consumer+"\x00"+c.SHA] || !IsPending(facts[c.SHA], pc, false) {
			continue
		}
		keep = append(keep, c)
	}
	out := Dedupe(provider, keep)
	for i := range out {
		out[i].WIP, out[i].Pending, out[i].PendingCalculated = true, true, true
		out[i].ProviderBranch, out[i].ProviderTags = pc.ProviderBranch, pc.ProviderTags
	}
	return out
}

// ShortDescription summarises why the pact was selected ("latest from main
// branch, deployed to production"); pact-go names its test runs after it.
func (v Pact) ShortDescription() string {
	var parts []string
	for _, s := range v.Selections {
		d := s.shortDescription(v.WIP)
		if !slices.Contains(parts, d) {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, ", ")
}

func (s Selection) shortDescription(wip bool) string {
	if wip {
		if s.Branch != "" {
			return "latest from branch " + s.Branch
		}
		return "latest with tag " + s.Tag
	}
	sel := s.Selector
	switch sel.Kind() {
	case KindMainBranch:
		return "latest from main branch"
	case KindMatchingBranch:
		return "latest from matching branch " + s.Branch
	case KindBranch:
		if s.Fallback {
			return "latest from branch " + sel.FallbackBranch
		}
		return "latest from branch " + sel.Branch
	case KindLatestTag:
		if s.Fallback {
			return "latest with tag " + sel.FallbackTag
		}
		return "latest with tag " + sel.Tag
	case KindAllTag:
		return "one of " + sel.Tag
	case KindDeployed:
		return "deployed to " + s.Environment
	case KindReleased:
		return "released in " + s.Environment
	case KindEnvironment:
		return "currently in " + s.Environment
	}
	return "latest"
}
