package reliability_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rss is the process's resident set size in bytes now (Linux VmRSS).
func (p *brokerProc) rss() int64 { return p.status("VmRSS:") }

// peakRSS is the process's peak resident set size in bytes since it
// started or since resetPeak (Linux VmHWM).
func (p *brokerProc) peakRSS() int64 { return p.status("VmHWM:") }

func (p *brokerProc) status(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field) {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, field)), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// resetPeak sets the peak RSS back to the current RSS (Linux clear_refs 5).
func (p *brokerProc) resetPeak(t testing.TB) {
	t.Helper()
	require.NoError(t, os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0))
}

// bigPact is a pact of about size bytes in the shape Pact libraries write
// (consumer, provider, interactions, metadata; keys in their order, not
// sorted): many interactions, each with a JSON response body of a few KiB.
func bigPact(consumer, provider string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 64<<10)
	fmt.Fprintf(&b, `{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[`, consumer, provider)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"description":"get order %d","providerState":"order %d exists","request":{"method":"GET","path":"/orders/%d","headers":{"Accept":"application/json"}},"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%d,"lines":[`, i, i, i, i)
		for j := range 40 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"sku":"SKU-%06d-%02d","name":"Item %d of order %d","quantity":%d,"price":%d.%02d,"tags":["a","b"]}`, i, j, j, i, j+1, i%1000, j)
		}
		b.WriteString(`],"status":"open"}}}`)
	}
	b.WriteString(`],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	return b.Bytes()
}

// deepPact is a pact of about 60 KB whose one response body is nested
// depth levels deep.
func deepPact(consumer, provider string, depth int) []byte {
	return fmt.Appendf(nil, `{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"deep","request":{"method":"GET","path":"/deep"},"response":{"status":200,"body":%s1%s}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
		consumer, provider, strings.Repeat(`{"a":[`, depth/2), strings.Repeat(`]}`, depth/2))
}

// bigClient has time for bodies of tens of MiB on a busy machine.
var bigClient = &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{Proxy: nil}}

func send(t testing.TB, method, url, accept string, body []byte) (int, int64) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if body != nil {
		// Only with a body: a GET saying Content-Type: application/json
		// is an API client, and gets the JSON whatever it accepts.
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", accept)
	resp, err := bigClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	if resp.StatusCode >= 300 {
		t.Errorf("%s %s: %d", method, url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(accept, "html") != strings.Contains(ct, "html") {
		t.Errorf("%s %s accepting %s: answered %s", method, url, accept, ct)
	}
	return resp.StatusCode, n
}

func publishBody(consumer, provider, version string, pact []byte) []byte {
	b, _ := json.Marshal(map[string]any{"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
		"contracts": []any{map[string]any{"consumerName": consumer, "providerName": provider, "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString(pact)}}})
	return b
}

const mib = 1 << 20

// TestMemoryPerPact: publishing (PUT and POST /contracts/publish) a large
// pact, reading its JSON and its page, and four concurrent PUTs of larger
// ones cost at most a few times the pact's size in resident memory above
// the idle broker's; a deeply nested pact costs a few MiB. The short run
// uses smaller pacts (the bounds are the same); -reliability.long the
// sizes of the attack (37 MiB, 4 × 52 MiB).
//
// Reading (JSON and page) is held to the goal of issue 13, 4x, and so are
// a PUT and a publication on SQLite; on PostgreSQL these to 4.5x (3.3-3.8x
// measured), four concurrent PUTs against their sum to 5.5x. The request
// body is dropped once normalised, before the content is stored; the
// normalised copy (sorted keys, interaction ids) and the driver's copies
// remain. pgx's write buffer reuses the body's freed heap. SQLite's bound
// text and the record it builds from it are C memory, which cannot: for a
// large content the store computes the field-usage index and returns the
// freed heap to the system before the INSERT (3.1-3.4x at 8 MiB). The
// publication is of a content the broker has not stored (another
// provider's), as a first one is: a stored content is not stored again.
func TestMemoryPerPact(t *testing.T) {
	const maxFactorConcurrent = 5.5
	maxWrite := map[string]float64{"sqlite": 4, "postgres": 4.5}
	size, concurrent := scale(8, 37)*mib, scale(12, 52)*mib
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			maxFactor := map[string]float64{"PUT": maxWrite[backend], "publish": maxWrite[backend], "GET JSON": 4, "page": 4}
			db := database(t, backend)
			base := "/pacts/provider/Provider/consumer/Consumer/version/"
			// Each step runs in a broker process of its own over the same
			// database: the Go runtime keeps freed memory for minutes, so a
			// step would otherwise start from the one before's peak.
			measure := func(what string, pactSize int, run func(url string)) int64 {
				b := startBroker(t, db)
				defer b.kill()
				// Warm up every path with a small pact, so the idle figure
				// includes what the first request of each kind sets up.
				small := bigPact("Consumer", "Provider", 64<<10)
				send(t, "PUT", b.URL+base+"0", "application/hal+json", small)
				send(t, "GET", b.URL+base+"0", "application/hal+json", nil)
				send(t, "GET", b.URL+base+"0", "text/html", nil)
				send(t, "POST", b.URL+"/contracts/publish", "application/hal+json", publishBody("Consumer", "Provider", "0a", small))
				time.Sleep(100 * time.Millisecond)
				idle := b.rss()
				b.resetPeak(t)
				start := time.Now()
				run(b.URL)
				above := b.peakRSS() - idle
				t.Logf("FIGURES memory %s: %s: peak RSS %d MiB above idle (%d MiB): %.1fx the pact's %.2f MiB; %s",
					backend, what, above/mib, idle/mib, float64(above)/float64(pactSize), float64(pactSize)/mib, time.Since(start).Round(time.Millisecond))
				return above
			}
			pact := bigPact("Consumer", "Provider", size)
			n := len(pact)
			peaks := map[string]int64{}
			peaks["PUT"] = measure("PUT pact", n, func(url string) { send(t, "PUT", url+base+"1", "application/hal+json", pact) })
			// A content the broker has not stored yet (another provider's),
			// as a first publication is: one it has is not stored again.
			other := bigPact("Consumer", "Other", size)
			peaks["publish"] = measure("POST /contracts/publish", len(other), func(url string) {
				send(t, "POST", url+"/contracts/publish", "application/hal+json", publishBody("Consumer", "Other", "2", other))
			})
			other = nil
			peaks["GET JSON"] = measure("GET pact JSON", n, func(url string) { send(t, "GET", url+base+"1", "application/hal+json", nil) })
			peaks["page"] = measure("GET pact page", n, func(url string) { send(t, "GET", url+base+"1", "text/html", nil) })
			for what, peak := range peaks {
				assert.LessOrEqual(t, float64(peak)/float64(n), maxFactor[what], "%s: peak RSS above idle against the pact's size", what)
			}

			big := make([][]byte, 4)
			for i := range big {
				big[i] = bigPact("Consumer", "Provider", concurrent+i)
			}
			peak := measure("4 concurrent PUTs (against one pact's size)", len(big[0]), func(url string) {
				var wg sync.WaitGroup
				for i := range big {
					wg.Go(func() { send(t, "PUT", url+base+fmt.Sprint(10+i), "application/hal+json", big[i]) })
				}
				wg.Wait()
			})
			// Bodies over 1 MiB are read one at a time, but stored
			// concurrently: the four together within 5.5x their sum.
			assert.LessOrEqual(t, float64(peak)/float64(4*len(big[0])), maxFactorConcurrent, "4 concurrent PUTs: peak RSS above idle against their sum")
			big = nil

			deep := deepPact("Consumer", "Provider", 9980)
			for _, step := range []struct{ method, accept string }{{"PUT", "application/hal+json"}, {"GET", "application/hal+json"}, {"GET", "text/html"}} {
				body := deep
				if step.method == "GET" {
					body = nil
				}
				peak := measure(fmt.Sprintf("deep pact (%d levels) %s %s", 9980, step.method, step.accept), len(deep), func(url string) {
					send(t, step.method, url+base+"deep", step.accept, body)
				})
				assert.Less(t, peak, int64(32*mib), "a deeply nested pact of %d KB: %s %s", len(deep)>>10, step.method, step.accept)
			}
		})
	}
}
