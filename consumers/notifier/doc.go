// Package notifier is the notifier service of Accord's example microservice
// system: it consumes the orders service's OrderPlaced events and records a
// notification for the customer.
//
// Events arrive over HTTP — the orders outbox relay POSTs each event's JSON
// to POST /events — and are handled by [Notifier.HandleOrderPlaced], which
// parses and validates the event and stores one notification per eventId:
// delivery is at least once, so a redelivered event is accepted and ignored.
// GET /notifications?customerId= lists a customer's notifications.
//
// The service owns its PostgreSQL schema, created by [Migrate] from embedded,
// numbered migrations.
package notifier
