package main

import (
	"context"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/metrics"
)

// observedPacts counts publications for the metrics as they pass through
// to the store.
type observedPacts struct {
	broker.Pacts
	m *metrics.Metrics
}

func (o observedPacts) PublishContracts(ctx context.Context, req broker.PublishRequest) (broker.PublishResult, error) {
	res, err := o.Pacts.PublishContracts(ctx, req)
	if err != nil {
		o.m.Published("refused")
		return res, err
	}
	for _, p := range res.Pacts {
		o.m.Published(string(p.Outcome))
	}
	return res, nil
}

func (o observedPacts) PutPact(ctx context.Context, consumer, provider, version string, content []byte, merge bool) (broker.Pact, bool, error) {
	p, created, err := o.Pacts.PutPact(ctx, consumer, provider, version, content, merge)
	switch {
	case err != nil:
		o.m.Published("refused")
	case created:
		o.m.Published(string(broker.PactCreated))
	default:
		o.m.Published("updated")
	}
	return p, created, err
}

// observedVerifications counts verification results by success.
type observedVerifications struct {
	broker.Verifications
	m *metrics.Metrics
}

func (o observedVerifications) RecordVerification(ctx context.Context, req broker.VerificationRequest) (broker.Verification, error) {
	v, err := o.Verifications.RecordVerification(ctx, req)
	if err == nil {
		o.m.Verified(v.Success)
	}
	return v, err
}

// observedOutbox counts webhook delivery attempts by outcome.
type observedOutbox struct {
	broker.WebhookOutbox
	m *metrics.Metrics
}

func (o observedOutbox) FinishDelivery(ctx context.Context, owner string, id int64, out broker.DeliveryOutcome) (bool, error) {
	held, err := o.WebhookOutbox.FinishDelivery(ctx, owner, id, out)
	if err == nil && held {
		switch {
		case out.Success:
			o.m.Delivered("success")
		case out.RetryAfter > 0:
			o.m.Delivered("retrying")
		default:
			o.m.Delivered("failure")
		}
	}
	return held, err
}

// queueDepth reads the outbox's depth when scraped; a failure reads as -1,
// so a dashboard shows the gap rather than an empty queue.
func queueDepth(count func(context.Context) (int, error)) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}
}
