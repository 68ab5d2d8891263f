package matrix

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

func (d *decider) result() Result {
	rows := applyLatestBy(d.rows, d.q.LatestBy)
	if d.q.LatestBy == EveryRow || d.q.LatestBy == ByConsumerVersionAndProviderVersion {
		rows = d.expandEnvironments(rows)
	}
	if d.q.Success != nil {
		rows = slices.DeleteFunc(rows, func(r Row) bool { return !slices.Contains(d.q.Success, r.Status()) })
	}
	var considered, ignored []Row
	for _, r := range rows {
		if d.ignoresRow(r) {
			r.Ignored = true
			ignored = append(ignored, r)
		} else {
			considered = append(considered, r)
		}
	}
	slices.SortStableFunc(considered, compareRows)
	slices.SortStableFunc(ignored, compareRows)
	res := Result{
		Rows:         append(considered, ignored...),
		Resolved:     d.all(),
		Integrations: d.integrations,
	}
	res.Summary = d.summarise(considered, ignored)
	return res
}

// applyLatestBy keeps, per group, the row of the newest provider version; a group whose first row
// is unverified (the pact has no verification by a selected provider version) keeps that row.
func applyLatestBy(rows []Row, by LatestBy) []Row {
	if by == EveryRow {
		return rows
	}
	type key struct{ c, cv, p, pv string }
	keyOf := func(r Row) key {
		k := key{c: r.Pact.Consumer, p: r.Pact.Provider}
		if by != ByConsumerAndProvider {
			k.cv = r.Pact.ConsumerVersion.Number
		}
		if by == ByConsumerVersionAndProviderVersion && r.Verification != nil {
			k.pv = r.Verification.ProviderVersion.Number
		}
		return k
	}
	var order []key
	best := map[key]Row{}
	for _, r := range rows {
		k := keyOf(r)
		cur, seen := best[k]
		if !seen {
			order = append(order, k)
			best[k] = r
			continue
		}
		if cur.Verification == nil || r.Verification == nil {
			continue
		}
		// Newest provider version wins; on a tie (cp) the newer consumer version.
		if c := cmp.Or(
			cmp.Compare(r.Verification.ProviderVersion.Order, cur.Verification.ProviderVersion.Order),
			cmp.Compare(r.Pact.ConsumerVersion.Order, cur.Pact.ConsumerVersion.Order),
		); c > 0 {
			best[k] = r
		}
	}
	out := make([]Row, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

// expandEnvironments makes every provider version in a target environment answer for itself: a
// pact whose provider is selected by environment gets an unverified row for each version there that
// has not verified it, so one compatible version cannot hide an incompatible one still running.
func (d *decider) expandEnvironments(rows []Row) []Row {
	inEnv := map[string][]Version{}
	allVersions := map[string]bool{}
	for _, r := range d.all() {
		switch {
		case r.Version == nil && r.Exists:
			allVersions[r.app()] = true
		case r.Version != nil && r.Selector.Environment != "":
			inEnv[r.app()] = append(inEnv[r.app()], *r.Version)
		}
	}
	if len(inEnv) == 0 {
		return rows
	}
	var order []int64
	groups := map[int64][]Row{}
	for _, r := range rows {
		if _, seen := groups[r.Pact.ID]; !seen {
			order = append(order, r.Pact.ID)
		}
		groups[r.Pact.ID] = append(groups[r.Pact.ID], r)
	}
	out := make([]Row, 0, len(rows))
	for _, id := range order {
		group := groups[id]
		versions := inEnv[group[0].Pact.Provider]
		if len(versions) == 0 || allVersions[group[0].Pact.Provider] {
			out = append(out, group...)
			continue
		}
		verified := map[int64]bool{}
		for _, r := range group {
			if r.Verification != nil {
				verified[r.Verification.ProviderVersion.ID] = true
				out = append(out, r)
			}
		}
		for _, v := range versions {
			if !verified[v.ID] {
				v := v
				out = append(out, Row{Pact: group[0].Pact, ProviderVersion: &v})
			}
		}
	}
	return out
}

func (d *decider) ignoresRow(r Row) bool {
	for _, ig := range d.ignores {
		if !ig.Exists {
			continue
		}
		if ig.app() == r.Pact.Consumer && (ig.ignoresAll() || ig.Version.ID == r.Pact.ConsumerVersion.ID) {
			return true
		}
		if ig.app() == r.Pact.Provider && (ig.ignoresAll() || r.ProviderVersion != nil && ig.Version.ID == r.ProviderVersion.ID) {
			return true
		}
	}
	return false
}

// compareRows is the order of the matrix: consumer, newest consumer version, newest revision,
// provider, then unverified rows before the newest provider version and verification.
func compareRows(a, b Row) int {
	return cmp.Or(
		cmp.Compare(a.Pact.Consumer, b.Pact.Consumer),
		cmp.Compare(b.Pact.ConsumerVersion.Order, a.Pact.ConsumerVersion.Order),
		cmp.Compare(b.Pact.Revision, a.Pact.Revision),
		cmp.Compare(a.Pact.Provider, b.Pact.Provider),
		compareNewestFirstNilFirst(a.ProviderVersion, b.ProviderVersion),
		cmp.Compare(b.verificationID(), a.verificationID()),
	)
}

func compareNewestFirstNilFirst(a, b *Version) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(b.Order, a.Order)
}

func (d *decider) summarise(considered, ignored []Row) Summary {
	all := append(append([]Row(nil), considered...), ignored...)
	var missing []Integration
	for _, in := range d.integrations {
		if in.Required && !slices.ContainsFunc(all, func(r Row) bool {
			return r.Pact.Consumer == in.Consumer && r.Pact.Provider == in.Provider
		}) {
			missing = append(missing, in)
		}
	}

	var s Summary
	var pending []Row
	considered = slices.DeleteFunc(slices.Clone(considered), func(r Row) bool {
		if d.pendingForProvider(r) {
			pending = append(pending, r)
			return true
		}
		return false
	})
	for _, r := range considered {
		switch r.Status() {
		case Succeeded:
			s.Success++
		case Failed:
			s.Failed++
		default:
			s.Unknown++
		}
	}
	s.Unknown += len(missing)
	if len(d.q.Ignore) > 0 {
		n := len(ignored)
		s.Ignored = &n
	}

	var notFound []Resolved
	for _, r := range d.specified {
		if !r.Ignore && !r.Selector.nameOnly() && r.Version == nil {
			notFound = append(notFound, r)
		}
	}
	var deployable *bool
	switch {
	case len(notFound) > 0:
		deployable = ptr(false)
	case s.Unknown > 0:
	default:
		deployable = ptr(s.Failed == 0)
	}
	s.Deployable = deployable

	var errs []Reason
	for _, r := range notFound {
		errs = append(errs, Reason{VersionNotFound, versionNotFound(r)})
	}
	if len(errs) == 0 {
		for _, in := range missing {
			errs = append(errs, Reason{NotVerified, fmt.Sprintf("There is no verified pact between %s and %s",
				d.describeFor(in.Consumer, nil), d.describeFor(in.Provider, nil))})
		}
		for _, r := range considered {
			if r.Status() == Failed {
				why := ""
				if r.Verification.Summary != "" {
					why = ": " + r.Verification.Summary
				}
				errs = append(errs, Reason{VerificationFailed, fmt.Sprintf("The verification of the pact between %s and %s failed%s",
					d.describeFor(r.Pact.Consumer, &r.Pact.ConsumerVersion), d.describeFor(r.Pact.Provider, r.ProviderVersion), why)})
			}
		}
		for _, r := range considered {
			if r.Status() == Unverified {
				errs = append(errs, Reason{NotVerified, fmt.Sprintf("There is no verified pact between %s and %s",
					d.describeFor(r.Pact.Consumer, &r.Pact.ConsumerVersion), d.describeFor(r.Pact.Provider, r.ProviderVersion))})
			}
		}
	}
	errs = uniqueReasons(errs)

	var reasons []Reason
	for _, r := range pending {
		reasons = append(reasons, Reason{PendingIncompatible, fmt.Sprintf("WARN: The pact between %s and %s is incompatible with the provider contract but still pending (never yet compatible on %s's branch), so it does not hold %s back: %s",
			d.describeFor(r.Pact.Consumer, &r.Pact.ConsumerVersion), d.describeFor(r.Pact.Provider, r.ProviderVersion), r.Pact.Provider, r.Pact.Provider, r.Verification.Summary)})
	}
	for _, ig := range d.ignores {
		if !ig.Exists {
			reasons = append(reasons, Reason{IgnoreNotFound, "WARN: Nothing to ignore for " + describe(ig) + ", so it was not ignored; check the name and version"})
		}
	}
	if len(d.specified) == 1 && d.q.Tag == "" && d.q.Environment == "" && !d.q.MainBranch {
		reasons = append(reasons, Reason{NoEnvironment, "WARN: No target environment was given, so this only compares with the latest versions; pass the environment you are deploying to for an answer you can rely on"})
	}
	if slices.ContainsFunc(d.specified, func(r Resolved) bool { return !r.Selector.nameOnly() }) &&
		!slices.ContainsFunc(d.specified, func(r Resolved) bool { return r.Selector.Version != "" }) {
		reasons = append(reasons, Reason{NoVersionNumber, "WARN: The application to deploy was named by tag or branch, which can move while you deploy; pass its exact version number for an answer you can rely on"})
	}
	switch {
	case len(errs) > 0:
		reasons = append(reasons, errs...)
	case len(considered) > 0:
		reasons = append(reasons, Reason{AllVerified, "Every required verification result is published and successful"})
	default:
		reasons = append(reasons, Reason{NothingMissing, "Nothing this version depends on is missing: no required pact is unverified"})
	}
	s.Reasons = reasons
	texts := make([]string, len(reasons))
	s.Notices = make([]Notice, len(reasons))
	for i, r := range reasons {
		texts[i] = r.Text
		s.Notices[i] = Notice{Type: r.Kind.Type(), Text: r.Text}
	}
	s.Reason = strings.Join(texts, "\n")
	return s
}

func ptr[T any](v T) *T { return &v }

// pendingForProvider: a failed provider contract check of a pact that is
// still pending, in a question about the provider alone (no selector names
// the consumer). As a pending pact does not fail a provider's
// verification build, it does not fail the provider's deployment; the
// consumer version asking about itself is still told no.
func (d *decider) pendingForProvider(r Row) bool {
	if r.Status() != Failed || !r.Verification.PendingCheck {
		return false
	}
	return !slices.ContainsFunc(d.specified, func(s Resolved) bool { return s.app() == r.Pact.Consumer })
}

func uniqueReasons(rs []Reason) []Reason {
	seen := map[Reason]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// describeFor describes the version of an application on a row with the selector that brought it
// in: the only selector for the application, or the one that found this version; failing both, the
// version itself.
func (d *decider) describeFor(name string, v *Version) string {
	var found []Resolved
	for _, r := range d.all() {
		if r.app() == name {
			found = append(found, r)
		}
	}
	if len(found) == 1 {
		return describe(found[0])
	}
	if v != nil {
		for _, r := range found {
			if r.Version != nil && r.Version.ID == v.ID {
				return describe(r)
			}
		}
		return fmt.Sprintf("version %s of %s", v.Number, name)
	}
	return "any version of " + name
}

// describe names the version(s) a resolved selector stands for, with the version number found.
func describe(r Resolved) string {
	s, name := r.Selector, r.app()
	found := r.Version != nil
	num := ""
	if found {
		num = r.Version.Number
	}
	the := "the version"
	if r.OneOfMany {
		the = "one of the versions"
	}
	switch {
	case s.Latest && s.Tag != "":
		if found {
			return fmt.Sprintf("the latest version of %s tagged %s (%s)", name, s.Tag, num)
		}
		return fmt.Sprintf("the latest version of %s tagged %s (no version has that tag)", name, s.Tag)
	case s.MainBranch && !found:
		if s.Latest {
			return fmt.Sprintf("the latest version of %s on its main branch (no version is on it)", name)
		}
		return fmt.Sprintf("a version of %s on its main branch (no version is on it)", name)
	case s.MainBranch:
		branch := "main branch"
		if r.MainBranch != "" {
			branch = "main branch " + r.MainBranch
		}
		if s.Latest {
			return fmt.Sprintf("the latest version of %s on its %s (%s)", name, branch, num)
		}
		return fmt.Sprintf("%s of %s on its %s (%s)", the, name, branch, num)
	case s.Latest && s.Branch != "":
		if found {
			return fmt.Sprintf("the latest version of %s on branch %s (%s)", name, s.Branch, num)
		}
		return fmt.Sprintf("the latest version of %s on branch %s (no version is on that branch)", name, s.Branch)
	case s.Branch != "":
		if found {
			return fmt.Sprintf("%s of %s on branch %s (%s)", the, name, s.Branch, num)
		}
		return fmt.Sprintf("a version of %s on branch %s (no version is on that branch)", name, s.Branch)
	case s.Latest:
		if found {
			return fmt.Sprintf("the latest version of %s (%s)", name, num)
		}
		return fmt.Sprintf("the latest version of %s (it has no versions)", name)
	case s.Tag != "":
		if found {
			return fmt.Sprintf("%s of %s tagged %s (%s)", the, name, s.Tag, num)
		}
		return fmt.Sprintf("a version of %s tagged %s (no version has that tag)", name, s.Tag)
	case s.Environment != "":
		if found {
			return fmt.Sprintf("%s of %s currently in %s (%s)", the, name, s.Environment, num)
		}
		return fmt.Sprintf("the version of %s in %s (none is recorded as deployed or released there)", name, s.Environment)
	case s.Version != "":
		if found {
			return fmt.Sprintf("version %s of %s", num, name)
		}
		return fmt.Sprintf("version %s of %s (unknown to the broker)", s.Version, name)
	case !r.Exists:
		return fmt.Sprintf("any version of %s (no such pacticipant)", name)
	}
	return "any version of " + name
}

// versionNotFound says which specified version does not exist, and what to do.
func versionNotFound(r Resolved) string {
	s, name := r.Selector, r.app()
	switch {
	case s.Tag != "":
		return fmt.Sprintf("No version of %s has the tag %s; tag the version first or check the tag", name, s.Tag)
	case s.Branch != "":
		return fmt.Sprintf("No version of %s is on branch %s; publish from that branch first or check the branch name", name, s.Branch)
	case s.MainBranch:
		return fmt.Sprintf("No version of %s is on its main branch; set the main branch of %s or publish from it first", name, name)
	case s.Environment != "":
		return fmt.Sprintf("No version of %s is currently deployed or released in %s; record the deployment first", name, s.Environment)
	case s.Version != "":
		return fmt.Sprintf("Version %s of %s is unknown: no pact or verification result has been published for it; publish before asking", s.Version, name)
	}
	return fmt.Sprintf("%s has no versions yet; publish a pact or verification result first", name)
}
