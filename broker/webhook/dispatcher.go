package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/accord-cdc/accord/broker"
)

// Dispatcher delivers triggered webhooks from the outbox until stopped.
// Several dispatchers (in one process or many brokers sharing a database)
// may run at once: a delivery is leased to one of them at a time.
type Dispatcher struct {
	queue broker.WebhookOutbox
	cfg   Config
	exec  *Executor
	log   *slog.Logger
	owner string

	mu       sync.Mutex
	started  bool
	stop     chan struct{}
	wake     chan struct{}
	done     chan struct{}
	hard     context.Context
	hardStop context.CancelFunc
}

// NewDispatcher returns a dispatcher over q; client may be nil.
func NewDispatcher(q broker.WebhookOutbox, cfg Config, client *http.Client, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	cfg = cfg.WithDefaults()
	return &Dispatcher{
		queue: q, cfg: cfg, log: log,
		exec:  &Executor{Config: cfg, Client: client},
		owner: "dispatcher-" + hex.EncodeToString(id[:]),
		wake:  make(chan struct{}, 1),
	}
}

// Owner names the dispatcher in lease columns and logs.
func (d *Dispatcher) Owner() string { return d.owner }

// lease is how long a claimed delivery stays reserved: long enough for one
// attempt and its bookkeeping, short enough that a crashed broker's
// deliveries are soon picked up by another.
func (d *Dispatcher) lease() time.Duration { return 2*d.cfg.Timeout + 10*time.Second }

// Start begins delivering in the background.
func (d *Dispatcher) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return
	}
	d.started = true
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	d.hard, d.hardStop = context.WithCancel(context.Background())
	go d.run()
	d.log.Info("webhook dispatcher started", "owner", d.owner, "retry_schedule", d.cfg.RetrySchedule, "poll_interval", d.cfg.PollInterval)
}

// Wake makes an idle dispatcher look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Stop stops claiming deliveries and waits for the ones in flight. When ctx
// ends first, the sends in flight are abandoned without counting as
// attempts. Either way the dispatcher's leases are handed back, so another
// broker (or this one after a restart) delivers at once.
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return nil
	}
	d.started = false
	d.mu.Unlock()
	close(d.stop)
	select {
	case <-d.done:
	case <-ctx.Done():
		d.hardStop()
		<-d.done
	}
	d.hardStop()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.queue.ReleaseDeliveries(rctx, d.owner); err != nil {
		d.log.Warn("webhook dispatcher could not hand back its leases; they expire on their own", "owner", d.owner, "err", err)
	}
	d.log.Info("webhook dispatcher stopped", "owner", d.owner)
	return nil
}

// run claims due deliveries whenever a worker is free, so one slow
// receiver holds up only its own worker.
func (d *Dispatcher) run() {
	defer close(d.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := make(chan struct{}, d.cfg.Workers)  // one token per delivery in flight
	freed := make(chan struct{}, d.cfg.Workers) // a worker finished
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// A finished delivery claims again only once half the workers are
		// free (claims are write transactions; batching them keeps SQLite
		// fast); the poll and Wake claim for any free worker.
		minFree := 1
		select {
		case <-d.stop:
			return
		case <-timer.C:
			timer.Reset(d.cfg.PollInterval)
		case <-d.wake:
		case <-freed:
			minFree = max(1, d.cfg.Workers/2)
		}
		free := d.cfg.Workers - len(busy)
		wait := d.cfg.PollInterval
		if free < minFree {
			continue // the timer is armed: the next poll claims for the free workers
		}
		if free > 0 {
			batch := d.claim(free)
			for _, t := range batch {
				busy <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.deliver(t)
					<-busy
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			if len(batch) == free {
				wait = 0 // there may be more due
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// claim leases up to n due deliveries.
func (d *Dispatcher) claim(n int) []broker.TriggeredWebhook {
	ctx, cancel := context.WithTimeout(d.hard, 30*time.Second)
	defer cancel()
	batch, err := d.queue.ClaimDeliveries(ctx, d.owner, d.lease(), n)
	if err != nil {
		if d.hard.Err() == nil {
			d.log.Warn("webhook dispatcher could not claim deliveries; will retry", "err", err)
		}
		return nil
	}
	return batch
}

func (d *Dispatcher) deliver(t broker.TriggeredWebhook) {
	base := t.BaseURL
	if base == "" {
		base = d.cfg.BaseURL
	}
	res := d.exec.Execute(d.hard, t.Webhook, t.Context, base)
	if d.hard.Err() != nil {
		return // abandoned by Stop: the lease is handed back, no attempt counted
	}
	o := broker.DeliveryOutcome{Success: res.Success, Logs: res.Logs}
	attempt := t.Attempts + 1
	if !res.Success && !res.Refused && t.Attempts < len(d.cfg.RetrySchedule) {
		o.RetryAfter = d.cfg.RetrySchedule[t.Attempts]
		if o.RetryAfter <= 0 {
			o.RetryAfter = time.Microsecond
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	held, err := d.queue.FinishDelivery(ctx, d.owner, t.ID, o)
	log := d.log.With("triggered_webhook", t.UUID, "webhook", t.WebhookUUID, "event", t.EventName, "attempt", attempt, "status", res.Status)
	switch {
	case err != nil:
		log.Error("could not record a webhook attempt; it will be attempted again when the lease expires", "err", err)
	case !held:
		log.Warn("webhook attempt not recorded: the lease expired (another dispatcher may repeat it) or the webhook was deleted")
	case res.Success:
		log.Info("webhook delivered")
	case o.RetryAfter > 0:
		log.Info("webhook attempt failed; will retry", "retry_in", o.RetryAfter, "err", res.Err)
	default:
		log.Warn("webhook failed; no attempts left", "err", res.Err)
	}
}
