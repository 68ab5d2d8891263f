package broker

import (
	"encoding/json"
	"time"
)

// Pacticipant is an application that takes part in contracts, as consumer,
// provider or both.
type Pacticipant struct {
	ID                  int64
	Name                string
	DisplayName         string
	RepositoryURL       string
	RepositoryName      string
	RepositoryNamespace string
	// MainBranch is the branch whose latest version represents the
	// application's mainline ("main", "master", ...). Empty when unknown.
	MainBranch string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PacticipantUpdate carries the fields a PUT/PATCH/POST may set. Nil means
// "leave unchanged" (PATCH) or "clear" (PUT, see Replace).
type PacticipantUpdate struct {
	DisplayName         *string
	RepositoryURL       *string
	RepositoryName      *string
	RepositoryNamespace *string
	MainBranch          *string
	// Replace makes absent fields empty instead of unchanged (PUT semantics).
	Replace bool
}

// Version is one version of a pacticipant (usually a git sha).
type Version struct {
	ID          int64
	Pacticipant string
	Number      string
	BuildURL    string
	CreatedAt   time.Time
	Branches    []BranchVersion
	Tags        []Tag
}

// BranchVersion records that a version belongs to a branch.
type BranchVersion struct {
	Branch string
	// Latest is true when the version is the head of the branch.
	Latest    bool
	CreatedAt time.Time
}

// Branch is a named line of development of a pacticipant.
type Branch struct {
	Pacticipant string
	Name        string
	CreatedAt   time.Time
	// LatestVersion is the number of the branch head ("" for an empty branch).
	LatestVersion string
}

// Tag is a label on a version (the pre-branch way of marking versions).
type Tag struct {
	Name      string
	CreatedAt time.Time
}

// VersionUpdate carries the fields a version PUT/PATCH may set.
type VersionUpdate struct {
	BuildURL *string
	Tags     []string
	Replace  bool
}

// Pact is a pact publication: the content a consumer version published for a
// provider. Content is shared between publications with the same SHA.
type Pact struct {
	Consumer        string
	Provider        string
	ConsumerVersion string
	// ConsumerVersionID orders versions of one consumer by creation.
	ConsumerVersionID int64
	ConsumerBranches  []string
	ConsumerTags      []string
	// SHA identifies the normalised content (see ContentSHA).
	SHA string
	// Content is the pact JSON as stored (interactions carry "_id"). It
	// is shared, not copied, on its way from the database: never change
	// its bytes.
	Content json.RawMessage
	// ContentSize is the content's size in bytes wherever the content
	// was asked for, also when GetPact left it out (PactRef.MaxContent).
	ContentSize int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Contract is one pact in a publish request.
type Contract struct {
	ConsumerName string
	ProviderName string
	Content      json.RawMessage
	// Merge adds interactions to an existing pact instead of replacing it.
	Merge bool
}

// PublishRequest is POST /contracts/publish, decoded.
type PublishRequest struct {
	Pacticipant string
	Version     string
	Branch      string
	Tags        []string
	BuildURL    string
	Contracts   []Contract
}

// PactOutcome says what publishing did to one pact.
type PactOutcome string

// Outcomes of publishing one pact.
const (
	PactCreated     PactOutcome = "created"
	PactUnchanged   PactOutcome = "unchanged"
	PactMerged      PactOutcome = "merged"
	PactContentSame PactOutcome = "republished"
	// PactOverwritten: changed content replaced a published pact, which
	// only PublicationRules.AllowContentChange permits.
	PactOverwritten PactOutcome = "overwritten"
)

// PublishedPact is the result of publishing one contract.
type PublishedPact struct {
	Pact    Pact
	Outcome PactOutcome
	// ContentChanged says whether the publication fired
	// contract_content_changed; the webhook outbox and the "Events
	// detected" notice both report this one answer. See
	// ContentChangeReason for the rule.
	ContentChanged bool
	// ContentChangeReason explains ContentChanged in the Pact Broker's
	// words ("first time any pact published for this consumer with consumer
	// version tagged dev", "pact content is the same as previous version
	// with tag dev and no new tags were applied"); empty when the same
	// content was republished for the same version.
	ContentChangeReason string
	// ProviderHasVerifications is false when the provider has never published
	// a verification result (drives the "next steps" prompts).
	ProviderHasVerifications bool
	// WebhooksQueued is how many webhook deliveries the publication
	// queued (0: no enabled webhook fired for its events).
	WebhooksQueued int
}

// PublishResult is what POST /contracts/publish did. Version carries id,
// number and build URL only; Pacts carry no content (read it with GetPact).
type PublishResult struct {
	Pacticipant    Pacticipant
	Version        Version
	VersionCreated bool
	Pacts          []PublishedPact
}

// PactRef identifies one pact publication for a GET. Exactly one of the
// selection fields is used, in this order: SHA, Version, Branch, Tag,
// Untagged, else the latest.
type PactRef struct {
	Consumer string
	Provider string
	SHA      string
	Version  string
	Branch   string
	Tag      string
	Untagged bool
	// PreviousDistinctOf, when set, asks for the newest publication of the
	// pair older than this one (by consumer version) whose content differs
	// from it, as the official broker's previous-distinct does.
	PreviousDistinctOf *Pact
	// MaxContent, when above 0, asks for the content only if it is at
	// most this many bytes: a larger pact comes back without Content, its
	// ContentSize saying how large it is (the pact page, which does not
	// show pacts over its limit, need not read tens of MiB to say so).
	MaxContent int
}

// PactFilter narrows a list of a provider's pacts.
type PactFilter struct {
	Consumer   string
	Tag        string
	Branch     string
	MainBranch bool
	// Latest keeps only the latest matching pact per consumer.
	Latest bool
}

// VerifiedBy identifies the tool that produced a verification result.
type VerifiedBy struct {
	Implementation string `json:"implementation,omitempty"`
	Version        string `json:"version,omitempty"`
	ClientLanguage *struct {
		TestFramework string `json:"testFramework,omitempty"`
		Name          string `json:"name,omitempty"`
		Version       string `json:"version,omitempty"`
	} `json:"clientLanguage,omitempty"`
}

// Verification is a published verification result. It belongs to pact
// content (SHA), so it counts for every consumer version with that content.
type Verification struct {
	ID              int64
	Number          int64
	Consumer        string
	Provider        string
	SHA             string
	ProviderVersion string
	Success         bool
	BuildURL        string
	TestResults     json.RawMessage
	VerifiedBy      json.RawMessage
	// WIP and Pending record how the pact was selected when it was verified.
	WIP       bool
	Pending   bool
	CreatedAt time.Time
}

// VerificationRequest is a verification result to record.
type VerificationRequest struct {
	Consumer        string
	Provider        string
	SHA             string
	ProviderVersion string
	Success         bool
	BuildURL        string
	TestResults     json.RawMessage
	VerifiedBy      json.RawMessage
	WIP             bool
	Pending         bool
	// ConsumerVersionIDs are the consumer versions the pact was selected
	// for (from the metadata of the URL the result is posted to);
	// verification webhooks fire once for each.
	ConsumerVersionIDs []int64
}

// Environment is a place versions are deployed to or released in.
type Environment struct {
	ID          int64
	UUID        string
	Name        string
	DisplayName string
	Production  bool
	// Contacts is the JSON array of people to ask about the environment
	// ([{"name": ..., "details": {...}}]); nil when none were given.
	Contacts  json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Page asks for one page of a list; Size 0 means "all".
type Page struct {
	Number int
	Size   int
}
