package httpapi

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

// The official broker's network data (/relationships and /groups, CSV for
// the Ruby UI's network diagram), its /dashboard, and /test/error.

// relationshipsCSV writes the Ruby broker's RelationshipsCsvDecorator:
// one row per pacticipant, in order of first appearance, as
// id,name,1,1,0,order followed by the ids of the providers it consumes,
// padded with 0 to the longest row.
func relationshipsCSV(w http.ResponseWriter, pairs []broker.Integration, ids map[string]int64) error {
	var order []string
	rows := map[string][]string{}
	add := func(name string) {
		if _, ok := rows[name]; !ok {
			order = append(order, name)
			rows[name] = []string{strconv.FormatInt(ids[name], 10), name, "1", "1", "0", strconv.Itoa(len(order))}
		}
	}
	for _, in := range pairs {
		add(in.Consumer)
		add(in.Provider)
		rows[in.Consumer] = append(rows[in.Consumer], strconv.FormatInt(ids[in.Provider], 10))
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	w.Header().Set("Content-Type", "text/csv;charset=utf-8")
	cw := csv.NewWriter(w)
	for _, name := range order {
		r := rows[name]
		for len(r) < width {
			r = append(r, "0")
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// pacticipantIDs maps every pacticipant's name to its id, the numbers the
// network CSV identifies pacticipants by.
func (s *Server) pacticipantIDs(r *http.Request) (map[string]int64, error) {
	ps, _, err := s.svc.Pacticipants.ListPacticipants(r.Context(), broker.Page{})
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(ps))
	for _, p := range ps {
		ids[p.Name] = p.ID
	}
	return ids, nil
}

// relationships is every consumer/provider pair with a pact, as CSV.
func (s *Server) relationships(w http.ResponseWriter, r *http.Request, _ params) error {
	latest, err := s.svc.Pacts.LatestPacts(r.Context())
	if err != nil {
		return err
	}
	ids, err := s.pacticipantIDs(r)
	if err != nil {
		return err
	}
	pairs := make([]broker.Integration, 0, len(latest))
	for _, p := range latest {
		pairs = append(pairs, broker.Integration{Consumer: p.Consumer, Provider: p.Provider})
	}
	return relationshipsCSV(w, pairs, ids)
}

// group is the part of the network a pacticipant is connected to (its
// integrations, theirs, and so on), as CSV; maxPacticipants stops the
// search once that many pacticipants are reached, as in the Ruby broker.
func (s *Server) group(w http.ResponseWriter, r *http.Request, p params) error {
	if _, err := s.svc.Pacticipants.GetPacticipant(r.Context(), p["pacticipant"]); err != nil {
		return err
	}
	limit := 0
	if v := r.URL.Query().Get("maxPacticipants"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			limit = n
		}
	}
	ins, err := s.svc.Operations.Integrations(r.Context())
	if err != nil {
		return err
	}
	ids, err := s.pacticipantIDs(r)
	if err != nil {
		return err
	}
	return relationshipsCSV(w, connected(ins, p["pacticipant"], limit), ids)
}

// connected returns the integrations reachable from name, breadth first,
// stopping after the round that reaches limit pacticipants (0: no limit).
func connected(ins []broker.Integration, name string, limit int) []broker.Integration {
	taken := make([]bool, len(ins))
	seen := map[string]bool{name: true}
	frontier := map[string]bool{name: true}
	var out []broker.Integration
	for len(frontier) > 0 {
		next := map[string]bool{}
		for i, in := range ins {
			if taken[i] || !(frontier[in.Consumer] || frontier[in.Provider]) {
				continue
			}
			taken[i] = true
			out = append(out, in)
			for _, n := range []string{in.Consumer, in.Provider} {
				if !seen[n] {
					seen[n] = true
					next[n] = true
				}
			}
		}
		if limit > 0 && len(seen) >= limit {
			break
		}
		frontier = next
	}
	return out
}

// dashboardItem is one pact the dashboard shows with what is known of it.
type dashboardItem struct {
	pact          broker.Pact
	consumer      broker.Version
	tags          []string // the consumer tags this pact is the latest of
	verification  *broker.Verification
	provider      broker.Version
	providerHeads []string // the provider version's tags it is the latest of
}

func (d dashboardItem) status() string {
	v := d.verification
	switch {
	case v == nil:
		return "never"
	case v.Success && v.SHA != d.pact.SHA:
		return "stale"
	case v.Success:
		return "success"
	case v.Pending:
		return "failed_pending"
	}
	return "failed"
}

func (d dashboardItem) lastActivity() time.Time {
	if d.verification != nil && d.verification.CreatedAt.After(d.pact.CreatedAt) {
		return d.verification.CreatedAt
	}
	return d.pact.CreatedAt
}

func headBranches(v broker.Version) []string {
	out := []string{}
	for _, b := range v.Branches {
		if b.Latest {
			out = append(out, b.Branch)
		}
	}
	return out
}

// dashboardItems collects, for each integration (or the one asked for),
// the pacts the Ruby broker's API dashboard shows: the latest, the latest
// for each consumer tag, and those of consumer versions currently
// deployed or released.
func (s *Server) dashboardItems(r *http.Request, p params) ([]dashboardItem, error) {
	ctx := r.Context()
	ins, err := s.svc.Operations.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	if p["consumer"] != "" {
		for _, n := range []string{p["consumer"], p["provider"]} {
			if _, err := s.svc.Pacticipants.GetPacticipant(ctx, n); err != nil {
				return nil, err
			}
		}
		ins = slices.DeleteFunc(ins, func(in broker.Integration) bool { return in.Consumer != p["consumer"] || in.Provider != p["provider"] })
	}
	current := map[[2]string]bool{} // consumer versions deployed or released now
	envs, err := s.svc.Environments.FindEnvironments(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		deployed, err := s.svc.Deployments.CurrentlyDeployed(ctx, e.UUID, broker.DeploymentFilter{})
		if err != nil {
			return nil, err
		}
		for _, d := range deployed {
			current[[2]string{d.Pacticipant, d.Version.Number}] = true
		}
		released, err := s.svc.Deployments.CurrentlySupported(ctx, e.UUID, broker.DeploymentFilter{})
		if err != nil {
			return nil, err
		}
		for _, rel := range released {
			current[[2]string{rel.Pacticipant, rel.Version.Number}] = true
		}
	}
	versions := map[[2]string]broker.Version{}
	version := func(pacticipant, number string) (broker.Version, error) {
		k := [2]string{pacticipant, number}
		if v, ok := versions[k]; ok {
			return v, nil
		}
		v, err := s.svc.Versions.GetVersion(ctx, pacticipant, number)
		versions[k] = v
		return v, err
	}
	var items []dashboardItem
	for _, in := range ins {
		pacts, err := s.svc.Pacts.PactVersions(ctx, in.Consumer, in.Provider) // newest first
		if err != nil {
			return nil, err
		}
		seenTags := map[string]bool{}
		for i, pa := range pacts {
			v, err := version(pa.Consumer, pa.ConsumerVersion)
			if err != nil {
				return nil, err
			}
			it := dashboardItem{pact: pa, consumer: v}
			for _, t := range v.Tags {
				if !seenTags[t.Name] {
					seenTags[t.Name] = true
					it.tags = append(it.tags, t.Name)
				}
			}
			if i > 0 && len(it.tags) == 0 && !current[[2]string{pa.Consumer, pa.ConsumerVersion}] {
				continue
			}
			ver, err := s.svc.Verifications.LatestVerification(ctx, pa.Consumer, pa.Provider, pa.SHA)
			if err != nil && !broker.IsNotFound(err) {
				return nil, err
			}
			if err == nil {
				it.verification = &ver
				if it.provider, err = version(ver.Provider, ver.ProviderVersion); err != nil {
					return nil, err
				}
				for _, t := range it.provider.Tags {
					latest, err := s.svc.Versions.LatestVersion(ctx, ver.Provider, t.Name)
					if err != nil {
						return nil, err
					}
					if latest.Number == ver.ProviderVersion {
						it.providerHeads = append(it.providerHeads, t.Name)
					}
				}
			}
			items = append(items, it)
		}
	}
	slices.SortStableFunc(items, func(a, b dashboardItem) int { return b.lastActivity().Compare(a.lastActivity()) })
	return items, nil
}

// dashboard is the Ruby broker's API dashboard: HAL+JSON items, or a
// text table for Accept: text/plain.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, p params) error {
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	items, err := s.dashboardItems(r, p)
	if err != nil {
		return err
	}
	if page.Size > 0 {
		lo := min(len(items), (page.Number-1)*page.Size)
		items = items[lo:min(len(items), lo+page.Size)]
	}
	if strings.Contains(r.Header.Get("Accept"), "text/plain") {
		return dashboardText(w, items)
	}
	l := s.links(r)
	out := []any{}
	for _, it := range items {
		pa := it.pact
		tagJSON := func(pacticipant, version string, names []string, latest func(string) bool) []any {
			names = slices.Clone(names)
			slices.Sort(names)
			ts := []any{}
			for _, n := range names {
				ts = append(ts, map[string]any{"name": n, "latest": latest(n), "_links": map[string]any{"self": map[string]any{"href": l.tag(pacticipant, version, n)}}})
			}
			return ts
		}
		heads := headBranches(it.consumer)
		m := map[string]any{
			"consumer": map[string]any{
				"name": pa.Consumer,
				"version": map[string]any{"number": pa.ConsumerVersion, "branch": last(heads), "headBranchNames": heads,
					"_links": map[string]any{"self": map[string]any{"href": l.version(pa.Consumer, pa.ConsumerVersion)}}},
				"_links": map[string]any{"self": map[string]any{"href": l.pacticipant(pa.Consumer)}},
			},
			"provider": map[string]any{"name": pa.Provider, "version": nil, "_links": map[string]any{"self": map[string]any{"href": l.pacticipant(pa.Provider)}}},
			"pact": map[string]any{"createdAt": ts(pa.CreatedAt),
				"_links": map[string]any{"self": map[string]any{"href": l.pactVersion(pa.Provider, pa.Consumer, pa.ConsumerVersion)}}},
			"pactTags":                     tagJSON(pa.Consumer, pa.ConsumerVersion, it.tags, func(string) bool { return true }),
			"latestVerificationResult":     nil,
			"latestVerificationResultTags": []any{},
			"verificationStatus":           it.status(),
			// The Ruby broker's API dashboard does not look at webhooks.
			"webhookStatus":          "none",
			"latestWebhookExecution": nil,
			"_links": map[string]any{"pb:webhook-status": map[string]any{
				"title": fmt.Sprintf("Status of webhooks for %s/%s pact", pa.Consumer, pa.Provider),
				"href":  l.url("pacts", "provider", pa.Provider, "consumer", pa.Consumer, "webhooks", "status")}},
		}
		if v := it.verification; v != nil {
			pheads := headBranches(it.provider)
			m["provider"].(map[string]any)["version"] = map[string]any{"number": v.ProviderVersion, "branch": last(pheads), "headBranchNames": pheads}
			m["latestVerificationResult"] = map[string]any{"success": v.Success, "verifiedAt": ts(v.CreatedAt),
				"_links": map[string]any{"self": map[string]any{"href": l.pactSHA(pa.Provider, pa.Consumer, pa.SHA) + "/verification-results/latest"}}}
			var names []string
			for _, t := range it.provider.Tags {
				names = append(names, t.Name)
			}
			m["latestVerificationResultTags"] = tagJSON(v.Provider, v.ProviderVersion, names, func(n string) bool { return slices.Contains(it.providerHeads, n) })
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func last(ss []string) any {
	if len(ss) == 0 {
		return nil
	}
	return ss[len(ss)-1]
}

// dashboardText is the Ruby broker's DashboardTextDecorator, a table in
// the layout of the table_print gem it uses.
func dashboardText(w http.ResponseWriter, items []dashboardItem) error {
	rows := [][]string{{"CONSUMER_NAME", "C_VERSION", "C_TAGS", "PROVIDER_NAME", "P_VERSION", "P_TAGS", "SUCCESS"}}
	for _, it := range items {
		tags := slices.Clone(it.tags)
		slices.Sort(tags)
		pver, pheads := "", slices.Clone(it.providerHeads)
		if it.verification != nil {
			pver = it.verification.ProviderVersion
		}
		slices.Sort(pheads)
		rows = append(rows, []string{it.pact.Consumer, it.pact.ConsumerVersion, strings.Join(tags, ", "), it.pact.Provider, pver, strings.Join(pheads, ", "), it.status()})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(cells []string, sep string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-len([]rune(c))))
		}
		b.WriteString("\n")
	}
	line(rows[0], " | ")
	dashes := make([]string, len(widths))
	for i, n := range widths {
		dashes[i] = strings.Repeat("-", n)
	}
	line(dashes, "-|-")
	for _, r := range rows[1:] {
		line(r, " | ")
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	_, err := w.Write([]byte(b.String()))
	return err
}

// testError fails on purpose, as the Ruby broker's /test/error does, so
// an operator can see how errors are reported (status, reference, log)
// end to end. It returns an internal error like any other: the client
// gets a 500 with a reference, the log the message; nothing panics.
func (s *Server) testError(http.ResponseWriter, *http.Request, params) error {
	return errors.New("Don't panic. This is a test API error.") //nolint:staticcheck // the Ruby broker's words
}
