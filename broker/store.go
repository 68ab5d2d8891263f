package broker

import (
	"context"
	"time"
)

// Store persists the broker's data. Every method that writes is one
// transaction: when it returns nil the change is durable, and when it
// returns an error nothing was written. Lookups of missing things return a
// NotFound *Error; refused changes return Conflict or Invalid.
//
// Implementations prove themselves with broker/storetest.Run.
type Store interface {
	VerificationSource

	// ListPacticipants returns pacticipants ordered by name and the total.
	ListPacticipants(ctx context.Context, page Page) ([]Pacticipant, int, error)
	GetPacticipant(ctx context.Context, name string) (Pacticipant, error)
	// CreatePacticipant fails with Conflict when the name is taken.
	CreatePacticipant(ctx context.Context, name string, u PacticipantUpdate) (Pacticipant, error)
	// UpdatePacticipant changes a pacticipant; with create it makes a
	// missing one (reporting created=true), otherwise it is NotFound.
	UpdatePacticipant(ctx context.Context, name string, u PacticipantUpdate, create bool) (p Pacticipant, created bool, err error)
	// DeletePacticipant removes a pacticipant and everything of it.
	DeletePacticipant(ctx context.Context, name string) error

	GetVersion(ctx context.Context, pacticipant, number string) (Version, error)
	// LatestVersion returns the newest version, or the newest with tag.
	LatestVersion(ctx context.Context, pacticipant, tag string) (Version, error)
	// ListVersions returns versions newest first and the total.
	ListVersions(ctx context.Context, pacticipant string, page Page) ([]Version, int, error)
	// PutVersion creates (created=true) or updates a version, creating the
	// pacticipant when missing.
	PutVersion(ctx context.Context, pacticipant, number string, u VersionUpdate) (v Version, created bool, err error)
	DeleteVersion(ctx context.Context, pacticipant, number string) error

	ListBranches(ctx context.Context, pacticipant string) ([]Branch, error)
	GetBranch(ctx context.Context, pacticipant, branch string) (Branch, error)
	// DeleteBranch removes a branch; its versions stay.
	DeleteBranch(ctx context.Context, pacticipant, branch string) error
	// AddBranchVersion puts a version on a branch, creating pacticipant,
	// version and branch as needed. created is false when it was there.
	AddBranchVersion(ctx context.Context, pacticipant, branch, number string) (v Version, created bool, err error)
	// BranchVersions returns the versions of a branch, newest first.
	BranchVersions(ctx context.Context, pacticipant, branch string, page Page) ([]Version, int, error)
	LatestBranchVersion(ctx context.Context, pacticipant, branch string) (Version, error)

	// AddTag tags a version, creating pacticipant and version as needed.
	AddTag(ctx context.Context, pacticipant, number, tag string) (t Tag, created bool, err error)
	GetTag(ctx context.Context, pacticipant, number, tag string) (Tag, error)
	DeleteTag(ctx context.Context, pacticipant, number, tag string) error

	// PublishContracts records a version with its branch and tags and its
	// pacts, all or nothing. Changing the content of a pact already
	// published for the version is a Conflict.
	PublishContracts(ctx context.Context, req PublishRequest) (PublishResult, error)
	// PutPact is the legacy single-pact publication (merge for PATCH).
	PutPact(ctx context.Context, consumer, provider, version string, content []byte, merge bool) (p Pact, created bool, err error)
	GetPact(ctx context.Context, ref PactRef) (Pact, error)
	DeletePact(ctx context.Context, consumer, provider, version string) error
	// LatestPacts returns the latest pact of every consumer/provider pair.
	LatestPacts(ctx context.Context) ([]Pact, error)
	// ProviderPacts lists a provider's pacts (content not loaded).
	ProviderPacts(ctx context.Context, provider string, f PactFilter) ([]Pact, error)
	// PactVersions lists the publications of one pair, newest first.
	PactVersions(ctx context.Context, consumer, provider string) ([]Pact, error)

	// RecordVerification stores a verification result, creating the
	// provider version when missing.
	RecordVerification(ctx context.Context, req VerificationRequest) (Verification, error)
	GetVerification(ctx context.Context, consumer, provider, sha string, number int64) (Verification, error)
	// LatestVerification returns the newest verification of the content.
	LatestVerification(ctx context.Context, consumer, provider, sha string) (Verification, error)
	// ProviderHasVerifications reports whether the provider ever verified.
	ProviderHasVerifications(ctx context.Context, provider string) (bool, error)

	// CreateEnvironment, RecordDeployment and RecordRelease are the minimum
	// the deployed/released selectors need; environments, deployments and
	// releases get their own API in a later issue.
	CreateEnvironment(ctx context.Context, env Environment) (Environment, error)
	ListEnvironments(ctx context.Context) ([]Environment, error)
	RecordDeployment(ctx context.Context, pacticipant, number, environment, target string) error
	RecordRelease(ctx context.Context, pacticipant, number, environment string) error

	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Clock returns the current time; stores take one so tests control time.
type Clock func() time.Time
