package pipeline

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
)

// ServiceStatus is one row of the pipeline's summary.
type ServiceStatus struct {
	Name       string
	Version    string
	Branch     string
	VerifiedBy []string // "provider version (passed|failed)" for its pacts as consumer
	Deployable *bool    // to the environment asked about; nil = unknown
	Reason     string
}

// Status reads, for every pacticipant in the broker, its latest version and
// whether that version may go to environment.
func (p *Pipeline) Status(ctx context.Context, environment string) ([]ServiceStatus, error) {
	if err := p.needBroker("status"); err != nil {
		return nil, err
	}
	var list struct {
		Embedded struct {
			Pacticipants []struct{ Name string } `json:"pacticipants"`
		} `json:"_embedded"`
	}
	if err := p.getJSON(ctx, "/pacticipants", nil, &list); err != nil {
		return nil, err
	}
	var out []ServiceStatus
	for _, pc := range list.Embedded.Pacticipants {
		name := url.PathEscape(pc.Name)
		latest, err := p.versionOf(ctx, "/pacticipants/"+name+"/latest-version")
		if err != nil {
			return nil, err
		}
		versions := []ServiceStatus{latest}
		// Show the main line too when the newest version is on a branch.
		var info struct {
			MainBranch string `json:"mainBranch"`
		}
		if err := p.getJSON(ctx, "/pacticipants/"+name, nil, &info); err != nil {
			return nil, err
		}
		if info.MainBranch != "" && latest.Branch != info.MainBranch {
			if main, err := p.versionOf(ctx, "/pacticipants/"+name+"/branches/"+url.PathEscape(info.MainBranch)+"/latest-version"); err == nil {
				versions = []ServiceStatus{main, latest}
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
func (p *Pipeline) versionOf(ctx context.Context, path string) (ServiceStatus, error) {
	var v struct {
		Number   string `json:"number"`
		Embedded struct {
			BranchVersions []struct{ Name string } `json:"branchVersions"`
		} `json:"_embedded"`
	}
	if err := p.getJSON(ctx, path, nil, &v); err != nil {
		return ServiceStatus{}, err
	}
	st := ServiceStatus{Version: v.Number}
	for _, b := range v.Embedded.BranchVersions {
		st.Branch = b.Name
	}
	return st, nil
}

// deployability asks can-i-deploy about st's version and collects who
// verified its pacts.
func (p *Pipeline) deployability(ctx context.Context, st *ServiceStatus, environment string) error {
	var cid struct {
		Summary struct {
			Deployable *bool  `json:"deployable"`
			Reason     string `json:"reason"`
		} `json:"summary"`
		Matrix []struct {
			Consumer struct {
				Name string `json:"name"`
			} `json:"consumer"`
			Provider struct {
				Name    string                   `json:"name"`
				Version *struct{ Number string } `json:"version"`
			} `json:"provider"`
			VerificationResult *struct {
				Success bool `json:"success"`
			} `json:"verificationResult"`
		} `json:"matrix"`
	}
	q := url.Values{"pacticipant": {st.Name}, "version": {st.Version}, "environment": {environment}}
	if err := p.getJSON(ctx, "/can-i-deploy", q, &cid); err != nil {
		return err
	}
	st.Deployable, st.Reason = cid.Summary.Deployable, cid.Summary.Reason
	for _, row := range cid.Matrix {
		if row.Consumer.Name != st.Name || row.Provider.Version == nil || row.VerificationResult == nil {
			continue
		}
		result := "passed"
		if !row.VerificationResult.Success {
			result = "failed"
		}
		st.VerifiedBy = append(st.VerifiedBy, fmt.Sprintf("%s %s (%s)", row.Provider.Name, row.Provider.Version.Number, result))
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

// getJSON reads path (with query q) from the broker into out.
func (p *Pipeline) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	u := p.Broker.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return p.Broker.get(ctx, u, out)
}
