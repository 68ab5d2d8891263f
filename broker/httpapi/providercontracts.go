package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/openapi"
)

// Provider contracts, published as the pact CLI 18.1.2 does it:
//
//	pact pactflow publish-provider-contract oas.yaml --provider P -a 1 --branch main \
//	  --content-type application/yaml --verification-success --verifier schemathesis
//
// reads the index's pf:publish-provider-contract relation and POSTs to it
// (with {provider} replaced) a JSON body:
//
//	{"pacticipantVersionNumber": "1", "branch": "main", "tags": ["t"], "buildUrl": "...",
//	 "contract": {"content": "<base64>", "contentType": "application/yaml", "specification": "oas",
//	   "selfVerificationResults": {"success": true, "content": "<base64>", "contentType": "text/plain",
//	     "format": "text", "verifier": "schemathesis", "verifierVersion": "..."}}}
//
// The CLI sends selfVerificationResults only with --verifier,
// --verifier-version or --verification-results: without them
// --verification-success, --no-verification-success and
// --verification-exit-code reach no broker. Such a contract is judged by
// compatibility alone and its results say that no self-verification was
// reported. The CLI prints the notices of the response, and needs
// _embedded.version.number and _links["pb:pacticipant-version-tags"].

// maxContractSize bounds a provider contract document: far above any real
// OpenAPI document, far below what would make parsing it a burden.
const maxContractSize = 16 << 20

type providerContractBody struct {
	PacticipantVersionNumber string   `json:"pacticipantVersionNumber"`
	Branch                   string   `json:"branch"`
	Tags                     []string `json:"tags"`
	BuildURL                 string   `json:"buildUrl"`
	Contract                 *struct {
		Content                 string `json:"content"`
		ContentType             string `json:"contentType"`
		Specification           string `json:"specification"`
		SelfVerificationResults *struct {
			Success         *bool  `json:"success"`
			Content         string `json:"content"`
			ContentType     string `json:"contentType"`
			Format          string `json:"format"`
			Verifier        string `json:"verifier"`
			VerifierVersion string `json:"verifierVersion"`
		} `json:"selfVerificationResults"`
	} `json:"contract"`
}

// providerContractRequest validates a publication: the fields, the base64,
// and the document itself, so that nothing is stored for a document the
// broker cannot check against.
func providerContractRequest(provider string, b providerContractBody) (broker.ProviderContractRequest, error) {
	req := broker.ProviderContractRequest{Provider: provider, Version: b.PacticipantVersionNumber, Branch: b.Branch, Tags: b.Tags, BuildURL: b.BuildURL}
	if strings.TrimSpace(provider) == "" {
		return req, broker.Errorf(broker.Invalid, "the provider name in the URL is blank")
	}
	if req.Version == "" {
		return req, broker.FieldErrorf("pacticipantVersionNumber", "pacticipantVersionNumber is required: the provider version the contract describes (pass -a/--provider-app-version)")
	}
	c := b.Contract
	if c == nil || c.Content == "" {
		return req, broker.FieldErrorf("contract", "contract.content is required: the provider contract (an OpenAPI document), base64-encoded")
	}
	req.Specification = c.Specification
	if req.Specification == "" {
		req.Specification = "oas"
	}
	if req.Specification != "oas" {
		return req, broker.FieldErrorf("contract", "contract.specification %q is not supported; publish an OpenAPI document with specification \"oas\"", c.Specification)
	}
	content, err := base64.StdEncoding.DecodeString(c.Content)
	if err != nil {
		return req, broker.FieldErrorf("contract", "contract.content is not base64 (%v); encode the document with standard base64", err)
	}
	if len(content) > maxContractSize {
		return req, broker.FieldErrorf("contract", "the provider contract is %d MiB; the broker takes documents up to %d MiB", len(content)>>20, maxContractSize>>20)
	}
	req.Content = content
	req.ContentType = c.ContentType
	if req.ContentType == "" {
		req.ContentType = "application/yaml"
	}
	mt, _, err := mime.ParseMediaType(req.ContentType)
	if err != nil || !(strings.Contains(mt, "yaml") || strings.Contains(mt, "yml") || strings.HasSuffix(mt, "json")) {
		return req, broker.FieldErrorf("contract", "contract.contentType %q is neither YAML nor JSON; use application/yaml or application/json", c.ContentType)
	}
	if _, err := openapi.Parse(content); err != nil {
		var de *openapi.DocumentError
		if errors.As(err, &de) {
			return req, broker.FieldErrorf("contract", "%s", de.Reason)
		}
		return req, err
	}
	if sv := c.SelfVerificationResults; sv != nil {
		if sv.Success == nil {
			return req, broker.FieldErrorf("contract", "contract.selfVerificationResults.success is required (true or false)")
		}
		out := &broker.SelfVerification{Success: *sv.Success, ContentType: sv.ContentType, Format: sv.Format, Verifier: sv.Verifier, VerifierVersion: sv.VerifierVersion}
		if sv.Content != "" {
			text, err := base64.StdEncoding.DecodeString(sv.Content)
			if err != nil {
				return req, broker.FieldErrorf("contract", "contract.selfVerificationResults.content is not base64 (%v)", err)
			}
			out.Content = string(text)
		}
		req.SelfVerification = out
	}
	return req, nil
}

// providerContractNotices are what the CLI prints after publishing.
func providerContractNotices(c broker.ProviderContract, contractURL string) []broker.Notice {
	notices := []broker.Notice{{Type: "success", Text: fmt.Sprintf("Provider contract for %s version %s published.", c.Provider, c.ProviderVersion)}}
	switch sv := c.SelfVerification; {
	case sv == nil:
		notices = append(notices, broker.Notice{Type: "warning", Text: "No self-verification results were sent (the pact CLI sends them only with --verifier or --verification-results), so the contract's compatibility results rest on the document alone."})
	case !sv.Success:
		notices = append(notices, broker.Notice{Type: "warning", Text: "The self-verification failed: every consumer pact checked against this contract is recorded as a failed verification."})
	}
	return append(notices,
		broker.Notice{Type: "info", Text: "Each consumer pact the usual selectors pick is being checked against the contract; can-i-deploy waits for the results with --retry-while-unknown."},
		broker.Notice{Type: "debug", Text: "  View the provider contract at " + contractURL})
}

// providerContractJSON is the provider contract resource: the document, the
// self-verification, and the compatibility of each checked consumer pact.
func (l links) providerContractJSON(c broker.ProviderContract, checks []broker.Verification) map[string]any {
	self := l.providerContract(c.Provider, c.ProviderVersion)
	var compat []map[string]any
	for _, v := range checks {
		entry := map[string]any{
			"consumer": v.Consumer,
			"pactSha":  v.SHA,
			"success":  v.Success,
			"pending":  v.Pending,
			"wip":      v.WIP,
			"_links": map[string]any{
				"pb:pact-version":        Link{Href: l.pactSHA(c.Provider, v.Consumer, v.SHA), Title: "Pact"},
				"pb:verification-result": Link{Href: l.url("pacts", "provider", c.Provider, "consumer", v.Consumer, "pact-version", v.SHA, "verification-results", fmt.Sprint(v.Number)), Title: "Verification result"},
			},
		}
		var tr contractcheck.TestResults
		if json.Unmarshal(v.TestResults, &tr) == nil {
			entry["summary"] = tr.Summary
			entry["reasons"] = tr.Reasons
			entry["compatibility"] = tr.Compatibility
		}
		compat = append(compat, entry)
	}
	body := map[string]any{
		"provider":        c.Provider,
		"providerVersion": c.ProviderVersion,
		"branch":          c.Branch,
		"sha":             c.SHA,
		"specification":   c.Specification,
		"contentType":     c.ContentType,
		"content":         string(c.Content),
		"createdAt":       c.CreatedAt,
		"_embedded":       map[string]any{"compatibility": compat},
		"_links": map[string]any{
			"self":                                   Link{Href: self, Title: "Provider contract"},
			"pb:pacticipant":                         Link{Href: l.pacticipant(c.Provider), Title: "Pacticipant", Name: c.Provider},
			"pb:pacticipant-version":                 Link{Href: l.version(c.Provider, c.ProviderVersion), Title: "Pacticipant version", Name: c.ProviderVersion},
			"pf:self-verification":                   Link{Href: self + "/self-verification", Title: "Provider contract self-verification"},
			"pf:cross-contract-verification-results": Link{Href: self + "/cross-contract-verification-results", Title: "Cross-contract verification results"},
		},
	}
	if sv := c.SelfVerification; sv != nil {
		body["selfVerificationResults"] = sv
	}
	if compat == nil {
		body["_embedded"] = map[string]any{"compatibility": []any{}}
	}
	return body
}

// publishProviderContract is POST /provider-contracts/provider/{provider}/publish,
// the index's pf:publish-provider-contract. The checks it calls for are
// queued in its transaction and made in the background: the response does
// not wait for them.
func (s *Server) publishProviderContract(w http.ResponseWriter, r *http.Request, p params) error {
	var b providerContractBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	req, err := providerContractRequest(p["provider"], b)
	if err != nil {
		return err
	}
	c, err := s.svc.ProviderContracts.PublishProviderContract(r.Context(), req)
	if err != nil {
		return err
	}
	l := s.links(r)
	self := l.providerContract(c.Provider, c.ProviderVersion)
	tags := []Link{}
	for _, t := range req.Tags {
		tags = append(tags, Link{Href: l.tag(c.Provider, c.ProviderVersion, t), Title: "Tag", Name: t})
	}
	links := map[string]any{
		"pb:pacticipant":              Link{Href: l.pacticipant(c.Provider), Title: "Pacticipant", Name: c.Provider},
		"pb:pacticipant-version":      Link{Href: l.version(c.Provider, c.ProviderVersion), Title: "Pacticipant version", Name: c.ProviderVersion},
		"pb:pacticipant-version-tags": tags,
		"pf:provider-contract":        Link{Href: self, Title: "Provider contract"},
	}
	if req.Branch != "" {
		links["pb:branch-version"] = Link{Href: l.branchVersion(c.Provider, req.Branch, c.ProviderVersion), Title: "Branch version", Name: req.Branch}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"notices": providerContractNotices(c, self),
		"_embedded": map[string]any{
			"pacticipant": map[string]any{"name": c.Provider, "_links": map[string]any{"self": Link{Href: l.pacticipant(c.Provider), Title: "Pacticipant", Name: c.Provider}}},
			"version":     map[string]any{"number": c.ProviderVersion, "_links": map[string]any{"self": Link{Href: l.version(c.Provider, c.ProviderVersion), Title: "Version", Name: c.ProviderVersion}}},
		},
		"_links": links,
	})
	return nil
}

// providerContract is GET /provider-contracts/provider/{provider}/version/{version}
// and …/latest: the document, the self-verification, and the compatibility
// of each consumer pact checked against it.
func (s *Server) providerContract(w http.ResponseWriter, r *http.Request, p params) error {
	c, err := s.findProviderContract(r, p)
	if err != nil {
		return err
	}
	checks, err := s.svc.ProviderContracts.ContractCheckResults(r.Context(), c.Provider, c.ProviderVersion)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).providerContractJSON(c, checks))
	return nil
}

// providerContractSelfVerification is GET …/version/{version}/self-verification:
// what the provider reported of testing itself against its contract, with
// the results' text.
func (s *Server) providerContractSelfVerification(w http.ResponseWriter, r *http.Request, p params) error {
	c, err := s.findProviderContract(r, p)
	if err != nil {
		return err
	}
	l := s.links(r)
	body := map[string]any{
		"provider": c.Provider, "providerVersion": c.ProviderVersion, "reported": c.SelfVerification != nil,
		"_links": map[string]any{
			"self":                 Link{Href: l.providerContract(c.Provider, c.ProviderVersion) + "/self-verification", Title: "Provider contract self-verification"},
			"pf:provider-contract": Link{Href: l.providerContract(c.Provider, c.ProviderVersion), Title: "Provider contract"},
		},
	}
	if sv := c.SelfVerification; sv != nil {
		body["success"] = sv.Success
		body["content"] = sv.Content
		body["contentType"] = sv.ContentType
		body["format"] = sv.Format
		body["verifier"] = sv.Verifier
		body["verifierVersion"] = sv.VerifierVersion
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// crossContractVerificationResults is GET …/version/{version}/cross-contract-verification-results:
// the compatibility of each consumer pact checked against the contract.
func (s *Server) crossContractVerificationResults(w http.ResponseWriter, r *http.Request, p params) error {
	c, err := s.findProviderContract(r, p)
	if err != nil {
		return err
	}
	checks, err := s.svc.ProviderContracts.ContractCheckResults(r.Context(), c.Provider, c.ProviderVersion)
	if err != nil {
		return err
	}
	l := s.links(r)
	full := l.providerContractJSON(c, checks)
	writeJSON(w, http.StatusOK, map[string]any{
		"provider": c.Provider, "providerVersion": c.ProviderVersion, "sha": c.SHA,
		"_embedded": full["_embedded"],
		"_links": map[string]any{
			"self":                 Link{Href: l.providerContract(c.Provider, c.ProviderVersion) + "/cross-contract-verification-results", Title: "Cross-contract verification results"},
			"pf:provider-contract": Link{Href: l.providerContract(c.Provider, c.ProviderVersion), Title: "Provider contract"},
		},
	})
	return nil
}

func (s *Server) findProviderContract(r *http.Request, p params) (broker.ProviderContract, error) {
	if v, ok := p["version"]; ok {
		return s.svc.ProviderContracts.GetProviderContract(r.Context(), p["provider"], v)
	}
	return s.svc.ProviderContracts.LatestProviderContract(r.Context(), p["provider"])
}

func (l links) providerContract(provider, version string) string {
	return l.url("provider-contracts", "provider", provider, "version", version)
}
