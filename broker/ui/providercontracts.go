package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/openapi"
)

// Provider contract pages (bi-directional contract testing): the provider's
// OpenAPI document written out for a person with its self-verification, and
// the compatibility of each consumer pact checked against it, at the URLs
// of the API's provider contract resources.

func (a serviceSource) ProviderContract(ctx context.Context, provider, version string) (broker.ProviderContract, []broker.Verification, error) {
	var c broker.ProviderContract
	var err error
	if version == "" {
		c, err = a.svc.ProviderContracts.LatestProviderContract(ctx, provider)
	} else {
		c, err = a.svc.ProviderContracts.GetProviderContract(ctx, provider, version)
	}
	if err != nil {
		return c, nil, err
	}
	checks, err := a.svc.ProviderContracts.ContractCheckResults(ctx, c.Provider, c.ProviderVersion)
	return c, checks, err
}

func (a serviceSource) ProviderContractVersions(ctx context.Context, provider string, versions []string) (map[string]bool, error) {
	if a.svc.ProviderContracts == nil {
		return nil, nil
	}
	return a.svc.ProviderContracts.ProviderContractVersions(ctx, provider, versions)
}

func (h *Handler) providerContractURL(provider, version string) string {
	return h.base + "/provider-contracts/provider/" + seg(provider) + "/version/" + seg(version)
}

type contractPage struct {
	Contract broker.ProviderContract
	// CompatibilityOnly shows the consumer pacts' results alone (the
	// cross-contract verification results page).
	CompatibilityOnly bool
	URL, CompatURL    string
	Outline           openapi.Outline
	ParseError        string
	Compat            []compatView
	Compatible        int
}

// compatView is one consumer pact's check against the contract.
type compatView struct {
	Consumer, SHA, PactURL string
	Success, Pending, WIP  bool
	Summary                string
	Interactions           []openapi.InteractionResult
	CheckedAt              any
}

func (h *Handler) providerContract(w http.ResponseWriter, r *http.Request) error {
	provider, version := r.PathValue("provider"), r.PathValue("version")
	c, checks, err := h.src.ProviderContract(r.Context(), provider, version)
	if err != nil {
		return err
	}
	d := contractPage{Contract: c, URL: h.providerContractURL(c.Provider, c.ProviderVersion)}
	d.CompatURL = d.URL + "/cross-contract-verification-results"
	d.CompatibilityOnly = strings.HasSuffix(r.URL.Path, "/cross-contract-verification-results")
	if doc, err := openapi.Parse(c.Content); err != nil {
		d.ParseError = err.Error()
	} else {
		d.Outline = doc.Outline()
	}
	for _, v := range checks {
		cv := compatView{Consumer: v.Consumer, SHA: v.SHA, Success: v.Success, Pending: v.Pending, WIP: v.WIP, CheckedAt: v.CreatedAt,
			PactURL: h.base + "/pacts/provider/" + seg(c.Provider) + "/consumer/" + seg(v.Consumer) + "/pact-version/" + seg(v.SHA)}
		var tr contractcheck.TestResults
		if json.Unmarshal(v.TestResults, &tr) == nil {
			cv.Summary = tr.Summary
			cv.Interactions = tr.Compatibility.Interactions
		}
		if v.Success {
			d.Compatible++
		}
		d.Compat = append(d.Compat, cv)
	}
	title := "Provider contract of " + c.Provider + " " + c.ProviderVersion
	if d.CompatibilityOnly {
		title = "Consumer pacts against the contract of " + c.Provider + " " + c.ProviderVersion
	}
	return h.render(w, http.StatusOK, "providercontract", title, "", d)
}
