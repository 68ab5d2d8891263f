package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/matrix"
)

// Source is what the pages read. Every method is read-only; lookups of
// missing things return a broker NotFound error.
type Source interface {
	// Integrations returns every consumer/provider pair with its latest
	// pact and the latest verification of that pact's content.
	Integrations(ctx context.Context) ([]Integration, error)
	// Pact returns one publication with its content.
	Pact(ctx context.Context, ref broker.PactRef) (broker.Pact, error)
	// PactVersions lists the publications of a pair, newest first.
	PactVersions(ctx context.Context, consumer, provider string) ([]broker.Pact, error)
	// LatestVerification returns the newest verification of the content,
	// or nil when it was never verified.
	LatestVerification(ctx context.Context, consumer, provider, sha string) (*broker.Verification, error)
	Pacticipants(ctx context.Context) ([]broker.Pacticipant, error)
	Pacticipant(ctx context.Context, name string) (broker.Pacticipant, error)
	Version(ctx context.Context, pacticipant, number string) (broker.Version, error)
	// Versions returns a page of versions, newest first, and the total.
	Versions(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Version, int, error)
	Branches(ctx context.Context, pacticipant string) ([]broker.Branch, error)
	Environments(ctx context.Context) ([]broker.Environment, error)
	// Deployments says which versions are currently deployed or released
	// where.
	Deployments(ctx context.Context) (Deployments, error)
	// Matrix answers a matrix / can-i-deploy question.
	Matrix(ctx context.Context, q matrix.Query) (matrix.Result, error)
	// FieldUsage, ConsumerFieldUsage and RouteCoverages: who uses which field (fieldusage.go).
	FieldUsage(ctx context.Context, provider string, f fieldusage.Filter) (broker.UsageReport, error)
	ConsumerFieldUsage(ctx context.Context, ref broker.PactRef, f fieldusage.Filter) (broker.ConsumerUsage, error)
	RouteCoverages(ctx context.Context, provider string, limit int) ([]broker.RouteCoverage, error)
	// Labels lists a pacticipant's labels by name.
	Labels(ctx context.Context, pacticipant string) ([]broker.Label, error)
	// ProviderContract returns a provider version's contract ("": the
	// newest) and its consumer pacts' check results (providercontracts.go).
	ProviderContract(ctx context.Context, provider, version string) (broker.ProviderContract, []broker.Verification, error)
	// ProviderContractVersions says which of the versions have a contract.
	ProviderContractVersions(ctx context.Context, provider string, versions []string) (map[string]bool, error)
}

// Integration is a consumer/provider pair with its latest pact.
type Integration struct {
	Consumer, Provider string
	// Pact is the latest publication (content not loaded).
	Pact broker.Pact
	// ConsumerBranches and ConsumerTags label the pact's consumer version.
	ConsumerBranches []string
	ConsumerTags     []string
	// Verification is the latest verification of Pact's content; nil when
	// it was never verified.
	Verification *broker.Verification
	// Webhook is the status of the pair's latest webhook execution, "none"
	// when nothing was triggered.
	Webhook string
}

// Status is the verification state of a pact, as the index shows it.
type Status string

// Statuses of a pact's content.
const (
	Verified   Status = "verified"
	Failed     Status = "failed"
	Pending    Status = "pending" // failed while pending: it does not fail the provider's build
	Unverified Status = "unverified"
)

// Status reports the state of the integration's latest pact.
func (i Integration) Status() Status {
	return verificationStatus(i.Verification)
}

func verificationStatus(v *broker.Verification) Status {
	switch {
	case v == nil:
		return Unverified
	case v.Success:
		return Verified
	case v.Pending:
		return Pending
	}
	return Failed
}

// Deployment is a version currently deployed to, or released in, an
// environment.
type Deployment struct {
	Pacticipant string
	Version     string
	Environment string
	// Target is the application instance of a deployment ("" when none).
	Target   string
	Released bool
}

// Deployments are the current deployments and supported releases of every
// environment.
type Deployments struct {
	Items []Deployment
}

// ByVersion indexes the deployments by pacticipant and version.
func (d Deployments) ByVersion() map[[2]string][]Deployment {
	out := map[[2]string][]Deployment{}
	for _, it := range d.Items {
		k := [2]string{it.Pacticipant, it.Version}
		out[k] = append(out[k], it)
	}
	return out
}

// Services are the broker services the pages read, one field per role.
// broker/cmd/accord-broker sets each of them (*sqlstore.Store implements
// all); the pages only read.
type Services struct {
	Pacticipants  broker.Pacticipants
	Versions      broker.Versions
	Pacts         broker.Pacts
	Verifications broker.Verifications
	Environments  broker.Environments
	Deployments   broker.Deployments
	Webhooks      broker.Webhooks
	Matrix        broker.Matrix
	FieldUsage    broker.FieldUsage
	Labels        broker.Labels
	// ProviderContracts are the OpenAPI documents providers publish.
	ProviderContracts broker.ProviderContractStore
}

// NewSource returns the Source the pages read through, over svc; every
// field of svc must be set.
func NewSource(svc Services) Source { return serviceSource{svc} }

type serviceSource struct{ svc Services }

func (a serviceSource) Integrations(ctx context.Context) ([]Integration, error) {
	pacts, err := a.svc.Pacts.LatestPacts(ctx)
	if err != nil {
		return nil, err
	}
	// A consumer version usually published pacts for several providers:
	// read each version once.
	type versionKey struct{ pacticipant, number string }
	var keys []versionKey
	seen := map[versionKey]int{}
	for _, p := range pacts {
		k := versionKey{p.Consumer, p.ConsumerVersion}
		if _, ok := seen[k]; !ok {
			seen[k] = len(keys)
			keys = append(keys, k)
		}
	}
	versions := make([]broker.Version, len(keys))
	err = parallel(ctx, len(keys), func(i int) error {
		v, err := a.svc.Versions.GetVersion(ctx, keys[i].pacticipant, keys[i].number)
		if err != nil && !broker.IsNotFound(err) {
			return err
		}
		versions[i] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	webhooks, err := a.anyWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Integration, len(pacts))
	err = parallel(ctx, len(pacts), func(i int) error {
		p := pacts[i]
		in := Integration{Consumer: p.Consumer, Provider: p.Provider, Pact: p}
		v := versions[seen[versionKey{p.Consumer, p.ConsumerVersion}]]
		for _, b := range v.Branches {
			in.ConsumerBranches = append(in.ConsumerBranches, b.Branch)
		}
		for _, t := range v.Tags {
			in.ConsumerTags = append(in.ConsumerTags, t.Name)
		}
		var err error
		if in.Verification, err = a.LatestVerification(ctx, p.Consumer, p.Provider, p.SHA); err != nil {
			return err
		}
		in.Webhook = "none"
		if webhooks {
			if in.Webhook, err = a.webhookStatus(ctx, p.Consumer, p.Provider); err != nil {
				return err
			}
		}
		out[i] = in
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallel runs fn(0..n-1) on a few goroutines (the lookups of a page are
// independent reads) and returns the first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	const workers = 4
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil || i >= n || ctx.Err() != nil
				mu.Unlock()
				if stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// anyWebhooks reports whether a webhook exists at all: with none, nothing
// can have been triggered (deleting a webhook deletes what it triggered),
// so the index needs no per-integration lookup.
func (a serviceSource) anyWebhooks(ctx context.Context) (bool, error) {
	hooks, err := a.svc.Webhooks.ListWebhooks(ctx, broker.WebhookFilter{})
	if err != nil {
		return false, fmt.Errorf("list webhooks: %w", err)
	}
	return len(hooks) > 0, nil
}

func (a serviceSource) Pact(ctx context.Context, ref broker.PactRef) (broker.Pact, error) {
	return a.svc.Pacts.GetPact(ctx, ref)
}

func (a serviceSource) PactVersions(ctx context.Context, consumer, provider string) ([]broker.Pact, error) {
	return a.svc.Pacts.PactVersions(ctx, consumer, provider)
}

func (a serviceSource) LatestVerification(ctx context.Context, consumer, provider, sha string) (*broker.Verification, error) {
	v, err := a.svc.Verifications.LatestVerification(ctx, consumer, provider, sha)
	switch {
	case broker.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &v, nil
}

func (a serviceSource) Pacticipants(ctx context.Context) ([]broker.Pacticipant, error) {
	ps, _, err := a.svc.Pacticipants.ListPacticipants(ctx, broker.Page{})
	return ps, err
}

func (a serviceSource) Pacticipant(ctx context.Context, name string) (broker.Pacticipant, error) {
	return a.svc.Pacticipants.GetPacticipant(ctx, name)
}

func (a serviceSource) Version(ctx context.Context, pacticipant, number string) (broker.Version, error) {
	return a.svc.Versions.GetVersion(ctx, pacticipant, number)
}

func (a serviceSource) Versions(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Version, int, error) {
	return a.svc.Versions.ListVersions(ctx, pacticipant, page)
}

func (a serviceSource) Branches(ctx context.Context, pacticipant string) ([]broker.Branch, error) {
	return a.svc.Versions.ListBranches(ctx, pacticipant)
}

func (a serviceSource) Environments(ctx context.Context) ([]broker.Environment, error) {
	return a.svc.Environments.FindEnvironments(ctx, "")
}

// webhookStatus is the status of the newest webhook triggered for the pair
// ("none" when nothing was triggered).
func (a serviceSource) webhookStatus(ctx context.Context, consumer, provider string) (string, error) {
	ts, err := a.svc.Webhooks.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: consumer, Provider: provider})
	if err != nil {
		return "", fmt.Errorf("webhook status of %s -> %s: %w", consumer, provider, err)
	}
	if len(ts) == 0 {
		return "none", nil
	}
	latest := slices.MaxFunc(ts, func(x, y broker.TriggeredWebhook) int { return cmp.Compare(x.ID, y.ID) })
	return strings.ReplaceAll(latest.Status, "_", " "), nil
}

// Deployments lists the current deployments and supported releases of
// every environment.
func (a serviceSource) Deployments(ctx context.Context) (Deployments, error) {
	var d Deployments
	envs, err := a.svc.Environments.FindEnvironments(ctx, "")
	if err != nil {
		return d, err
	}
	for _, e := range envs {
		deployed, err := a.svc.Deployments.CurrentlyDeployed(ctx, e.UUID, broker.DeploymentFilter{})
		if err != nil {
			return d, err
		}
		for _, dv := range deployed {
			d.Items = append(d.Items, Deployment{Pacticipant: dv.Pacticipant, Version: dv.Version.Number, Environment: e.Name, Target: dv.ApplicationInstance})
		}
		released, err := a.svc.Deployments.CurrentlySupported(ctx, e.UUID, broker.DeploymentFilter{})
		if err != nil {
			return d, err
		}
		for _, rv := range released {
			d.Items = append(d.Items, Deployment{Pacticipant: rv.Pacticipant, Version: rv.Version.Number, Environment: e.Name, Released: true})
		}
	}
	slices.SortStableFunc(d.Items, func(x, y Deployment) int {
		return cmp.Or(cmp.Compare(x.Environment, y.Environment), cmp.Compare(x.Pacticipant, y.Pacticipant))
	})
	return d, nil
}

func (a serviceSource) Matrix(ctx context.Context, q matrix.Query) (matrix.Result, error) {
	return matrix.Decide(ctx, a.svc.Matrix.MatrixFacts(), q)
}
