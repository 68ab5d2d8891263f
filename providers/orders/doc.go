// Package orders is the orders service of Accord's example microservice system.
//
// It owns its PostgreSQL schema (embedded, numbered migrations applied by
// [Migrate]) and exposes an HTTP JSON API built by [NewHandler]:
//
//	POST /orders                   place an order            → 201 Order
//	GET  /orders/{id}              one order                 → 200 Order | 404
//	GET  /orders?customerId={id}   a customer's orders       → 200 {"orders": [...]}
//
// Orders is a provider (the gateway reads orders) and also a consumer: before
// placing an order, [Service.PlaceOrder] asks the users service whether the
// customer exists through a [UsersClient]; [HTTPUsersClient] is the real one
// (GET {USERS_URL}/users/{id}, 404 → [ErrUnknownCustomer], which the API
// answers with 422).
//
// Events leave the service through a transactional outbox: placing an order
// writes the order, its items and an OrderPlaced event into the outbox table in
// one transaction, so an order is never stored without its event nor an event
// sent for an order that was rolled back. A [Relay] then claims unpublished
// outbox rows (FOR UPDATE SKIP LOCKED, so several relays can run side by side),
// hands them to a [Publisher] ([WebhookPublisher] POSTs the JSON payload to each
// subscriber URL), marks them published, and retries failed deliveries with
// exponential backoff. Delivery is at least once: subscribers must be idempotent
// on the event's eventId. [OutboxMessage] returns the exact bytes the relay
// sends for an order's OrderPlaced event, so a message contract test can
// produce the message from a real outbox row.
package orders
