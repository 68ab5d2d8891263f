package broker

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Webhook events, named as the Pact Broker names them.
const (
	EventContractPublished                      = "contract_published"
	EventContractContentChanged                 = "contract_content_changed"
	EventContractRequiringVerificationPublished = "contract_requiring_verification_published"
	EventProviderVerificationPublished          = "provider_verification_published"
	EventProviderVerificationSucceeded          = "provider_verification_succeeded"
	EventProviderVerificationFailed             = "provider_verification_failed"
	// EventTest names the context of a webhook run by hand (pb:execute).
	EventTest = "test"
	// DefaultWebhookEvent is used when a webhook names no events.
	DefaultWebhookEvent = EventContractContentChanged
)

// Statuses of a triggered webhook, and how it was triggered.
const (
	TriggeredNotRun         = "not_run"
	TriggeredRetrying       = "retrying"
	TriggeredSuccess        = "success"
	TriggeredFailure        = "failure"
	TriggerResourceCreation = "resource_creation"
)

// WebhookEvents lists every event a webhook may subscribe to.
var WebhookEvents = []string{
	EventContractPublished, EventContractContentChanged, EventContractRequiringVerificationPublished,
	EventProviderVerificationPublished, EventProviderVerificationSucceeded, EventProviderVerificationFailed,
}

// IsWebhookEvent reports whether name is an event webhooks can subscribe to.
func IsWebhookEvent(name string) bool {
	for _, e := range WebhookEvents {
		if e == name {
			return true
		}
	}
	return false
}

// WebhookPacticipant scopes a webhook to one pacticipant (Name) or to every
// pacticipant carrying a label (Label).
type WebhookPacticipant struct {
	Name  string
	Label string
}

// WebhookRequest is the HTTP request a webhook sends; URL, headers, body and
// credentials may hold ${pactbroker.*} template parameters.
type WebhookRequest struct {
	Method  string
	URL     string
	Headers map[string]string
	// Body is the JSON value given when the webhook was created: an object
	// or array is sent as JSON text, a string is sent as it is.
	Body     json.RawMessage
	Username string
	Password string
}

// Webhook is a saved webhook.
type Webhook struct {
	UUID        string
	Description string
	// Consumer and Provider restrict which pacts trigger the webhook; nil
	// means any.
	Consumer  *WebhookPacticipant
	Provider  *WebhookPacticipant
	Enabled   bool
	Events    []string
	Request   WebhookRequest
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookFilter selects webhooks for a list: by consumer and/or provider
// name (both empty lists every webhook).
type WebhookFilter struct {
	Consumer string
	Provider string
}

// WebhookContext is everything a triggered webhook needs to fill in its
// template parameters. It is captured in the transaction that triggered the
// webhook, so a delivery renders the facts as they were at that moment.
type WebhookContext struct {
	EventName             string   `json:"eventName"`
	Consumer              string   `json:"consumer,omitempty"`
	Provider              string   `json:"provider,omitempty"`
	ConsumerVersion       string   `json:"consumerVersion,omitempty"`
	ConsumerVersionBranch string   `json:"consumerVersionBranch,omitempty"`
	ConsumerVersionTags   []string `json:"consumerVersionTags,omitempty"`
	ConsumerLabels        []string `json:"consumerLabels,omitempty"`
	ProviderLabels        []string `json:"providerLabels,omitempty"`
	// SHA is the pact content; empty when there is no pact (a test run
	// with nothing published yet).
	SHA string `json:"sha,omitempty"`
	// VerificationNumber is 0 when there is no verification.
	VerificationNumber          int64    `json:"verificationNumber,omitempty"`
	VerificationSuccess         bool     `json:"verificationSuccess,omitempty"`
	ProviderVersion             string   `json:"providerVersion,omitempty"`
	ProviderVersionBranch       string   `json:"providerVersionBranch,omitempty"`
	ProviderVersionTags         []string `json:"providerVersionTags,omitempty"`
	ProviderVersionDescriptions []string `json:"providerVersionDescriptions,omitempty"`
	BuildURL                    string   `json:"buildUrl,omitempty"`
}

// TriggeredWebhook is one delivery of a webhook for one event: a row of the
// outbox, written in the transaction that caused it.
type TriggeredWebhook struct {
	ID          int64
	UUID        string
	WebhookUUID string
	EventName   string
	TriggerType string
	// Status is not_run, retrying, success or failure.
	Status   string
	Attempts int
	Context  WebhookContext
	// BaseURL is the broker URL of the request that triggered the webhook;
	// empty when unknown (the dispatcher then uses its configured one).
	BaseURL       string
	NextAttemptAt time.Time
	CreatedAt     time.Time
	// Webhook is the webhook as it is now (deliveries send the current
	// definition, as the Pact Broker does).
	Webhook Webhook
}

// WebhookExecution is the log of one attempt to deliver a triggered webhook.
type WebhookExecution struct {
	Success   bool
	Logs      string
	CreatedAt time.Time
}

// TriggeredFilter selects triggered webhooks: those of one pact publication
// (Consumer, Provider, ConsumerVersion), of one verification (Consumer,
// Provider, SHA, VerificationNumber) or, with only Consumer and Provider,
// the latest per webhook and event for the pair.
type TriggeredFilter struct {
	Consumer           string
	Provider           string
	ConsumerVersion    string
	SHA                string
	VerificationNumber int64
}

// DeliveryOutcome is what one delivery attempt did.
type DeliveryOutcome struct {
	Success bool
	Logs    string
	// RetryAfter schedules another attempt when the attempt failed; zero
	// gives up (status failure).
	RetryAfter time.Duration
}

type baseURLKey struct{}

// WithBaseURL records in ctx the broker URL a request came in on; webhooks
// triggered under ctx link to the broker through it.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, base)
}

// BaseURL returns the URL recorded by WithBaseURL, or "".
func BaseURL(ctx context.Context) string {
	s, _ := ctx.Value(baseURLKey{}).(string)
	return s
}

// VersionRef names a version of a pacticipant the store knows.
type VersionRef struct {
	ID     int64
	Number string
	// Branch is the version's branch (the latest it was added to).
	Branch string
}

// RequiredVerificationFacts are the provider versions that may have to
// verify newly published pact content, and which of them already did.
type RequiredVerificationFacts struct {
	// MainBranchHead is the latest version of the provider's main branch;
	// nil when it has none.
	MainBranchHead *VersionRef
	// Deployed and Released are the provider versions currently deployed
	// or released, oldest first, with their environment's name.
	Deployed, Released []EnvironmentVersion
	// Verified holds the IDs of the versions above that already verified
	// the content.
	Verified map[int64]bool
}

// EnvironmentVersion is a version in an environment.
type EnvironmentVersion struct {
	Version     VersionRef
	Environment string
}

// RequiredVerification is a provider version that must verify published
// content, with why in the Pact Broker's words ("latest from main branch",
// "deployed in production").
type RequiredVerification struct {
	Version      VersionRef
	Descriptions []string
}

// RequiredVerifications decides which provider versions must verify newly
// published content (contract_requiring_verification_published): the head
// of the provider's main branch and every version currently deployed or
// released, each once with all its reasons, unless it already verified the
// content.
func RequiredVerifications(f RequiredVerificationFacts) []RequiredVerification {
	var out []RequiredVerification
	add := func(v VersionRef, desc string) {
		for i := range out {
			if out[i].Version.ID == v.ID {
				if !slices.Contains(out[i].Descriptions, desc) {
					out[i].Descriptions = append(out[i].Descriptions, desc)
				}
				return
			}
		}
		out = append(out, RequiredVerification{Version: v, Descriptions: []string{desc}})
	}
	if f.MainBranchHead != nil {
		add(*f.MainBranchHead, "latest from main branch")
	}
	for _, d := range f.Deployed {
		add(d.Version, "deployed in "+d.Environment)
	}
	for _, r := range f.Released {
		add(r.Version, "released in "+r.Environment)
	}
	return slices.DeleteFunc(out, func(r RequiredVerification) bool { return f.Verified[r.Version.ID] })
}
