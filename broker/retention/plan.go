package retention

import (
	"slices"
	"time"
)

// Version is what Plan needs to know about one application version.
type Version struct {
	// ID orders an application's versions by creation, as the store does.
	ID          int64
	Pacticipant string
	Number      string
	CreatedAt   time.Time
	// Branches the version is on, and those of them it is the head of.
	Branches    []string
	BranchHeads []string
	Tags        []string
	// DeployedIn and SupportedIn name the environments where the version
	// is currently deployed, or released and still supported.
	DeployedIn  []string
	SupportedIn []string
}

// Facts is the broker's data as far as retention is concerned.
type Facts struct {
	Versions []Version
	// MainBranches maps an application to its main branch, when it has one.
	MainBranches map[string]string
}

// Plan says what one clean run deletes and why the rest stays.
type Plan struct {
	// Delete holds the versions to delete, oldest first, at most the limit.
	Delete []Version
	// Unprotected counts every version nothing keeps; it exceeds
	// len(Delete) when the limit leaves some for the next run.
	Unprotected int
	// Kept counts the versions kept, KeptBy those each keep selector
	// matches (a version may match several), and Guarded those kept
	// only because they are deployed, released or a main-branch head.
	Kept    int
	KeptBy  []int
	Guarded int
}

// Decide plans a clean: every version that no keep selector matches and no
// guard protects may go, oldest first, at most limit of them. The guards
// hold whatever the selectors say: a version currently deployed, released
// and supported, or at the head of its application's main branch stays.
func Decide(keep []Selector, f Facts, now time.Time, limit int) Plan {
	p := Plan{KeptBy: make([]int, len(keep))}
	kept := make(map[int64]bool, len(f.Versions))
	for i, s := range keep {
		for id := range s.matches(f, now) {
			kept[id] = true
			p.KeptBy[i]++
		}
	}
	versions := slices.Clone(f.Versions)
	slices.SortFunc(versions, func(a, b Version) int { return compareInt(a.ID, b.ID) })
	for _, v := range versions {
		switch {
		case kept[v.ID]:
			p.Kept++
		case guarded(v, f.MainBranches):
			p.Kept++
			p.Guarded++
		default:
			p.Unprotected++
			if len(p.Delete) < limit {
				p.Delete = append(p.Delete, v)
			}
		}
	}
	return p
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// guarded is what no configuration may delete: can-i-deploy answers about
// these versions.
func guarded(v Version, main map[string]string) bool {
	if len(v.DeployedIn) > 0 || len(v.SupportedIn) > 0 {
		return true
	}
	b, ok := main[v.Pacticipant]
	return ok && b != "" && slices.Contains(v.BranchHeads, b)
}

// matches returns the IDs of the versions the selector keeps, following
// the Ruby broker's Version.for_selector: every criterion set must hold;
// latest then keeps the newest of the matches per application (per
// application and tag name for {"tag": true}), except with a branch or
// mainBranch, where it means the branch heads.
func (s Selector) matches(f Facts, now time.Time) map[int64]bool {
	var cutoff time.Time
	if s.MaxAgeDays != nil {
		y, m, d := now.UTC().Date()
		cutoff = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -*s.MaxAgeDays)
	}
	latestByBranch := s.Latest && (s.Branch.set() || s.MainBranch)
	var found []Version
	for _, v := range f.Versions {
		if s.Pacticipant != "" && v.Pacticipant != s.Pacticipant {
			continue
		}
		if s.Environment != "" && !slices.Contains(v.DeployedIn, s.Environment) && !slices.Contains(v.SupportedIn, s.Environment) {
			continue
		}
		if s.Deployed && len(v.DeployedIn) == 0 || s.Released && len(v.SupportedIn) == 0 {
			continue
		}
		if s.Tag.Any && len(v.Tags) == 0 || s.Tag.Name != "" && !slices.Contains(v.Tags, s.Tag.Name) {
			continue
		}
		if s.MaxAgeDays != nil && v.CreatedAt.Before(cutoff) {
			continue
		}
		branches := v.Branches
		if latestByBranch {
			branches = v.BranchHeads
		}
		if s.MainBranch {
			main := f.MainBranches[v.Pacticipant]
			if main == "" || !slices.Contains(branches, main) {
				continue
			}
		}
		if s.Branch.Any && len(branches) == 0 || s.Branch.Name != "" && !slices.Contains(branches, s.Branch.Name) {
			continue
		}
		found = append(found, v)
	}
	out := make(map[int64]bool, len(found))
	if !s.Latest || latestByBranch {
		for _, v := range found {
			out[v.ID] = true
		}
		return out
	}
	type group struct{ pacticipant, tag string }
	newest := map[group]int64{}
	take := func(g group, id int64) {
		if cur, ok := newest[g]; !ok || id > cur {
			newest[g] = id
		}
	}
	for _, v := range found {
		if s.Tag.Any {
			for _, t := range v.Tags {
				take(group{v.Pacticipant, t}, v.ID)
			}
			continue
		}
		take(group{v.Pacticipant, ""}, v.ID)
	}
	for _, id := range newest {
		out[id] = true
	}
	return out
}

// Verification is a verification result, for ageing out superseded ones.
type Verification struct {
	ID                               int64
	PactVersionID, ProviderVersionID int64
	CreatedAt                        time.Time
}

// TriggeredWebhook is a triggered webhook with its delivery logs.
type TriggeredWebhook struct {
	ID                                int64
	WebhookID, ConsumerID, ProviderID int64
	CreatedAt                         time.Time
	// Pending is true while a delivery is still to be attempted.
	Pending bool
}

// Overwritten picks the overwritten data created before cutoff, at most
// limit of each kind, oldest first: verification results superseded by a
// later result for the same pact content and provider version, and
// triggered webhooks (with their logs) other than the latest of each
// webhook and consumer/provider pair. A delivery still pending stays.
func Overwritten(vs []Verification, tws []TriggeredWebhook, cutoff time.Time, limit int) (verifications, triggered []int64) {
	type vkey struct{ pact, provider int64 }
	latestV := map[vkey]int64{}
	for _, v := range vs {
		k := vkey{v.PactVersionID, v.ProviderVersionID}
		latestV[k] = max(latestV[k], v.ID)
	}
	for _, v := range vs {
		if v.ID != latestV[vkey{v.PactVersionID, v.ProviderVersionID}] && v.CreatedAt.Before(cutoff) {
			verifications = append(verifications, v.ID)
		}
	}
	type tkey struct{ webhook, consumer, provider int64 }
	latestT := map[tkey]int64{}
	for _, t := range tws {
		k := tkey{t.WebhookID, t.ConsumerID, t.ProviderID}
		latestT[k] = max(latestT[k], t.ID)
	}
	for _, t := range tws {
		if !t.Pending && t.ID != latestT[tkey{t.WebhookID, t.ConsumerID, t.ProviderID}] && t.CreatedAt.Before(cutoff) {
			triggered = append(triggered, t.ID)
		}
	}
	return firstN(verifications, limit), firstN(triggered, limit)
}

func firstN(ids []int64, n int) []int64 {
	slices.Sort(ids)
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids
}
