package httpapi

import (
	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// Services are the broker's services the API serves, one field per role.
// broker/cmd/accord-broker sets each of them (*sqlstore.Store implements
// all); a handler uses the fields it needs and nothing else.
type Services struct {
	Pacticipants  broker.Pacticipants
	Versions      broker.Versions
	Pacts         broker.Pacts
	Verifications broker.Verifications
	// ForVerification answers pacts-for-verification queries, each in
	// one snapshot whose state names its answer (answers.go).
	ForVerification verifiable.Snapshots
	Environments    broker.Environments
	Deployments     broker.Deployments
	Webhooks        broker.Webhooks
	Matrix          broker.Matrix
	Health          broker.Health
	// FieldUsage answers who uses which field of a provider.
	FieldUsage broker.FieldUsage
	// Operations lists and deletes integrations and branches in bulk and
	// counts everything (/metrics).
	Operations broker.Operations
	// Labels tags pacticipants.
	Labels broker.Labels

	// ProviderContracts stores provider contracts (OpenAPI documents) and
	// their checks against consumer pacts.
	ProviderContracts broker.ProviderContractStore
}
