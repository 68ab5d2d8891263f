// Package users is the accounts service of Accord's example system: an HTTP
// JSON API over its own PostgreSQL database.
//
// It is a provider for the gateway and for orders (which checks that a
// customer exists before it takes an order); both contracts are verified in
// contract_test.go against a real PostgreSQL started by testcontainers.
//
// Routes:
//
//	GET  /users          list accounts (optional ?email=)
//	GET  /users/{id}     one account, 404 when there is none
//	POST /users          create {"name", "email"}, 201 with the account
//	GET  /healthz        liveness
package users
