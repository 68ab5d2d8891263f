package broker

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"time"
)

// A provider contract is a provider's own description of its API (an
// OpenAPI document) with the result of the provider testing itself against
// it, published with `pact pactflow publish-provider-contract`. The broker
// checks every selected consumer pact against it ("bi-directional contract
// testing") and records each outcome as a verification result of the pact by
// the provider version, so the matrix, can-i-deploy and the UI answer with
// it like with any verification. broker/openapi makes the check; the checks
// to make wait in an outbox written in the publication's transaction.

// ProviderContract is a published provider contract.
type ProviderContract struct {
	ID              int64
	Provider        string
	ProviderVersion string
	// Branch is a branch of the provider version, "" when it has none.
	Branch string
	// SHA identifies the content: equal content gives equal results.
	SHA           string
	Specification string // "oas"
	ContentType   string // application/yaml or application/json
	Content       []byte
	// SelfVerification is what the provider reported of testing itself
	// against the contract; nil when it reported nothing.
	SelfVerification *SelfVerification
	BuildURL         string
	CreatedAt        time.Time
}

// SelfVerification is the provider's own test of its contract.
type SelfVerification struct {
	Success         bool   `json:"success"`
	Content         string `json:"content,omitempty"`
	ContentType     string `json:"contentType,omitempty"`
	Format          string `json:"format,omitempty"`
	Verifier        string `json:"verifier,omitempty"`
	VerifierVersion string `json:"verifierVersion,omitempty"`
}

// ProviderContractRequest publishes a provider contract for a provider
// version, creating the provider, version, branch and tags as needed.
// Publishing again for the same version replaces the contract.
type ProviderContractRequest struct {
	Provider         string
	Version          string
	Branch           string
	Tags             []string
	BuildURL         string
	Specification    string
	ContentType      string
	Content          []byte
	SelfVerification *SelfVerification
}

// ContractSHA identifies provider contract content.
func ContractSHA(content []byte) string {
	sum := sha1.Sum(content)
	return hex.EncodeToString(sum[:])
}

// ContractCheck is one provider contract whose compatibility with the
// provider's selected pacts is to be (re)computed: an outbox row written
// with the publication of the contract or of a pact for its provider.
type ContractCheck struct {
	ID       int64
	Contract ProviderContract
	Attempts int
}

// ContractCheckResult is the outcome of checking one pact content against
// the contract of a ContractCheck, to record as a verification result.
type ContractCheckResult struct {
	Consumer string
	SHA      string
	Success  bool
	Pending  bool
	WIP      bool
	// TestResults is the report, as the verification's test results.
	TestResults json.RawMessage
	// Summary names the first incompatibilities of a failure in one line,
	// for can-i-deploy's reasons.
	Summary string
}

// ContractCheckedBy is the "verifiedBy" of a verification result that is a
// provider contract check, so people and tools can tell the two apart.
var ContractCheckedBy = json.RawMessage(`{"implementation":"Accord provider contract check","version":"1"}`)

// ProviderContractStore persists provider contracts and the outbox of
// checks their publications trigger.
type ProviderContractStore interface {
	// PublishProviderContract records the contract and queues its check,
	// all or nothing.
	PublishProviderContract(ctx context.Context, req ProviderContractRequest) (ProviderContract, error)
	// GetProviderContract returns the contract of a provider version.
	GetProviderContract(ctx context.Context, provider, version string) (ProviderContract, error)
	// LatestProviderContract returns the provider's newest contract.
	LatestProviderContract(ctx context.Context, provider string) (ProviderContract, error)
	// ProviderContractVersions returns which of the provider's versions
	// have a contract, without reading the contracts.
	ProviderContractVersions(ctx context.Context, provider string, versions []string) (map[string]bool, error)

	// ContractCheckResults returns the newest check result of each pact
	// content against the contract of a provider version, by consumer.
	ContractCheckResults(ctx context.Context, provider, version string) ([]Verification, error)

	// ClaimContractChecks leases up to limit due checks to owner.
	ClaimContractChecks(ctx context.Context, owner string, lease time.Duration, limit int) ([]ContractCheck, error)
	// CheckedBefore returns, among shas, the pact contents already checked
	// against content equal to the contract's: for this provider version
	// (done: nothing to record) or another one (reused: the result to copy).
	// Contents the contract's provider version verified by running them
	// are done too: that replay decides, never a check.
	CheckedBefore(ctx context.Context, c ProviderContract, shas []string) (done map[string]bool, reused map[string]ContractCheckResult, err error)
	// FinishContractCheck records the results as verifications by the
	// contract's provider version and removes the check, in one
	// transaction; false when the lease was lost (nothing is recorded).
	FinishContractCheck(ctx context.Context, owner string, check ContractCheck, results []ContractCheckResult) (bool, error)
	// RetryContractCheck hands a check that failed back for a later attempt.
	RetryContractCheck(ctx context.Context, owner string, check ContractCheck, at time.Time) error
}
