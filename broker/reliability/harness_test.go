package reliability_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/storetest"
)

var long = flag.Bool("reliability.long", false, "run the long attack (make reliability) instead of the short one")

// brokerBin is the accord-broker binary built once for the test binary.
var brokerBin string

func TestMain(m *testing.M) {
	flag.Parse()
	storetest.LoopbackDocker()
	dir, err := os.MkdirTemp("", "accord-reliability")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	brokerBin = filepath.Join(dir, "accord-broker")
	build := exec.Command("go", "build", "-o", brokerBin, "github.com/accord-cdc/accord/broker/cmd/accord-broker")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build accord-broker:", err)
		os.Exit(1)
	}
	code := m.Run()
	pg.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// brokerProc is one running accord-broker process.
type brokerProc struct {
	cmd  *exec.Cmd
	URL  string
	done chan struct{}
	mu   sync.Mutex
	log  bytes.Buffer
}

// startBroker runs accord-broker on a free loopback port over dbURL and
// waits until it listens. env adds PACT_BROKER_* settings.
func startBroker(t testing.TB, dbURL string, env ...string) *brokerProc {
	t.Helper()
	cmd := exec.Command(brokerBin, "--addr", "127.0.0.1:0", "--db", dbURL, "--log-level", "info")
	cmd.Env = append(append(os.Environ(), "PACT_BROKER_BASIC_AUTH_ENABLED=false"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &brokerProc{cmd: cmd, done: make(chan struct{})}
	started := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "broker started" {
				started <- rec.Addr
			}
			p.mu.Lock()
			if p.log.Len() < 1<<20 {
				p.log.Write(line)
				p.log.WriteByte('\n')
			}
			p.mu.Unlock()
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	select {
	case addr := <-started:
		p.URL = "http://" + addr
	case <-p.done:
		t.Fatalf("accord-broker exited before listening:\n%s", p.logs())
	case <-time.After(2 * time.Minute):
		t.Fatalf("accord-broker did not start within 2 minutes:\n%s", p.logs())
	}
	return p
}

func (p *brokerProc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// errors returns the first n "request failed" lines of the broker's log.
func (p *brokerProc) errors(n int) string {
	var out []string
	for _, l := range strings.Split(p.logs(), "\n") {
		if strings.Contains(l, `"request failed"`) && len(out) < n {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *brokerProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stats counts what publishers saw.
type stats struct {
	sent, acked, err5xx, err503, err4xx, transport atomic.Int64
	retryAfter                                     atomic.Int64
	mu                                             sync.Mutex
	ackedVersions                                  []publication
	other                                          []string
}

type publication struct{ consumer, version string }

func (s *stats) String() string {
	return fmt.Sprintf("requests sent %d, acknowledged %d, 5xx other than 503 %d, 503 %d (with Retry-After %d), unexpected 4xx %d, connection errors %d",
		s.sent.Load(), s.acked.Load(), s.err5xx.Load(), s.err503.Load(), s.retryAfter.Load(), s.err4xx.Load(), s.transport.Load())
}

// pactBody is a publication of one small pact for consumer version.
func pactBody(consumer, provider, version, description string) []byte {
	pact := fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":%q,"request":{"method":"GET","path":"/items/%s"},"response":{"status":200,"body":{"v":%q}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
		consumer, provider, description, version, version)
	b, _ := json.Marshal(map[string]any{"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
		"contracts": []any{map[string]any{"consumerName": consumer, "providerName": provider, "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString([]byte(pact))}}})
	return b
}

var client = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100, Proxy: nil}}

func do(ctx context.Context, method, url string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/hal+json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// publishers runs n publishers against *url (which may change when the
// broker restarts) until ctx ends. Each publishes versions 1, 2, 3, ... of
// its own consumer, and sends a version again until it is acknowledged.
func publishers(ctx context.Context, n int, url *atomic.Pointer[string], st *stats) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			consumer := fmt.Sprintf("Consumer-%d", i)
			for v := 1; ctx.Err() == nil; {
				version := fmt.Sprint(v)
				st.sent.Add(1)
				code, h, body, err := do(ctx, "POST", *url.Load()+"/contracts/publish", pactBody(consumer, "Provider", version, "get item"))
				switch {
				case ctx.Err() != nil:
					return
				case err != nil:
					st.transport.Add(1)
					time.Sleep(20 * time.Millisecond) // the broker is down; a real client backs off too
				case code == 200:
					st.acked.Add(1)
					st.mu.Lock()
					st.ackedVersions = append(st.ackedVersions, publication{consumer, version})
					st.mu.Unlock()
					v++
				case code == 503:
					st.err503.Add(1)
					if h.Get("Retry-After") != "" {
						st.retryAfter.Add(1)
					}
					time.Sleep(50 * time.Millisecond)
				case code >= 500:
					st.err5xx.Add(1)
					st.note(fmt.Sprintf("%d %s", code, body))
					time.Sleep(50 * time.Millisecond)
				default:
					st.err4xx.Add(1)
					st.note(fmt.Sprintf("%d %s", code, body))
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	return &wg
}

func (s *stats) note(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.other) < 5 {
		s.other = append(s.other, msg)
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readBack fetches every acknowledged publication and returns the ones not
// found.
func readBack(t testing.TB, base string, acked []publication) []publication {
	t.Helper()
	var (
		mu      sync.Mutex
		missing []publication
		wg      sync.WaitGroup
		next    atomic.Int64
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(acked) {
					return
				}
				p := acked[i]
				code, _, body, err := do(context.Background(), "GET", base+"/pacts/provider/Provider/consumer/"+p.consumer+"/version/"+p.version, nil)
				if err != nil || code != 200 || !bytes.Contains(body, []byte(`"/items/`+p.version+`"`)) {
					mu.Lock()
					missing = append(missing, p)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return missing
}

// scale picks the short or the long figure.
func scale(short, long_ int) int {
	if *long {
		return long_
	}
	return short
}
