package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
)

type driveFlags struct {
	broker, url, mix, cpuprofile, label string
	dbCgroup                            string
	clients, questions                  int
	duration, warmup                    time.Duration
	table, primeProviders               bool
	maxRequests                         int
}

func (f *driveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.broker, "broker", "", "accord-broker binary to start over -db on a loopback port, then drive")
	fs.StringVar(&f.url, "url", "", "drive a broker already running over -db at this loopback URL")
	fs.StringVar(&f.mix, "mix", "can-i-deploy", "request kinds and weights: "+fmt.Sprint(loadgen.Kinds)+", e.g. can-i-deploy=6,publish=1")
	fs.IntVar(&f.clients, "clients", 16, "closed-loop clients")
	fs.IntVar(&f.questions, "questions", 300, "distinct can-i-deploy questions asked over and over (0: every question new)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "how long each scenario runs")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "a first run of the scenario, not reported")
	fs.IntVar(&f.maxRequests, "max-requests", 1_000_000, "requests per scenario at most")
	fs.BoolVar(&f.primeProviders, "prime-providers", false, "ask every provider's pacts for verification once before the warm-up (with -mix for-verification)")
	fs.BoolVar(&f.table, "table", false, "run the standard table (every scenario of docs/performance.md) instead of one")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "with -broker: the broker writes its CPU profile of the whole run here")
	fs.StringVar(&f.label, "label", "", "a name for this run in the output (e.g. the database)")
	fs.StringVar(&f.dbCgroup, "db-cgroup", "", "the database server's cgroup directory (e.g. /sys/fs/cgroup/cpuacct/docker/ID): report its CPU time per request too")
}

type scenario struct {
	name      string
	mix       string
	clients   int
	questions int
	// primeProviders asks every provider's pacts for verification once
	// before the warm-up (loadgen.Driver.PrimeProviders).
	primeProviders bool
}

// standard is the table make bench runs (docs/performance.md).
var standard = []scenario{
	{"can-i-deploy, 1 client, 300 repeated questions", "can-i-deploy", 1, 300, false},
	{"can-i-deploy, 16 clients, 300 repeated questions", "can-i-deploy", 16, 300, false},
	{"can-i-deploy, 16 clients, every question new", "can-i-deploy", 16, 0, false},
	{"can-i-deploy, 64 clients, 300 repeated questions", "can-i-deploy", 64, 300, false},
	{"pacts-for-verification, 16 clients, from a cold cache", "for-verification", 16, 300, false},
	{"pacts-for-verification, 16 clients, each provider asked before", "for-verification", 16, 300, true},
	{"publish, 32 clients", "publish", 32, 300, false},
	{"mix, 16 clients", "can-i-deploy=6,for-verification=1,publish=1,verification=1,get-pact=1,matrix=1", 16, 300, false},
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (f *driveFlags) run(ctx context.Context, db string, sc matrix.Scale) error {
	if f.broker == "" && f.url == "" {
		return nil
	}
	if f.broker != "" && f.url != "" {
		return fmt.Errorf("give -broker (start one) or -url (use a running one), not both")
	}
	base := f.url
	var proc *loadgen.Broker
	if f.broker != "" {
		var args []string
		if f.cpuprofile != "" {
			args = append(args, "--cpuprofile", f.cpuprofile)
		}
		var err error
		proc, err = loadgen.StartBroker(ctx, f.broker, db, args)
		if err != nil {
			return err
		}
		defer proc.Stop()
		base = proc.URL
		fmt.Printf("broker started in %s (process start to listening, database already migrated)\n", proc.StartedIn.Round(time.Millisecond))
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") && !strings.HasPrefix(base, "http://localhost:") && !strings.HasPrefix(base, "http://[::1]:") {
		return fmt.Errorf("-url must be a loopback address (http://127.0.0.1:port), got %q", base)
	}
	// The broker's RSS is sampled through the run; its peak is VmHWM.
	var peak int64
	var mu sync.Mutex
	stop := make(chan struct{})
	if proc != nil {
		go func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					_, p := proc.RSS()
					mu.Lock()
					peak = max(peak, p)
					mu.Unlock()
				}
			}
		}()
	}
	scenarios := standard
	if !f.table {
		scenarios = []scenario{{"custom", f.mix, f.clients, f.questions, f.primeProviders}}
	}
	fmt.Printf("\n%s scale %d applications / %d versions / %d results, %s per scenario, load average before: %s\n\n",
		f.label, sc.Pacticipants, sc.Versions, sc.Verifications, f.duration, loadavg())
	// CPU time per request (the broker's, and with -db-cgroup the
	// database server's) does not depend on how busy the machine is the
	// way latency does.
	fmt.Println("| scenario | request | clients | requests | req/s | p50 | p90 | p99 | max | errors (5xx) | broker cpu/req | db cpu/req |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	dbCPU := func() time.Duration {
		if f.dbCgroup == "" {
			return 0
		}
		d, _ := loadgen.CgroupCPU(f.dbCgroup)
		return d
	}
	var firstErrors []string
	for i, s := range scenarios {
		mix, err := loadgen.ParseMix(s.mix)
		if err != nil {
			return err
		}
		d := loadgen.Driver{BaseURL: base, Scale: sc, Clients: s.clients, Mix: mix, Questions: s.questions, PrimeProviders: s.primeProviders,
			MaxRequests: f.maxRequests, Seed: uint64(i + 1), RunID: fmt.Sprintf("%d%d", time.Now().Unix()%100000, i)}
		t0 := time.Now()
		if n, err := d.Prime(ctx); err != nil {
			return err
		} else if n > 0 {
			fmt.Fprintf(os.Stderr, "%s: primed with %d requests (each question or provider once) in %s, not reported\n", s.name, n, time.Since(t0).Round(time.Millisecond))
		}
		if f.warmup > 0 {
			d.Duration = f.warmup
			if _, err := d.Run(ctx); err != nil {
				return err
			}
			d.RunID += "w"
		}
		d.Duration = f.duration
		var b0, db0 time.Duration
		if proc != nil {
			b0 = proc.CPU()
		}
		db0 = dbCPU()
		rep, err := d.Run(ctx)
		if err != nil {
			return err
		}
		total := 0
		for _, k := range rep.Kinds {
			total += k.N
		}
		perReq := func(d time.Duration) string {
			if d <= 0 || total == 0 {
				return "-"
			}
			return ms(d / time.Duration(total))
		}
		bcpu, dbcpu := "-", perReq(dbCPU()-db0)
		if proc != nil {
			bcpu = perReq(proc.CPU() - b0)
		}
		for _, k := range rep.Kinds {
			fmt.Printf("| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %d (%d) | %s | %s |\n", s.name, k.Kind, rep.Clients, k.N, k.PerSecond,
				ms(k.P50), ms(k.P90), ms(k.P99), ms(k.Max), k.Errors, k.Status5x, bcpu, dbcpu)
			if k.FirstError != "" {
				firstErrors = append(firstErrors, fmt.Sprintf("%s / %s: %s", s.name, k.Kind, k.FirstError))
			}
		}
	}
	close(stop)
	fmt.Printf("\nload average after: %s\n", loadavg())
	if proc != nil {
		now, p := proc.RSS()
		mu.Lock()
		peak = max(peak, p)
		mu.Unlock()
		fmt.Printf("broker RSS: %.0f MB now, %.0f MB peak (VmHWM)\n", float64(now)/(1<<20), float64(peak)/(1<<20))
	}
	for _, e := range firstErrors {
		fmt.Println("first error:", e)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
