package httpapi

import (
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker/httpedge"
)

// register declares the API's routes, each with the access it needs.
// ServeMux picks the most specific pattern, which for these routes is the
// route the Ruby broker's first-match order picks (a literal segment
// shadows a placeholder), with two documented exceptions: the slashed
// names and the shadowed webhook execution at the end.
func (s *Server) register() {
	read, write, public := httpedge.Read, httpedge.Write, httpedge.Public
	s.handle(read, "GET /{$}", s.index)
	heartbeat := read
	if s.cfg.PublicHeartbeat {
		heartbeat = public // for load balancers
	}
	s.handle(heartbeat, "GET /diagnostic/status/heartbeat", s.heartbeat)
	s.handle(read, "GET /metrics", s.metrics)

	// Pacts of one consumer and provider.
	pair := "/pacts/provider/{provider}/consumer/{consumer}"
	for _, version := range []string{pair + "/version/{version}", pair + "/versions/{version}", "/pact/provider/{provider}/consumer/{consumer}/version/{version}"} {
		s.handle(read, "GET "+version, s.getPact)
		s.handle(write, "PUT "+version, s.putPact)
		s.handle(write, "PATCH "+version, s.patchPact)
		s.handle(write, "DELETE "+version, s.deletePact)
	}
	s.handle(read, "GET "+pair+"/versions", s.pactVersions)
	s.handle(read, "GET "+pair+"/pact-version/{sha}", s.getPact)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/metadata/{metadata}", s.getPact)
	s.handle(read, "GET "+pair+"/latest", s.getPact)
	s.handle(read, "GET /pact/provider/{provider}/consumer/{consumer}/latest", s.getPact)
	s.handle(read, "GET "+pair+"/latest/{tag}", s.getPact)
	s.handle(read, "GET "+pair+"/latest-untagged", s.getPact)
	s.handle(read, "GET "+pair+"/branch/{branch}/latest", s.getPact)
	s.handle(read, "GET "+pair+"/tag/{tag}", s.consumerProviderPacts)
	s.handle(read, "GET "+pair+"/branch/{branch}", s.consumerProviderPacts)
	s.handle(read, "GET "+pair+"/branch", s.consumerProviderPacts)

	// Verification results.
	s.handle(write, "POST "+pair+"/pact-version/{sha}/verification-results", s.postVerification)
	s.handle(write, "POST "+pair+"/pact-version/{sha}/metadata/{metadata}/verification-results", s.postVerification)
	s.handle(read, "GET "+pair+"/version/{version}/verification-results/latest", s.getVerification)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/verification-results/latest", s.getVerification)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/verification-results/{number}", s.getVerification)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/metadata/{metadata}/verification-results/{number}", s.getVerification)
	s.handle(read, "GET "+pair+"/latest/verification-results/latest", s.getVerification)
	for _, result := range []string{pair + "/version/{version}/verification-results/latest", pair + "/pact-version/{sha}/verification-results/latest",
		pair + "/pact-version/{sha}/verification-results/{number}", pair + "/pact-version/{sha}/metadata/{metadata}/verification-results/{number}",
		pair + "/latest/verification-results/latest", pair + "/latest/{tag}/verification-results/latest"} {
		s.handle(write, "DELETE "+result, s.deleteVerification)
	}

	// Pacts of one provider.
	s.handle(read, "GET /pacts/latest", s.latestPacts)
	s.handle(read, "GET /pacts/provider/{provider}", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/latest", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/latest/{tag}", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/tag/{tag}", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/branch", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/branch/latest", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/branch/{branch}", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/branch/{branch}/latest", s.providerPacts)
	s.handle(read, "GET /pacts/provider/{provider}/for-verification", s.forVerification)
	s.handle(read, "POST /pacts/provider/{provider}/for-verification", s.forVerification) // a query with a body
	s.handle(write, "POST /contracts/publish", s.publishContracts)

	// Pacticipants, versions, tags and branches.
	s.handle(read, "GET /pacticipants", s.listPacticipants)
	s.handle(write, "POST /pacticipants", s.createPacticipant)
	s.handle(read, "GET /pacticipants/{pacticipant}", s.getPacticipant)
	s.handle(write, "PUT /pacticipants/{pacticipant}", s.putPacticipant)
	s.handle(write, "PATCH /pacticipants/{pacticipant}", s.patchPacticipant)
	s.handle(write, "DELETE /pacticipants/{pacticipant}", s.deletePacticipant)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions", s.listVersions)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions/{version}", s.getVersion)
	s.handle(write, "PUT /pacticipants/{pacticipant}/versions/{version}", s.putVersion)
	s.handle(write, "PATCH /pacticipants/{pacticipant}/versions/{version}", s.patchVersion)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/versions/{version}", s.deleteVersion)
	s.handle(read, "GET /pacticipants/{pacticipant}/latest-version", s.latestVersion)
	s.handle(read, "GET /pacticipants/{pacticipant}/latest-version/{tag}", s.latestVersion)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.getTag)
	s.handle(write, "PUT /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.putTag)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.deleteTag)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches", s.listBranches)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches/{branch}", s.getBranch)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/branches/{branch}", s.deleteBranch)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches/{branch}/latest-version", s.latestVersion)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches/{branch}/versions", s.branchVersions)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches/{branch}/versions/{version}", s.getBranchVersion)
	s.handle(write, "PUT /pacticipants/{pacticipant}/branches/{branch}/versions/{version}", s.putBranchVersion)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/branches/{branch}/versions/{version}", s.deleteBranchVersion)

	// Environments, deployments and releases.
	s.handle(read, "GET /environments", s.listEnvironments)
	s.handle(write, "POST /environments", s.createEnvironment)
	s.handle(read, "GET /environments/{uuid}", s.getEnvironment)
	s.handle(write, "PUT /environments/{uuid}", s.putEnvironment)
	s.handle(write, "DELETE /environments/{uuid}", s.deleteEnvironment)
	s.handle(read, "GET /environments/{uuid}/deployed-versions/currently-deployed", s.currentlyDeployed)
	s.handle(read, "GET /environments/{uuid}/released-versions/currently-supported", s.currentlySupported)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}", s.versionDeployments)
	s.handle(write, "POST /pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}", s.recordDeployment)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}", s.versionReleases)
	s.handle(write, "POST /pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}", s.recordRelease)
	s.handle(read, "GET /deployed-versions/{uuid}", s.getDeployedVersion)
	s.handle(write, "PATCH /deployed-versions/{uuid}", s.patchDeployedVersion)
	s.handle(read, "GET /released-versions/{uuid}", s.getReleasedVersion)
	s.handle(write, "PATCH /released-versions/{uuid}", s.patchReleasedVersion)

	// The matrix and can-i-deploy.
	s.handle(read, "GET /matrix", s.matrix)
	s.handle(read, "GET /matrix/provider/{provider}/consumer/{consumer}", s.matrixForPair)
	s.handle(read, "GET /can-i-deploy", s.canIDeploy)
	s.handle(read, "GET /pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}", s.canIDeployTagToTag)
	s.handle(read, "GET /pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}", s.canIDeployBranchToEnvironment)
	s.handle(read, "GET /pacticipants/{pacticipant}/main-branch/can-i-merge", s.canIMerge)

	// Webhooks.
	for _, list := range []string{"/webhooks", "/webhooks/provider/{provider}", "/webhooks/consumer/{consumer}", "/webhooks/provider/{provider}/consumer/{consumer}", pair + "/webhooks"} {
		s.handle(read, "GET "+list, s.listWebhooks)
		s.handle(write, "POST "+list, s.createWebhook)
	}
	s.handle(read, "GET "+pair+"/webhooks/status", s.webhooksStatus)
	s.handle(read, "GET "+pair+"/version/{version}/triggered-webhooks", s.pactTriggeredWebhooks)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/verification-results/{number}/triggered-webhooks", s.verificationTriggeredWebhooks)
	s.handle(read, "GET /webhooks/{uuid}", s.getWebhook)
	s.handle(write, "PUT /webhooks/{uuid}", s.putWebhook)
	s.handle(write, "DELETE /webhooks/{uuid}", s.deleteWebhook)
	s.handle(write, "POST /webhooks/execute", s.executeWebhook)
	s.handle(read, "GET /triggered-webhooks/{uuid}/logs", s.triggeredWebhookLogs)

	// Stubs, field usage and route coverage.
	s.handle(read, "GET /stubs/provider/{provider}/environment/{environment}", s.stubPact)
	s.handle(read, "GET /stubs/provider/{provider}/branch/{branch}", s.stubPact)
	s.handle(read, "GET /field-usage/provider/{provider}", s.fieldUsage)
	s.handle(read, "GET /field-usage/provider/{provider}/consumer/{consumer}", s.consumerFieldUsage)
	s.handle(read, "GET /can-i-remove-field", s.canIRemoveField)
	s.handle(read, "GET /pacticipants/{pacticipant}/versions/{version}/route-coverage", s.getRouteCoverage)
	s.handle(read, "GET /pacticipants/{pacticipant}/route-coverage", s.routeCoverages)
	s.handle(write, "PUT /pacticipants/{pacticipant}/versions/{version}/route-coverage", s.putRouteCoverage)

	// What operators and teams use to look after a broker (issue 14):
	// provider states, diffs, labels, integrations and bulk deletes.
	s.handle(read, "GET /pacts/provider/{provider}/provider-states", s.providerStates)
	s.handle(read, "GET /pacts/provider/{provider}/provider-states/branch/{branch}", s.providerStates)
	s.handle(read, "GET /pacts/provider/{provider}/provider-states/environment/{uuid}", s.providerStates)
	s.handle(read, "GET "+pair+"/version/{version}/previous-distinct", s.getPreviousDistinct)
	s.handle(read, "GET "+pair+"/version/{version}/diff/previous-distinct", s.pactDiff)
	s.handle(read, "GET "+pair+"/version/{version}/diff/version/{comparison_version}", s.pactDiff)
	s.handle(read, "GET "+pair+"/pact-version/{sha}/diff/pact-version/{comparison_sha}", s.pactDiff)
	s.handle(read, "GET "+pair+"/latest/{tag}/verification-results/latest", s.getVerification)
	s.handle(read, "GET /verification-results/consumer/{consumer}/version/{version}/latest", s.consumerVersionVerifications)
	for _, list := range []string{pair + "/branch/versions", pair + "/branch/latest/versions", pair + "/branch/{branch}/latest/versions"} {
		s.handle(read, "GET "+list, s.branchPacts)
	}
	for _, list := range []string{pair + "/versions", pair + "/tag/{tag}", pair + "/branch/{branch}", pair + "/branch",
		pair + "/branch/versions", pair + "/branch/latest/versions", pair + "/branch/{branch}/latest/versions"} {
		s.handle(write, "DELETE "+list, s.deletePactList)
	}
	s.handle(read, "GET /labels", s.listLabels)
	s.handle(read, "GET /pacticipants/{pacticipant}/labels/{label}", s.getLabel)
	s.handle(write, "PUT /pacticipants/{pacticipant}/labels/{label}", s.putLabel)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/labels/{label}", s.deleteLabel)
	s.handle(read, "GET /integrations", s.integrations)
	s.handle(write, "DELETE /integrations", s.deleteAllIntegrations)
	s.handle(write, "DELETE /integrations/provider/{provider}/consumer/{consumer}", s.deleteIntegration)
	s.handle(write, "DELETE /pacticipants/{pacticipant}/branches", s.deleteBranches)
	s.handle(read, "GET /pacticipants/{pacticipant}/environments/{uuid}/versions", s.environmentVersions)
	s.handle(read, "GET /pacticipants/{pacticipant}/tags/{tag}/versions", s.tagVersions)
	s.handle(read, "GET /diagnostic/status/dependencies", s.dependencies)
	s.handle(read, "GET /relationships", s.relationships)
	s.handle(read, "GET /groups/{pacticipant}", s.group)
	s.handle(read, "GET /dashboard", s.dashboard)
	s.handle(read, "GET /dashboard/provider/{provider}/consumer/{consumer}", s.dashboard)
	s.handle(read, "GET /test/error", s.testError)
	s.handle(write, "POST /test/error", s.testError)
	s.handle(read, "GET /doc/{rel}", s.relationDoc) // what the curies point at

	// Provider contracts (bi-directional contract testing).
	contract := "/provider-contracts/provider/{provider}/version/{version}"
	s.handle(write, "POST /provider-contracts/provider/{provider}/publish", s.publishProviderContract)
	s.handle(read, "GET /provider-contracts/provider/{provider}/latest", s.providerContract)
	s.handle(read, "GET "+contract, s.providerContract)
	s.handle(read, "GET "+contract+"/self-verification", s.providerContractSelfVerification)
	s.handle(read, "GET "+contract+"/cross-contract-verification-results", s.crossContractVerificationResults)

	// What ServeMux cannot express.
	//
	// The Ruby broker lists the provider and consumer webhook lists first,
	// so /webhooks/provider/execute is the list of the provider "execute";
	// ServeMux refuses the overlap of {uuid}/execute with provider/{provider}.
	s.mux.HandleShadowed("POST /webhooks/{uuid}/execute", write, s.adapt("/webhooks/{uuid}/execute", s.executeWebhook))
	// The Ruby broker lists /pacticipants/label/{label} before the
	// pacticipant routes; ServeMux refuses its overlap with
	// /pacticipants/{pacticipant}/versions, so here a pacticipant named
	// "label" keeps /pacticipants/label/versions and …/branches.
	s.mux.HandleShadowed("GET /pacticipants/label/{label}", read, s.adapt("/pacticipants/label/{label}", s.labelledPacticipants))
	// Names with "/" not encoded as %2F (the pact CLI builds some of these
	// paths by hand): served by the routes above as if encoded, once no
	// route matches the path as sent.
	s.mux.HandleSlashed("/pacticipants/{pacticipant}/versions/{version}/tags/{tag...}")
	s.mux.HandleSlashed("/pacticipants/{pacticipant}/branches/{branch...}/versions/{version}")
	s.mux.HandleSlashed("/pacticipants/{pacticipant}/branches/{branch...}")
	s.mux.HandleSlashed("/pacts/provider/{provider}/branch/{branch...}/latest")
	s.mux.HandleSlashed("/pacts/provider/{provider}/branch/{branch...}")
}

// handle registers h for pattern ("METHOD /path/{name}"); h gets the
// pattern's wildcards as params.
func (s *Server) handle(access httpedge.Access, pattern string, h handlerFunc) {
	_, path, _ := strings.Cut(pattern, " ")
	s.mux.Handle(pattern, access, s.adapt(path, h))
}

func (s *Server) adapt(path string, h handlerFunc) httpedge.HandlerFunc {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok && seg != "{$}" {
			names = append(names, strings.TrimSuffix(name, "}"))
		}
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		p := make(params, len(names))
		for _, n := range names {
			p[n] = r.PathValue(n)
		}
		return h(w, r, p)
	}
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request, _ params) error {
	if err := s.svc.Health.Ping(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "_links": map[string]any{"self": Link{Href: s.links(r).url("diagnostic", "status", "heartbeat")}}})
	return nil
}

func (s *Server) index(w http.ResponseWriter, r *http.Request, _ params) error {
	l := s.links(r)
	t := func(href, title string) Link { return Link{Href: l.base + href, Title: title, Templated: true} }
	f := func(href, title string) Link { return Link{Href: l.base + href, Title: title} }
	idx := map[string]any{
		"self":                                               Link{Href: l.base, Title: "Index"},
		"pb:publish-pact":                                    t("/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}", "Publish a pact"),
		"pb:publish-contracts":                               f("/contracts/publish", "Publish contracts"),
		"pb:latest-pact-versions":                            f("/pacts/latest", "Latest pact versions"),
		"pb:tagged-pact-versions":                            t("/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}", "All versions of a pact for a given consumer, provider and consumer version tag"),
		"pb:branch-pact-versions":                            t("/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}", "All versions of a pact for a given consumer, provider and consumer version branch"),
		"pb:latest-branch-pact-versions":                     t("/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest", "Latest version of a pact for a given consumer, provider and consumer version branch"),
		"pb:main-branch-pact-versions":                       t("/pacts/provider/{provider}/consumer/{consumer}/branch", "All versions of a pact for a given consumer, provider and consumer main branch"),
		"pb:provider-pacts-with-main-branch":                 t("/pacts/provider/{provider}/branch", "All pact versions for the provider from the consumers' main branches"),
		"pb:provider-pacts-with-branch":                      t("/pacts/provider/{provider}/branch/{branch}", "All pact versions for the provider with the specified consumer version branch"),
		"pb:latest-provider-pacts-with-main-branch":          t("/pacts/provider/{provider}/branch/latest", "Latest pacts for the provider from the consumers' main branches"),
		"pb:latest-provider-pacts-with-branch":               t("/pacts/provider/{provider}/branch/{branch}/latest", "Latest pacts for the provider with the specified consumer version branch"),
		"pb:pacticipants":                                    f("/pacticipants", "Pacticipants"),
		"pb:metrics":                                         f("/metrics", "Get Pact Broker metrics"),
		"pb:pacticipant":                                     t("/pacticipants/{pacticipant}", "Fetch pacticipant by name"),
		"pb:latest-provider-pacts":                           t("/pacts/provider/{provider}/latest", "Latest pacts by provider"),
		"pb:latest-provider-pacts-with-tag":                  t("/pacts/provider/{provider}/latest/{tag}", "Latest pacts for provider with the specified tag"),
		"pb:provider-pacts-with-tag":                         t("/pacts/provider/{provider}/tag/{tag}", "All pact versions for the provider with the specified consumer version tag"),
		"pb:provider-pacts":                                  t("/pacts/provider/{provider}", "All pact versions for the specified provider"),
		"pb:latest-version":                                  t("/pacticipants/{pacticipant}/latest-version", "Latest pacticipant version"),
		"pb:latest-tagged-version":                           t("/pacticipants/{pacticipant}/latest-version/{tag}", "Latest pacticipant version with the specified tag"),
		"pb:webhooks":                                        f("/webhooks", "Webhooks"),
		"pb:webhook":                                         t("/webhooks/{uuid}", "Webhook"),
		"pb:pacticipant-version-tag":                         t("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "Get, create or delete a tag for a pacticipant version"),
		"pb:pacticipant-branch":                              t("/pacticipants/{pacticipant}/branches/{branch}", "Get or delete a pacticipant branch"),
		"pb:pacticipant-branch-version":                      t("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", "Get or add/create a pacticipant version for a branch"),
		"pb:pacticipant-version":                             t("/pacticipants/{pacticipant}/versions/{version}", "Get, create or delete a pacticipant version"),
		"pb:can-i-deploy-pacticipant-version-to-tag":         t("/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}", "Determine if an application version can be safely deployed to an environment identified by the given tag"),
		"pb:can-i-deploy-pacticipant-version-to-environment": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}", "Determine if an application version can be safely deployed to an environment"),
		"pb:provider-pacts-for-verification":                 t("/pacts/provider/{provider}/for-verification", "Pact versions to be verified for the specified provider"),
		"beta:provider-pacts-for-verification":               Link{Name: "beta", Href: l.base + "/pacts/provider/{provider}/for-verification", Title: "DEPRECATED - please use pb:provider-pacts-for-verification", Templated: true},
		"pb:integrations":                                    f("/integrations", "Integrations"),
		"pb:environments":                                    f("/environments", "Environments"),
		"pb:environment":                                     t("/environments/{uuid}", "Environment"),
		"pf:publish-provider-contract":                       t("/provider-contracts/provider/{provider}/publish", "Publish a provider contract (an OpenAPI document)"),
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": idx})
	return nil
}
