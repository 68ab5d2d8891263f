package pipeline

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// ServiceStatus is one row of the pipeline's summary.
type ServiceStatus struct {
	Name    string
	Version string
	Branch  string
	// VerifiedBy is "provider version (passed|failed)" for its pacts as
	// consumer, "(compatible|incompatible by provider contract)" when the
	// result is the broker's check against the provider's OpenAPI document.
	VerifiedBy []string
	Deployable *bool // to the environment asked about; nil = unknown
	Reason     string
}

// Status reads, for every pacticipant in the broker, its latest version and
// whether that version may go to environment. It finds the pacticipants and
// their versions through the index's relations and asks the matrix as
// can-i-deploy does.
func (p *Pipeline) Status(ctx context.Context, environment string) ([]ServiceStatus, error) {
	if err := p.needBroker("status"); err != nil {
		return nil, err
	}
	href, err := p.Broker.relation(ctx, "pb:pacticipants", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Embedded struct {
			Pacticipants []struct{ Name string } `json:"pacticipants"`
		} `json:"_embedded"`
	}
	if err := p.Broker.get(ctx, href, &list); err != nil {
		return nil, err
	}
	var out []ServiceStatus
	for _, pc := range list.Embedded.Pacticipants {
		params := map[string]string{"pacticipant": pc.Name}
		href, err := p.Broker.relation(ctx, "pb:latest-version", params)
		if err != nil {
			return nil, err
		}
		latest, err := p.versionOf(ctx, href)
		if IsNotFound(err) {
			continue // a pacticipant without versions has nothing to show
		}
		if err != nil {
			return nil, err
		}
		versions := []ServiceStatus{latest}
		// Show the main line too when the newest version is on a branch.
		var info struct {
			MainBranch string `json:"mainBranch"`
		}
		if href, err = p.Broker.relation(ctx, "pb:pacticipant", params); err != nil {
			return nil, err
		}
		if err := p.Broker.get(ctx, href, &info); err != nil {
			return nil, err
		}
		if info.MainBranch != "" && latest.Branch != info.MainBranch {
			params["branch"] = info.MainBranch
			if href, err := p.Broker.relation(ctx, "pb:pacticipant-branch", params); err == nil {
				if main, err := p.versionOf(ctx, href+"/latest-version"); err == nil {
					versions = []ServiceStatus{main, latest}
				}
			}
		}
		for _, st := range versions {
			st.Name = pc.Name
			if err := p.deployability(ctx, &st, environment); err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// versionOf reads a version resource: its number and branch.
func (p *Pipeline) versionOf(ctx context.Context, href string) (ServiceStatus, error) {
	var v struct {
		Number   string `json:"number"`
		Embedded struct {
			BranchVersions []struct{ Name string } `json:"branchVersions"`
		} `json:"_embedded"`
	}
	if err := p.Broker.get(ctx, href, &v); err != nil {
		return ServiceStatus{}, err
	}
	st := ServiceStatus{Version: v.Number}
	for _, b := range v.Embedded.BranchVersions {
		st.Branch = b.Name
	}
	return st, nil
}

// deployability asks the matrix about st's version, as can-i-deploy does,
// and collects who verified its pacts.
func (p *Pipeline) deployability(ctx context.Context, st *ServiceStatus, environment string) error {
	d, err := p.askMatrix(ctx, DeployQuery{Pacticipant: st.Name, Version: st.Version, Environment: environment})
	if err != nil {
		return err
	}
	st.Deployable, st.Reason = d.Deployable, d.Reason
	for _, row := range d.Rows {
		if row.Consumer != st.Name || row.ProviderVersion == "" || row.Success == nil {
			continue
		}
		result := "passed"
		switch {
		case row.ProviderContract && *row.Success:
			result = "compatible by provider contract"
		case row.ProviderContract:
			result = "incompatible by provider contract"
		case !*row.Success:
			result = "failed"
		}
		st.VerifiedBy = append(st.VerifiedBy, fmt.Sprintf("%s %s (%s)", row.Provider, row.ProviderVersion, result))
	}
	sort.Strings(st.VerifiedBy)
	return nil
}

// WriteStatus prints the summary table.
func WriteStatus(w io.Writer, rows []ServiceStatus, environment string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	dirty := false
	fmt.Fprintf(tw, "SERVICE\tVERSION\tBRANCH\tITS PACTS VERIFIED BY\tDEPLOYABLE TO %s\n", strings.ToUpper(environment))
	for _, r := range rows {
		verified := strings.Join(r.VerifiedBy, ", ")
		if verified == "" {
			verified = "-"
		}
		dep := "unknown"
		if r.Deployable != nil {
			dep = map[bool]string{true: "yes", false: "NO"}[*r.Deployable]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Version, r.Branch, verified, dep)
		if strings.HasSuffix(r.Version, "+dirty") {
			dirty = true
		}
	}
	tw.Flush()
	if dirty {
		fmt.Fprintln(w, "+dirty: that version was built from a working tree with uncommitted changes (commit, or set ACCORD_VERSION, to record a version others can check out)")
	}
}
