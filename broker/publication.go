package broker

import (
	"fmt"
	"strings"
)

// The decisions of the write path: what publishing a pact does, and
// whether it changed the content (contract_content_changed). They are pure
// functions over facts the store reads inside its transaction; the store
// then applies the answer.

// PriorPublication is the pact already published for a consumer version and
// provider, when there is one.
type PriorPublication struct {
	SHA string
	// Content is read only to merge into it (PactMerged).
	Content PactDocument
}

// DecidePublication decides what publishing content with sha for consumer
// version and provider does, given the publication already there (nil:
// none): PactCreated, PactContentSame (the same content again), PactMerged
// (merge requested and the content differs: the store merges with
// MergePublication), or a Conflict — changing the content of a published
// version makes can-i-deploy unreliable.
func DecidePublication(consumer, version, provider string, prior *PriorPublication, sha string, merge bool) (PactOutcome, error) {
	return PublicationRules{}.Decide(consumer, version, provider, prior, sha, merge)
}

// PublicationRules are the operator's settings for publishing.
type PublicationRules struct {
	// AllowContentChange lets changed content replace the pact published
	// for a consumer version (PactOverwritten) instead of a Conflict: the
	// official broker's allow_dangerous_contract_modification, for
	// migrations and emergencies.
	AllowContentChange bool
}

// Decide is DecidePublication under the rules.
func (rules PublicationRules) Decide(consumer, version, provider string, prior *PriorPublication, sha string, merge bool) (PactOutcome, error) {
	switch {
	case prior == nil:
		return PactCreated, nil
	case prior.SHA == sha:
		return PactContentSame, nil
	case merge:
		return PactMerged, nil
	case rules.AllowContentChange:
		return PactOverwritten, nil
	}
	msg := fmt.Sprintf("Cannot change the content of the pact for %s version %s and provider %s, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number. Some Pact libraries generate random data when a concrete value for a type matcher is not specified, and this can cause the contract to change between test runs. Publish the changed pact with a new consumer version number (for example the git sha of the change).", consumer, version, provider)
	return "", &Error{Code: Conflict, Field: "contracts", Message: msg}
}

// MergePublication adds the interactions of incoming to the content
// published before and returns the merged document with its outcome:
// PactMerged, or PactContentSame when incoming added nothing. It changes
// prior.Content.
func MergePublication(prior PriorPublication, incoming PactDocument) (PactDocument, PactOutcome, error) {
	merged := prior.Content
	if err := merged.Merge(incoming); err != nil {
		return nil, "", err
	}
	if merged.ContentSHA() == prior.SHA {
		return merged, PactContentSame, nil
	}
	return merged, PactMerged, nil
}

// EarlierPact is the latest publication, for the same consumer and
// provider, by a consumer version older than the one publishing, among
// versions carrying one tag (or among untagged versions).
type EarlierPact struct {
	// Found is false when there is no such publication.
	Found bool
	// SameContent is true when it has the content just published.
	SameContent bool
}

// ContentChangeFacts is what the contract_content_changed rule looks at for
// one publication. Tags and Earlier are read only for PactCreated.
type ContentChangeFacts struct {
	Pact    Pact
	Outcome PactOutcome
	// Tags are the consumer version's tags, in the order they were added.
	Tags []string
	// Earlier holds, per tag, the latest earlier publication with the tag;
	// under "" the latest earlier untagged one (used when Tags is empty).
	Earlier map[string]EarlierPact
}

// ContentChange is the Pact Broker's contract_content_changed rule for one
// publication; the webhook outbox and the publish response's "Events
// detected" notice both take their answer from here. A merge that changed
// the content is a change; republishing the same content for the same
// version is none. A pact new to its consumer version is a change when, for
// some tag of the version (or among untagged versions when it has none),
// there is no earlier version's pact or the latest earlier one has other
// content. why gives the reason in the Pact Broker's words.
func ContentChange(f ContentChangeFacts) (changed bool, why string) {
	switch f.Outcome {
	case PactMerged, PactOverwritten:
		return true, fmt.Sprintf("pact content modified since previous publication for %s version %s", f.Pact.Consumer, f.Pact.ConsumerVersion)
	case PactCreated:
	default:
		return false, ""
	}
	if len(f.Tags) == 0 {
		switch e := f.Earlier[""]; {
		case !e.Found:
			return true, "first time untagged pact published"
		case !e.SameContent:
			return true, "pact content has changed since previous untagged version"
		}
		return false, "pact content is the same as the previous untagged version"
	}
	var reasons []string
	for _, t := range f.Tags {
		switch e := f.Earlier[t]; {
		case !e.Found:
			reasons = append(reasons, "first time any pact published for this consumer with consumer version tagged "+t)
		case !e.SameContent:
			reasons = append(reasons, "pact content has changed since the last consumer version tagged with "+t)
		}
	}
	if len(reasons) > 0 {
		return true, strings.Join(reasons, ", ")
	}
	if len(f.Tags) == 1 {
		return false, fmt.Sprintf("pact content is the same as previous version with tag %s and no new tags were applied", f.Tags[0])
	}
	return false, fmt.Sprintf("pact content is the same as previous versions with tags %s and no new tags were applied", strings.Join(f.Tags, ", "))
}
