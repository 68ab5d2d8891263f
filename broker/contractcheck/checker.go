// Package contractcheck makes the provider contract checks the broker's
// outbox holds: for a provider contract (an OpenAPI document published with
// `pact pactflow publish-provider-contract`) it selects the consumer pacts
// the usual selectors pick for the contract's provider version — main
// branches, deployed and released versions, the matching branch, and
// work-in-progress pacts — checks each against the document with
// broker/openapi, and records every outcome as a verification result of the
// pact by that provider version, with its pending and WIP status. The
// matrix, can-i-deploy and the UI then answer with it like with any
// verification.
//
// A check is made again only for what changed: a pact content already
// checked against equal contract content by the same provider version is
// skipped, and one checked by another provider version with equal content
// has its result copied. A check is removed from the outbox in the
// transaction that records its results, so a broker that stops part way
// loses nothing: the lease runs out and the check is made again.
//
// The provider's self-verification counts: a contract whose provider
// reported that testing itself against it failed makes every result a
// failure. One that reported nothing (the pact CLI sends the results only
// with --verifier or --verification-results) is judged by compatibility
// alone, and the results say so.
package contractcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/openapi"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// Store is what a Checker reads and writes.
type Store interface {
	broker.ProviderContractStore
	verifiable.Facts
	GetPact(ctx context.Context, ref broker.PactRef) (broker.Pact, error)
}

// Checker makes queued contract checks until stopped.
type Checker struct {
	Store Store
	Log   *slog.Logger
	Now   func() time.Time
	// PollInterval is how often an idle checker looks for checks that
	// Wake did not announce (left by a broker that stopped, or whose
	// attempt failed). Zero means 5 seconds.
	PollInterval time.Duration

	owner string
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once

	mu   sync.Mutex
	docs map[string]*openapi.Document // parsed contracts by SHA, a few
}

// New returns a Checker over store.
func New(store Store, log *slog.Logger) *Checker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	return &Checker{Store: store, Log: log, Now: time.Now, owner: "contract-checker-" + hex.EncodeToString(id[:]),
		wake: make(chan struct{}, 1), docs: map[string]*openapi.Document{}}
}

// Wake makes an idle checker look for checks now (after a publication).
func (c *Checker) Wake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Start runs the checker in the background.
func (c *Checker) Start() {
	c.once.Do(func() {
		c.stop, c.done = make(chan struct{}), make(chan struct{})
		go c.loop()
	})
}

// Stop stops the checker and waits for the check in flight, or for ctx.
func (c *Checker) Stop(ctx context.Context) error {
	if c.stop == nil {
		return nil
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Checker) loop() {
	defer close(c.done)
	poll := c.PollInterval
	if poll <= 0 {
		poll = 5 * time.Second
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.stop
		cancel()
	}()
	for {
		select {
		case <-c.stop:
			return
		case <-timer.C:
		case <-c.wake:
		}
		for {
			n, err := c.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				c.Log.Warn("contract checks failed; they are tried again", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		timer.Reset(poll)
	}
}

// lease is how long a claimed check stays reserved: far longer than a check
// takes, short enough that a stopped broker's checks are soon made.
const lease = time.Minute

// RunOnce claims the due checks and makes them, returning how many it made.
func (c *Checker) RunOnce(ctx context.Context) (int, error) {
	checks, err := c.Store.ClaimContractChecks(ctx, c.owner, lease, 10)
	if err != nil {
		return 0, err
	}
	for _, check := range checks {
		results, err := c.Check(ctx, check.Contract)
		if err == nil {
			_, err = c.Store.FinishContractCheck(ctx, c.owner, check, results)
		}
		if err != nil {
			backoff := time.Duration(1<<min(check.Attempts, 8)) * time.Second
			c.Log.Warn("contract check failed; trying again later", "provider", check.Contract.Provider, "version", check.Contract.ProviderVersion, "attempt", check.Attempts+1, "retry_in", backoff, "err", err)
			if rerr := c.Store.RetryContractCheck(context.WithoutCancel(ctx), c.owner, check, c.Now().Add(backoff)); rerr != nil {
				return len(checks), rerr
			}
			continue
		}
		c.Log.Info("provider contract checked", "provider", check.Contract.Provider, "version", check.Contract.ProviderVersion, "pacts", len(results))
	}
	return len(checks), nil
}

// Check selects the pacts the contract's provider version is to be checked
// against and checks those not checked before.
func (c *Checker) Check(ctx context.Context, contract broker.ProviderContract) ([]broker.ContractCheckResult, error) {
	mains, err := c.Store.ConsumerMainlines(ctx, contract.Provider)
	if err != nil {
		return nil, err
	}
	q := verifiable.Query{Selectors: defaultSelectors(mains), ProviderBranch: contract.Branch, IncludePending: true}
	if contract.Branch != "" {
		q.Selectors = append(q.Selectors, verifiable.ConsumerVersionSelector{MatchingBranch: true})
		// Checks cost milliseconds: every branch's head is worth one.
		since := time.Unix(0, 0)
		q.WIPSince = &since
	}
	pacts, err := verifiable.Find(ctx, c.Store, contract.Provider, q)
	if err != nil {
		return nil, err
	}
	shas := make([]string, 0, len(pacts))
	for _, p := range pacts {
		shas = append(shas, p.SHA)
	}
	done, reused, err := c.Store.CheckedBefore(ctx, contract, shas)
	if err != nil {
		return nil, err
	}
	var doc *openapi.Document
	var results []broker.ContractCheckResult
	for _, p := range pacts {
		if done[p.SHA] {
			continue
		}
		res := broker.ContractCheckResult{Consumer: p.Consumer, SHA: p.SHA, Pending: p.Pending, WIP: p.WIP}
		if prev, ok := reused[p.SHA]; ok {
			res.Success, res.TestResults, res.Summary = prev.Success, prev.TestResults, prev.Summary
			results = append(results, res)
			continue
		}
		if doc == nil {
			if doc, err = c.document(contract); err != nil {
				return nil, err
			}
		}
		pact, err := c.Store.GetPact(ctx, broker.PactRef{Consumer: p.Consumer, Provider: contract.Provider, SHA: p.SHA})
		if err != nil {
			if broker.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		res.Success, res.TestResults, res.Summary = Judge(doc, contract, pact.Content)
		results = append(results, res)
	}
	return results, nil
}

// TestResults is what a contract check records as the verification's test
// results: the report, and the provider's self-verification.
type TestResults struct {
	// Summary is one line for people.
	Summary          string                   `json:"summary"`
	ProviderContract ContractRef              `json:"providerContract"`
	SelfVerification *broker.SelfVerification `json:"selfVerification"`
	Compatibility    openapi.Report           `json:"compatibility"`
	// Reasons lists every incompatibility in one line each.
	Reasons []string `json:"reasons,omitempty"`
}

// ContractRef names the contract a pact was checked against.
type ContractRef struct {
	ProviderVersion string `json:"providerVersion"`
	SHA             string `json:"sha"`
}

// Judge checks one pact against a parsed contract and says whether the
// result is a success, with the test results to record and, for a failure,
// a one-line summary of why.
func Judge(doc *openapi.Document, contract broker.ProviderContract, pact []byte) (bool, json.RawMessage, string) {
	tr := TestResults{ProviderContract: ContractRef{ProviderVersion: contract.ProviderVersion, SHA: contract.SHA}}
	if sv := contract.SelfVerification; sv != nil {
		// The results' text can be long; the contract's page shows it.
		tr.SelfVerification = &broker.SelfVerification{Success: sv.Success, ContentType: sv.ContentType, Format: sv.Format, Verifier: sv.Verifier, VerifierVersion: sv.VerifierVersion}
	}
	rep, err := doc.Check(pact)
	success := false
	switch {
	case err != nil:
		tr.Summary = fmt.Sprintf("the pact cannot be checked: %v", err)
		tr.Compatibility = openapi.Report{Status: openapi.Unchecked}
	default:
		tr.Compatibility = rep
		tr.Reasons = rep.Reasons()
		tr.Summary = rep.Summary()
		success = rep.Compatible()
	}
	switch {
	case contract.SelfVerification != nil && !contract.SelfVerification.Success:
		success = false
		tr.Summary += "; the provider's self-verification against its contract failed, so the contract cannot be relied on"
		tr.Reasons = append(tr.Reasons, "the provider's self-verification against its contract failed")
	case contract.SelfVerification == nil:
		tr.Summary += "; the provider reported no self-verification result"
	}
	b, _ := json.Marshal(tr)
	return success, b, failureSummary(success, tr)
}

// failureSummary names the first incompatibilities of a failed check: the
// line can-i-deploy gives as the reason.
func failureSummary(success bool, tr TestResults) string {
	if success {
		return ""
	}
	const shown = 3
	reasons := tr.Reasons
	if len(reasons) == 0 {
		return tr.Summary
	}
	line := "provider contract check: " + strings.Join(reasons[:min(shown, len(reasons))], "; ")
	if len(reasons) > shown {
		line += fmt.Sprintf("; and %d more", len(reasons)-shown)
	}
	return line
}

// document parses a contract, keeping a few parsed documents: one contract
// is checked against many pacts, and parsing costs more than checking.
func (c *Checker) document(contract broker.ProviderContract) (*openapi.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.docs[contract.SHA]; ok {
		return d, nil
	}
	d, err := openapi.Parse(contract.Content)
	if err != nil {
		return nil, fmt.Errorf("parse the provider contract of %s version %s: %w", contract.Provider, contract.ProviderVersion, err)
	}
	if len(c.docs) >= 8 {
		clear(c.docs)
	}
	c.docs[contract.SHA] = d
	return d, nil
}

// defaultSelectors are verifiable.DefaultSelectors, plus every consumer's
// newest version, with one mainBranch
// selector for every consumer that has main-branch versions instead of one
// per consumer: the same pacts, in one query rather than one per consumer
// (50 consumers on PostgreSQL: 2.2 s to 0.9 s from publication to results, BenchmarkContractWith50ConsumerPacts on a loaded 2-core machine).
func defaultSelectors(mains []verifiable.ConsumerMainline) []verifiable.ConsumerVersionSelector {
	var rest []verifiable.ConsumerMainline
	grouped := false
	for _, m := range mains {
		if m.MainBranch != "" && m.HasMainBranchVersions {
			grouped = true
			continue
		}
		rest = append(rest, m)
	}
	out := verifiable.DefaultSelectors(rest)
	if grouped {
		out = append(out, verifiable.ConsumerVersionSelector{MainBranch: true})
	}
	// And each consumer's newest version, whatever its branch: a check
	// costs milliseconds, and a feature branch's pact that is no longer
	// pending (not WIP) is still worth telling about.
	latest := true
	return append(out, verifiable.ConsumerVersionSelector{Latest: &latest})
}
