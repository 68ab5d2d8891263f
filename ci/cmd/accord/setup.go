package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/accord-cdc/accord/ci/setup"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

const pactFFIVersion = setup.PactFFIVersion

const setupHelp = "Idempotent: each step first looks whether its result is there and says so; only what is missing\n" +
	"is installed. Docker: must answer; as root on Debian/Ubuntu, docker.io is installed and dockerd started.\n" +
	"libpact_ffi: the official build from the npm package @pact-foundation/pact-core-*, into /usr/local/lib\n" +
	"(or --ffi-dir). PostgreSQL: $ACCORD_POSTGRES_IMAGE, else postgres:16-alpine if here or pullable, else\n" +
	"accord-local/postgres:15-bookworm built from Debian packages (root, debootstrap)."

func setupCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	m := machineFlags(c, fs)
	envFile := fs.String("env-file", "", "also write what was set up (ACCORD_SETUP_POSTGRES_IMAGE, PACT_FFI_DIR) to this file")
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return &usageError{msg: "setup takes no arguments"}
		}
		start := time.Now()
		res, err := m.Setup(ctx)
		if err != nil {
			return err
		}
		if *envFile != "" {
			env := fmt.Sprintf("ACCORD_SETUP_POSTGRES_IMAGE=%s\nPACT_FFI_DIR=%s\n", res.PostgresImage, res.FFIDir)
			if err := os.WriteFile(*envFile, []byte(env), 0o644); err != nil {
				return err
			}
		}
		took := time.Since(start).Round(time.Second)
		if len(res.Did) == 0 {
			fmt.Fprintf(c.stdout, "setup: ready, nothing to install (%s): Docker, libpact_ffi %s, %s\n", took, setup.PactFFIVersion, res.PostgresImage)
		} else {
			fmt.Fprintf(c.stdout, "setup: ready in %s; did: %s\n", took, strings.Join(res.Did, ", "))
		}
		return nil
	}
}

func doctorCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	m := machineFlags(c, fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return &usageError{msg: "doctor takes no arguments"}
		}
		res := m.Doctor(ctx)
		if n := len(res.Problems); n > 0 {
			return fmt.Errorf("%d problem(s), each with its fix above; `accord setup` fixes what it can", n)
		}
		fmt.Fprintf(c.stdout, "doctor: ready for contract tests (libpact_ffi %s in %s, %s)\n", setup.PactFFIVersion, res.FFIDir, res.PostgresImage)
		return nil
	}
}

func machineFlags(c *cli, fs *flag.FlagSet) *setup.Machine {
	// testcontainers' connection banner is noise among the steps' lines.
	tclog.SetDefault(tclog.NewNoopLogger())
	m := &setup.Machine{Out: c.stdout, Getenv: c.getenv}
	fs.StringVar(&m.FFIDir, "ffi-dir", "", "where libpact_ffi goes (default /usr/local/lib when writable, else ~/.local/share/accord/lib)")
	fs.StringVar(&m.LogDir, "log-dir", "", "where the logs of dockerd, apt-get and the image build go (default: a temporary folder)")
	return m
}
