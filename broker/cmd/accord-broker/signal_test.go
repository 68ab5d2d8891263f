package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSIGTERMShutsDownGracefully runs the real binary, configured through
// the official environment variables, and stops it the way orchestrators do.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "accord-broker")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build: %s", out)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "PACT_BROKER_DATABASE_URL=sqlite://"+filepath.Join(dir, "b.sqlite3"), "PACT_BROKER_BASE_URL=http://broker.test")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	// The process logs one JSON object per line; wait for "listening".
	lines := bufio.NewScanner(stderr)
	var url string
	var seen []string
	for url == "" && lines.Scan() {
		seen = append(seen, lines.Text())
		var entry struct{ Msg, URL string }
		if json.Unmarshal(lines.Bytes(), &entry) == nil && entry.Msg == "listening" {
			url = entry.URL
		}
	}
	require.NotEmpty(t, url, "the broker never logged that it listens: %v", seen)
	res, err := http.Get(url + "/diagnostic/status/heartbeat")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest := []string{}
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	require.NoError(t, cmd.Wait(), "SIGTERM must end the broker with exit status 0; logs: %v", rest)
	assert.Condition(t, func() bool {
		for _, l := range rest {
			if strings.Contains(l, `"msg":"shutting down"`) {
				return true
			}
		}
		return false
	}, "no shutdown log in %v", rest)
}
