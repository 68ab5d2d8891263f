package matrix

import "context"

// Facts is what Decide needs to know about the broker's data. Each method is one query that an
// indexed store answers directly (see the package documentation for the SQL); Memory implements it
// over plain data. Names are the applications' canonical names as returned by Pacticipant.
type Facts interface {
	// Pacticipant looks an application up by name (as the store matches names, e.g.
	// case-insensitively) and returns it with its canonical name; ok is false when it does not exist.
	Pacticipant(ctx context.Context, name string) (p Pacticipant, ok bool, err error)
	// EnvironmentExists reports whether an environment with this name exists.
	EnvironmentExists(ctx context.Context, name string) (bool, error)
	// Versions returns the versions of s.Pacticipant matching every field set in s (number, tag,
	// branch, main branch, environment), newest (highest Order) first. With s.Latest only the first
	// is used, so a store may return just that one. s is never name-only.
	Versions(ctx context.Context, s Selector) ([]Version, error)
	// Providers returns the providers that have a pact published for any of the given versions of
	// consumer, or for any version when versionIDs is nil.
	Providers(ctx context.Context, consumer string, versionIDs []int64) ([]string, error)
	// Consumers returns the consumers integrated with provider (those that ever published a pact for
	// it).
	Consumers(ctx context.Context, provider string) ([]string, error)
	// Pacts returns pact publications matching q.
	Pacts(ctx context.Context, q PactQuery) ([]Publication, error)
	// Verifications returns verification results matching q.
	Verifications(ctx context.Context, q VerificationQuery) ([]Verification, error)
}

// Side selects versions of one application: every version (All) or the listed ones.
type Side struct {
	Pacticipant string
	All         bool
	VersionIDs  []int64
}

// Content identifies pact content: verifications attach to it, and every consumer version that
// published identical content shares them.
type Content struct {
	Consumer, Provider, SHA string
}

// PactQuery selects pact publications. Exactly one of Consumers and Contents is set.
type PactQuery struct {
	// Consumers: publications whose consumer version is selected by any of the sides ...
	Consumers []Side
	// ... and whose provider is one of these (nil: any provider).
	Providers []string
	// Contents: publications of any consumer version whose content is one of these.
	Contents []Content
	// AllRevisions returns every revision; otherwise only the latest revision per consumer
	// version and provider (the one that counts).
	AllRevisions bool
	// Limit, when positive, returns only the Limit most recently created publications.
	Limit int
}

// VerificationQuery selects verification results.
type VerificationQuery struct {
	// Contents: results for these pact contents (nil: any content).
	Contents []Content
	// Providers: results by provider versions selected by any side (nil: any provider version).
	Providers []Side
	// AllResults returns every result; otherwise only the latest per content and provider version,
	// so a failure fixed by a later success of the same provider version no longer counts.
	AllResults bool
}
