// Package gateway is the API gateway of Accord's example system. It owns no
// data of its own: it composes a customer overview from the users service
// (the account) and the orders service (the customer's orders).
//
// Its consumer contract tests (contract_test.go) record what it needs from
// each provider; make test runs them first and writes the pacts that the
// providers then verify.
//
// Routes:
//
//	GET /customers/{id}   {"customer": {...}, "orders": [...], "orderCount", "totalSpentCents"}
//	GET /healthz
package gateway
