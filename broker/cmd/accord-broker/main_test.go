package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/accord-cdc/accord/broker/storetest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		addr    string
		db      string
		wantErr string
	}{
		{name: "defaults", addr: ":9292", db: "sqlite:pact_broker.sqlite3"},
		{name: "official port and url", env: map[string]string{"PACT_BROKER_PORT": "8080", "PACT_BROKER_DATABASE_URL": "postgres://u:p@db:5432/b"}, addr: ":8080", db: "postgres://u:p@db:5432/b"},
		{name: "flags win", args: []string{"--addr", "127.0.0.1:0", "--db", "sqlite:///tmp/x.sqlite3"}, env: map[string]string{"PACT_BROKER_PORT": "8080"}, addr: "127.0.0.1:0", db: "sqlite:///tmp/x.sqlite3"},
		{name: "postgres parts", env: map[string]string{"PACT_BROKER_DATABASE_ADAPTER": "postgres", "PACT_BROKER_DATABASE_HOST": "db", "PACT_BROKER_DATABASE_PORT": "5433",
			"PACT_BROKER_DATABASE_USERNAME": "broker", "PACT_BROKER_DATABASE_PASSWORD": "p@ss", "PACT_BROKER_DATABASE_NAME": "pact"}, addr: ":9292", db: "postgres://broker:p%40ss@db:5433/pact"},
		{name: "sqlite parts", env: map[string]string{"PACT_BROKER_DATABASE_ADAPTER": "sqlite", "PACT_BROKER_DATABASE_NAME": "/data/b.sqlite3"}, addr: ":9292", db: "sqlite:/data/b.sqlite3"},
		{name: "unknown adapter", env: map[string]string{"PACT_BROKER_DATABASE_ADAPTER": "mysql"}, wantErr: "not supported"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "use debug, info, warn or error"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			err := m.ParseFlags(c.args, env(c.env))
			if c.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.addr, m.Addr)
			assert.Equal(t, c.db, m.DBURL)
		})
	}
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags(nil, env(map[string]string{"PACT_BROKER_BASIC_AUTH_USERNAME": "u", "PACT_BROKER_BASIC_AUTH_PASSWORD": "p",
		"PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME": "r", "PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD": "q", "PACT_BROKER_ALLOW_PUBLIC_READ": "true", "PACT_BROKER_TOKEN": "tok"})))
	assert.Equal(t, "u", m.Auth.Username)
	assert.Equal(t, "q", m.Auth.ReadOnlyPassword)
	assert.True(t, m.Auth.AllowPublicRead)
	assert.Equal(t, "tok", m.Auth.Token)
}

func TestRunServesAndShutsDown(t *testing.T) {
	var logs bytes.Buffer
	m := NewMain(&logs)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3"), "--base-url", "https://broker.example/"}, env(nil)))
	require.NoError(t, m.Run(context.Background()))

	res, err := http.Get(m.URL() + "/")
	require.NoError(t, err)
	var idx struct {
		Links struct {
			Pacticipants struct{ Href string } `json:"pb:pacticipants"`
		} `json:"_links"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&idx))
	res.Body.Close()
	assert.Equal(t, "https://broker.example/pacticipants", idx.Links.Pacticipants.Href, "links use the configured base URL")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, m.Close(ctx))
	_, err = http.Get(m.URL() + "/")
	require.Error(t, err, "the listener is closed after shutdown")
	assert.Contains(t, logs.String(), `"msg":"broker started"`)
	assert.Contains(t, logs.String(), `"msg":"applied migration"`)
}

func TestRunRefusesBadDatabase(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "mysql://nope"}, env(nil)))
	err := m.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlite:///abs/path.sqlite3")
}

// TestDockerImage builds the FROM scratch image from broker/Dockerfile and
// talks to a container of it.
func TestDockerImage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "accord-broker"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build the static binary: %s", out)
	dockerfile, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644))

	var buildLog bytes.Buffer
	storetest.LoopbackDocker()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: dir, BuildLogWriter: &buildLog},
			ExposedPorts:   []string{"9292/tcp"},
			// The heartbeat is public for the wait, as for a load balancer.
			Env:        map[string]string{"PACT_BROKER_BASIC_AUTH_USERNAME": "admin", "PACT_BROKER_BASIC_AUTH_PASSWORD": "pw", "PACT_BROKER_LOG_LEVEL": "debug", "PACT_BROKER_PUBLIC_HEARTBEAT": "true"},
			WaitingFor: wait.ForHTTP("/diagnostic/status/heartbeat").WithPort("9292/tcp").WithStartupTimeout(60 * time.Second),
		},
		Started: true,
	})
	testcontainers.CleanupContainer(t, c)
	require.NoError(t, err, "start the broker image (is dockerd running? `make setup` starts it); build log:\n%s", buildLog.String())

	endpoint, err := c.PortEndpoint(ctx, "9292/tcp", "http")
	require.NoError(t, err)
	do := func(method, path string, body []byte, auth bool) (*http.Response, []byte) {
		req, err := http.NewRequest(method, endpoint+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.SetBasicAuth("admin", "pw")
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, b
	}
	res, _ := do("PUT", "/pacts/provider/Bar/consumer/Foo/version/1", storetest.PactJSON("Foo", "Bar", "a"), false)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	res, body := do("PUT", "/pacts/provider/Bar/consumer/Foo/version/1", storetest.PactJSON("Foo", "Bar", "a"), true)
	require.Equal(t, http.StatusCreated, res.StatusCode, string(body))
	res, body = do("GET", "/pacts/provider/Bar/consumer/Foo/latest", nil, true)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.Contains(t, string(body), `"pb:publish-verification-results"`)
	assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/hal+json"))
}

// TestHelpHidesTheDatabasePassword: --help (and any flag error) prints the
// defaults, which come from PACT_BROKER_DATABASE_URL and its password.
func TestHelpHidesTheDatabasePassword(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--no-such-flag"}} {
		var out bytes.Buffer
		m := NewMain(&out)
		err := m.ParseFlags(args, env(map[string]string{"PACT_BROKER_DATABASE_URL": "postgres://broker:hunter2-secret@db:5432/pact"}))
		require.Error(t, err, "%v", args)
		assert.Contains(t, out.String(), "postgres://broker:xxxxx@db:5432/pact", "the default is shown, without its password")
		assert.NotContains(t, out.String(), "hunter2-secret")
	}
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags(nil, env(map[string]string{"PACT_BROKER_DATABASE_URL": "postgres://broker:hunter2-secret@db:5432/pact"})))
	assert.Equal(t, "postgres://broker:hunter2-secret@db:5432/pact", m.DBURL, "the broker itself still connects with the password")
}
