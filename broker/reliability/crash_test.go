package reliability_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func database(t *testing.T, backend string) string {
	if backend == "postgres" {
		return pg.Database(t)
	}
	return "sqlite://" + filepath.Join(t.TempDir(), "broker.sqlite3")
}

// TestKillUnderLoad: SIGKILL the broker while publishers publish, start it
// again on the same database, repeat; every publication the broker
// acknowledged (200) is there afterwards, and no request got a 5xx.
func TestKillUnderLoad(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := database(t, backend)
			n, kills, perRound := scale(8, 80), scale(1, 4), scale(150, 3000)
			b := startBroker(t, db)
			var url atomic.Pointer[string]
			url.Store(&b.URL)
			st := &stats{}
			ctx, cancel := context.WithCancel(context.Background())
			wg := publishers(ctx, n, &url, st)
			for k := 1; k <= kills; k++ {
				waitFor(t, 5*time.Minute, fmt.Sprintf("%d acknowledged publications", k*perRound), func() bool { return st.acked.Load() >= int64(k*perRound) })
				b.kill()
				b = startBroker(t, db)
				url.Store(&b.URL)
			}
			waitFor(t, 5*time.Minute, "publications after the last restart", func() bool { return st.acked.Load() >= int64((kills+1)*perRound) })
			cancel()
			wg.Wait()
			missing := readBack(t, b.URL, st.ackedVersions)
			t.Logf("FIGURES kill -9 %s: %d publishers, %d kills; %s; acknowledged %d, found %d", backend, n, kills, st, len(st.ackedVersions), len(st.ackedVersions)-len(missing))
			assert.Empty(t, missing, "acknowledged publications lost after kill -9")
			assert.Zero(t, st.err5xx.Load()+st.err503.Load(), "5xx answers: %v", st.other)
			assert.Zero(t, st.err4xx.Load(), "unexpected 4xx: %v", st.other)
		})
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestPostgresOutage: PostgreSQL is killed mid-load (docker stop with no
// grace) and started again on the same host port. Meanwhile clients get
// 503 with Retry-After, never 500; the broker reconnects by itself; every
// acknowledged publication survives.
func TestPostgresOutage(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	c, err := postgres.Run(ctx, storetest.PostgresImage(),
		postgres.WithUsername("accord"), postgres.WithPassword("accord"), postgres.WithDatabase("accord"),
		postgres.BasicWaitStrategies(),
		// fsync on: the durability promised is the real one.
		testcontainers.WithCmd("postgres", "-c", "fsync=on"),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("5432/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: port}}}
		}))
	testcontainers.CleanupContainer(t, c)
	require.NoError(t, err, "start PostgreSQL from %s; run `make setup`", storetest.PostgresImage())
	db := fmt.Sprintf("postgres://accord:accord@127.0.0.1:%s/accord?sslmode=disable", port)

	b := startBroker(t, db)
	var url atomic.Pointer[string]
	url.Store(&b.URL)
	st := &stats{}
	lctx, cancel := context.WithCancel(ctx)
	wg := publishers(lctx, scale(8, 40), &url, st)
	outages := scale(1, 3)
	for k := 1; k <= outages; k++ {
		before := st.acked.Load()
		waitFor(t, 3*time.Minute, "publications before the outage", func() bool { return st.acked.Load() >= before+int64(scale(100, 1500)) })
		zero := time.Duration(0)
		require.NoError(t, c.Stop(ctx, &zero))
		seen := st.err503.Load()
		waitFor(t, 2*time.Minute, "503 answers during the outage", func() bool { return st.err503.Load() > seen })
		require.NoError(t, c.Start(ctx))
		after := st.acked.Load()
		waitFor(t, 3*time.Minute, "publications after PostgreSQL came back", func() bool { return st.acked.Load() >= after+int64(scale(100, 1500)) })
	}
	cancel()
	wg.Wait()
	missing := readBack(t, b.URL, st.ackedVersions)
	t.Logf("FIGURES PostgreSQL outage: %d outages; %s; acknowledged %d, found %d", outages, st, len(st.ackedVersions), len(st.ackedVersions)-len(missing))
	assert.Empty(t, missing, "acknowledged publications lost across the PostgreSQL outage")
	if !assert.Zero(t, st.err5xx.Load(), "5xx other than 503: %v", st.other) {
		t.Logf("the broker's errors:\n%s", b.errors(5))
	}
	assert.Equal(t, st.err503.Load(), st.retryAfter.Load(), "a 503 without Retry-After")
	assert.Zero(t, st.err4xx.Load(), "unexpected 4xx: %v", st.other)
}

// TestTwoBrokersRace: two broker processes on one PostgreSQL receive
// conflicting writes at the same moment: two different pacts for the same
// consumer version, the same pact twice, the same new environment. Exactly
// one conflicting write wins, identical ones both succeed, and nothing
// answers 5xx.
func TestTwoBrokersRace(t *testing.T) {
	db := database(t, "postgres")
	a, b := startBroker(t, db), startBroker(t, db)
	rounds := scale(30, 400)
	var fivexx, ok, conflict, other atomic.Int64
	var notes sync.Map
	race := func(reqs ...func() (int, []byte)) []int {
		codes := make([]int, len(reqs))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var body []byte
				codes[i], body = r()
				switch {
				case codes[i] >= 500:
					fivexx.Add(1)
					notes.Store(string(body), true)
				case codes[i] == 200 || codes[i] == 201:
					ok.Add(1)
				case codes[i] == 409:
					conflict.Add(1)
				default:
					other.Add(1)
					notes.Store(fmt.Sprint(codes[i], string(body)), true)
				}
			}()
		}
		close(start)
		wg.Wait()
		return codes
	}
	send := func(base, method, path string, body []byte) func() (int, []byte) {
		return func() (int, []byte) {
			code, _, b, err := do(context.Background(), method, base+path, body)
			if err != nil {
				return 599, []byte(err.Error())
			}
			return code, b
		}
	}
	winners := func(codes []int) (n int) {
		for _, c := range codes {
			if c == 200 || c == 201 {
				n++
			}
		}
		return n
	}
	for r := range rounds {
		v := fmt.Sprint(r)
		codes := race(send(a.URL, "POST", "/contracts/publish", pactBody("Racer", "Provider", v, "one")),
			send(b.URL, "POST", "/contracts/publish", pactBody("Racer", "Provider", v, "two")))
		assert.Equal(t, 1, winners(codes), "round %d: conflicting pacts for one version: %v", r, codes)
		codes = race(send(a.URL, "POST", "/contracts/publish", pactBody("Twin", "Provider", v, "same")),
			send(b.URL, "POST", "/contracts/publish", pactBody("Twin", "Provider", v, "same")))
		assert.Equal(t, 2, winners(codes), "round %d: the same pact twice: %v", r, codes)
		env := []byte(fmt.Sprintf(`{"name":"env-%d","production":false}`, r))
		codes = race(send(a.URL, "POST", "/environments", env), send(b.URL, "POST", "/environments", env))
		assert.Equal(t, 1, winners(codes), "round %d: one environment created twice: %v", r, codes)
	}
	var seen []string
	notes.Range(func(k, _ any) bool { seen = append(seen, k.(string)); return len(seen) < 5 })
	t.Logf("FIGURES two brokers: %d rounds, %d requests; %d succeeded, %d conflicts, %d 5xx, %d other", rounds, 6*rounds, ok.Load(), conflict.Load(), fivexx.Load(), other.Load())
	assert.Zero(t, fivexx.Load(), "5xx: %v", seen)
	assert.Zero(t, other.Load(), "unexpected answers: %v", seen)
}
