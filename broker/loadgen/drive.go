package loadgen

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accord-cdc/accord/broker/matrix"
)

// Kind is one type of request the load driver sends.
type Kind string

// The requests of the mix. Reads ask about the generated history
// (matrix.Synthetic); writes add new consumer versions, contents and
// provider versions beside it ("9.<client>.<n>"), so they never change
// the answer to a read question except by adding rows.
const (
	CanIDeploy      Kind = "can-i-deploy"     // GET /can-i-deploy?pacticipant&version&environment=production
	ForVerification Kind = "for-verification" // POST /pacts/provider/{p}/for-verification, three selectors
	Publish         Kind = "publish"          // POST /contracts/publish, one new consumer version and content
	Verify          Kind = "verification"     // POST …/pact-version/{sha}/verification-results
	GetPact         Kind = "get-pact"         // GET /pacts/provider/{p}/consumer/{c}/version/{v}
	Matrix          Kind = "matrix"           // GET /matrix of one consumer version against the latest of its providers
)

// Kinds lists every kind in the order reports show them.
var Kinds = []Kind{CanIDeploy, ForVerification, Publish, Verify, GetPact, Matrix}

// ParseMix reads "can-i-deploy=8,publish=1" (weights; a bare kind is 1).
func ParseMix(s string) (map[Kind]int, error) {
	mix := map[Kind]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, _ := strings.Cut(part, "=")
		k := Kind(name)
		if !slices.Contains(Kinds, k) {
			return nil, fmt.Errorf("mix: unknown request kind %q; known: %v", name, Kinds)
		}
		n := 1
		if w != "" {
			if _, err := fmt.Sscanf(w, "%d", &n); err != nil || n < 0 {
				return nil, fmt.Errorf("mix: weight of %s must be a whole number ≥ 0, got %q", name, w)
			}
		}
		mix[k] = n
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("mix: no request kinds in %q", s)
	}
	return mix, nil
}

// Driver sends a mix of requests to a broker loaded with
// matrix.Synthetic(Scale) from Clients closed-loop clients (each sends its
// next request when the last is answered) until Duration has passed or
// MaxRequests were sent.
type Driver struct {
	BaseURL  string
	Scale    matrix.Scale
	Clients  int
	Duration time.Duration
	// MaxRequests bounds the run (0: 1,000,000).
	MaxRequests int
	Mix         map[Kind]int
	// Questions is how many distinct can-i-deploy questions are asked
	// over and over, as polling CI jobs do; 0 asks a new one every time.
	Questions int
	// PrimeProviders makes Prime ask every provider's pacts for
	// verification once too.
	PrimeProviders bool
	// Seed makes the sequence of requests repeatable.
	Seed uint64
	// RunID names this run's writes apart from other runs' on one database.
	RunID  string
	Client *http.Client
	// Check, when set, sees every can-i-deploy answer with the time its
	// request was sent; an error counts as a failure of the request.
	Check func(q matrix.Query, sent time.Time, body []byte) error
}

// KindStats are the figures of one kind of request.
type KindStats struct {
	Kind                Kind
	N, Errors, Status5x int
	PerSecond           float64
	P50, P90, P99, Max  time.Duration
	FirstError          string
}

// Report is what one run measured.
type Report struct {
	Clients int
	Took    time.Duration
	Kinds   []KindStats
}

// Errors is the number of failed requests of every kind.
func (r Report) Errors() int {
	n := 0
	for _, k := range r.Kinds {
		n += k.Errors
	}
	return n
}

// Get returns the figures of kind k (zero if it was not sent).
func (r Report) Get(k Kind) KindStats {
	for _, s := range r.Kinds {
		if s.Kind == k {
			return s
		}
	}
	return KindStats{Kind: k}
}

// Table formats the report as a Markdown table.
func (r Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| request | clients | requests | req/s | p50 | p90 | p99 | max | errors (5xx) |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range r.Kinds {
		fmt.Fprintf(&b, "| %s | %d | %d | %.0f | %s | %s | %s | %s | %d (%d) |\n", k.Kind, r.Clients, k.N, k.PerSecond,
			ms(k.P50), ms(k.P90), ms(k.P99), ms(k.Max), k.Errors, k.Status5x)
	}
	for _, k := range r.Kinds {
		if k.FirstError != "" {
			fmt.Fprintf(&b, "\nfirst %s error: %s\n", k.Kind, k.FirstError)
		}
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

type sample struct {
	kind Kind
	took time.Duration
	err  string
	s5xx bool
}

// Prime asks each of the Questions can-i-deploy questions once, from
// Clients clients, as polling CI jobs have done by the time they poll
// again: a run after it measures the questions asked over and over, not
// their first answers (which "every question new", Questions 0, measures).
// With PrimeProviders it also asks every provider's pacts for verification
// once. It asks nothing for kinds the mix does not send, and returns how
// many requests it sent.
func (d Driver) Prime(ctx context.Context) (int, error) {
	var paths []string
	if d.Mix[CanIDeploy] > 0 {
		for i := range max(d.Questions, 0) {
			paths = append(paths, "/can-i-deploy?"+questionQuery(d.Scale, i))
		}
	}
	if d.Mix[ForVerification] > 0 && d.PrimeProviders {
		seen := map[int]bool{}
		for c := range d.Scale.Pacticipants - 7 {
			for _, p := range d.providersOf(c) {
				if !seen[p] {
					seen[p] = true
					paths = append(paths, forVerificationPath(p))
				}
			}
		}
	}
	if len(paths) == 0 {
		return 0, nil
	}
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: d.Clients + 4, Proxy: nil}}
	}
	var next atomic.Int64
	errs := make(chan error, max(d.Clients, 1))
	for range max(d.Clients, 1) {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					errs <- nil
					return
				}
				method, body := "GET", []byte(nil)
				if strings.HasSuffix(paths[i], "/for-verification") {
					method, body = "POST", forVerificationBody
				}
				if _, err := d.do(ctx, method, paths[i], body); err != nil {
					errs <- fmt.Errorf("prime %s: %w", paths[i], err)
					return
				}
			}
		}()
	}
	var first error
	for range max(d.Clients, 1) {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return len(paths), first
}

// forVerificationBody is what every pacts-for-verification request asks:
// main branch, deployed or released, and the latest prod tag.
var forVerificationBody = []byte(`{"consumerVersionSelectors":[{"mainBranch":true},{"deployedOrReleased":true},{"tag":"prod","latest":true}],"providerVersionBranch":"main","includePendingStatus":true}`)

// Run drives the broker and reports per kind of request.
func (d Driver) Run(ctx context.Context) (Report, error) {
	if d.Clients <= 0 || d.Duration <= 0 {
		return Report{}, fmt.Errorf("drive: need clients > 0 and a duration, got %d and %s", d.Clients, d.Duration)
	}
	if d.Scale.Pacticipants <= d.Scale.ProvidersEach*7 {
		return Report{}, fmt.Errorf("drive: scale %+v has no consumers with providers", d.Scale)
	}
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: d.Clients + 4, Proxy: nil}}
	}
	if d.MaxRequests <= 0 {
		d.MaxRequests = 1_000_000
	}
	if d.RunID == "" {
		d.RunID = fmt.Sprint(time.Now().UnixNano() % 1_000_000_000)
	}
	var kinds []Kind
	for _, k := range Kinds {
		for range d.Mix[k] {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return Report{}, fmt.Errorf("drive: the mix sends nothing")
	}
	ctx, cancel := context.WithTimeout(ctx, d.Duration)
	defer cancel()
	var sent, fresh atomic.Int64
	results := make([][]sample, d.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range d.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(d.Seed, uint64(c)))
			seq := 0
			for ctx.Err() == nil && sent.Add(1) <= int64(d.MaxRequests) {
				k := kinds[rng.IntN(len(kinds))]
				seq++
				t0 := time.Now()
				err := d.one(ctx, k, c, seq, rng, &fresh, t0)
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the run, not the broker's failure
				}
				s := sample{kind: k, took: time.Since(t0)}
				if err != nil {
					s.err = err.Error()
					s.s5xx = strings.HasPrefix(s.err, "status 5")
				}
				results[c] = append(results[c], s)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	rep := Report{Clients: d.Clients, Took: took}
	for _, k := range Kinds {
		var lat []time.Duration
		st := KindStats{Kind: k}
		for _, rs := range results {
			for _, s := range rs {
				if s.kind != k {
					continue
				}
				lat = append(lat, s.took)
				if s.err != "" {
					st.Errors++
					if s.s5xx {
						st.Status5x++
					}
					if st.FirstError == "" {
						st.FirstError = s.err
					}
				}
			}
		}
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		st.N = len(lat)
		st.PerSecond = float64(len(lat)) / took.Seconds()
		st.P50, st.P90, st.P99, st.Max = quantile(lat, 0.50), quantile(lat, 0.90), quantile(lat, 0.99), lat[len(lat)-1]
		rep.Kinds = append(rep.Kinds, st)
	}
	return rep, nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// freshQuestions is the first question a run of new questions asks
// (Questions 0): the repeated runs ask 0 to Questions-1.
const freshQuestions = 50_000

// Question is the i-th can-i-deploy question over matrix.Synthetic(sc):
// application i mod Pacticipants, a version counted back from its newest.
func Question(sc matrix.Scale, i int) (app, version string) {
	perApp := max(sc.Versions/max(sc.Pacticipants, 1), 1)
	return fmt.Sprintf("app-%03d", i%sc.Pacticipants), fmt.Sprintf("1.%d.0", perApp-1-(i/sc.Pacticipants)%perApp)
}

// pair picks a consumer with providers and one of its providers.
func (d Driver) pair(rng *rand.Rand) (consumer, provider int) {
	c := rng.IntN(d.Scale.Pacticipants - 7)
	ps := d.providersOf(c)
	return c, ps[rng.IntN(len(ps))]
}

// providersOf are the providers of consumer c: app i consumes i+7, i+14, …
// (ProvidersEach of them, within the applications; at least i+7).
func (d Driver) providersOf(c int) []int {
	ps := []int{c + 7}
	for k := 2; k <= d.Scale.ProvidersEach && c+k*7 < d.Scale.Pacticipants; k++ {
		ps = append(ps, c+k*7)
	}
	return ps
}

// questionQuery is the query string of the i-th can-i-deploy question.
func questionQuery(sc matrix.Scale, i int) string {
	a, v := Question(sc, i)
	return "pacticipant=" + url.QueryEscape(a) + "&version=" + url.QueryEscape(v) + "&environment=production"
}

func forVerificationPath(provider int) string {
	return fmt.Sprintf("/pacts/provider/app-%03d/for-verification", provider)
}

func (d Driver) one(ctx context.Context, k Kind, client, seq int, rng *rand.Rand, fresh *atomic.Int64, sentAt time.Time) error {
	perApp := max(d.Scale.Versions/max(d.Scale.Pacticipants, 1), 1)
	app := func(i int) string { return fmt.Sprintf("app-%03d", i) }
	switch k {
	case CanIDeploy:
		i := 0
		if d.Questions > 0 {
			i = rng.IntN(d.Questions)
		} else {
			// New questions start past any repeated set, so a run
			// after a repeated one is not answered from its cache.
			i = freshQuestions + int(fresh.Add(1)) - 1
		}
		raw := questionQuery(d.Scale, i)
		body, err := d.do(ctx, "GET", "/can-i-deploy?"+raw, nil)
		if err != nil || d.Check == nil {
			return err
		}
		q, err := matrix.ParseCanIDeploy(raw)
		if err != nil {
			return err
		}
		return d.Check(q, sentAt, body)
	case ForVerification:
		_, p := d.pair(rng)
		_, err := d.do(ctx, "POST", forVerificationPath(p), forVerificationBody)
		return err
	case Publish:
		c, p := d.pair(rng)
		version := fmt.Sprintf("9.%s.%d.%d", d.RunID, client, seq)
		pact := fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"load %s","request":{"method":"GET","path":"/items/%s"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
			app(c), app(p), version, version)
		body, _ := json.Marshal(map[string]any{"pacticipantName": app(c), "pacticipantVersionNumber": version, "branch": "load",
			"contracts": []any{map[string]any{"consumerName": app(c), "providerName": app(p), "specification": "pact",
				"contentType": "application/json", "content": base64.StdEncoding.EncodeToString([]byte(pact))}}})
		_, err := d.do(ctx, "POST", "/contracts/publish", body)
		return err
	case Verify:
		c, p := d.pair(rng)
		n := rng.IntN(perApp)
		body := fmt.Sprintf(`{"success":true,"providerApplicationVersion":"9.%s.%d.%d"}`, d.RunID, client, seq)
		_, err := d.do(ctx, "POST", fmt.Sprintf("/pacts/provider/%s/consumer/%s/pact-version/sha-%d-%d-%d/verification-results", app(p), app(c), c, p, n/5), []byte(body))
		return err
	case GetPact:
		c, p := d.pair(rng)
		_, err := d.do(ctx, "GET", fmt.Sprintf("/pacts/provider/%s/consumer/%s/version/1.%d.0", app(p), app(c), rng.IntN(perApp)), nil)
		return err
	case Matrix:
		c, _ := d.pair(rng)
		_, err := d.do(ctx, "GET", fmt.Sprintf("/matrix?q[][pacticipant]=%s&q[][version]=1.%d.0&latestby=cvp&latest=true", app(c), perApp-1-rng.IntN(20)), nil)
		return err
	}
	return fmt.Errorf("unknown kind %s", k)
}

func (d Driver) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(d.BaseURL, "/")+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/hal+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return b, fmt.Errorf("status %d from %s %s: %.200s", resp.StatusCode, method, path, b)
	}
	return b, nil
}
