package broker

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SelectedPact is one pact publication chosen by one selector.
type SelectedPact struct {
	Consumer          string
	ConsumerVersion   string
	ConsumerVersionID int64
	SHA               string
	CreatedAt         time.Time
	// Selector is the selector that chose it (after expansion; matchingBranch
	// keeps its flag and Branch holds the provider branch it matched).
	Selector Selector
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

// VerifiablePact is one pact content a provider must verify, with every
// selection that led to it (content chosen by several selectors is verified
// once).
type VerifiablePact struct {
	Consumer   string
	Provider   string
	SHA        string
	Selections []SelectedPact
	// PendingCalculated is true when the query asked for pending status.
	PendingCalculated bool
	Pending           bool
	WIP               bool
	ProviderBranch    string
	ProviderTags      []string
}

// Dedupe merges selections of the same content for the same consumer into one
// verifiable pact. The order is by consumer name, then first selection.
func Dedupe(provider string, selected []SelectedPact) []VerifiablePact {
	type key struct{ consumer, sha string }
	idx := map[key]int{}
	var out []VerifiablePact
	for _, s := range selected {
		k := key{s.Consumer, s.SHA}
		if i, ok := idx[k]; ok {
			if !slices.ContainsFunc(out[i].Selections, func(o SelectedPact) bool {
				return o.ConsumerVersionID == s.ConsumerVersionID && o.Selector == s.Selector
			}) {
				out[i].Selections = append(out[i].Selections, s)
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, VerifiablePact{Consumer: s.Consumer, Provider: provider, SHA: s.SHA, Selections: []SelectedPact{s}})
	}
	slices.SortStableFunc(out, func(a, b VerifiablePact) int { return cmp.Compare(a.Consumer, b.Consumer) })
	return out
}

// VerificationFact is one verification result of some pact content, with the
// provider version's branches and tags: what pending/WIP rules look at.
type VerificationFact struct {
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
func IsPending(facts []VerificationFact, pc PendingContext, countWIP bool) bool {
	var ok []VerificationFact
	for _, f := range facts {
		if f.Success && (countWIP || !f.WIP) {
			ok = append(ok, f)
		}
	}
	if pc.ProviderBranch != "" {
		return !verifiedFrom(ok, pc.ProviderBranch, pc.BranchCreatedAt, func(f VerificationFact) []string { return f.ProviderBranches })
	}
	if len(pc.ProviderTags) > 0 {
		for _, tag := range pc.ProviderTags {
			var first *time.Time
			if t, found := pc.TagFirstUsedAt[tag]; found {
				first = &t
			}
			if !verifiedFrom(ok, tag, first, func(f VerificationFact) []string { return f.ProviderTags }) {
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
func verifiedFrom(ok []VerificationFact, name string, createdAt *time.Time, names func(VerificationFact) []string) bool {
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
func SelectWIP(provider string, candidates []SelectedPact, explicit []VerifiablePact, facts map[string][]VerificationFact, pc PendingContext) []VerifiablePact {
	if pc.ProviderBranch == "" && len(pc.ProviderTags) == 0 {
		return nil
	}
	chosen := map[string]bool{}
	for _, v := range explicit {
		chosen[v.Consumer+"\x00"+v.SHA] = true
	}
	var keep []SelectedPact
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

// VerificationSource is the part of a Store that pacts-for-verification reads.
type VerificationSource interface {
	// SelectPacts resolves one (expanded) selector for a provider.
	// matchingBranch selectors arrive with Branch set to the provider branch.
	SelectPacts(ctx context.Context, provider string, sel Selector) ([]SelectedPact, error)
	// ConsumerMainlines describes every consumer with a pact for the provider.
	ConsumerMainlines(ctx context.Context, provider string) ([]ConsumerMainline, error)
	// VerificationFacts returns the verifications of the provider for the
	// given contents.
	VerificationFacts(ctx context.Context, provider string, shas []string) (map[string][]VerificationFact, error)
	// PendingContext describes the provider branch and tags.
	PendingContext(ctx context.Context, provider, branch string, tags []string) (PendingContext, error)
	// WIPCandidates returns the pacts at the head of a consumer branch or
	// latest for a consumer tag, published after since.
	WIPCandidates(ctx context.Context, provider string, since time.Time) ([]SelectedPact, error)
}

// FindPactsForVerification answers a pacts-for-verification query.
func FindPactsForVerification(ctx context.Context, src VerificationSource, provider string, q VerificationQuery) ([]VerifiablePact, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	sels := q.Selectors
	if len(sels) == 0 {
		mains, err := src.ConsumerMainlines(ctx, provider)
		if err != nil {
			return nil, fmt.Errorf("pacts for verification: %w", err)
		}
		sels = DefaultSelectors(mains)
	}
	// The selectors, the WIP candidates and the provider's pending context
	// are independent reads: run them at once, since each costs a database
	// round trip or several.
	expanded := Expand(sels)
	perSelector := make([][]SelectedPact, len(expanded))
	var (
		wg         sync.WaitGroup
		errMu      sync.Mutex
		firstErr   error
		pc         PendingContext
		candidates []SelectedPact
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if firstErr == nil {
			firstErr = fmt.Errorf("pacts for verification: %w", err)
		}
	}
	for i, s := range expanded {
		wg.Go(func() {
			got, err := selectWithFallback(ctx, src, provider, s, q.ProviderBranch)
			if err != nil {
				fail(err)
			}
			perSelector[i] = got
		})
	}
	needFacts := q.IncludePending || q.WIPSince != nil
	wantWIP := q.WIPSince != nil && (q.ProviderBranch != "" || len(q.ProviderTags) > 0)
	if needFacts {
		wg.Go(func() {
			var err error
			if pc, err = src.PendingContext(ctx, provider, q.ProviderBranch, q.ProviderTags); err != nil {
				fail(err)
			}
		})
	}
	if wantWIP {
		wg.Go(func() {
			var err error
			if candidates, err = src.WIPCandidates(ctx, provider, *q.WIPSince); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	var selected []SelectedPact
	for _, got := range perSelector {
		selected = append(selected, got...)
	}
	pacts := Dedupe(provider, selected)

	var facts map[string][]VerificationFact
	if needFacts {
		shas := make([]string, 0, len(pacts)+len(candidates))
		for _, p := range pacts {
			shas = append(shas, p.SHA)
		}
		for _, c := range candidates {
			shas = append(shas, c.SHA)
		}
		var err error
		if facts, err = src.VerificationFacts(ctx, provider, shas); err != nil {
			return nil, fmt.Errorf("pacts for verification: %w", err)
		}
	}
	for i := range pacts {
		pacts[i].ProviderBranch, pacts[i].ProviderTags = q.ProviderBranch, q.ProviderTags
		if q.IncludePending {
			pacts[i].PendingCalculated = true
			pacts[i].Pending = IsPending(facts[pacts[i].SHA], pc, true)
		}
	}
	if q.WIPSince != nil {
		pacts = append(pacts, SelectWIP(provider, candidates, pacts, facts, pc)...)
	}
	return pacts, nil
}

// selectWithFallback resolves one selector, using its fallback tag or
// branch when it selects nothing.
func selectWithFallback(ctx context.Context, src VerificationSource, provider string, s Selector, providerBranch string) ([]SelectedPact, error) {
	if s.MatchingBranch {
		s.Branch = providerBranch
	}
	got, err := src.SelectPacts(ctx, provider, s)
	if err != nil || len(got) > 0 || (s.FallbackTag == "" && s.FallbackBranch == "") {
		return got, err
	}
	fb := s
	if s.FallbackTag != "" {
		fb.Tag, fb.FallbackTag = s.FallbackTag, ""
	} else {
		fb.Branch, fb.FallbackBranch = s.FallbackBranch, ""
	}
	if got, err = src.SelectPacts(ctx, provider, fb); err != nil {
		return nil, err
	}
	for i := range got {
		got[i].Selector, got[i].Fallback = s, true
	}
	return got, nil
}

// ShortDescription summarises why the pact was selected ("latest from main
// branch, deployed to production"); pact-go names its test runs after it.
func (v VerifiablePact) ShortDescription() string {
	var parts []string
	for _, s := range v.Selections {
		d := s.shortDescription(v.WIP)
		if !slices.Contains(parts, d) {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, ", ")
}

func (s SelectedPact) shortDescription(wip bool) string {
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

// criterion describes a selection for the "being verified because" notice.
func (s SelectedPact) criterion() string {
	sel := s.Selector
	of := ""
	if sel.Consumer != "" {
		of = " of " + sel.Consumer
	}
	var d string
	switch sel.Kind() {
	case KindMainBranch:
		d = fmt.Sprintf("latest version%s from the main branch '%s'", of, s.Branch)
	case KindMatchingBranch:
		d = fmt.Sprintf("latest version%s from branch '%s' (matching the provider branch)", of, s.Branch)
	case KindBranch:
		if s.Fallback {
			d = fmt.Sprintf("latest version%s from branch '%s' (fallback branch used as no version was found from branch '%s')", of, sel.FallbackBranch, sel.Branch)
		} else {
			d = fmt.Sprintf("latest version%s from branch '%s'", of, sel.Branch)
		}
	case KindLatestTag:
		if s.Fallback {
			d = fmt.Sprintf("latest version%s tagged '%s' (fallback tag used as no pact was found with tag '%s')", of, sel.FallbackTag, sel.Tag)
		} else {
			d = fmt.Sprintf("latest version%s tagged '%s'", of, sel.Tag)
		}
	case KindAllTag:
		d = fmt.Sprintf("one of the versions%s tagged '%s'", of, sel.Tag)
	case KindDeployed:
		d = fmt.Sprintf("version%s currently deployed to %s", of, s.Environment)
	case KindReleased:
		d = fmt.Sprintf("version%s released and supported in %s", of, s.Environment)
	case KindEnvironment:
		d = fmt.Sprintf("version%s currently in %s", of, s.Environment)
	default:
		if sel.Consumer != "" {
			d = fmt.Sprintf("latest version of %s that has a pact with the provider", sel.Consumer)
		} else {
			d = "latest version of a consumer that has a pact with the provider"
		}
	}
	return fmt.Sprintf("%s (%s)", d, s.ConsumerVersion)
}

// VerificationNotice is a message for the verifier, shown at the moment
// named by When ("before_verification", "after_verification:...").
type VerificationNotice struct {
	When string `json:"when"`
	Text string `json:"text"`
}

// Notices explains to the verifier why this pact is verified and what a
// failure means. pactURL is the permalink of the content.
func (v VerifiablePact) Notices(pactURL string) []VerificationNotice {
	var out []VerificationNotice
	before := func(text string) { out = append(out, VerificationNotice{When: "before_verification", Text: text}) }
	if v.WIP {
		s := v.Selections[0]
		from := fmt.Sprintf("from branch '%s'", s.Branch)
		if s.Branch == "" {
			from = fmt.Sprintf("with tag '%s'", s.Tag)
		}
		before(fmt.Sprintf("The pact at %s is being verified because it is a 'work in progress' pact (ie. it is the pact for the latest version of %s %s and it has not yet been successfully verified by %s). Read more at https://docs.pact.io/go/wip",
			pactURL, v.Consumer, from, v.providerDescription()))
	} else {
		var crit []string
		for _, s := range v.Selections {
			crit = append(crit, "    * "+s.criterion())
		}
		what := "the consumer version matching the following criterion"
		if len(crit) > 1 {
			what = "the consumer versions matching the following criteria"
		}
		before(fmt.Sprintf("The pact at %s is being verified because the pact content belongs to %s:\n%s", pactURL, what, strings.Join(crit, "\n")))
	}
	if !v.PendingCalculated {
		return out
	}
	after := func(success, published bool, text string) {
		out = append(out, VerificationNotice{When: fmt.Sprintf("after_verification:success_%t_published_%t", success, published), Text: text})
	}
	if v.Pending {
		before(fmt.Sprintf("This pact is in pending state for this version of %s because a successful verification result for %s has not yet been published. If this verification fails, it will not cause the overall build to fail. Read more at https://docs.pact.io/go/pending",
			v.Provider, v.providerDescription()))
		after(true, false, fmt.Sprintf("This pact is still in pending state for %s as the successful verification results have not yet been published.", v.providerDescription()))
		after(true, true, fmt.Sprintf("This pact is no longer in pending state for %[1]s, as a successful verification result has been published. If a verification by %[1]s fails in the future, it will fail the build. Read more at https://docs.pact.io/go/pending", v.providerDescription()))
		after(false, false, fmt.Sprintf("This pact is still in pending state for %s as a successful verification result has not yet been published", v.providerDescription()))
		after(false, true, fmt.Sprintf("This pact is still in pending state for %s as a successful verification result has not yet been published", v.providerDescription()))
	} else {
		before(fmt.Sprintf("This pact has previously been successfully verified by %s. If this verification fails, it will fail the build. Read more at https://docs.pact.io/go/pending", v.providerDescription()))
	}
	return out
}

func (v VerifiablePact) providerDescription() string {
	switch {
	case v.ProviderBranch != "":
		return fmt.Sprintf("a version of %s from branch '%s'", v.Provider, v.ProviderBranch)
	case len(v.ProviderTags) == 1:
		return fmt.Sprintf("a version of %s with tag '%s'", v.Provider, v.ProviderTags[0])
	case len(v.ProviderTags) > 1:
		return fmt.Sprintf("a version of %s with tags '%s'", v.Provider, strings.Join(v.ProviderTags, "', '"))
	}
	return "any version of " + v.Provider
}

// Metadata encodes how the pact was selected into the URL segment the
// verifier posts its results under (Rack nested query, base64url, no
// padding, as the Ruby broker writes it).
func (v VerifiablePact) Metadata() string {
	var parts []string
	kv := func(k, val string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(val)) }
	if v.WIP {
		kv("w", "true")
	} else {
		for _, s := range v.Selections {
			if s.Branch != "" {
				kv("s[][b]", s.Branch)
			}
			if s.Tag != "" {
				kv("s[][t]", s.Tag)
			} else if s.Selector.Tag != "" {
				kv("s[][t]", s.Selector.Tag)
			}
			if s.Selector.IsLatest() {
				kv("s[][l]", "true")
			}
			if s.Environment != "" {
				kv("s[][e]", s.Environment)
			}
			kv("s[][cv]", fmt.Sprint(s.ConsumerVersionID))
		}
		if v.PendingCalculated {
			kv("p", fmt.Sprint(v.Pending))
		}
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "&")))
}

// ParseMetadata decodes a metadata URL segment into the WIP and pending
// flags a verification result must be stored with. Unreadable metadata
// means "no flags": the result is still worth keeping.
func ParseMetadata(seg string) (wip, pending bool) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return false, false
	}
	q, err := url.ParseQuery(string(raw))
	if err != nil {
		return false, false
	}
	return q.Get("w") == "true", q.Get("p") == "true" || q.Get("w") == "true"
}
