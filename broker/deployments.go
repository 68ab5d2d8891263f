package broker

import (
	"context"
	"time"
)

// DeployedVersion records that a version runs in an environment, on one
// application instance ("" is the unnamed instance, a slot of its own).
// Recording another version in the same slot ends it (UndeployedAt).
type DeployedVersion struct {
	UUID        string
	Pacticipant string
	Version     Version
	Environment Environment
	// ApplicationInstance is the instance ("blue", "customer-1"); the Ruby
	// broker's older name for it is "target".
	ApplicationInstance string
	// AutoCreated is true when tagging the version with the environment's
	// name recorded the deployment.
	AutoCreated  bool
	CreatedAt    time.Time
	UndeployedAt *time.Time
}

// CurrentlyDeployed reports whether the version still runs there.
func (d DeployedVersion) CurrentlyDeployed() bool { return d.UndeployedAt == nil }

// ReleasedVersion records that a version was released to an environment
// (mobile apps, libraries): several may be supported at once until their
// support ends.
type ReleasedVersion struct {
	UUID           string
	Pacticipant    string
	Version        Version
	Environment    Environment
	CreatedAt      time.Time
	SupportEndedAt *time.Time
}

// CurrentlySupported reports whether the release is still supported.
func (r ReleasedVersion) CurrentlySupported() bool { return r.SupportEndedAt == nil }

// DeploymentFilter narrows a list of currently deployed or supported
// versions of one environment. Empty fields do not filter.
type DeploymentFilter struct {
	Pacticipant string
	// ApplicationInstance filters deployments; ignored for releases.
	ApplicationInstance string
}

// DeploymentStore keeps environments and what is deployed to or released in
// them. *sqlstore.Store implements it next to Store; environments are
// addressed by UUID as in the API, versions by pacticipant name and number.
// Writes are single transactions, like Store's.
type DeploymentStore interface {
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
