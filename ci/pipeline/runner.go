package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Runner is a very small CI server for the demo and for local trials of
// webhooks: the broker's contract_requiring_verification_published webhook
// POSTs a build request to it, and it runs `accord verify --pact-url` for the
// pact named, as the provider version the broker asked for — what a
// repository_dispatch workflow does on GitHub.
type Runner struct {
	// Command runs one build (VerifyPactCommand: accord verify --pact-url).
	Command func(ctx context.Context, req BuildRequest, log io.Writer) error
	// Context, when set, bounds every build: cancelling it stops them.
	Context context.Context
	// Log receives each build's output.
	Log io.Writer

	mu     sync.Mutex
	builds []*Build
	wg     sync.WaitGroup
}

// BuildRequest is the webhook body the demo's webhook sends (templated by
// the broker from ${pactbroker.*} parameters).
type BuildRequest struct {
	PactURL         string `json:"pactUrl"`
	Provider        string `json:"provider"`
	ProviderVersion string `json:"providerVersion"`
	ProviderBranch  string `json:"providerBranch"`
	Consumer        string `json:"consumer"`
	ConsumerVersion string `json:"consumerVersion"`
	Event           string `json:"event"`
}

// Build is one run of a BuildRequest.
type Build struct {
	ID       int          `json:"id"`
	Request  BuildRequest `json:"request"`
	Status   string       `json:"status"` // running, passed, failed
	Error    string       `json:"error,omitempty"`
	Started  time.Time    `json:"started"`
	Finished *time.Time   `json:"finished,omitempty"`
}

// ServeHTTP accepts POST /builds and lists builds on GET /builds.
func (r *Runner) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/builds":
		var br BuildRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<20)).Decode(&br); err != nil || br.PactURL == "" {
			http.Error(w, `body must be JSON with at least "pactUrl"`, http.StatusBadRequest)
			return
		}
		b := r.start(br)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(b)
	case req.Method == http.MethodGet && req.URL.Path == "/builds":
		r.mu.Lock()
		builds := r.builds
		if builds == nil {
			builds = []*Build{}
		}
		out, _ := json.Marshal(builds)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	default:
		http.NotFound(w, req)
	}
}

func (r *Runner) start(br BuildRequest) Build {
	r.mu.Lock()
	b := &Build{ID: len(r.builds) + 1, Request: br, Status: "running", Started: time.Now().UTC()}
	r.builds = append(r.builds, b)
	snapshot := *b
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		base := r.Context
		if base == nil {
			base = context.Background()
		}
		ctx, cancel := context.WithTimeout(base, 10*time.Minute)
		defer cancel()
		fmt.Fprintf(r.Log, "--- build %d: verify %s's pact for %s %s (as provider version %s, branch %s)\n",
			b.ID, br.Consumer, br.Provider, br.ConsumerVersion, br.ProviderVersion, br.ProviderBranch)
		err := r.Command(ctx, br, r.Log)
		r.mu.Lock()
		defer r.mu.Unlock()
		now := time.Now().UTC()
		b.Finished = &now
		b.Status = "passed"
		if err != nil {
			b.Status, b.Error = "failed", err.Error()
		}
		fmt.Fprintf(r.Log, "--- build %d %s\n", b.ID, b.Status)
	}()
	return snapshot
}

// Wait blocks until every started build has finished.
func (r *Runner) Wait() { r.wg.Wait() }

// VerifyPactCommand runs `accord verify --pact-url` (this executable) for a
// build request, as the provider version and branch the broker named.
func VerifyPactCommand(root string) func(ctx context.Context, br BuildRequest, log io.Writer) error {
	return func(ctx context.Context, br BuildRequest, log io.Writer) error {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, self, "verify", "-v", "--pact-url", br.PactURL)
		// Its own process group, so that stopping the build stops the go
		// test and the test binary under it too.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
		cmd.WaitDelay = 30 * time.Second
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Env = append(os.Environ(), "ACCORD_VERSION="+br.ProviderVersion, "ACCORD_BRANCH="+br.ProviderBranch, "CI=true")
		return cmd.Run()
	}
}
