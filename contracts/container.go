package contracts

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

// ProviderContainer is a provider in any language, built from its
// Dockerfile and started, with its dependencies, on a network of its own,
// so a Go test verifies it as it verifies a Go handler.
type ProviderContainer struct {
	// Dockerfile is the path of the provider's Dockerfile.
	Dockerfile string
	// Context is the build context (default: the Dockerfile's folder).
	Context string
	// Port is the port the provider listens on inside the container
	// ("8080/tcp").
	Port string
	// Env is the provider's environment; dependencies are reached by their
	// Alias as host name.
	Env map[string]string
	// StatePath is the path of the provider's own state-change endpoint,
	// which receives the verifier's {"action", "state", "params"} POSTs as
	// in pact's other languages ("" when the provider has none).
	StatePath string
	// Ready is an HTTP path that answers 2xx once the provider is up
	// (default: the port accepting connections).
	Ready string
	// Dependencies start first, on the same network.
	Dependencies []Dependency
}

// Dependency is a container the provider needs (a database, a queue, a
// service it calls), from an image already on the machine.
type Dependency struct {
	Image string
	// Alias is its host name on the network.
	Alias string
	Env   map[string]string
	// Port, if set, is waited for before the provider starts ("5432/tcp").
	Port string
}

// RunningProvider is a started ProviderContainer: set Provider.URL and
// Provider.StateChangeURL from it.
type RunningProvider struct {
	URL            string
	StateChangeURL string
}

// StartProvider builds c's image, starts its dependencies and then the
// provider on one network, and terminates all of them (image included)
// when tb ends.
func StartProvider(tb testing.TB, c ProviderContainer) RunningProvider {
	tb.Helper()
	if c.Dockerfile == "" || c.Port == "" {
		tb.Fatal("contracts: ProviderContainer needs a Dockerfile and the Port the provider listens on (\"8080/tcp\")")
	}
	containerDefaults(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	net, err := network.New(ctx)
	if err != nil {
		tb.Fatalf("contracts: create a Docker network for %s: %v (is Docker running?)", c.Dockerfile, err)
	}
	tb.Cleanup(func() { _ = net.Remove(context.Background()) })

	for _, d := range c.Dependencies {
		if d.Image == "" || d.Alias == "" {
			tb.Fatalf("contracts: a Dependency needs an Image and an Alias (its host name), got %+v", d)
		}
		req := testcontainers.ContainerRequest{
			Image:          d.Image,
			Env:            maps.Clone(d.Env),
			Networks:       []string{net.Name},
			NetworkAliases: map[string][]string{net.Name: {d.Alias}},
		}
		if d.Port != "" {
			req.ExposedPorts = []string{d.Port}
			req.WaitingFor = wait.ForListeningPort(d.Port)
		}
		dc, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true})
		testcontainers.CleanupContainer(tb, dc)
		if err != nil {
			tb.Fatalf("contracts: start the dependency %s (%s): %v\n(the image must be on this machine: docker images)", d.Alias, d.Image, err)
		}
	}

	buildCtx := c.Context
	if buildCtx == "" {
		buildCtx = filepath.Dir(c.Dockerfile)
	}
	dockerfile, err := filepath.Rel(buildCtx, c.Dockerfile)
	if err != nil {
		tb.Fatalf("contracts: the Dockerfile %s is not inside the build context %s", c.Dockerfile, buildCtx)
	}
	var waitFor wait.Strategy = wait.ForListeningPort(c.Port)
	if c.Ready != "" {
		waitFor = wait.ForHTTP(c.Ready).WithPort(c.Port)
	}
	pc, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: buildCtx, Dockerfile: dockerfile},
			ExposedPorts:   []string{c.Port},
			Env:            maps.Clone(c.Env),
			Networks:       []string{net.Name},
			WaitingFor:     waitFor,
		},
		Started: true,
	})
	testcontainers.CleanupContainer(tb, pc)
	if err != nil {
		tb.Fatalf("contracts: build and start the provider from %s: %v", c.Dockerfile, err)
	}
	endpoint, err := pc.PortEndpoint(ctx, c.Port, "http")
	if err != nil {
		tb.Fatalf("contracts: the provider's port %s: %v", c.Port, err)
	}
	rp := RunningProvider{URL: endpoint}
	if c.StatePath != "" {
		rp.StateChangeURL = endpoint + "/" + strings.TrimPrefix(c.StatePath, "/")
	}
	tb.Logf("contracts: provider container from %s listening at %s", c.Dockerfile, endpoint)
	return rp
}

// String satisfies fmt.Stringer for error messages.
func (r RunningProvider) String() string {
	return fmt.Sprintf("%s (states: %s)", r.URL, r.StateChangeURL)
}
