package verifiable

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
)

// Facts is what Find reads: each method is one or a few indexed queries
// (*sqlstore.Store implements it).
type Facts interface {
	// SelectPacts resolves one (expanded) selector for a provider.
	// matchingBranch selectors arrive with Branch set to the provider branch.
	SelectPacts(ctx context.Context, provider string, sel ConsumerVersionSelector) ([]Selection, error)
	// ConsumerMainlines describes every consumer with a pact for the provider.
	ConsumerMainlines(ctx context.Context, provider string) ([]ConsumerMainline, error)
	// PriorVerifications returns the verifications of the provider for the
	// given contents, by content SHA.
	PriorVerifications(ctx context.Context, provider string, shas []string) (map[string][]PriorVerification, error)
	// PendingContext describes the provider branch and tags.
	PendingContext(ctx context.Context, provider, branch string, tags []string) (PendingContext, error)
	// WIPCandidates returns the pacts at the head of a consumer branch or
	// latest for a consumer tag, published after since.
	WIPCandidates(ctx context.Context, provider string, since time.Time) ([]Selection, error)
}

// Snapshots reads Facts in one consistent view of the committed state
// (*sqlstore.Store implements it).
type Snapshots interface {
	// VerifiableSnapshot runs fn over one read-only view. state names it
	// as broker.Matrix's MatrixSnapshot does: two views with the same
	// non-empty state show exactly the same committed data, and any write
	// committed since changes it, so an answer found in one may be served
	// for the other; "" means the store cannot tell (never reuse).
	VerifiableSnapshot(ctx context.Context, fn func(ctx context.Context, state string, f Facts) error) error
	// CommittedState names the committed state now, as VerifiableSnapshot's
	// state does, read on its own (one query, no transaction).
	CommittedState(ctx context.Context) (string, error)
}

// Find answers a pacts-for-verification query.
func Find(ctx context.Context, src Facts, provider string, q Query) ([]Pact, error) {
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
	// round trip or several. The first failure cancels the others.
	expanded := Expand(sels)
	perSelector := make([][]Selection, len(expanded))
	var (
		pc         PendingContext
		candidates []Selection
	)
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range expanded {
		g.Go(func() (err error) {
			perSelector[i], err = selectWithFallback(gctx, src, provider, s, q.ProviderBranch)
			return err
		})
	}
	needFacts := q.IncludePending || q.WIPSince != nil
	wantWIP := q.WIPSince != nil && (q.ProviderBranch != "" || len(q.ProviderTags) > 0)
	if needFacts {
		g.Go(func() (err error) {
			pc, err = src.PendingContext(gctx, provider, q.ProviderBranch, q.ProviderTags)
			return err
		})
	}
	if wantWIP {
		g.Go(func() (err error) {
			candidates, err = src.WIPCandidates(gctx, provider, *q.WIPSince)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("pacts for verification: %w", err)
	}
	var selected []Selection
	for _, got := range perSelector {
		selected = append(selected, got...)
	}
	pacts := Dedupe(provider, selected)

	var facts map[string][]PriorVerification
	if needFacts {
		shas := make([]string, 0, len(pacts)+len(candidates))
		for _, p := range pacts {
			shas = append(shas, p.SHA)
		}
		for _, c := range candidates {
			shas = append(shas, c.SHA)
		}
		var err error
		if facts, err = src.PriorVerifications(ctx, provider, shas); err != nil {
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
func selectWithFallback(ctx context.Context, src Facts, provider string, s ConsumerVersionSelector, providerBranch string) ([]Selection, error) {
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
