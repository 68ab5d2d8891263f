// Command accord runs the contract pipeline of any Go module that uses the
// contracts library: publish pacts, verify providers, ask can-i-deploy,
// record deployments, and set up a machine for contract tests. The broker
// commands speak the Pact Broker HTTP API directly (no pact binary), with
// the official CLI's flag names and PACT_BROKER_* variables.
//
//	go install github.com/accord-cdc/accord/ci/cmd/accord@latest
//	accord help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/ci/pipeline"
	"github.com/accord-cdc/accord/contracts/build"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes. can-i-deploy keeps 1 for "no", so its errors exit 3.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitCIDError = 3
)

// usageError is bad input on the command line: exit 2 with the command's
// help named.
type usageError struct{ cmd, msg string }

func (e *usageError) Error() string { return e.msg }

// command is one subcommand.
type command struct {
	name, args, summary, help string
	// flags declares the command's flags on fs and returns what runs it.
	flags func(c *cli, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// cli holds what every command reads: the environment and the outputs.
type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer

	// broker flags, shared by the commands that talk to one
	brokerURL, token, username, password string
}

var commands []command

func init() {
	commands = []command{
		{name: "publish", args: "[DIR]", summary: "publish the pacts in DIR (default contracts/pacts, or $ACCORD_PACT_DIR) to the broker",
			help: "Publishes every pact file in DIR as the consumer version of this build. The version, branch and\n" +
				"build URL come from the CI's variables or git (GIT_COMMIT, GITHUB_SHA, CI_COMMIT_SHA, ...;\n" +
				"ACCORD_VERSION and ACCORD_BRANCH override); a version ending in +dirty was built from uncommitted changes.",
			flags: publishCmd},
		{name: "verify", args: "[PACKAGE...]", summary: "run the provider verification tests of the given Go packages (default: all that call contracts.VerifyProvider)",
			help: "Runs `go test` on the tests that call contracts.VerifyProvider in each PACKAGE (go list patterns;\n" +
				"default ./... of the module). With a broker (PACT_BROKER_BASE_URL) the broker selects the pacts\n" +
				"({mainBranch}, {matchingBranch}, {deployedOrReleased}; pending and WIP on); without one, the local\n" +
				"pact files. Results are published in CI (CI=true) or with --publish. --pact-url verifies one pact\n" +
				"(the build a broker webhook triggers) in the packages that verify its provider.",
			flags: verifyCmd},
		{name: "create-environment", args: "--name NAME [--production]", summary: "create an environment in the broker (nothing happens if it exists)",
			flags: createEnvironmentCmd},
		{name: "can-i-deploy", args: "--pacticipant P [--version V | --latest] --to-environment E", summary: "may this version go to the environment? exit 0 yes, 1 no, 3 error",
			help: "Asks the broker's matrix and prints the integrations it rests on, the reason and the answer.\n" +
				"Exit status: 0 yes, 1 no (or still unknown after --retry-while-unknown), 2 usage, 3 any other error.",
			flags: canIDeployCmd},
		{name: "can-i-remove-field", args: "--provider P --method M --path PATH --location LOC", summary: "may this field go? who uses it; exit 0 removable, 1 in use, 3 error",
			help: canIRemoveFieldHelp, flags: canIRemoveFieldCmd},
		{name: "publish-provider-contract", args: "FILE --provider P --verification-exit-code N", summary: "publish the provider's OpenAPI document and its own test's result; the broker checks consumer pacts against it",
			help: publishProviderContractHelp, flags: publishProviderContractCmd},
		{name: "record-deployment", args: "--pacticipant P [--version V] --environment E", summary: "tell the broker this version now runs in the environment",
			flags: recordDeploymentCmd},
		{name: "status", args: "[ENVIRONMENT]", summary: "every pacticipant's latest version, who verified its pacts, and whether it may go to ENVIRONMENT (default production)",
			flags: statusCmd},
		{name: "setup", summary: "make this machine ready for contract tests: Docker, libpact_ffi " + pactFFIVersion + ", a PostgreSQL image",
			help: setupHelp, flags: setupCmd},
		{name: "doctor", summary: "check this machine for contract tests without changing anything; names the fix for each problem",
			flags: doctorCmd},
		{name: "runner", args: "ADDR", summary: "a tiny CI server that runs accord verify --pact-url for broker webhooks (for demos and trials)",
			flags: runnerCmd},
		{name: "help", args: "[COMMAND]", summary: "show this help, or a command's"},
	}
}

func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, "accord: contract testing for Go modules (consumer-driven contracts with a Pact Broker)\n\n"+
		"usage: accord COMMAND [flags] [args]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-25s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nThe broker is --broker-base-url or PACT_BROKER_BASE_URL, with PACT_BROKER_TOKEN or\n"+
		"PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD. `accord COMMAND --help` shows a command's flags.\n"+
		"Guide: https://github.com/accord-cdc/accord/blob/main/docs/adopting.md\n")
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		writeUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			if cmd := findCommand(args[1]); cmd != nil && cmd.flags != nil {
				c.commandHelp(cmd, stdout)
				return exitOK
			}
			fmt.Fprintf(stderr, "accord: unknown command %q; run accord help for the list\n", args[1])
			return exitUsage
		}
		writeUsage(stdout)
		return exitOK
	}
	cmd := findCommand(name)
	if cmd == nil || cmd.flags == nil {
		fmt.Fprintf(stderr, "accord: unknown command %q; run accord help for the list\n", name)
		return exitUsage
	}
	fs := c.flagSet(cmd)
	runCmd := cmd.flags(c, fs)
	rest, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		c.commandHelp(cmd, stdout)
		return exitOK
	}
	if err == nil {
		err = runCmd(ctx, rest)
	}
	if err == nil {
		return exitOK
	}
	var ue *usageError
	switch {
	case errors.As(err, &ue), isFlagError(err):
		fmt.Fprintf(stderr, "accord %s: %v; see accord %s --help\n", cmd.name, err, cmd.name)
		return exitUsage
	case errors.Is(err, pipeline.ErrNotDeployable), errors.Is(err, pipeline.ErrFieldInUse):
		return exitFailed // the decision is printed already
	case errors.Is(err, pipeline.ErrNoBroker):
		fmt.Fprintf(stderr, "accord %s: %v\n", cmd.name, pipeline.ErrNoBroker)
		return exitUsage
	}
	var se *pipeline.StageError
	if errors.As(err, &se) {
		fmt.Fprintf(stderr, "accord %s\n", oneLine(err)) // the stage names the command
	} else {
		fmt.Fprintf(stderr, "accord %s: %v\n", cmd.name, oneLine(err))
	}
	if cmd.name == "can-i-deploy" || cmd.name == "can-i-remove-field" {
		return exitCIDError
	}
	return exitFailed
}

// flagError marks errors of the flag package, which are usage errors.
type flagError struct{ error }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// oneLine keeps a message on one line: tools' output has been printed above.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}

// parseInterspersed parses flags wherever they are among the arguments
// (accord verify ./pkg --publish), as the official CLI does.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func (c *cli) flagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet("accord "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func (c *cli) commandHelp(cmd *command, w io.Writer) {
	fmt.Fprintf(w, "usage: accord %s %s\n\n%s\n", cmd.name, cmd.args, cmd.summary)
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.help)
	}
	fs := c.flagSet(cmd)
	cmd.flags(c, fs)
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nflags:")
		writeFlags(w, fs)
	}
}

// writeFlags lists fs's flags as the official CLI does: -b, --broker-base-url.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	short := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) {
		if long, ok := strings.CutPrefix(f.Usage, "short for --"); ok {
			short[long] = f.Name
		}
	})
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, "short for --") {
			return
		}
		name := "    --" + f.Name
		if s, ok := short[f.Name]; ok {
			name = "-" + s + ", --" + f.Name
		}
		if kind, _ := flag.UnquoteUsage(f); kind != "" {
			name += " " + kind
		}
		fmt.Fprintf(w, "  %s\n        %s\n", name, f.Usage)
	})
}

// brokerFlags declares the official CLI's broker flags, defaulting to the
// PACT_BROKER_* variables.
func (c *cli) brokerFlags(fs *flag.FlagSet) {
	for _, f := range []struct {
		dst        *string
		long, char string
		env, usage string
	}{
		{&c.brokerURL, "broker-base-url", "b", "PACT_BROKER_BASE_URL", "the broker's URL"},
		{&c.token, "broker-token", "k", "PACT_BROKER_TOKEN", "bearer token (wins over username/password)"},
		{&c.username, "broker-username", "u", "PACT_BROKER_USERNAME", "basic auth user"},
		{&c.password, "broker-password", "p", "PACT_BROKER_PASSWORD", "basic auth password"},
	} {
		// The default is read after parsing, so that help never prints a
		// secret from the environment.
		fs.StringVar(f.dst, f.long, "", f.usage+" (default $"+f.env+")")
		fs.StringVar(f.dst, f.char, "", "short for --"+f.long)
	}
}

// brokerFromEnv fills the broker settings the flags left empty.
func (c *cli) brokerFromEnv() {
	for dst, env := range map[*string]string{&c.brokerURL: "PACT_BROKER_BASE_URL", &c.token: "PACT_BROKER_TOKEN",
		&c.username: "PACT_BROKER_USERNAME", &c.password: "PACT_BROKER_PASSWORD"} {
		if *dst == "" {
			*dst = c.getenv(env)
		}
	}
}

// pipeline returns the pipeline of the module the working directory is in,
// with the broker from the flags (nil if none) and this build.
func (c *cli) pipeline(needRoot bool) (*pipeline.Pipeline, error) {
	c.brokerFromEnv()
	p := &pipeline.Pipeline{Stdout: c.stdout, Stderr: c.stderr}
	if needRoot {
		root, err := pipeline.ModuleRoot(".")
		if err != nil {
			return nil, err
		}
		p.Root = root
	}
	if u := strings.TrimRight(c.brokerURL, "/"); u != "" {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, &usageError{msg: fmt.Sprintf("the broker URL %q must start with http:// or https://", u)}
		}
		p.Broker = &pipeline.Broker{BaseURL: u, Token: c.token, Username: c.username, Password: c.password}
	}
	b, err := build.Detect()
	if err != nil && needRoot {
		// The version is needed only by the commands that record one; they
		// say so when it is missing.
		b.Version = ""
	}
	p.Build = b
	return p, nil
}

func publishCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	version := fs.String("consumer-app-version", "", "the consumer version to publish as (default: detected from CI or git)")
	fs.StringVar(version, "a", "", "short for --consumer-app-version")
	branch := fs.String("branch", "", "the consumer version's branch (default: detected)")
	buildURL := fs.String("build-url", "", "the CI build's URL (default: detected)")
	return func(ctx context.Context, args []string) error {
		if len(args) > 1 {
			return &usageError{msg: "publish takes one folder"}
		}
		p, err := c.pipeline(true)
		if err != nil {
			return err
		}
		override(&p.Build, *version, *branch, *buildURL)
		dir := pipeline.DefaultPactDir(p.Root, c.getenv)
		if len(args) == 1 {
			dir = args[0]
		}
		return p.Publish(ctx, dir)
	}
}

func override(b *build.Info, version, branch, url string) {
	if version != "" {
		b.Version = version
	}
	if branch != "" {
		b.Branch = branch
	}
	if url != "" {
		b.URL = url
	}
}

func verifyCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	pactURL := fs.String("pact-url", "", "verify only this pact (default $PACT_URL)")
	publish := fs.Bool("publish", false, "publish the verification results (default: only in CI, CI=true)")
	version := fs.String("provider-version", "", "the provider version results are published as (default: detected from CI or git)")
	branch := fs.String("provider-branch", "", "the provider version's branch (default: detected)")
	buildURL := fs.String("build-url", "", "the CI build's URL (default: detected)")
	verbose := fs.Bool("v", false, "pass -v to go test (every interaction verified is listed)")
	return func(ctx context.Context, args []string) error {
		p, err := c.pipeline(true)
		if err != nil {
			return err
		}
		override(&p.Build, *version, *branch, *buildURL)
		if *pactURL == "" {
			*pactURL = c.getenv("PACT_URL")
		}
		if *publish && p.Broker == nil {
			return &usageError{msg: "--publish needs a broker: set PACT_BROKER_BASE_URL or --broker-base-url"}
		}
		return p.Verify(ctx, pipeline.VerifyOptions{Patterns: args, PactURL: *pactURL, Publish: *publish, Verbose: *verbose})
	}
}

func createEnvironmentCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	name := fs.String("name", "", "the environment's name (required)")
	display := fs.String("display-name", "", "its display name")
	production := fs.Bool("production", false, "it is a production environment")
	return func(ctx context.Context, args []string) error {
		if *name == "" || len(args) > 0 {
			return &usageError{msg: "create-environment needs --name NAME and no other arguments"}
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		return p.CreateEnvironment(ctx, *name, *display, *production)
	}
}

func canIDeployCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	var q pipeline.DeployQuery
	fs.StringVar(&q.Pacticipant, "pacticipant", "", "the pacticipant to deploy (required)")
	fs.StringVar(&q.Pacticipant, "a", "", "short for --pacticipant")
	fs.StringVar(&q.Version, "version", "", "its version (default: this build's, detected from CI or git)")
	fs.StringVar(&q.Version, "e", "", "short for --version")
	fs.BoolVar(&q.Latest, "latest", false, "ask about its latest version instead")
	fs.BoolVar(&q.Latest, "l", false, "short for --latest")
	fs.StringVar(&q.Environment, "to-environment", "", "the environment to deploy to (required)")
	fs.IntVar(&q.Retries, "retry-while-unknown", 0, "ask again this many times while the answer is unknown")
	interval := fs.Int("retry-interval", 5, "seconds between those retries")
	return func(ctx context.Context, args []string) error {
		if q.Pacticipant == "" && len(args) == 1 {
			q.Pacticipant, args = args[0], nil // accord-ci's positional form
		}
		if q.Pacticipant == "" || q.Environment == "" || len(args) > 0 {
			return &usageError{msg: "can-i-deploy needs --pacticipant P and --to-environment E"}
		}
		if q.Latest && q.Version != "" {
			return &usageError{msg: "pass --version or --latest, not both"}
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		if !q.Latest && q.Version == "" && p.Build.Version == "" {
			return &usageError{msg: "no version: pass --version V or --latest (or run inside a git checkout)"}
		}
		q.Interval = time.Duration(*interval) * time.Second
		d, err := p.CanIDeploy(ctx, q)
		if err != nil && !errors.Is(err, pipeline.ErrNotDeployable) {
			return err
		}
		if q.Version == "" && !q.Latest {
			q.Version = p.Build.Version
		}
		pipeline.WriteDecision(c.stdout, q, d)
		return err
	}
}

func recordDeploymentCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	pacticipant := fs.String("pacticipant", "", "the pacticipant deployed (required)")
	fs.StringVar(pacticipant, "a", "", "short for --pacticipant")
	version := fs.String("version", "", "its version (default: this build's, detected from CI or git)")
	fs.StringVar(version, "e", "", "short for --version")
	env := fs.String("environment", "", "the environment it now runs in (required)")
	return func(ctx context.Context, args []string) error {
		if *pacticipant == "" && len(args) == 1 {
			*pacticipant, args = args[0], nil
		}
		if *pacticipant == "" || *env == "" || len(args) > 0 {
			return &usageError{msg: "record-deployment needs --pacticipant P and --environment E"}
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		if *version == "" && p.Build.Version == "" {
			return &usageError{msg: "no version: pass --version V (or run inside a git checkout)"}
		}
		return p.RecordDeployment(ctx, *pacticipant, *version, *env)
	}
}

func statusCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 1 {
			return &usageError{msg: "status takes one environment"}
		}
		env := "production"
		if len(args) == 1 {
			env = args[0]
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		rows, err := p.Status(ctx, env)
		if err != nil {
			return err
		}
		pipeline.WriteStatus(c.stdout, rows, env)
		return nil
	}
}

func runnerCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return &usageError{msg: "runner needs the address to listen on, e.g. 127.0.0.1:9393"}
		}
		root, err := pipeline.ModuleRoot(".")
		if err != nil {
			return err
		}
		r := &pipeline.Runner{Command: pipeline.VerifyPactCommand(root), Log: c.stdout, Context: ctx}
		srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", args[0])
		if err != nil {
			return fmt.Errorf("runner: %w", err)
		}
		fmt.Fprintf(c.stdout, "runner: accepting builds on http://%s/builds\n", ln.Addr())
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
}
