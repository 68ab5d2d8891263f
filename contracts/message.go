package contracts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	v4 "github.com/pact-foundation/pact-go/v2/message/v4"
)

// NewMessagePact returns a pact-go V4 asynchronous-message pact for the pair:
// the consumer states which messages it can handle, and the provider later
// proves it produces them. Files go where NewHTTPPact puts them.
func NewMessagePact(t testing.TB, consumerName, providerName string) *v4.AsynchronousPact {
	t.Helper()
	dir := pactDirFor(t, consumerName, providerName)
	p, err := v4.NewAsynchronousPact(v4.Config{Consumer: consumerName, Provider: providerName, PactDir: dir})
	if err != nil {
		t.Fatalf("contracts: message pact %s -> %s: %v\n(is libpact_ffi 0.4.28 installed? `accord doctor` checks, `accord setup` installs it)", consumerName, providerName, err)
	}
	return p
}

// NewSyncMessagePact returns a pact-go V4 synchronous-message pact for the
// pair: the consumer states which request messages it sends and which
// response messages it needs back (over a queue's request/reply, a socket,
// anything that is not HTTP), and the provider later proves it answers them
// (Provider.SyncMessages). Files go where NewHTTPPact puts them.
func NewSyncMessagePact(t testing.TB, consumerName, providerName string) *v4.SynchronousPact {
	t.Helper()
	dir := pactDirFor(t, consumerName, providerName)
	p, err := v4.NewSynchronousPact(v4.Config{Consumer: consumerName, Provider: providerName, PactDir: dir})
	if err != nil {
		t.Fatalf("contracts: synchronous message pact %s -> %s: %v\n(is libpact_ffi 0.4.28 installed? `accord doctor` checks, `accord setup` installs it)", consumerName, providerName, err)
	}
	return p
}

// Message is what a message producer hands to the verifier: the bytes it
// would put on the wire and their metadata (e.g. "contentType").
type Message struct {
	Body     []byte
	Metadata map[string]any
}

// MessageProducer produces the message a pact describes, from the
// provider's real code, after the interaction's provider states are set up.
type MessageProducer func(ctx context.Context) (Message, error)

// SyncMessageHandler answers a synchronous message (a V4 pact's
// "Synchronous/Messages" interaction: a request message and the response
// message it gets), from the provider's real code, after the interaction's
// provider states are set up.
type SyncMessageHandler func(ctx context.Context, request Message) (Message, error)

// decodeSyncRequest reads the request of a synchronous message as the
// verifier sends it: {"contents": {"content": ..., "contentType": ...,
// "encoded": false|"base64"}, "metadata": {...}}.
func decodeSyncRequest(raw json.RawMessage) (Message, error) {
	var req struct {
		Contents struct {
			Content     json.RawMessage `json:"content"`
			ContentType string          `json:"contentType"`
			Encoded     any             `json:"encoded"`
		} `json:"contents"`
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return Message{}, fmt.Errorf("bad synchronous message request: %w", err)
	}
	m := Message{Metadata: req.Metadata}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	if req.Contents.ContentType != "" {
		m.Metadata["contentType"] = req.Contents.ContentType
	}
	c := req.Contents.Content
	switch enc := req.Contents.Encoded.(type) {
	case string:
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return Message{}, fmt.Errorf("bad synchronous message request: %s content is not a string", enc)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Message{}, fmt.Errorf("bad synchronous message request: %w", err)
		}
		m.Body = b
	default:
		var s string
		if json.Unmarshal(c, &s) == nil && !strings.Contains(req.Contents.ContentType, "json") {
			m.Body = []byte(s) // text content
		} else if len(c) > 0 && string(c) != "null" {
			m.Body = []byte(c)
		}
	}
	return m, nil
}

// writeMessage answers the verifier with m: its body, and its metadata
// base64-encoded in the Pact-Message-Metadata header.
func writeMessage(w http.ResponseWriter, m Message) {
	contentType := "application/json"
	for _, k := range []string{"contentType", "content-type", "Content-Type"} {
		if ct, ok := m.Metadata[k].(string); ok && ct != "" {
			contentType = ct
			break
		}
	}
	if len(m.Metadata) > 0 {
		meta, err := json.Marshal(m.Metadata)
		if err != nil {
			http.Error(w, "message metadata is not JSON: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Pact-Message-Metadata", base64.StdEncoding.EncodeToString(meta))
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(m.Body)
}
