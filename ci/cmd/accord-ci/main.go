// Command accord-ci runs the stages of the contract pipeline:
//
//	accord-ci publish [DIR]                      publish the pacts in DIR (default contracts/pacts)
//	accord-ci verify PROVIDER                    verify providers/PROVIDER against the broker's pacts
//	accord-ci verify-pact PACT_URL               verify the provider of one pact (webhook-triggered builds)
//	accord-ci can-i-deploy PACTICIPANT [flags]   ask the broker; exit 1 when the answer is no
//	accord-ci record-deployment PACTICIPANT [flags]
//	accord-ci status [ENVIRONMENT]               every service's latest version, who verified it, deployable?
//	accord-ci runner ADDR                        a tiny CI server that runs verify-pact for broker webhooks
//
// The broker comes from PACT_BROKER_BASE_URL (and PACT_BROKER_TOKEN or
// PACT_BROKER_USERNAME/PASSWORD); version, branch and build URL from the
// CI's variables or git (see contracts/build).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/ci/pipeline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "accord-ci:", err)
		os.Exit(1)
	}
}

const usage = `usage: accord-ci publish [DIR] | verify PROVIDER | verify-pact PACT_URL |
       can-i-deploy PACTICIPANT [--version V] [--to-environment E] [--retry-while-unknown N] [--retry-interval S] |
       record-deployment PACTICIPANT [--version V] [--environment E]`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	p, err := pipeline.New(root)
	if err != nil {
		return err
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "publish":
		dir := filepath.Join(root, "contracts", "pacts")
		if len(args) > 0 {
			dir = args[0]
		}
		return p.Publish(ctx, dir)
	case "verify":
		if len(args) != 1 {
			return errors.New("usage: accord-ci verify PROVIDER")
		}
		return p.Verify(ctx, args[0], "")
	case "verify-pact":
		if len(args) != 1 {
			return errors.New("usage: accord-ci verify-pact PACT_URL")
		}
		provider, err := p.ProviderOfPact(ctx, args[0])
		if err != nil {
			return fmt.Errorf("verify-pact: %w", err)
		}
		return p.Verify(ctx, provider, args[0])
	case "status":
		env := "production"
		if len(args) > 0 {
			env = args[0]
		}
		rows, err := p.Status(ctx, env)
		if err != nil {
			return err
		}
		pipeline.WriteStatus(os.Stdout, rows, env)
		return nil
	case "runner":
		if len(args) != 1 {
			return errors.New("usage: accord-ci runner 127.0.0.1:9393")
		}
		return runRunner(ctx, root, args[0])
	case "can-i-deploy", "record-deployment":
		if len(args) < 1 {
			return errors.New(usage)
		}
		name := args[0]
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		version := fs.String("version", "", "pacticipant version (default: this build's)")
		env := fs.String("to-environment", "production", "target environment")
		fs.StringVar(env, "environment", "production", "target environment")
		retries := fs.Int("retry-while-unknown", 0, "times to poll while the answer is unknown")
		interval := fs.Duration("retry-interval", 5*time.Second, "time between polls")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if cmd == "can-i-deploy" {
			return p.CanIDeploy(ctx, name, *version, *env, *retries, *interval)
		}
		return p.RecordDeployment(ctx, name, *version, *env)
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

// runRunner serves pipeline.Runner on addr until ctx ends.
func runRunner(ctx context.Context, root, addr string) error {
	r := &pipeline.Runner{Command: pipeline.VerifyPactCommand(root), Log: os.Stdout, Context: ctx}
	srv := &http.Server{Addr: addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	fmt.Printf("runner: accepting builds on http://%s/builds\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	r.Wait()
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run accord-ci inside the repository (no go.mod found above the working directory)")
		}
		dir = parent
	}
}
