package contracts_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
)

// fatalRecorder is a testing.TB whose Fatalf ends only the goroutine
// that calls it, keeping the message, so a test can check how a helper
// fails.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = strings.TrimSpace(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func failureOf(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg
}

func postJSON(t *testing.T, u string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(u, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	require.Less(t, resp.StatusCode, 300, "POST %s: %v", u, out)
	return out
}

// TestStubFromABroker: notes-1 verifies notes-ui's pact on a real broker
// and is deployed to production; stubs from production and from the main
// branch answer as it was verified to, choosing by state; a stub of an
// environment with nothing deployed fails at once, saying what to do.
func TestStubFromABroker(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", dir)
	writeNotesPact(t)
	pact, err := os.ReadFile(filepath.Join(dir, contracts.PactFileName("notes-ui", "notes")))
	require.NoError(t, err)
	brokerURL := newBroker(t)
	publish(t, brokerURL, pact, "notes-ui", "1.0.0", "main")

	var resets atomic.Int32
	contracts.VerifyProvider(t, notesProvider(contracts.Broker{
		URL:       brokerURL,
		Selectors: []provider.ConsumerVersionSelector{{Branch: "main"}},
		Publish:   true,
		Build:     contracts.Build{Version: "notes-1", Branch: "main"},
	}, &resets))
	prod := postJSON(t, brokerURL+"/environments", map[string]any{"name": "production", "production": true})
	postJSON(t, brokerURL+"/environments", map[string]any{"name": "test", "production": false})
	postJSON(t, brokerURL+"/pacticipants/notes/versions/notes-1/deployed-versions/environment/"+prod["uuid"].(string), map[string]any{})

	seeded := contracts.Stub(t, "notes", contracts.StubFrom{Environment: "production", Broker: brokerURL}, contracts.WithState("one note exists"))
	status, body := call(t, "GET", seeded+"/notes", "")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"notes": ["seeded"]}`, body)

	fromMain := contracts.Stub(t, "notes", contracts.StubFrom{Branch: "main", Broker: brokerURL})
	status, body = call(t, "POST", fromMain+"/notes", `{"text": "hello"}`, "Content-Type", "application/json")
	assert.Equal(t, 201, status)
	assert.JSONEq(t, `{"count": 1}`, body)
	status, body = call(t, "POST", fromMain+"/notes", `{"text": 7}`, "Content-Type", "application/json")
	assert.Equal(t, 500, status)
	assert.Contains(t, body, `"closest":{"consumer":"notes-ui","description":"create note 1"`)
	assert.Contains(t, body, "body $.text: expected hello, got 7")

	// The official stub server answers from the same stub pact.
	official := officialStub(t, brokerURL+"/stubs/provider/notes/environment/production")
	status, body = call(t, "POST", official+"/notes", `{"text": "hello"}`, "Content-Type", "application/json")
	assert.Equal(t, 201, status, body)

	msg := failureOf(t, func(tb testing.TB) {
		contracts.Stub(tb, "notes", contracts.StubFrom{Environment: "test", Broker: brokerURL})
	})
	assert.Contains(t, msg, "no version of notes is deployed to test: record a deployment")
	msg = failureOf(t, func(tb testing.TB) {
		contracts.Stub(tb, "notes", contracts.StubFrom{Environment: "production", Broker: brokerURL}, contracts.WithState("two notes exist"))
	})
	assert.Contains(t, msg, `no interaction is given the provider state "two notes exist"; the stub knows: "one note exists"`)
}

// officialStub runs the official pact stub server (pact 18.1.2, installed
// by make setup in .tools/bin) on the stub pact at pactURL.
func officialStub(t *testing.T, pactURL string) string {
	t.Helper()
	cli, err := exec.LookPath("pact") // make env puts .tools/bin on PATH
	if err != nil {
		cli, _ = filepath.Abs(filepath.Join("..", ".tools", "bin", "pact"))
		_, err = os.Stat(cli)
	}
	require.NoError(t, err, "the official pact CLI is missing: run make setup (and eval \"$(make -s env)\")")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(cli, "stub", "-u", pactURL, "-p", strconv.Itoa(port))
	// make test exports PACT_BROKER_BASE_URL empty (it checks local pacts);
	// the CLI reads an empty one as "--broker-url with no value" and exits.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PACT_BROKER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			conn.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("pact stub did not listen on %d: %s", port, out.String())
		}
		time.Sleep(50 * time.Millisecond) // polling a port: no event to wait on
	}
}
