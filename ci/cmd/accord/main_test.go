package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accord runs the command in-process with env as its whole environment.
func accord(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpNeedsNoSetup(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := accord(nil, args...)
		assert.Equal(t, 0, code, args)
		assert.Empty(t, errOut)
		for _, c := range commands {
			assert.Contains(t, out, "  "+c.name+" ", "accord %v lists %s", args, c.name)
		}
	}
	for _, c := range commands {
		if c.flags == nil {
			continue
		}
		for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}} {
			code, out, _ := accord(map[string]string{"PACT_BROKER_TOKEN": "s3cret"}, args...)
			assert.Equal(t, 0, code, args)
			assert.True(t, strings.HasPrefix(out, "usage: accord "+c.name), out)
			assert.NotContains(t, out, "s3cret", "help never prints a secret from the environment")
		}
	}
	code, out, _ := accord(nil, "can-i-deploy", "--help")
	assert.Equal(t, 0, code)
	for _, flag := range []string{"-a, --pacticipant", "-e, --version", "-l, --latest", "--to-environment", "--retry-while-unknown", "-b, --broker-base-url", "-k, --broker-token"} {
		assert.Contains(t, out, flag, "the official CLI's flag names")
	}
}

func startBroker(t *testing.T, auth httpedge.Auth) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "b.sqlite3"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: brokertest.API(store, httpapi.Config{Auth: auth}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestBadInputIsOneLineThatSaysWhatToDo: each mistake a user makes gets one
// line naming the fix, and exit status 2 for usage, 1 (can-i-deploy: 3)
// for the rest.
func TestBadInputIsOneLineThatSaysWhatToDo(t *testing.T) {
	dead := "http://127.0.0.1:1"
	secured := startBroker(t, httpedge.Auth{Username: "ci", Password: "right"})
	empty := t.TempDir()
	malformed := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(malformed, "a-b.json"), []byte(`{"consumer":`), 0o644))
	noBroker := map[string]string{"ACCORD_VERSION": "1"}
	withBroker := func(url string) map[string]string {
		return map[string]string{"PACT_BROKER_BASE_URL": url, "ACCORD_VERSION": "1", "PACT_BROKER_USERNAME": "ci", "PACT_BROKER_PASSWORD": "wrong"}
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "usage: accord COMMAND"},
		{"unknown command", nil, []string{"deploy"}, 2, `unknown command "deploy"; run accord help`},
		{"unknown flag", nil, []string{"publish", "--force"}, 2, "flag provided but not defined: -force; see accord publish --help"},
		{"missing argument", nil, []string{"create-environment"}, 2, "needs --name NAME"},
		{"missing broker URL", noBroker, []string{"publish", empty}, 2, "no broker: set PACT_BROKER_BASE_URL or pass --broker-base-url"},
		{"missing broker URL, can-i-deploy", noBroker, []string{"can-i-deploy", "-a", "x", "--to-environment", "production"}, 2, "no broker"},
		{"bad broker URL", map[string]string{"PACT_BROKER_BASE_URL": "broker:9292"}, []string{"status"}, 2, "must start with http:// or https://"},
		{"unreachable broker", withBroker(dead), []string{"create-environment", "--name", "production"}, 1, "cannot reach the broker at " + dead},
		{"unreachable broker, can-i-deploy", withBroker(dead), []string{"can-i-deploy", "-a", "x", "--to-environment", "production"}, 3, "cannot reach the broker"},
		{"wrong credentials", withBroker(secured), []string{"create-environment", "--name", "production"}, 1, "check the credentials: PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD"},
		{"empty pact dir", withBroker(dead), []string{"publish", empty}, 1, "no pact files in " + empty + ": run the consumer tests first"},
		{"malformed pact", withBroker(dead), []string{"publish", malformed}, 1, "a-b.json is not a pact file"},
		{"verify without a provider test", noBroker, []string{"verify", "./ci/pipeline"}, 1, "no test in ./ci/pipeline calls contracts.VerifyProvider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := accord(tc.env, tc.args...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			if tc.args != nil {
				assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			}
		})
	}
}

// TestBuildsWithoutCgo: accord installs anywhere Go does.
func TestBuildsWithoutCgo(t *testing.T) {
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "accord"), ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	assert.NotContains(t, string(deps), "pact-go", "the CLI does not link the pact library")
}
