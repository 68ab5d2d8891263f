package broker

import (
	"context"
	"time"

	"github.com/accord-cdc/accord/broker/matrix"
)

// The broker's services, one interface per role. *sqlstore.Store implements
// every one of them; broker/cmd/accord-broker hands each to the HTTP API and
// the pages as a field, so a handler reaches exactly the service it uses and
// nothing is discovered at run time.
//
// Every method that writes is one transaction: when it returns nil the change
// is durable, and when it returns an error nothing was written. Lookups of
// missing things return a NotFound *Error; refused changes return Conflict or
// Invalid. Implementations prove themselves with broker/storetest.Run.

// Pacticipants keeps the applications that publish pacts or verify them.
type Pacticipants interface {
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
}

// Versions keeps the versions of pacticipants with their branches and tags.
type Versions interface {
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
	// DeleteBranchVersion takes a version off a branch; the version and
	// the branch stay (NotFound when the version is not on the branch).
	DeleteBranchVersion(ctx context.Context, pacticipant, branch, number string) error
	// BranchVersions returns the versions of a branch, newest first.
	BranchVersions(ctx context.Context, pacticipant, branch string, page Page) ([]Version, int, error)
	LatestBranchVersion(ctx context.Context, pacticipant, branch string) (Version, error)

	// AddTag tags a version, creating pacticipant and version as needed.
	AddTag(ctx context.Context, pacticipant, number, tag string) (t Tag, created bool, err error)
	GetTag(ctx context.Context, pacticipant, number, tag string) (Tag, error)
	DeleteTag(ctx context.Context, pacticipant, number, tag string) error
}

// Pacts publishes pacts and reads them back.
type Pacts interface {
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
}

// Verifications records the results providers publish for pact content.
type Verifications interface {
	// RecordVerification stores a verification result, creating the
	// provider version when missing.
	RecordVerification(ctx context.Context, req VerificationRequest) (Verification, error)
	GetVerification(ctx context.Context, consumer, provider, sha string, number int64) (Verification, error)
	// LatestVerification returns the newest verification of the content.
	LatestVerification(ctx context.Context, consumer, provider, sha string) (Verification, error)
	// ProviderHasVerifications reports whether the provider ever verified.
	ProviderHasVerifications(ctx context.Context, provider string) (bool, error)
	// DeleteVerification removes one result with the webhooks it
	// triggered, and the pact content when nothing else uses it; the
	// provider version stays.
	DeleteVerification(ctx context.Context, consumer, provider, sha string, number int64) error
}

// Environments keeps the places versions are deployed to or released in,
// addressed by UUID as in the API.
type Environments interface {
	// CreateEnvironment saves a new environment, giving it a UUID when it
	// has none; a name or UUID already taken is a Conflict.
	CreateEnvironment(ctx context.Context, env Environment) (Environment, error)
	// FindEnvironments returns every environment ordered by name, or only
	// the one called name when name is not empty.
	FindEnvironments(ctx context.Context, name string) ([]Environment, error)
	GetEnvironment(ctx context.Context, uuid string) (Environment, error)
	// ReplaceEnvironment sets name, display name, production and contacts
	// of an existing environment (PUT); a name taken by another one is a
	// Conflict.
	ReplaceEnvironment(ctx context.Context, uuid string, env Environment) (Environment, error)
	// DeleteEnvironment removes an environment and its deployment and
	// release records.
	DeleteEnvironment(ctx context.Context, uuid string) error
}

// Deployments records which versions are deployed to or released in which
// environment. Versions are addressed by pacticipant name and number,
// environments by UUID.
type Deployments interface {
	// DeployVersion records a deployment of an existing version. The
	// version previously deployed to the same environment and instance is
	// undeployed; when this very version is already there its record is
	// returned unchanged with created=false.
	DeployVersion(ctx context.Context, pacticipant, number, environmentUUID, instance string) (d DeployedVersion, created bool, err error)
	GetDeployedVersion(ctx context.Context, uuid string) (DeployedVersion, error)
	// Undeploy marks a deployment as ended (idempotent).
	Undeploy(ctx context.Context, uuid string) (DeployedVersion, error)
	// CurrentlyDeployed lists the deployments of an environment that have
	// not ended, oldest first.
	CurrentlyDeployed(ctx context.Context, environmentUUID string, f DeploymentFilter) ([]DeployedVersion, error)
	// VersionDeployments lists every deployment of one version to one
	// environment, current or not, oldest first.
	VersionDeployments(ctx context.Context, pacticipant, number, environmentUUID string) ([]DeployedVersion, error)

	// ReleaseVersion records a release of an existing version; releasing
	// it again returns the record (supported again) with created=false.
	ReleaseVersion(ctx context.Context, pacticipant, number, environmentUUID string) (r ReleasedVersion, created bool, err error)
	GetReleasedVersion(ctx context.Context, uuid string) (ReleasedVersion, error)
	// EndSupport marks a release as no longer supported (idempotent).
	EndSupport(ctx context.Context, uuid string) (ReleasedVersion, error)
	// CurrentlySupported lists the supported releases of an environment,
	// oldest first.
	CurrentlySupported(ctx context.Context, environmentUUID string, f DeploymentFilter) ([]ReleasedVersion, error)
	// VersionReleases lists the releases of one version to one environment.
	VersionReleases(ctx context.Context, pacticipant, number, environmentUUID string) ([]ReleasedVersion, error)
}

// Webhooks keeps webhooks and shows what they triggered. Publications and
// verifications enqueue the webhooks they trigger in their own transaction
// (the outbox a [WebhookOutbox] hands to the dispatcher).
type Webhooks interface {
	// CreateWebhook saves a new webhook, giving it a UUID when it has none.
	// Named pacticipants must exist (Invalid on consumer.name/provider.name).
	CreateWebhook(ctx context.Context, w Webhook) (Webhook, error)
	// PutWebhook creates (created=true) or replaces the webhook with w.UUID.
	PutWebhook(ctx context.Context, w Webhook) (saved Webhook, created bool, err error)
	GetWebhook(ctx context.Context, uuid string) (Webhook, error)
	// DeleteWebhook removes a webhook with its triggered deliveries.
	DeleteWebhook(ctx context.Context, uuid string) error
	ListWebhooks(ctx context.Context, f WebhookFilter) ([]Webhook, error)

	// WebhookTestContext returns the context a test execution of w renders
	// with: the latest matching pact and, for verification events, its
	// latest verification.
	WebhookTestContext(ctx context.Context, w Webhook) (WebhookContext, error)

	TriggeredWebhooks(ctx context.Context, f TriggeredFilter) ([]TriggeredWebhook, error)
	// TriggeredWebhookLogs returns a triggered webhook and its attempts.
	TriggeredWebhookLogs(ctx context.Context, uuid string) (TriggeredWebhook, []WebhookExecution, error)
}

// WebhookOutbox hands triggered webhooks to the dispatchers that deliver
// them (broker/webhook), across processes sharing a database.
type WebhookOutbox interface {
	// ClaimDeliveries leases up to limit due deliveries to owner for lease.
	// A delivery is leased to one owner at a time, across processes.
	ClaimDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]TriggeredWebhook, error)
	// FinishDelivery records an attempt and ends owner's lease. It reports
	// false (and records nothing) when owner no longer holds the lease.
	FinishDelivery(ctx context.Context, owner string, id int64, o DeliveryOutcome) (bool, error)
	// ReleaseDeliveries ends owner's leases without recording attempts, so
	// another dispatcher may take them at once.
	ReleaseDeliveries(ctx context.Context, owner string) error
}

// Matrix answers matrix and can-i-deploy questions from the store's own
// indexed queries.
type Matrix interface {
	// MatrixFacts returns the facts matrix.Decide reads.
	MatrixFacts() matrix.Facts
	// MatrixVersionDetails returns the branches, tags and environments of
	// the versions shown in matrix rows.
	MatrixVersionDetails(ctx context.Context, versionIDs []int64) (map[int64]matrix.VersionDetails, error)
	// MatrixSnapshot runs fn over one consistent view of the committed
	// state (a read-only transaction): the facts and details of v see the
	// same commits. state names that view: two views with the same
	// non-empty state show exactly the same committed data, so an answer
	// computed in one may be served for the other, and any write committed
	// since changes it. "" means the store cannot tell (never reuse).
	MatrixSnapshot(ctx context.Context, fn func(ctx context.Context, state string, v MatrixView) error) error
	// CommittedState names the committed state now, as MatrixSnapshot's
	// state does, read on its own (one query, no transaction): an answer
	// kept for that state may be served without opening a snapshot.
	CommittedState(ctx context.Context) (string, error)
}

// MatrixView is the matrix's reads inside one snapshot.
type MatrixView interface {
	MatrixFacts() matrix.Facts
	MatrixVersionDetails(ctx context.Context, versionIDs []int64) (map[int64]matrix.VersionDetails, error)
}

// Health reports whether the storage is reachable.
type Health interface {
	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
}

// Store is every service of this package at once: what one storage
// implementation provides (with verifiable.Facts, the reads of pacts for
// verification; storetest.Store names both). Code that serves requests
// takes the single services it uses, not a Store.
type Store interface {
	Pacticipants
	Versions
	Pacts
	Verifications
	Environments
	Deployments
	Webhooks
	WebhookOutbox
	Matrix
	Health
	Close() error
}

// Clock returns the current time; stores take one so tests control time.
type Clock func() time.Time
