package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"
)

// A Source says where VerifyProvider reads the pacts it verifies:
// PactFiles, PactURL or Broker. A Provider without one uses
// SourceFromEnv().
type Source interface {
	// resolve lists the pacts that name p, the way the verifier will
	// read them, and how to point the verifier at them.
	resolve(ctx context.Context, p Provider) (*sourcePlan, error)
}

// sourcePlan is a resolved Source.
type sourcePlan struct {
	pacts []pactFile
	// configure adds the pacts to a verifier run.
	configure func(v *ffiVerifier)
	// publish, when set, publishes the results to the broker as this
	// provider build.
	publish *Build
	// describe says, for the test log, what is verified.
	describe string
	// broker and auth are where results are published (with publish).
	broker string
	auth   BrokerAuth
}

// PactFiles verifies the pact files in a folder (those naming the
// provider), as written by the consumer tests.
type PactFiles string

func (dir PactFiles) resolve(_ context.Context, p Provider) (*sourcePlan, error) {
	d := string(dir)
	pacts, err := pactsFor(d, p.Name)
	if err != nil {
		return nil, err
	}
	if len(pacts) == 0 {
		return nil, fmt.Errorf("no pact in %s names the provider %q.\n"+
			"Run the consumer tests first, they write the pacts: go test -run '^TestConsumer' ./... (make test does this),"+
			" or verify against a broker (contracts.Broker, or PACT_BROKER_BASE_URL)", d, p.Name)
	}
	return &sourcePlan{
		pacts:    pacts,
		describe: fmt.Sprintf("the pact files for %s in %s", p.Name, d),
		configure: func(v *ffiVerifier) {
			for _, pf := range pacts {
				v.fileSource(pf.path)
			}
		},
	}, nil
}

// PactURL verifies the one pact at a URL, read without credentials (use
// Broker.Pact for a broker that needs them, or to honour the pact's
// pending status). Results are not published.
type PactURL string

func (u PactURL) resolve(ctx context.Context, p Provider) (*sourcePlan, error) {
	return pactURLPlan(ctx, string(u), BrokerAuth{}, p)
}

func pactURLPlan(ctx context.Context, u string, auth BrokerAuth, p Provider) (*sourcePlan, error) {
	pf, err := fetchPact(ctx, u, auth)
	if err != nil {
		return nil, err
	}
	if pf.Provider.Name != p.Name {
		return nil, fmt.Errorf("the pact at %s is for the provider %q, and this is %q's verification.\n"+
			"Verify it in %q's own test", u, pf.Provider.Name, p.Name, pf.Provider.Name)
	}
	return &sourcePlan{
		pacts:     []pactFile{pf},
		describe:  fmt.Sprintf("the one pact at %s (its pending status is unknown, so a failure fails)", u),
		configure: func(v *ffiVerifier) { v.urlSource(u, auth) },
	}, nil
}

// BrokerAuth holds a Pact Broker's credentials: a bearer Token, or a
// Username and Password. The zero value sends none.
type BrokerAuth struct {
	Token    string
	Username string
	Password string
}

func (a BrokerAuth) apply(req *http.Request) {
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
	} else if a.Username != "" {
		req.SetBasicAuth(a.Username, a.Password)
	}
}

// Broker verifies the pacts a Pact Broker selects for the provider, with
// pending pacts on (a consumer's new expectation cannot break the
// provider's build) and work-in-progress pacts since WIPSince.
type Broker struct {
	// URL is the broker's base URL.
	URL  string
	Auth BrokerAuth
	// Selectors pick the consumer versions whose pacts are verified
	// (default {mainBranch}, {matchingBranch}, {deployedOrReleased}).
	Selectors []provider.ConsumerVersionSelector
	// WIPSince includes work-in-progress pacts published since then
	// (default: 30 days ago).
	WIPSince time.Time
	// Publish publishes the verification results, as Build.
	Publish bool
	// Build is the provider version verified; its zero value means
	// DetectBuild().
	Build Build
	// Pact, if set, verifies only the pact at this URL of the broker (the
	// build a broker webhook triggers with ${pactbroker.pactUrl}), with the
	// pending status it has for Build's branch.
	Pact string
}

func (b Broker) resolve(ctx context.Context, p Provider) (*sourcePlan, error) {
	base := strings.TrimSuffix(b.URL, "/")
	if base == "" {
		return nil, fmt.Errorf("contracts.Broker has no URL: set it to the broker's base URL")
	}
	build := b.Build
	if build == (Build{}) {
		var err error
		if build, err = DetectBuild(); err != nil {
			return nil, err
		}
	}
	var publish *Build
	if b.Publish {
		if build.Version == "" {
			return nil, fmt.Errorf("publishing results to %s needs the provider's version: set Broker.Build or run in a git checkout", base)
		}
		publish = &build
	}
	selectors := b.Selectors
	if len(selectors) == 0 {
		selectors = []provider.ConsumerVersionSelector{{MainBranch: true}, {MatchingBranch: true}, {DeployedOrReleased: true}}
		if build.Branch == "" {
			// Without a branch (a detached HEAD) {matchingBranch} means nothing.
			selectors = []provider.ConsumerVersionSelector{{MainBranch: true}, {DeployedOrReleased: true}}
		}
	}
	wip := b.WIPSince
	if wip.IsZero() {
		wip = time.Now().AddDate(0, 0, -30)
	}
	wipSince := wip.Format(time.RFC3339)
	describe := fmt.Sprintf("pacts for %s from the broker %s as version %s (branch %q); publishing results: %t",
		p.Name, base, build.Version, build.Branch, publish != nil)

	if b.Pact != "" {
		plan, err := pactURLPlan(ctx, b.Pact, b.Auth, p)
		if err != nil {
			return nil, err
		}
		plan.publish, plan.broker, plan.auth = publish, base, b.Auth
		sel, pending, err := selectorFor(ctx, base, b.Auth, p.Name, build.Branch, b.Pact, plan.pacts[0])
		if err != nil {
			plan.describe = fmt.Sprintf("the one pact at %s; its pending status could not be read (%v), so a failure fails", b.Pact, err)
			return plan, nil
		}
		// Through the broker, with a selector that picks exactly this
		// pact, the verifier applies the pact's pending status.
		plan.pacts[0].pending = pending
		plan.describe = fmt.Sprintf("the one pact at %s (consumer %s, branch %q; pending: %t) as %s %s; publishing results: %t",
			b.Pact, sel.Consumer, sel.Branch, pending, p.Name, build.Version, publish != nil)
		selJSON, _ := json.Marshal(sel)
		plan.configure = func(v *ffiVerifier) {
			v.brokerSource(base, b.Auth, true, "", build.Branch, []string{string(selJSON)})
		}
		return plan, nil
	}

	pacts, err := pactsForVerification(ctx, base, b.Auth, p.Name, build.Branch, selectors, wipSince)
	if err != nil {
		return nil, err
	}
	if len(pacts) == 0 {
		return nil, fmt.Errorf("the broker %s has no pact for %s matching the selectors %s.\n"+
			"Publish the consumers' pacts first (accord publish), or check the provider's name", base, p.Name, selectorsJSON(selectors))
	}
	var sel []string
	for _, s := range selectors {
		b, _ := json.Marshal(s)
		sel = append(sel, string(b))
	}
	return &sourcePlan{
		pacts:    pacts,
		publish:  publish,
		broker:   base,
		auth:     b.Auth,
		describe: describe,
		configure: func(v *ffiVerifier) {
			v.brokerSource(base, b.Auth, true, wipSince, build.Branch, sel)
		},
	}, nil
}

func selectorsJSON(s []provider.ConsumerVersionSelector) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// pactsForVerification asks the broker which pacts it would hand the
// verifier, and reads each, so every interaction has its subtest before
// the verifier runs. The verifier asks the same question itself (it needs
// the answer's context to publish results and apply pending status).
func pactsForVerification(ctx context.Context, base string, auth BrokerAuth, providerName, branch string,
	selectors []provider.ConsumerVersionSelector, wipSince string) ([]pactFile, error) {
	var found forVerificationAnswer
	q := map[string]any{
		"consumerVersionSelectors": selectors,
		"includePendingStatus":     true,
		"includeWipPactsSince":     wipSince,
	}
	if branch != "" {
		q["providerVersionBranch"] = branch
	}
	u := base + "/pacts/provider/" + url.PathEscape(providerName) + "/for-verification"
	if err := brokerJSON(ctx, http.MethodPost, u, auth, q, &found); err != nil {
		return nil, fmt.Errorf("ask the broker for %s's pacts: %w (check the URL and the credentials)", providerName, err)
	}
	var out []pactFile
	for _, fp := range found.Embedded.Pacts {
		pf, err := fetchPact(ctx, fp.Links.Self.Href, auth)
		if err != nil {
			return nil, err
		}
		pf.pending = fp.VerificationProperties.Pending || fp.VerificationProperties.WIP
		out = append(out, pf)
	}
	return out, nil
}

// SourceFromEnv is the Source a Provider without one uses, so the same test
// serves a laptop, CI and a broker webhook's build:
//
//   - PACT_URL and PACT_BROKER_BASE_URL set: Broker{Pact: $PACT_URL}, the
//     one pact a webhook asks for, with its pending status;
//   - PACT_URL alone: PactURL($PACT_URL), with the broker credentials;
//   - PACT_BROKER_BASE_URL set: Broker, with the Provider's Selectors and
//     WIPSince ($ACCORD_WIP_SINCE when unset), publishing results when
//     CI=true or ACCORD_PUBLISH_VERIFICATION_RESULTS=true;
//   - otherwise, and always in a broken variant run by VerifyBroken:
//     PactFiles(PactDir()).
//
// Credentials come from PACT_BROKER_TOKEN, else PACT_BROKER_USERNAME and
// PACT_BROKER_PASSWORD. The environment is read when the verification
// starts, never changed.
func SourceFromEnv() Source { return envSource{} }

type envSource struct{}

// brokenVariantEnv marks the child process VerifyBroken starts: it verifies
// the local pact files and never publishes, whatever else is set.
const brokenVariantEnv = "ACCORD_BROKEN_VARIANT"

func (envSource) resolve(ctx context.Context, p Provider) (*sourcePlan, error) {
	src, err := envSourceFor(p)
	if err != nil {
		return nil, err
	}
	return src.resolve(ctx, p)
}

func envSourceFor(p Provider) (Source, error) {
	auth := BrokerAuth{Token: os.Getenv("PACT_BROKER_TOKEN"), Username: os.Getenv("PACT_BROKER_USERNAME"), Password: os.Getenv("PACT_BROKER_PASSWORD")}
	pactURL := os.Getenv("PACT_URL")
	brokerURL := os.Getenv("PACT_BROKER_BASE_URL")
	switch {
	case os.Getenv(brokenVariantEnv) == "1" || (pactURL == "" && brokerURL == ""):
		dir, err := PactDir()
		if err != nil {
			return nil, err
		}
		return PactFiles(dir), nil
	case brokerURL == "":
		return authPactURL{url: pactURL, auth: auth}, nil
	}
	build, err := DetectBuild()
	if err != nil {
		return nil, err
	}
	wip := p.WIPSince
	if v := os.Getenv("ACCORD_WIP_SINCE"); wip.IsZero() && v != "" {
		if wip, err = parseDate(v); err != nil {
			return nil, fmt.Errorf("ACCORD_WIP_SINCE=%q: %w", v, err)
		}
	}
	return Broker{
		URL:       brokerURL,
		Auth:      auth,
		Selectors: p.Selectors,
		WIPSince:  wip,
		Publish:   build.CI || os.Getenv("ACCORD_PUBLISH_VERIFICATION_RESULTS") == "true",
		Build:     build,
		Pact:      pactURL,
	}, nil
}

// authPactURL is PactURL with credentials.
type authPactURL struct {
	url  string
	auth BrokerAuth
}

func (s authPactURL) resolve(ctx context.Context, p Provider) (*sourcePlan, error) {
	plan, err := pactURLPlan(ctx, s.url, s.auth, p)
	if err == nil {
		plan.describe = fmt.Sprintf("the one pact at PACT_URL=%s (no PACT_BROKER_BASE_URL: its pending status is unknown, so a failure fails)", s.url)
	}
	return plan, err
}
