package broker

import (
	"context"
	"encoding/json"

	"github.com/accord-cdc/accord/broker/fieldusage"
)

// FieldUsage answers "who uses this field?" from the field-usage indexes stored with each pact
// content on publish (broker/fieldusage has the questions themselves), and keeps the route
// coverage providers publish with their verification results.
type FieldUsage interface {
	// FieldUsageFacts returns the provider's consumer versions that f selects, each with the index
	// of its pact with the provider. An unknown provider is NotFound.
	FieldUsageFacts(ctx context.Context, provider string, f fieldusage.Filter) ([]fieldusage.ConsumerVersion, error)
	// LatestRoutes returns the routes of the provider's latest published route coverage (nil
	// when none): the path templates its usage is grouped under.
	LatestRoutes(ctx context.Context, provider string) ([]string, error)
	// RecordRouteCoverage stores the route coverage of a provider version (NotFound when the
	// version does not exist).
	RecordRouteCoverage(ctx context.Context, provider, version string, coverage json.RawMessage) error
	// RouteCoverage returns what RecordRouteCoverage stored, or NotFound.
	RouteCoverage(ctx context.Context, provider, version string) (json.RawMessage, error)
	// RouteCoverages returns the route coverage of the provider's newest versions that
	// published one, newest first, at most limit (NotFound for an unknown provider).
	RouteCoverages(ctx context.Context, provider string, limit int) ([]StoredRouteCoverage, error)
	// LatestDeclaredOperations returns the operations and response fields the provider's
	// newest contract declares (NotFound when it has none): what "unused" is measured against.
	LatestDeclaredOperations(ctx context.Context, provider string) (DeclaredOperations, error)
}
