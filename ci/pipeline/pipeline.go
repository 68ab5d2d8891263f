package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/contracts/build"
)

// Pipeline runs the stages for one repository.
type Pipeline struct {
	// Root is the repository root (where go.mod is).
	Root string
	// Pact is the official pact CLI.
	Pact string
	// BrokerURL is the broker's base URL (PACT_BROKER_BASE_URL).
	BrokerURL string
	// Build is the version, branch and build URL results are recorded under.
	Build build.Info
	// Stdout and Stderr receive the tools' output.
	Stdout, Stderr io.Writer
}

// StageError says which stage failed and what to do next.
type StageError struct {
	Stage string
	Err   error
	Hint  string
}

func (e *StageError) Error() string {
	msg := fmt.Sprintf("%s failed: %v", e.Stage, e.Err)
	if e.Hint != "" {
		msg += "\n  next: " + e.Hint
	}
	return msg
}

func (e *StageError) Unwrap() error { return e.Err }

// ErrNotDeployable is the can-i-deploy answer "no" (or "unknown" after the
// retries ran out).
var ErrNotDeployable = errors.New("not deployable")

// New returns a pipeline for the repository at root, with the broker and
// build taken from the environment.
func New(root string) (*Pipeline, error) {
	b, err := build.Detect()
	if err != nil {
		return nil, err
	}
	pact := filepath.Join(root, ".tools", "bin", "pact")
	if _, err := os.Stat(pact); err != nil {
		if pact, err = exec.LookPath("pact"); err != nil {
			return nil, errors.New("the pact CLI is not installed: run `make setup` (it installs .tools/bin/pact)")
		}
	}
	return &Pipeline{
		Root:      root,
		Pact:      pact,
		BrokerURL: strings.TrimSuffix(os.Getenv("PACT_BROKER_BASE_URL"), "/"),
		Build:     b,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
	}, nil
}

func (p *Pipeline) needBroker(stage string) error {
	if p.BrokerURL == "" {
		return &StageError{Stage: stage, Err: errors.New("PACT_BROKER_BASE_URL is not set"),
			Hint: "export PACT_BROKER_BASE_URL=http://127.0.0.1:9292 (make demo starts a broker there)"}
	}
	return nil
}

// Publish publishes every pact in dir as the consumer version of this build.
func (p *Pipeline) Publish(ctx context.Context, dir string) error {
	if err := p.needBroker("publish"); err != nil {
		return err
	}
	dir, err := filepath.Abs(dir) // the CLI runs in Root
	if err != nil {
		return &StageError{Stage: "publish", Err: err}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		return &StageError{Stage: "publish", Err: fmt.Errorf("no pact files in %s", dir),
			Hint: "run the consumer tests first: go test -run '^TestConsumer' ./..."}
	}
	args := []string{"broker", "publish", dir, "--broker-base-url", p.BrokerURL, "--consumer-app-version", p.Build.Version}
	if p.Build.Branch != "" {
		args = append(args, "--branch", p.Build.Branch)
	}
	if p.Build.URL != "" {
		args = append(args, "--build-url", p.Build.URL)
	}
	fmt.Fprintf(p.Stdout, "publishing %d pact(s) from %s as version %s (branch %q)\n", len(files), dir, p.Build.Version, p.Build.Branch)
	if err := p.run(ctx, p.Pact, args, nil); err != nil {
		return &StageError{Stage: "publish", Err: err, Hint: "check the broker is up at " + p.BrokerURL + " and the pact files are valid JSON"}
	}
	return nil
}

// Verify verifies provider (the package providers/<provider>) against the
// pacts the broker selects for it; with pactURL, against that one pact;
// without a broker, against the local pact files.
func (p *Pipeline) Verify(ctx context.Context, provider, pactURL string) error {
	if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`).MatchString(provider) {
		return &StageError{Stage: "verify", Err: fmt.Errorf("%q is not a provider name", provider), Hint: "use one of the folders in providers/"}
	}
	pkg := "./providers/" + provider + "/"
	if _, err := os.Stat(filepath.Join(p.Root, "providers", provider)); err != nil {
		return &StageError{Stage: "verify", Err: fmt.Errorf("no package %s", pkg), Hint: "use one of the folders in providers/"}
	}
	env := []string{
		"PACT_BROKER_BASE_URL=" + p.BrokerURL,
		"ACCORD_VERSION=" + p.Build.Version,
		"ACCORD_BRANCH=" + p.Build.Branch,
		"PACT_URL=" + pactURL,
	}
	if p.BrokerURL != "" && p.Build.CI {
		// Results reach the team's matrix only from CI (CI=true), or when
		// ACCORD_PUBLISH_VERIFICATION_RESULTS=true is already set.
		env = append(env, "ACCORD_PUBLISH_VERIFICATION_RESULTS=true")
	}
	if p.Build.URL != "" {
		env = append(env, "BUILD_URL="+p.Build.URL)
	}
	what := "the pacts the broker at " + p.BrokerURL + " selects"
	switch {
	case pactURL != "":
		what = "the pact at " + pactURL
	case p.BrokerURL == "":
		what = "the local pact files in contracts/pacts"
	}
	fmt.Fprintf(p.Stdout, "verifying %s against %s, as version %s (branch %q)\n", provider, what, p.Build.Version, p.Build.Branch)
	args := []string{"test", "-count=1", "-v", "-run", "^TestProvider" + exported(provider) + "$", pkg}
	if err := p.run(ctx, "go", args, env); err != nil {
		return &StageError{Stage: "verify " + provider, Err: err,
			Hint: "the report above names each failing interaction; fix " + provider + " or talk to the consumer's team"}
	}
	return nil
}

// ProviderOfPact reads the provider's name from the pact at url.
func (p *Pipeline) ProviderOfPact(ctx context.Context, url string) (string, error) {
	var pact struct {
		Provider struct{ Name string } `json:"provider"`
	}
	if err := p.getURL(ctx, url, &pact); err != nil {
		return "", err
	}
	if pact.Provider.Name == "" {
		return "", fmt.Errorf("%s is not a pact", url)
	}
	return pact.Provider.Name, nil
}

// CanIDeploy asks whether version of pacticipant may go to environment,
// polling while the answer is unknown (verification still running).
func (p *Pipeline) CanIDeploy(ctx context.Context, pacticipant, version, environment string, retries int, interval time.Duration) error {
	if err := p.needBroker("can-i-deploy"); err != nil {
		return err
	}
	if version == "" {
		version = p.Build.Version
	}
	args := []string{"broker", "can-i-deploy", "--broker-base-url", p.BrokerURL,
		"--pacticipant", pacticipant, "--version", version, "--to-environment", environment,
		"--retry-while-unknown", strconv.Itoa(retries), "--retry-interval", strconv.Itoa(int(interval.Seconds()))}
	err := p.run(ctx, p.Pact, args, nil)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return &StageError{Stage: "can-i-deploy " + pacticipant, Err: ErrNotDeployable,
			Hint: "the reason is above; do not deploy " + pacticipant + " " + version + " to " + environment}
	}
	if err != nil {
		return &StageError{Stage: "can-i-deploy " + pacticipant, Err: err}
	}
	return nil
}

// RecordDeployment tells the broker version of pacticipant now runs in
// environment.
func (p *Pipeline) RecordDeployment(ctx context.Context, pacticipant, version, environment string) error {
	if err := p.needBroker("record-deployment"); err != nil {
		return err
	}
	if version == "" {
		version = p.Build.Version
	}
	args := []string{"broker", "record-deployment", "--broker-base-url", p.BrokerURL,
		"--pacticipant", pacticipant, "--version", version, "--environment", environment}
	if err := p.run(ctx, p.Pact, args, nil); err != nil {
		return &StageError{Stage: "record-deployment " + pacticipant, Err: err,
			Hint: "does the environment exist? pact broker create-environment --name " + environment}
	}
	return nil
}

func (p *Pipeline) run(ctx context.Context, name string, args, env []string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = p.Root
	cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
	cmd.Env = append(os.Environ(), env...)
	return cmd.Run()
}

// exported turns "users" into "Users", the suffix of the provider's test.
func exported(provider string) string {
	var b strings.Builder
	for _, part := range strings.Split(provider, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
