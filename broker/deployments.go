package broker

import "time"

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
