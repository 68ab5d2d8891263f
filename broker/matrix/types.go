package matrix

import (
	"time"
)

// Selector picks versions of one application, as a q[] entry of /matrix or the pacticipant and
// version of can-i-deploy does. Only Pacticipant is required. Version and Latest exclude each other;
// the remaining fields narrow the versions and combine (a tag and a branch must both match).
type Selector struct {
	Pacticipant string
	Version     string // an exact version number
	Latest      bool   // only the newest of the matching versions
	Tag         string
	Branch      string
	MainBranch  bool   // on the application's main branch
	Environment string // currently deployed to, or released and supported in, this environment
}

// nameOnly reports whether the selector means "every version" of the application.
func (s Selector) nameOnly() bool {
	return s.Version == "" && !s.Latest && s.Tag == "" && s.Branch == "" && !s.MainBranch && s.Environment == ""
}

// Ignore names an application, or one version of it, whose missing or failed verifications must not
// block the decision (can-i-deploy --ignore).
type Ignore struct {
	Pacticipant string
	Version     string // empty: every version
}

// LatestBy chooses which rows survive when an integration has several (the latestby parameter).
type LatestBy string

const (
	// EveryRow keeps every pact revision and every verification.
	EveryRow LatestBy = ""
	// ByConsumerVersionAndProviderVersion (cvpv) keeps the latest verification of each consumer
	// version by each provider version; can-i-deploy to an environment uses it so that every
	// deployed or released provider version is checked.
	ByConsumerVersionAndProviderVersion LatestBy = "cvpv"
	// ByConsumerVersionAndProvider (cvp) keeps, per consumer version and provider, the row of the
	// newest provider version.
	ByConsumerVersionAndProvider LatestBy = "cvp"
	// ByConsumerAndProvider (cp) keeps one row per integration: the newest provider version's.
	ByConsumerAndProvider LatestBy = "cp"
)

// Status is the verification state of a row.
type Status int8

const (
	Unverified Status = iota // no verification result for this content and provider version
	Succeeded
	Failed
)

func (s Status) String() string {
	switch s {
	case Succeeded:
		return "success"
	case Failed:
		return "failure"
	}
	return "unknown"
}

// DefaultLimit is the number of rows /matrix returns when no limit is given.
const DefaultLimit = 100

// Query is one matrix or can-i-deploy question.
type Query struct {
	Selectors []Selector
	Ignore    []Ignore
	LatestBy  LatestBy

	// The target scope. When any of these is set, every application integrated with the selected
	// versions gets an inferred selector for the same scope: "Bar in production", "the latest Bar
	// tagged prod", "the latest Bar on its main branch" (can-i-deploy --to-environment, --to,
	// can-i-merge). At most one of Tag, Environment and MainBranch; Latest not with Environment.
	Latest      bool
	Tag         string
	MainBranch  bool
	Environment string

	// Success keeps only rows with these statuses (success[]=true|false|empty); nil keeps all.
	Success []Status
	// Limit caps the rows considered, newest activity first; 0 means DefaultLimit.
	Limit int
}

func (q Query) infers() bool {
	return q.Latest || q.Tag != "" || q.Environment != "" || q.MainBranch
}

// Pacticipant is an application known to the broker.
type Pacticipant struct {
	Name       string
	MainBranch string
}

// Version is one version of an application as the store knows it.
type Version struct {
	ID        int64 // the store's identity; only compared for equality
	Number    string
	Order     int64 // higher is newer within the application
	CreatedAt time.Time
}

// Publication is one publication of pact content for a consumer version and provider.
type Publication struct {
	ID              int64 // orders publications; higher is newer
	Consumer        string
	ConsumerVersion Version
	Provider        string
	SHA             string // the pact version (content) SHA that verifications attach to
	Revision        int
	CreatedAt       time.Time
}

// Verification is one verification result of pact content by a provider version.
type Verification struct {
	ID              int64 // orders verifications; higher is newer
	Number          int   // the number in the verification result URL
	Consumer        string
	Provider        string
	SHA             string
	ProviderVersion Version
	Success         bool
	VerifiedAt      time.Time
	// Summary is the verifier's one-line account of a failure, when it
	// gave one (a provider contract check names the incompatibility); it
	// ends the failure's reason.
	Summary string
	// PendingCheck: a provider contract check that found the pact still
	// pending for the provider version (never yet compatible with a
	// contract from the provider's branch). Its failure does not hold the
	// provider back; it holds back the consumer version that asks.
	PendingCheck bool
	// ContractCheck: the result is the broker's check of the pact against
	// the provider version's provider contract (bi-directional), not a
	// replay of the pact against the provider.
	ContractCheck bool
}

// Row is one line of the matrix: a pact and, when one exists for a selected provider version, a
// verification of the same content (possibly published for another consumer version with
// identical content).
type Row struct {
	Pact         Publication
	Verification *Verification // nil when unverified
	// ProviderVersion is the provider version that verified, or, on an unverified row, the provider
	// version in the target environment that has not verified this pact; nil when unverified and no
	// particular provider version is in question.
	ProviderVersion *Version
	Ignored         bool // matched an Ignore; not counted
}

// PreVerified reports whether the verification happened before this pact was published: the result
// was obtained for identical content published earlier (by another consumer version or revision)
// and counts here too. The UI marks such rows.
func (r Row) PreVerified() bool {
	return r.Verification != nil && r.Verification.VerifiedAt.Before(r.Pact.CreatedAt)
}

func (r Row) lastAction() time.Time {
	cv := r.Pact.ConsumerVersion.CreatedAt
	if r.Verification != nil && r.Verification.ProviderVersion.CreatedAt.After(cv) {
		return r.Verification.ProviderVersion.CreatedAt
	}
	return cv
}

// Status reports whether the row is verified and how.
func (r Row) Status() Status {
	switch {
	case r.Verification == nil:
		return Unverified
	case r.Verification.Success:
		return Succeeded
	}
	return Failed
}

// Integration is a consumer/provider pair involved in the question. Required means the consumer is
// being deployed, so its provider must already be in the target; a provider being deployed does not
// require its consumers.
type Integration struct {
	Consumer, Provider string
	Required           bool
}

// Origin says where a resolved selector came from.
type Origin int8

const (
	Specified Origin = iota // in the query
	Inferred                // from the target scope, for an integrated application
	Ignored                 // an ignore selector
)

// Resolved is a selector matched against the broker's data: one per version found, or one with
// Exists false when nothing matched.
type Resolved struct {
	Selector  Selector
	Origin    Origin
	Version   *Version // nil: every version (name only), or nothing matched (see Exists)
	Exists    bool     // the application, and the version if one was sought, exist
	OneOfMany bool     // the selector matched several versions
	Ignore    bool     // covered by an ignore selector
	// MainBranch is the application's main branch name, for descriptions.
	MainBranch string
}

// Result is the answer: the rows and the verdict.
type Result struct {
	Rows         []Row // considered rows first, then ignored ones (Row.Ignored)
	Summary      Summary
	Resolved     []Resolved // specified and inferred selectors, as resolved
	Integrations []Integration
}

// Summary is the verdict of can-i-deploy.
type Summary struct {
	// Deployable is true, false (a verification failed or a specified version does not exist), or
	// nil when a required verification is missing.
	Deployable *bool
	Success    int
	Failed     int
	Unknown    int
	// Ignored counts ignored rows; nil when the query had no ignore selectors.
	Ignored *int
	// Reason is the texts of Reasons, one per line.
	Reason  string
	Notices []Notice
	Reasons []Reason
}

// Notice is a user-facing message with its type: "error", "warning" or "success".
type Notice struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// ReasonKind classifies a reason, independently of its wording.
type ReasonKind int8

const (
	// VersionNotFound: a specified selector matched no version.
	VersionNotFound ReasonKind = iota
	// NotVerified: a pact of a required integration has no verification by the selected provider
	// version.
	NotVerified
	// VerificationFailed: the selected provider version failed to verify the pact.
	VerificationFailed
	// IgnoreNotFound: an ignore selector names an unknown application or version.
	IgnoreNotFound
	// NoEnvironment: one version was asked about without a target.
	NoEnvironment
	// NoVersionNumber: the application being deployed was named by tag or branch, not version.
	NoVersionNumber
	// AllVerified: every required verification is published and successful.
	AllVerified
	// NothingMissing: no rows to check and nothing required is missing.
	NothingMissing
	// PendingIncompatible: a pending pact is incompatible with the
	// provider contract of the provider being deployed; not counted.
	PendingIncompatible
)

var reasonKindNames = [...]string{"VersionNotFound", "NotVerified", "VerificationFailed", "IgnoreNotFound",
	"NoEnvironment", "NoVersionNumber", "AllVerified", "NothingMissing", "PendingIncompatible"}

func (k ReasonKind) String() string {
	if int(k) < len(reasonKindNames) {
		return reasonKindNames[k]
	}
	return "ReasonKind?"
}

// Type is the notice type of the kind: "error", "warning" or "success".
func (k ReasonKind) Type() string {
	switch k {
	case IgnoreNotFound, NoEnvironment, NoVersionNumber, PendingIncompatible:
		return "warning"
	case AllVerified, NothingMissing:
		return "success"
	}
	return "error"
}

// Reason explains part of the verdict; Text names the versions involved.
type Reason struct {
	Kind ReasonKind
	Text string
}
