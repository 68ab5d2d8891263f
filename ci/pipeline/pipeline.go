package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/accord-cdc/accord/contracts/build"
)

// Pipeline runs the stages for one Go module.
type Pipeline struct {
	// Root is the module root (where go.mod is).
	Root string
	// Broker is the Pact Broker; nil when none is configured.
	Broker *Broker
	// Build is the version, branch and build URL pacts, results and
	// deployments are recorded under.
	Build build.Info
	// Stdout and Stderr receive what the stages and the tools they run print.
	Stdout, Stderr io.Writer
}

// StageError says which stage failed and what to do next.
type StageError struct {
	Stage string
	Err   error
	Hint  string
}

func (e *StageError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Stage, e.Err)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *StageError) Unwrap() error { return e.Err }

// ErrNoBroker is the error of a stage that needs a broker when none is set.
var ErrNoBroker = errors.New("no broker: set PACT_BROKER_BASE_URL or pass --broker-base-url")

func (p *Pipeline) needBroker(stage string) error {
	if p.Broker == nil || p.Broker.BaseURL == "" {
		return &StageError{Stage: stage, Err: ErrNoBroker}
	}
	return nil
}

// ModuleRoot finds the Go module dir is in: the nearest folder at or above it
// with a go.mod.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod in %s or above it: run accord inside a Go module", dir)
		}
		d = parent
	}
}

// DefaultPactDir is where the contracts library writes pacts:
// $ACCORD_PACT_DIR, else contracts/pacts under the module root.
func DefaultPactDir(root string, getenv func(string) string) string {
	if dir := getenv("ACCORD_PACT_DIR"); dir != "" {
		return dir
	}
	return filepath.Join(root, "contracts", "pacts")
}

// DescribeVersion is how a version is printed: a "+dirty" version gets the
// explanation people otherwise ask about.
func DescribeVersion(v string) string {
	if strings.HasSuffix(v, "+dirty") {
		return v + " (+dirty: the working tree has uncommitted changes; commit them, or set ACCORD_VERSION, to record a version others can check out)"
	}
	return v
}
