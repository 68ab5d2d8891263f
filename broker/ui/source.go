package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/accord-cdc/accord/broker"
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
	// where, as far as the source knows.
	Deployments(ctx context.Context) (Deployments, error)
	// Matrix answers a matrix / can-i-deploy question.
	Matrix(ctx context.Context, q matrix.Query) (matrix.Result, error)
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
	// Webhook is the status of the pair's latest webhook execution; empty
	// when the source does not record webhooks.
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

// Deployments is what a source knows about where versions are.
type Deployments struct {
	// Recorded is false when the source cannot list deployments at all.
	Recorded bool
	// Partial, when set, says what is missing from Items.
	Partial string
	Items   []Deployment
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

// FromStore adapts a broker.Store to Source using its read methods, and
// the optional interfaces a store may also implement:
//
//   - broker.DeploymentStore: deployments and releases per environment;
//     without it only versions that published a pact are found (through the
//     deployed/released selectors) and Deployments.Partial says so;
//   - broker.WebhookStore: the index's webhook status; without it the
//     status is "not recorded";
//   - MatrixFacts() matrix.Facts (or matrix.Facts itself): the matrix and
//     can-i-deploy answers from the store's indexed queries; without it the
//     facts are read out of the store for each question, which is fine for a
//     UI page but not for a broker with hundreds of thousands of versions.
func FromStore(s broker.Store) Source { return storeSource{s} }

type storeSource struct{ s broker.Store }

func (a storeSource) Integrations(ctx context.Context) ([]Integration, error) {
	pacts, err := a.s.LatestPacts(ctx)
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
		v, err := a.s.GetVersion(ctx, keys[i].pacticipant, keys[i].number)
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
		switch {
		case webhooks:
			if in.Webhook, err = a.webhookStatus(ctx, p.Consumer, p.Provider); err != nil {
				return err
			}
		case a.keepsWebhooks():
			in.Webhook = "none"
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

func (a storeSource) keepsWebhooks() bool {
	_, ok := a.s.(broker.WebhookStore)
	return ok
}

// anyWebhooks reports whether a webhook exists at all: with none, nothing
// can have been triggered (deleting a webhook deletes what it triggered),
// so the index needs no per-integration lookup.
func (a storeSource) anyWebhooks(ctx context.Context) (bool, error) {
	ws, ok := a.s.(broker.WebhookStore)
	if !ok {
		return false, nil
	}
	hooks, err := ws.ListWebhooks(ctx, broker.WebhookFilter{})
	if err != nil {
		return false, fmt.Errorf("list webhooks: %w", err)
	}
	return len(hooks) > 0, nil
}

func (a storeSource) Pact(ctx context.Context, ref broker.PactRef) (broker.Pact, error) {
	return a.s.GetPact(ctx, ref)
}

func (a storeSource) PactVersions(ctx context.Context, consumer, provider string) ([]broker.Pact, error) {
	return a.s.PactVersions(ctx, consumer, provider)
}

func (a storeSource) LatestVerification(ctx context.Context, consumer, provider, sha string) (*broker.Verification, error) {
	v, err := a.s.LatestVerification(ctx, consumer, provider, sha)
	switch {
	case broker.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &v, nil
}

func (a storeSource) Pacticipants(ctx context.Context) ([]broker.Pacticipant, error) {
	ps, _, err := a.s.ListPacticipants(ctx, broker.Page{})
	return ps, err
}

func (a storeSource) Pacticipant(ctx context.Context, name string) (broker.Pacticipant, error) {
	return a.s.GetPacticipant(ctx, name)
}

func (a storeSource) Version(ctx context.Context, pacticipant, number string) (broker.Version, error) {
	return a.s.GetVersion(ctx, pacticipant, number)
}

func (a storeSource) Versions(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Version, int, error) {
	return a.s.ListVersions(ctx, pacticipant, page)
}

func (a storeSource) Branches(ctx context.Context, pacticipant string) ([]broker.Branch, error) {
	return a.s.ListBranches(ctx, pacticipant)
}

func (a storeSource) Environments(ctx context.Context) ([]broker.Environment, error) {
	return a.s.ListEnvironments(ctx)
}

// webhookStatus is the status of the newest webhook triggered for the pair
// ("none" when nothing was triggered), or "" when the store keeps no
// webhooks.
func (a storeSource) webhookStatus(ctx context.Context, consumer, provider string) (string, error) {
	ws, ok := a.s.(broker.WebhookStore)
	if !ok {
		return "", nil
	}
	ts, err := ws.TriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: consumer, Provider: provider})
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
// every environment when the store keeps them (broker.DeploymentStore).
// Otherwise it falls back to what the deployed and released consumer
// version selectors find: only versions that published a pact.
func (a storeSource) Deployments(ctx context.Context) (Deployments, error) {
	if ds, ok := a.s.(broker.DeploymentStore); ok {
		return a.recordedDeployments(ctx, ds)
	}
	d := Deployments{Recorded: true, Partial: "Only versions that published a pact are shown: this broker's store cannot list the deployments and releases of other versions."}
	pacts, err := a.s.LatestPacts(ctx)
	if err != nil {
		return d, err
	}
	seen := map[Deployment]bool{}
	providers := map[string]bool{}
	for _, p := range pacts {
		if providers[p.Provider] {
			continue
		}
		providers[p.Provider] = true
		for _, released := range []bool{false, true} {
			sel := broker.Selector{Deployed: !released, Released: released}
			found, err := a.s.SelectPacts(ctx, p.Provider, sel)
			if err != nil {
				return d, fmt.Errorf("deployments of consumers of %s: %w", p.Provider, err)
			}
			for _, sp := range found {
				it := Deployment{Pacticipant: sp.Consumer, Version: sp.ConsumerVersion, Environment: sp.Environment, Released: released}
				if !seen[it] {
					seen[it] = true
					d.Items = append(d.Items, it)
				}
			}
		}
	}
	slices.SortFunc(d.Items, func(x, y Deployment) int {
		return cmp.Or(cmp.Compare(x.Environment, y.Environment), cmp.Compare(x.Pacticipant, y.Pacticipant), cmp.Compare(y.Version, x.Version))
	})
	return d, nil
}

func (a storeSource) recordedDeployments(ctx context.Context, ds broker.DeploymentStore) (Deployments, error) {
	d := Deployments{Recorded: true}
	envs, err := ds.FindEnvironments(ctx, "")
	if err != nil {
		return d, err
	}
	for _, e := range envs {
		deployed, err := ds.CurrentlyDeployed(ctx, e.UUID, broker.DeploymentFilter{})
		if err != nil {
			return d, err
		}
		for _, dv := range deployed {
			d.Items = append(d.Items, Deployment{Pacticipant: dv.Pacticipant, Version: dv.Version.Number, Environment: e.Name, Target: dv.ApplicationInstance})
		}
		released, err := ds.CurrentlySupported(ctx, e.UUID, broker.DeploymentFilter{})
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

// matrixFactsStore is a store that answers the matrix with its own indexed
// queries (*sqlstore.Store does).
type matrixFactsStore interface {
	MatrixFacts() matrix.Facts
}

func (a storeSource) Matrix(ctx context.Context, q matrix.Query) (matrix.Result, error) {
	switch f := a.s.(type) {
	case matrixFactsStore:
		return matrix.Decide(ctx, f.MatrixFacts(), q)
	case matrix.Facts:
		return matrix.Decide(ctx, f, q)
	}
	data, err := a.matrixData(ctx)
	if err != nil {
		return matrix.Result{}, fmt.Errorf("matrix facts: %w", err)
	}
	m, err := matrix.NewMemory(data)
	if err != nil {
		return matrix.Result{}, fmt.Errorf("matrix facts: %w", err)
	}
	return matrix.Decide(ctx, m, q)
}

// matrixData writes the store's state out as matrix facts. Verifications:
// every success (VerificationFacts) and the latest result of each content;
// an older failure superseded by neither is not visible through the Store.
func (a storeSource) matrixData(ctx context.Context) (matrix.Data, error) {
	var d matrix.Data
	pts, err := a.Pacticipants(ctx)
	if err != nil {
		return d, err
	}
	type ver struct {
		id int64
		f  matrix.VersionFact
	}
	var vers []ver
	for _, p := range pts {
		d.Pacticipants = append(d.Pacticipants, matrix.Pacticipant{Name: p.Name, MainBranch: p.MainBranch})
		vs, _, err := a.s.ListVersions(ctx, p.Name, broker.Page{})
		if err != nil {
			return d, err
		}
		for _, v := range vs {
			f := matrix.VersionFact{Pacticipant: p.Name, Number: v.Number, CreatedAt: v.CreatedAt}
			for _, b := range v.Branches {
				f.Branches = append(f.Branches, b.Branch)
			}
			for _, t := range v.Tags {
				f.Tags = append(f.Tags, t.Name)
			}
			vers = append(vers, ver{v.ID, f})
		}
	}
	slices.SortFunc(vers, func(x, y ver) int { return cmp.Compare(x.id, y.id) })
	for _, v := range vers {
		d.Versions = append(d.Versions, v.f)
	}
	envs, err := a.s.ListEnvironments(ctx)
	if err != nil {
		return d, err
	}
	for _, e := range envs {
		d.Environments = append(d.Environments, e.Name)
	}
	latest, err := a.s.LatestPacts(ctx)
	if err != nil {
		return d, err
	}
	type content struct{ consumer, provider, sha string }
	var pubs []broker.Pact
	shasByProvider := map[string][]string{}
	consumersOfSHA := map[[2]string][]string{}
	contents := map[content]bool{}
	for _, l := range latest {
		ps, err := a.s.PactVersions(ctx, l.Consumer, l.Provider)
		if err != nil {
			return d, err
		}
		for _, p := range ps {
			pubs = append(pubs, p)
			c := content{p.Consumer, p.Provider, p.SHA}
			if !contents[c] {
				contents[c] = true
				shasByProvider[p.Provider] = append(shasByProvider[p.Provider], p.SHA)
				consumersOfSHA[[2]string{p.Provider, p.SHA}] = append(consumersOfSHA[[2]string{p.Provider, p.SHA}], p.Consumer)
			}
		}
	}
	slices.SortFunc(pubs, func(x, y broker.Pact) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ConsumerVersionID, y.ConsumerVersionID))
	})
	for _, p := range pubs {
		d.Pacts = append(d.Pacts, matrix.PactFact{Consumer: p.Consumer, ConsumerVersion: p.ConsumerVersion, Provider: p.Provider, SHA: p.SHA, CreatedAt: p.CreatedAt})
	}
	for provider, shas := range shasByProvider {
		facts, err := a.s.VerificationFacts(ctx, provider, shas)
		if err != nil {
			return d, err
		}
		for sha, fs := range facts {
			for _, f := range fs {
				for _, consumer := range consumersOfSHA[[2]string{provider, sha}] {
					d.Verifications = append(d.Verifications, matrix.VerificationFact{Consumer: consumer, Provider: provider, SHA: sha,
						ProviderVersion: f.ProviderVersion, Success: f.Success, VerifiedAt: f.CreatedAt})
				}
			}
		}
	}
	for c := range contents {
		v, err := a.LatestVerification(ctx, c.consumer, c.provider, c.sha)
		if err != nil {
			return d, err
		}
		if v != nil && !v.Success {
			d.Verifications = append(d.Verifications, matrix.VerificationFact{Consumer: c.consumer, Provider: c.provider, SHA: c.sha,
				ProviderVersion: v.ProviderVersion, Success: false, VerifiedAt: v.CreatedAt})
		}
	}
	slices.SortFunc(d.Verifications, func(x, y matrix.VerificationFact) int { return x.VerifiedAt.Compare(y.VerifiedAt) })
	deps, err := a.Deployments(ctx)
	if err != nil {
		return d, err
	}
	for _, it := range deps.Items {
		if it.Released {
			d.Releases = append(d.Releases, matrix.Release{Pacticipant: it.Pacticipant, Version: it.Version, Environment: it.Environment})
		} else {
			d.Deployments = append(d.Deployments, matrix.Deployment{Pacticipant: it.Pacticipant, Version: it.Version, Environment: it.Environment, ApplicationInstance: it.Target})
		}
	}
	return d, nil
}
