package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// contractsImport is the package whose VerifyProvider marks a provider's
// verification test.
const contractsImport = "github.com/accord-cdc/accord/contracts"

// ProviderPackage is a Go package whose tests verify a provider.
type ProviderPackage struct {
	ImportPath, Dir string
	// Tests are the top-level tests that call contracts.VerifyProvider,
	// directly or through the package's own functions.
	Tests []string
	// Providers are the names in the package's contracts.Provider{Name: …}
	// literals that are constant strings; a name computed at run time is
	// not known here.
	Providers []string
}

// FindProviderPackages lists the packages matching patterns (as go list
// reads them, relative to the module root) whose tests call
// contracts.VerifyProvider. The source is read with go/parser, so nothing is
// built; where a provider's code lives does not matter.
func FindProviderPackages(ctx context.Context, root string, patterns []string) ([]ProviderPackage, error) {
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{if .Error}}{{.Error}}{{end}}"}, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list %s: %s", strings.Join(patterns, " "), firstLine(msg))
	}
	var pkgs []ProviderPackage
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) < 3 {
			continue
		}
		if f[2] != "" && f[1] == "" {
			return nil, fmt.Errorf("%s: %s", f[0], firstLine(f[2]))
		}
		if f[0] == contractsImport || strings.HasPrefix(f[0], contractsImport+"/") {
			// The library's own tests verify sample providers to document
			// it; they are never the module's provider verification.
			continue
		}
		pp, err := scanPackage(f[0], f[1])
		if err != nil {
			return nil, err
		}
		if len(pp.Tests) > 0 {
			pkgs = append(pkgs, pp)
		}
	}
	return pkgs, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// scanPackage reads the package's files: its tests that reach
// VerifyProvider, and the provider names it spells out.
func scanPackage(importPath, dir string) (ProviderPackage, error) {
	pp := ProviderPackage{ImportPath: importPath, Dir: dir}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	consts := map[string]string{}
	calls := map[string][]string{} // function -> package functions it calls
	verifies := map[string]bool{}  // function calls VerifyProvider itself
	var tests []string
	var nameExprs []ast.Expr
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return pp, fmt.Errorf("read %s: %w", path, err)
		}
		collectConsts(f, consts)
		local := contractsName(f)
		if local == "" {
			continue
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if fn.Recv == nil && strings.HasPrefix(name, "Test") && strings.HasSuffix(path, "_test.go") {
				tests = append(tests, name)
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					switch fun := n.Fun.(type) {
					case *ast.SelectorExpr:
						if x, ok := fun.X.(*ast.Ident); ok && x.Name == local && fun.Sel.Name == "VerifyProvider" {
							verifies[name] = true
						}
					case *ast.Ident:
						calls[name] = append(calls[name], fun.Name)
					}
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Provider" {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
							for _, el := range n.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Name" {
										nameExprs = append(nameExprs, kv.Value)
									}
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	// A test verifies when it reaches VerifyProvider through the package's
	// own functions (a helper shared by several tests, say).
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			if verifies[fn] {
				continue
			}
			for _, c := range callees {
				if verifies[c] {
					verifies[fn], changed = true, true
					break
				}
			}
		}
	}
	for _, t := range tests {
		if verifies[t] {
			pp.Tests = append(pp.Tests, t)
		}
	}
	for _, e := range nameExprs {
		switch e := e.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
				pp.Providers = append(pp.Providers, s)
			}
		case *ast.Ident:
			if s, ok := consts[e.Name]; ok {
				pp.Providers = append(pp.Providers, s)
			}
		}
	}
	slices.Sort(pp.Tests)
	slices.Sort(pp.Providers)
	pp.Providers = slices.Compact(pp.Providers)
	return pp, nil
}

// contractsName is the name file f uses for the contracts package, or ""
// when it does not import it.
func contractsName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == contractsImport {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "contracts"
		}
	}
	return ""
}

// collectConsts records the package-level string constants of f.
func collectConsts(f *ast.File, out map[string]string) {
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out[n.Name] = v
						}
					}
				}
			}
		}
	}
}

// VerifyOptions says which pacts to verify and whether to publish results.
type VerifyOptions struct {
	// Patterns name the packages (go list patterns); none means every
	// package of the module whose tests call contracts.VerifyProvider.
	Patterns []string
	// PactURL verifies that one pact (the build a broker webhook triggers);
	// only the packages that verify its provider run.
	PactURL string
	// Publish publishes the results to the broker (CI=true does too).
	Publish bool
	// Verbose passes -v to go test.
	Verbose bool
}

// Verify runs the provider verification tests of the packages opts names,
// with the broker, version and branch of this pipeline handed to the
// contracts library through the environment it reads.
func (p *Pipeline) Verify(ctx context.Context, opts VerifyOptions) error {
	patterns := opts.Patterns
	explicit := len(patterns) > 0
	if !explicit {
		patterns = []string{"./..."}
	}
	pkgs, err := FindProviderPackages(ctx, p.Root, patterns)
	if err != nil {
		return &StageError{Stage: "verify", Err: err}
	}
	if len(pkgs) == 0 {
		where := "this module (" + p.Root + ")"
		if explicit {
			where = strings.Join(patterns, " ")
		}
		return &StageError{Stage: "verify", Err: fmt.Errorf("no test in %s calls contracts.VerifyProvider", where),
			Hint: "name the package of your provider test (accord verify ./path/to/pkg), or write one (docs/adopting.md)"}
	}
	what := "the pact files in " + DefaultPactDir(p.Root, os.Getenv)
	if p.Broker != nil && p.Broker.BaseURL != "" {
		what = "the pacts the broker at " + p.Broker.BaseURL + " selects (pending and WIP on)"
	}
	if opts.PactURL != "" {
		provider, err := p.ProviderOfPact(ctx, opts.PactURL)
		if err != nil {
			return &StageError{Stage: "verify", Err: err}
		}
		var match, unknown []ProviderPackage
		for _, pp := range pkgs {
			switch {
			case slices.Contains(pp.Providers, provider):
				match = append(match, pp)
			case len(pp.Providers) == 0:
				unknown = append(unknown, pp)
			}
		}
		if len(match) == 0 {
			match = unknown // the name is computed: let the tests decide
		}
		if len(match) == 0 {
			return &StageError{Stage: "verify", Err: fmt.Errorf("no package here verifies %q, the provider of %s", provider, opts.PactURL),
				Hint: "run accord verify in the provider's repository, or name its package"}
		}
		pkgs = match
		what = "the pact at " + opts.PactURL
	}
	publish := p.Broker != nil && p.Broker.BaseURL != "" && (opts.Publish || p.Build.CI)
	env := []string{
		"PACT_URL=" + opts.PactURL,
		"ACCORD_VERSION=" + p.Build.Version,
		"ACCORD_BRANCH=" + p.Build.Branch,
	}
	if p.Broker != nil {
		env = append(env, "PACT_BROKER_BASE_URL="+p.Broker.BaseURL, "PACT_BROKER_TOKEN="+p.Broker.Token,
			"PACT_BROKER_USERNAME="+p.Broker.Username, "PACT_BROKER_PASSWORD="+p.Broker.Password)
	} else {
		env = append(env, "PACT_BROKER_BASE_URL=")
	}
	if publish {
		env = append(env, "ACCORD_PUBLISH_VERIFICATION_RESULTS=true")
	}
	if p.Build.URL != "" {
		env = append(env, "BUILD_URL="+p.Build.URL)
	}
	var failed []string
	for _, pp := range pkgs {
		name := strings.Join(pp.Providers, ", ")
		if name == "" {
			name = pp.ImportPath
		}
		fmt.Fprintf(p.Stdout, "verifying %s (%s) against %s, as version %s (branch %q); publishing results: %t\n",
			name, pp.ImportPath, what, DescribeVersion(p.Build.Version), p.Build.Branch, publish)
		args := []string{"test", "-count=1"}
		if opts.Verbose {
			args = append(args, "-v")
		}
		args = append(args, "-run", "^("+strings.Join(quoteTests(pp.Tests), "|")+")$", pp.ImportPath)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = p.Root
		cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				return &StageError{Stage: "verify", Err: err, Hint: "is the go command on PATH?"}
			}
			failed = append(failed, name)
		}
	}
	if len(failed) > 0 {
		return &StageError{Stage: "verify", Err: fmt.Errorf("%s did not pass verification", strings.Join(failed, ", ")),
			Hint: "the test output above names each failing interaction"}
	}
	return nil
}

func quoteTests(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = regexp.QuoteMeta(n)
	}
	return out
}

// ProviderOfPact reads the provider's name from the pact at url.
func (p *Pipeline) ProviderOfPact(ctx context.Context, url string) (string, error) {
	b := p.Broker
	if b == nil || !strings.HasPrefix(url, b.BaseURL) {
		// A pact elsewhere: read it from where it is, without credentials.
		b = &Broker{BaseURL: baseOf(url)}
	}
	var pact pactNames
	if err := b.get(ctx, url, &pact); err != nil {
		return "", fmt.Errorf("read the pact: %w", err)
	}
	if pact.Provider.Name == "" {
		return "", fmt.Errorf("%s is not a pact (it names no provider)", url)
	}
	return pact.Provider.Name, nil
}

// baseOf is the scheme and host of u.
func baseOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.Index(u[i+3:], "/"); j >= 0 {
			return u[:i+3+j]
		}
	}
	return u
}
