package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Broker is an accord-broker process the load driver started on a
// loopback port.
type Broker struct {
	URL string
	// StartedIn is the time from starting the process to its "broker
	// started" log line (the database opened and migrated, the port bound).
	StartedIn time.Duration
	cmd       *exec.Cmd
	done      chan struct{}
	mu        sync.Mutex
	log       bytes.Buffer
}

// StartBroker runs the accord-broker binary bin over dbURL on a free
// loopback port with authentication off, env added to this process's
// environment, and waits until it listens.
func StartBroker(ctx context.Context, bin, dbURL string, args []string, env ...string) (*Broker, error) {
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--db", dbURL, "--log-level", "info"}, args...)...)
	cmd.Env = append(append(os.Environ(), "PACT_BROKER_BASIC_AUTH_ENABLED=false"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	b := &Broker{cmd: cmd, done: make(chan struct{})}
	started := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "broker started" {
				select {
				case started <- rec.Addr:
				default:
				}
			}
			b.mu.Lock()
			if b.log.Len() < 1<<20 {
				b.log.Write(line)
				b.log.WriteByte('\n')
			}
			b.mu.Unlock()
		}
		_ = cmd.Wait()
		close(b.done)
	}()
	select {
	case addr := <-started:
		b.StartedIn = time.Since(begin)
		b.URL = "http://" + addr
		return b, nil
	case <-b.done:
		return nil, fmt.Errorf("accord-broker exited before listening:\n%s", b.Logs())
	case <-ctx.Done():
		b.Stop()
		return nil, ctx.Err()
	case <-time.After(5 * time.Minute):
		b.Stop()
		return nil, fmt.Errorf("accord-broker did not start within 5 minutes:\n%s", b.Logs())
	}
}

// Logs returns what the broker wrote to stderr (its first MiB).
func (b *Broker) Logs() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log.String()
}

// RSS returns the process's resident set now and at its peak (Linux
// VmRSS and VmHWM), in bytes.
func (b *Broker) RSS() (now, peak int64) {
	return procRSS(b.cmd.Process.Pid)
}

func procRSS(pid int) (now, peak int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		var kb int64
		switch {
		case strings.HasPrefix(l, "VmRSS:"):
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), "%d", &kb)
			now = kb << 10
		case strings.HasPrefix(l, "VmHWM:"):
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb)
			peak = kb << 10
		}
	}
	return now, peak
}

// CPU returns the CPU time the broker process has used so far (user and
// system, Linux /proc/PID/stat); 0 when it cannot be read.
func (b *Broker) CPU() time.Duration { return procCPU(b.cmd.Process.Pid) }

func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) in
	// parentheses: state is field 3, utime 14 and stime 15.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var user, sys int64
	fmt.Sscan(f[11], &user)
	fmt.Sscan(f[12], &sys)
	return time.Duration(user+sys) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux the project runs on.
const clockTicks = 100

// CgroupCPU reads a cgroup's CPU usage: cpuacct.usage (v1, nanoseconds) or
// cpu.stat's usage_usec (v2) in dir, e.g. the database container's cgroup.
func CgroupCPU(dir string) (time.Duration, error) {
	if b, err := os.ReadFile(dir + "/cpuacct.usage"); err == nil {
		var ns int64
		_, err := fmt.Sscan(string(b), &ns)
		return time.Duration(ns), err
	}
	b, err := os.ReadFile(dir + "/cpu.stat")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		var us int64
		if _, err := fmt.Sscanf(l, "usage_usec %d", &us); err == nil {
			return time.Duration(us) * time.Microsecond, nil
		}
	}
	return 0, fmt.Errorf("no usage_usec in %s/cpu.stat", dir)
}

// Stop asks the broker to shut down (SIGTERM, so a CPU profile is
// written), and kills it after 20 s.
func (b *Broker) Stop() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(20 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}
