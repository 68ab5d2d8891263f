package pipeline

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// ProviderContract is a provider's OpenAPI document to publish, with the
// result of the provider testing itself against it (bi-directional contract
// testing: the broker checks every consumer pact against the document).
type ProviderContract struct {
	Provider, Version, Branch string
	Tags                      []string
	BuildURL                  string
	// File is the OpenAPI document (YAML or JSON); ContentType is read
	// from its extension when empty.
	File, ContentType string
	// SelfVerified is the provider's own test result; unlike the pact CLI,
	// accord sends it even without a results file or verifier name.
	SelfVerified bool
	// Results is a file with the output of that test (optional), with its
	// content type and format.
	Results, ResultsContentType, ResultsFormat string
	Verifier, VerifierVersion                  string
}

// PublishProviderContract publishes a provider contract through the
// broker's pf:publish-provider-contract relation, with the body the official
// pact CLI sends, and prints the broker's notices.
func (p *Pipeline) PublishProviderContract(ctx context.Context, c ProviderContract) error {
	stage := "publish-provider-contract " + c.Provider
	if err := p.needBroker(stage); err != nil {
		return err
	}
	doc, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("%s: read the provider contract: %w", stage, err)
	}
	if c.ContentType == "" {
		c.ContentType = "application/yaml"
		if strings.HasSuffix(strings.ToLower(c.File), ".json") {
			c.ContentType = "application/json"
		}
	}
	self := map[string]any{"success": c.SelfVerified}
	if c.Results != "" {
		out, err := os.ReadFile(c.Results)
		if err != nil {
			return fmt.Errorf("%s: read the verification results: %w", stage, err)
		}
		self["content"] = base64.StdEncoding.EncodeToString(out)
	}
	for k, v := range map[string]string{"contentType": c.ResultsContentType, "format": c.ResultsFormat, "verifier": c.Verifier, "verifierVersion": c.VerifierVersion} {
		if v != "" {
			self[k] = v
		}
	}
	body := map[string]any{
		"pacticipantVersionNumber": c.Version,
		"contract": map[string]any{
			"content": base64.StdEncoding.EncodeToString(doc), "contentType": c.ContentType, "specification": "oas",
			"selfVerificationResults": self,
		},
	}
	if c.Branch != "" {
		body["branch"] = c.Branch
	}
	if len(c.Tags) > 0 {
		body["tags"] = c.Tags
	}
	if c.BuildURL != "" {
		body["buildUrl"] = c.BuildURL
	}
	href, err := p.Broker.relation(ctx, "pf:publish-provider-contract", map[string]string{"provider": c.Provider})
	if err != nil {
		return fmt.Errorf("%s: %w", stage, err)
	}
	var out struct {
		Notices []struct{ Type, Text string } `json:"notices"`
	}
	if err := p.Broker.post(ctx, href, body, &out); err != nil {
		return fmt.Errorf("%s: %w", stage, err)
	}
	for _, n := range out.Notices {
		if n.Type != "debug" {
			fmt.Fprintln(p.Stdout, n.Text)
		}
	}
	return nil
}
