package broker

import (
	"slices"
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

// DeploymentDecision is what recording a deployment does to its slot.
type DeploymentDecision struct {
	// Keep is the index, in the slot's current deployments, of the one
	// that already runs the version: nothing changes. -1 when a new
	// deployment begins.
	Keep int
	// End holds the indices of the current deployments the new one
	// replaces.
	End []int
}

// DecideDeployment decides what deploying version does to a slot (one
// pacticipant, environment and application instance) whose current
// deployments run the versions in current, oldest first (normally one at
// most): the same version again keeps its record, so recording a
// deployment twice is harmless; another version ends every current one and
// begins its own.
func DecideDeployment[V comparable](current []V, version V) DeploymentDecision {
	if i := slices.Index(current, version); i >= 0 {
		return DeploymentDecision{Keep: i}
	}
	d := DeploymentDecision{Keep: -1}
	for i := range current {
		d.End = append(d.End, i)
	}
	return d
}
