// Package webhook runs the broker's webhooks: it renders the
// ${pactbroker.*} template parameters, enforces the scheme, host and method
// allow-lists, redacts credentials from logs, and delivers triggered webhooks
// from the database outbox.
//
// Delivery is at-least-once. Publications and verifications write the
// webhooks they trigger in their own transaction (see broker.WebhookOutbox),
// so a crash never loses one. A Dispatcher leases due deliveries from the
// store (row locks on PostgreSQL, the single writer on SQLite), sends each
// with a timeout, records the attempt and schedules the next one from the
// retry schedule. Leases expire, so a delivery held by a broker that died is
// taken over by another; a graceful stop hands its leases back at once.
package webhook
