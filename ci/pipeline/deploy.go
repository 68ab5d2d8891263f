package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// ErrNotDeployable is the can-i-deploy answer "no" (or "unknown" after the
// retries ran out).
var ErrNotDeployable = errors.New("not deployable")

// CreateEnvironment creates the environment name in the broker, through
// its pb:environments relation; an environment that exists already is left
// as it is, so a pipeline can run this on every build.
func (p *Pipeline) CreateEnvironment(ctx context.Context, name, displayName string, production bool) error {
	const stage = "create-environment"
	if err := p.needBroker(stage); err != nil {
		return err
	}
	href, err := p.Broker.relation(ctx, "pb:environments", nil)
	if err != nil {
		return &StageError{Stage: stage, Err: err}
	}
	var list struct {
		Embedded struct {
			Environments []struct {
				UUID       string `json:"uuid"`
				Name       string `json:"name"`
				Production bool   `json:"production"`
			} `json:"environments"`
		} `json:"_embedded"`
	}
	if err := p.Broker.get(ctx, href, &list); err != nil {
		return &StageError{Stage: stage, Err: err}
	}
	for _, e := range list.Embedded.Environments {
		if e.Name == name {
			fmt.Fprintf(p.Stdout, "environment %s exists already (uuid %s, production: %t)\n", name, e.UUID, e.Production)
			return nil
		}
	}
	body := map[string]any{"name": name, "production": production}
	if displayName != "" {
		body["displayName"] = displayName
	}
	var created struct {
		UUID string `json:"uuid"`
	}
	if err := p.Broker.post(ctx, href, body, &created); err != nil {
		return &StageError{Stage: stage, Err: err}
	}
	fmt.Fprintf(p.Stdout, "created environment %s (uuid %s, production: %t)\n", name, created.UUID, production)
	return nil
}

// DeployQuery is a can-i-deploy question: may Version (or the latest
// version) of Pacticipant go to Environment?
type DeployQuery struct {
	Pacticipant string
	Version     string
	Latest      bool
	Environment string
	// Retries is how many more times to ask while the answer is unknown
	// (verification still running), Interval apart.
	Retries  int
	Interval time.Duration
}

// Decision is the broker's answer to a DeployQuery.
type Decision struct {
	// Deployable is nil when the broker does not know (yet).
	Deployable *bool
	Reason     string
	Rows       []MatrixRow
	Notices    []string
}

// MatrixRow is one integration the answer rests on.
type MatrixRow struct {
	Consumer, ConsumerVersion string
	Provider, ProviderVersion string
	// Success is nil when the pact has no verification result.
	Success *bool
	// ProviderContract: the result is the broker's check of the pact
	// against the provider's OpenAPI document (bi-directional contract
	// testing), not the provider replaying the pact.
	ProviderContract bool
}

// matrixURL is the query pact-broker-cli sends: GET /matrix with Rack-style
// q[] parameters, in order, brackets not escaped.
func (p *Pipeline) matrixURL(q DeployQuery) string {
	var b strings.Builder
	b.WriteString(p.Broker.BaseURL + "/matrix?q[][pacticipant]=" + url.QueryEscape(q.Pacticipant))
	if q.Latest {
		b.WriteString("&q[][latest]=true")
	} else {
		b.WriteString("&q[][version]=" + url.QueryEscape(q.Version))
	}
	b.WriteString("&latestby=cvpv&environment=" + url.QueryEscape(q.Environment))
	return b.String()
}

// CanIDeploy asks the broker's matrix, polling while the answer is unknown.
// The error is ErrNotDeployable when the answer is no or stays unknown.
func (p *Pipeline) CanIDeploy(ctx context.Context, q DeployQuery) (Decision, error) {
	stage := "can-i-deploy " + q.Pacticipant
	if err := p.needBroker(stage); err != nil {
		return Decision{}, err
	}
	if q.Version == "" && !q.Latest {
		q.Version = p.Build.Version
	}
	for attempt := 0; ; attempt++ {
		d, err := p.askMatrix(ctx, q)
		if err != nil {
			if IsNotFound(err) {
				return d, &StageError{Stage: stage, Err: err, Hint: "is " + q.Pacticipant + " published (accord publish) or verified (accord verify) under that version, and does the environment exist (accord create-environment)?"}
			}
			return d, &StageError{Stage: stage, Err: err}
		}
		if d.Deployable != nil || attempt >= q.Retries {
			if d.Deployable == nil || !*d.Deployable {
				return d, ErrNotDeployable
			}
			return d, nil
		}
		fmt.Fprintf(p.Stderr, "can-i-deploy: the answer is not known yet (%s); asking again in %s (%d of %d)\n", d.Reason, q.Interval, attempt+1, q.Retries)
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(q.Interval):
		}
	}
}

func (p *Pipeline) askMatrix(ctx context.Context, q DeployQuery) (Decision, error) {
	var m struct {
		Summary *struct {
			Deployable *bool  `json:"deployable"`
			Reason     string `json:"reason"`
		} `json:"summary"`
		Notices []struct {
			Type, Text string
		} `json:"notices"`
		Matrix []struct {
			Consumer struct {
				Name    string                   `json:"name"`
				Version *struct{ Number string } `json:"version"`
			} `json:"consumer"`
			Provider struct {
				Name    string                   `json:"name"`
				Version *struct{ Number string } `json:"version"`
			} `json:"provider"`
			VerificationResult *struct {
				Success *bool `json:"success"`
				Links   struct {
					ProviderContract *struct{ Href string } `json:"pf:provider-contract"`
				} `json:"_links"`
			} `json:"verificationResult"`
		} `json:"matrix"`
	}
	if err := p.Broker.get(ctx, p.matrixURL(q), &m); err != nil {
		return Decision{}, err
	}
	var d Decision
	if m.Summary == nil {
		return d, errors.New("the broker's matrix has no summary: is this a Pact Broker?")
	}
	d.Deployable, d.Reason = m.Summary.Deployable, m.Summary.Reason
	for _, n := range m.Notices {
		d.Notices = append(d.Notices, n.Text)
	}
	for _, r := range m.Matrix {
		row := MatrixRow{Consumer: r.Consumer.Name, Provider: r.Provider.Name}
		if r.Consumer.Version != nil {
			row.ConsumerVersion = r.Consumer.Version.Number
		}
		if r.Provider.Version != nil {
			row.ProviderVersion = r.Provider.Version.Number
		}
		if r.VerificationResult != nil {
			row.Success = r.VerificationResult.Success
			row.ProviderContract = r.VerificationResult.Links.ProviderContract != nil
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// WriteDecision prints the integrations, the reason and the answer.
func WriteDecision(w io.Writer, q DeployQuery, d Decision) {
	if len(d.Rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CONSUMER\tC.VERSION\tPROVIDER\tP.VERSION\tSUCCESS?")
		for _, r := range d.Rows {
			ok := "unknown"
			if r.Success != nil {
				ok = map[bool]string{true: "true", false: "false"}[*r.Success]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Consumer, dash(r.ConsumerVersion), r.Provider, dash(r.ProviderVersion), ok)
		}
		tw.Flush()
	}
	for _, n := range d.Notices {
		if n != d.Reason { // the broker repeats the reason as a notice
			fmt.Fprintln(w, n)
		}
	}
	if d.Reason != "" {
		fmt.Fprintln(w, "reason:", d.Reason)
	}
	version := q.Version
	if q.Latest {
		version = "latest"
	}
	switch {
	case d.Deployable == nil:
		fmt.Fprintf(w, "no: whether %s %s may go to %s is not known yet (verification results missing)\n", q.Pacticipant, DescribeVersion(version), q.Environment)
	case *d.Deployable:
		fmt.Fprintf(w, "yes: %s %s may be deployed to %s\n", q.Pacticipant, DescribeVersion(version), q.Environment)
	default:
		fmt.Fprintf(w, "no: %s %s must not be deployed to %s\n", q.Pacticipant, DescribeVersion(version), q.Environment)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RecordDeployment tells the broker that version of pacticipant now runs in
// environment, through the version's pb:record-deployment links (one per
// environment), as pact-broker-cli does.
func (p *Pipeline) RecordDeployment(ctx context.Context, pacticipant, version, environment string) error {
	stage := "record-deployment " + pacticipant
	if err := p.needBroker(stage); err != nil {
		return err
	}
	if version == "" {
		version = p.Build.Version
	}
	href, err := p.Broker.relation(ctx, "pb:pacticipant-version", map[string]string{"pacticipant": pacticipant, "version": version})
	if err != nil {
		return &StageError{Stage: stage, Err: err}
	}
	var v struct {
		Links struct {
			RecordDeployment halLinks `json:"pb:record-deployment"`
		} `json:"_links"`
	}
	if err := p.Broker.get(ctx, href, &v); err != nil {
		if IsNotFound(err) {
			return &StageError{Stage: stage, Err: fmt.Errorf("the broker has no version %s of %s", version, pacticipant),
				Hint: "record the version that was published (accord publish) or verified (accord verify), or pass --version"}
		}
		return &StageError{Stage: stage, Err: err}
	}
	var names []string
	for _, l := range v.Links.RecordDeployment {
		if l.Name == environment {
			if err := p.Broker.post(ctx, l.Href, map[string]any{}, nil); err != nil {
				return &StageError{Stage: stage, Err: err}
			}
			fmt.Fprintf(p.Stdout, "recorded: %s %s is deployed to %s\n", pacticipant, DescribeVersion(version), environment)
			return nil
		}
		names = append(names, l.Name)
	}
	return &StageError{Stage: stage, Err: fmt.Errorf("the broker has no environment %q (it has: %s)", environment, strings.Join(names, ", ")),
		Hint: "create it first: accord create-environment --name " + environment}
}
