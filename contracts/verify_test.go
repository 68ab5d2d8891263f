package contracts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/accord-cdc/accord/contracts"
	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notes is a tiny provider with in-memory data, so the library's own
// behaviour can be checked with the real pact FFI but without a database.
type notes struct {
	mu    sync.Mutex
	items []string
}

func (n *notes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodPost:
		var in struct{ Text string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		n.items = append(n.items, in.Text)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"count": len(n.items)})
	default:
		_ = json.NewEncoder(w).Encode(map[string]any{"notes": append([]string{}, n.items...)})
	}
}

// writeNotesPact records, as a consumer would, interactions whose result
// depends on data: creating a note must report count 1 — true only when
// each interaction starts from clean data, in whatever order they run.
func writeNotesPact(t *testing.T) {
	pact := contracts.NewHTTPPact(t, "notes-ui", "notes")
	call := func(method, path, body string) func(cfg consumer.MockServerConfig) error {
		return func(cfg consumer.MockServerConfig) error {
			req, _ := http.NewRequest(method, fmt.Sprintf("http://%s:%d%s", cfg.Host, cfg.Port, path), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}
	}
	for i := 1; i <= 3; i++ {
		require.NoError(t, pact.AddInteraction().
			UponReceiving(fmt.Sprintf("create note %d", i)).
			WithRequest("POST", "/notes", func(b *consumer.V4RequestBuilder) {
				b.JSONBody(map[string]any{"text": "hello"})
			}).
			WillRespondWith(201, func(b *consumer.V4ResponseBuilder) {
				b.JSONBody(map[string]any{"count": 1})
			}).
			ExecuteTest(t, call("POST", "/notes", `{"text":"hello"}`)))
	}
	require.NoError(t, pact.AddInteraction().
		Given("one note exists").
		UponReceiving("list notes").
		WithRequest("GET", "/notes").
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.JSONBody(map[string]any{"notes": matchers.EachLike("seeded", 1)})
		}).
		ExecuteTest(t, call("GET", "/notes", "")))
}

func TestVerifyResetsDataBetweenInteractions(t *testing.T) {
	t.Setenv("ACCORD_PACT_DIR", t.TempDir())
	t.Setenv("PACT_URL", "")
	t.Setenv("PACT_BROKER_BASE_URL", "")
	writeNotesPact(t)

	n := &notes{}
	var resets, teardowns atomic.Int32
	state := contracts.Given("one note exists", func(context.Context) error {
		n.mu.Lock()
		n.items = []string{"seeded"}
		n.mu.Unlock()
		return nil
	})
	state.Teardown = func(context.Context, map[string]any) error {
		teardowns.Add(1)
		return nil
	}
	states := []contracts.State{state}
	if os.Getenv("ACCORD_TEST_FORGET_STATE") == "1" {
		states = nil // run by TestVerifyFailsOnAnUnhandledState, in a child process
	}
	var h http.Handler = n
	if os.Getenv("ACCORD_TEST_BREAK_LIST") == "1" {
		// run by TestVerifyFailsOnlyTheBrokenInteraction, in a child
		// process: listing answers "items" where the pact expects "notes".
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				n.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items": ["seeded"]}`))
		})
	}
	contracts.VerifyProvider(t, contracts.Provider{
		Name:    "notes",
		Handler: h,
		Reset: func(context.Context) error {
			resets.Add(1)
			n.mu.Lock()
			n.items = nil
			n.mu.Unlock()
			return nil
		},
		States: states,
	})
	// Four interactions: the run starts from a reset, and each later
	// interaction follows one that wrote, so it is reset first too.
	assert.Equal(t, int32(4), resets.Load())
	assert.Equal(t, int32(1), teardowns.Load(), "the state's teardown runs after its interaction")
}

// TestVerifyFailsOnAnUnhandledState: a pact naming a state the provider
// does not handle fails verification (pact-go alone only warns), and the
// failure lists what the provider knows.
func TestVerifyFailsOnAnUnhandledState(t *testing.T) {
	out := contracts.VerifyBroken(t, "^TestVerifyResetsDataBetweenInteractions$", "ACCORD_TEST_FORGET_STATE=1")
	assert.Contains(t, out, `needs provider states that notes does not handle`)
	assert.Contains(t, out, `"one note exists" (in "list notes")`)
	assert.Contains(t, out, "Known states: none")
}

// TestVerifyFailsOnlyTheBrokenInteraction: with one interaction broken,
// exactly its subtest fails, the others pass, and the re-run command the
// failure prints runs that interaction alone.
func TestVerifyFailsOnlyTheBrokenInteraction(t *testing.T) {
	out := contracts.VerifyBroken(t, "^TestVerifyResetsDataBetweenInteractions$", "ACCORD_TEST_BREAK_LIST=1")
	failed := regexp.MustCompile(`--- FAIL: (\S+)`).FindAllStringSubmatch(out, -1)
	var names []string
	for _, m := range failed {
		names = append(names, m[1])
	}
	assert.ElementsMatch(t, []string{"TestVerifyResetsDataBetweenInteractions", "TestVerifyResetsDataBetweenInteractions/notes-ui/list_notes"}, names)
	assert.Contains(t, out, "notes does not honour its contracts")
	assert.Contains(t, out, "body $: Actual map is missing the following keys: notes")

	m := regexp.MustCompile(`Re-run only this interaction: go test -count=1 -run '([^']+)' (\S+)`).FindStringSubmatch(out)
	require.NotNil(t, m, "the failure prints a re-run command:\n%s", out)
	assert.Equal(t, "^TestVerifyResetsDataBetweenInteractions$/^notes-ui$/^list_notes$", m[1])
	assert.Equal(t, "./contracts/", m[2])

	// Run as the command says (in this test binary, which is that package).
	cmd := exec.Command(os.Args[0], "-test.run="+m[1], "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "ACCORD_BROKEN_VARIANT=1", "ACCORD_TEST_BREAK_LIST=1")
	rerun, err := cmd.CombinedOutput()
	require.Error(t, err, "the re-run fails again:\n%s", rerun)
	ran := regexp.MustCompile(`=== RUN\s+(\S+)`).FindAllStringSubmatch(string(rerun), -1)
	var runNames []string
	for _, r := range ran {
		runNames = append(runNames, r[1])
	}
	assert.Equal(t, []string{"TestVerifyResetsDataBetweenInteractions", "TestVerifyResetsDataBetweenInteractions/notes-ui/list_notes"}, runNames)
	assert.Contains(t, string(rerun), "--- FAIL: TestVerifyResetsDataBetweenInteractions/notes-ui/list_notes")
	assert.Contains(t, string(rerun), "  list notes (", "the verifier ran the interaction")
	assert.NotContains(t, string(rerun), "  create note 1 (", "the verifier ran nothing else")
}
