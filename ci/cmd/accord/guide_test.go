package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// guide is docs/adopting.md, cut into what a reader copies: the Go files
// (a ```go block whose first line is "// path/to/file.go") and the shell
// commands (the lines of the ```sh blocks).
type guide struct {
	files    map[string]string
	commands []string
}

func readGuide(t *testing.T) guide {
	t.Helper()
	f, err := os.Open("../../../docs/adopting.md")
	require.NoError(t, err)
	defer f.Close()
	g := guide{files: map[string]string{}}
	var lang string
	var block []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case lang == "" && strings.HasPrefix(line, "```"):
			lang, block = strings.TrimPrefix(line, "```")+" ", nil
		case lang != "" && line == "```":
			switch {
			case lang == "go " && len(block) > 0 && strings.HasPrefix(block[0], "// "):
				g.files[strings.TrimPrefix(block[0], "// ")] = strings.Join(block[1:], "\n") + "\n"
			case lang == "sh ":
				for _, l := range block {
					if l, _, _ = strings.Cut(l, " #"); strings.TrimSpace(l) != "" {
						g.commands = append(g.commands, strings.TrimSpace(l))
					}
				}
			}
			lang = ""
		case lang != "":
			block = append(block, line)
		}
	}
	require.NoError(t, sc.Err())
	return g
}

// TestGuide follows docs/adopting.md on a fresh module of its own — a
// consumer, and a provider over PostgreSQL, that import this checkout
// through a replace directive — with the built accord and no pact binary on
// PATH, against this repository's broker: consumer test, publish,
// create-environment, verify (results published), can-i-deploy says no,
// record-deployment of the provider, can-i-deploy says yes.
func TestGuide(t *testing.T) {
	start := time.Now()
	g := readGuide(t)
	require.Contains(t, g.files, "checkout/checkout_test.go")
	require.Contains(t, g.files, "inventory/inventory_test.go")
	testLines := 0
	for _, src := range g.files {
		testLines += strings.Count(src, "\n")
	}

	// The module: the services (written for this test), the tests (copied
	// from the guide), and go.mod pointing at this checkout.
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	mod := t.TempDir()
	for _, src := range []string{"checkout/checkout.go", "inventory/inventory.go"} {
		b, err := os.ReadFile(filepath.Join("testdata/shop", src))
		require.NoError(t, err)
		writeFile(t, filepath.Join(mod, src), string(b))
	}
	for path, src := range g.files {
		writeFile(t, filepath.Join(mod, path), src)
	}
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/shop\n\ngo 1.26\n\nrequire github.com/accord-cdc/accord v0.0.0\n\nreplace github.com/accord-cdc/accord => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	writeFile(t, filepath.Join(mod, "go.sum"), string(sum))
	writeFile(t, filepath.Join(mod, ".gitignore"), "/contracts/pacts/\n")

	// A PATH with go, git and the accord the guide installs, nothing else.
	bin := t.TempDir()
	path := []string{bin}
	for _, tool := range []string{"go", "git"} {
		p, err := exec.LookPath(tool)
		require.NoError(t, err)
		path = append(path, filepath.Dir(p))
	}
	env := []string{"PATH=" + strings.Join(path, string(os.PathListSeparator))}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PATH" || k == "CI" || k == "GOFLAGS" || strings.HasPrefix(k, "PACT_") || strings.HasPrefix(k, "GIT_") ||
			strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "CI_") || strings.HasPrefix(k, "ACCORD_") && k != "ACCORD_POSTGRES_IMAGE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "GOBIN="+bin, "PACT_DO_NOT_TRACK=true", "GIT_AUTHOR_NAME=shop", "GIT_AUTHOR_EMAIL=shop@example.com",
		"GIT_COMMITTER_NAME=shop", "GIT_COMMITTER_EMAIL=shop@example.com")
	sh := func(cmdline string) (int, string) {
		t.Helper()
		cmd := exec.Command("bash", "-c", cmdline)
		cmd.Dir, cmd.Env = mod, env
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !assert.ErrorAs(t, err, &exit, "%s: %s", cmdline, out) {
			return -1, string(out)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, text := sh("command -v pact || echo none")
	require.Equal(t, 0, code)
	require.Equal(t, "none\n", text, "no pact binary on PATH")
	// The guide's `go get` is go.mod's require and replace here.
	code, text = sh("go mod tidy && git init -q -b main && git add -A && git commit -qm shop")
	require.Equal(t, 0, code, text)
	install := "go install github.com/accord-cdc/accord/ci/cmd/accord"
	require.Contains(t, g.commands, install)
	code, text = sh(install)
	require.Equal(t, 0, code, text)
	require.FileExists(t, filepath.Join(bin, "accord"), "installed from the module, at the version go.mod names")
	version := func() string {
		_, v := sh("git rev-parse --short=12 HEAD")
		return strings.TrimSpace(v)
	}()
	setup := time.Since(start)

	broker := startBroker(t, httpedge.Auth{})
	env = append(env, "PACT_BROKER_BASE_URL="+broker)
	step := func(cmdline string, wantCode int, want ...string) string {
		t.Helper()
		require.Contains(t, g.commands, cmdline, "the guide tells the reader to run it")
		began := time.Now()
		code, out := sh(cmdline)
		t.Logf("$ %s  (%s, exit %d)", cmdline, time.Since(began).Round(10*time.Millisecond), code)
		require.Equal(t, wantCode, code, "%s:\n%s", cmdline, out)
		for _, w := range want {
			require.Regexp(t, w, out, cmdline)
		}
		return out
	}
	step("go test -run '^TestConsumer' ./...", 0)
	require.FileExists(t, filepath.Join(mod, "contracts/pacts/checkout-inventory.json"))
	step("accord publish", 0, `publishing 1 pact\(s\) .* as version `+version+` \(branch "main"\)`, "checkout -> inventory: published")
	step("accord create-environment --name production --production", 0, "created environment production")
	step("accord verify --publish", 0, "verifying inventory .* against the pacts the broker at "+regexp.QuoteMeta(broker)+" selects .* publishing results: true")
	step("accord can-i-deploy --pacticipant checkout --to-environment production", 1,
		`checkout +`+version+` +inventory +- +unknown`, "reason: There is no verified pact .* in production", "no: .*checkout "+version+".* production")
	step("accord record-deployment --pacticipant inventory --environment production", 0, "recorded: inventory "+version+" is deployed to production")
	// Yes only because verify published inventory's successful result.
	step("accord can-i-deploy --pacticipant checkout --to-environment production", 0,
		`checkout +`+version+` +inventory +`+version+` +true`, "yes: checkout "+version+" may be deployed to production")

	t.Logf("the guide on a fresh module took %s (%s to create the module and install accord); the user writes %d lines of test code",
		time.Since(start).Round(100*time.Millisecond), setup.Round(100*time.Millisecond), testLines)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
