package httpapi

import (
	"net/http"
)

// register declares the routes in the Ruby broker's match order (first
// match wins), so literal segments shadow placeholders the same way.
func (s *Server) register() {
	type m = map[string]handlerFunc
	s.handle("/", m{"GET": s.index})
	s.handle("/diagnostic/status/heartbeat", m{"GET": s.heartbeat})

	pair := "/pacts/provider/{provider}/consumer/{consumer}"
	s.handle(pair+"/versions", m{"GET": s.pactVersions})
	s.handle(pair+"/versions/{version}", m{"GET": s.getPact, "PUT": s.putPact, "PATCH": s.patchPact, "DELETE": s.deletePact})
	s.handle(pair+"/tag/{tag}", m{"GET": s.consumerProviderPacts})
	s.handle(pair+"/version/{version}", m{"GET": s.getPact, "PUT": s.putPact, "PATCH": s.patchPact, "DELETE": s.deletePact})
	s.handle(pair+"/pact-version/{sha}", m{"GET": s.getPact})
	s.handle(pair+"/pact-version/{sha}/metadata/{metadata}", m{"GET": s.getPact})
	s.handle("/pacts/provider/{provider}/branch/latest", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/branch/{branch}/latest", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/branch/{branch}", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/branch", m{"GET": s.providerPacts})
	s.handle(pair+"/pact-version/{sha}/verification-results", m{"POST": s.postVerification})
	s.handle(pair+"/pact-version/{sha}/metadata/{metadata}/verification-results", m{"POST": s.postVerification})
	s.handle(pair+"/version/{version}/verification-results/latest", m{"GET": s.getVerification})
	s.handle(pair+"/pact-version/{sha}/verification-results/latest", m{"GET": s.getVerification})
	s.handle(pair+"/pact-version/{sha}/verification-results/{number}", m{"GET": s.getVerification})
	s.handle(pair+"/pact-version/{sha}/metadata/{metadata}/verification-results/{number}", m{"GET": s.getVerification})
	s.handle(pair+"/latest/verification-results/latest", m{"GET": s.getVerification})
	s.handle(pair+"/latest", m{"GET": s.getPact})
	s.handle(pair+"/latest/{tag}", m{"GET": s.getPact})
	s.handle(pair+"/branch/{branch}/latest", m{"GET": s.getPact})
	s.handle(pair+"/branch/{branch}", m{"GET": s.consumerProviderPacts})
	s.handle(pair+"/branch", m{"GET": s.consumerProviderPacts})
	s.handle("/pacts/provider/{provider}", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/tag/{tag}", m{"GET": s.providerPacts})
	s.handle(pair+"/latest-untagged", m{"GET": s.getPact})
	s.handle("/pacts/provider/{provider}/latest", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/latest/{tag}", m{"GET": s.providerPacts})
	s.handle("/pacts/latest", m{"GET": s.latestPacts})
	s.handle("/pacts/provider/{provider}/for-verification", m{"GET": s.forVerification, "POST": s.forVerification})
	s.handle("/stubs/provider/{provider}/environment/{environment}", m{"GET": s.stubPact})
	s.handle("/stubs/provider/{provider}/branch/{branch}", m{"GET": s.stubPact})
	s.handle("/pact/provider/{provider}/consumer/{consumer}/version/{version}", m{"GET": s.getPact, "PUT": s.putPact, "PATCH": s.patchPact, "DELETE": s.deletePact})
	s.handle("/pact/provider/{provider}/consumer/{consumer}/latest", m{"GET": s.getPact})

	s.handle("/pacticipants", m{"GET": s.listPacticipants, "POST": s.createPacticipant})
	s.handle("/pacticipants/{pacticipant}", m{"GET": s.getPacticipant, "PUT": s.putPacticipant, "PATCH": s.patchPacticipant, "DELETE": s.deletePacticipant})
	s.handle("/pacticipants/{pacticipant}/versions", m{"GET": s.listVersions})
	s.handle("/pacticipants/{pacticipant}/branches/{branch}/versions", m{"GET": s.branchVersions})
	s.handle("/pacticipants/{pacticipant}/versions/{version}", m{"GET": s.getVersion, "PUT": s.putVersion, "PATCH": s.patchVersion, "DELETE": s.deleteVersion})
	s.handle("/pacticipants/{pacticipant}/latest-version/{tag}", m{"GET": s.latestVersion})
	s.handle("/pacticipants/{pacticipant}/latest-version", m{"GET": s.latestVersion})
	s.handle("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", m{"GET": s.getTag, "PUT": s.putTag, "DELETE": s.deleteTag})
	s.handle("/pacticipants/{pacticipant}/branches", m{"GET": s.listBranches})
	s.handle("/pacticipants/{pacticipant}/branches/{branch}", m{"GET": s.getBranch, "DELETE": s.deleteBranch})
	s.handle("/pacticipants/{pacticipant}/branches/{branch}/latest-version", m{"GET": s.latestVersion})
	s.handle("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", m{"GET": s.getBranchVersion, "PUT": s.putBranchVersion})
	s.handle("/contracts/publish", m{"POST": s.publishContracts})
	s.handle("/field-usage/provider/{provider}", m{"GET": s.fieldUsage})
	s.handle("/can-i-remove-field", m{"GET": s.canIRemoveField})
	s.handle("/pacticipants/{pacticipant}/versions/{version}/route-coverage", m{"GET": s.getRouteCoverage, "PUT": s.putRouteCoverage})
	s.registerDeployments()
	s.registerWebhooks()

	// Fallbacks for clients that put "/" in names unencoded (the pact CLI
	// builds some paths by hand); encoded names match the routes above.
	s.handle("/pacticipants/{pacticipant}/versions/{version}/tags/{tag...}", m{"GET": s.getTag, "PUT": s.putTag, "DELETE": s.deleteTag})
	s.handle("/pacticipants/{pacticipant}/branches/{branch...}/versions/{version}", m{"GET": s.getBranchVersion, "PUT": s.putBranchVersion})
	s.handle("/pacticipants/{pacticipant}/branches/{branch...}", m{"GET": s.getBranch, "DELETE": s.deleteBranch})
	s.handle("/pacts/provider/{provider}/branch/{branch...}/latest", m{"GET": s.providerPacts})
	s.handle("/pacts/provider/{provider}/branch/{branch...}", m{"GET": s.providerPacts})
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
		"pb:pacticipant":                                     t("/pacticipants/{pacticipant}", "Fetch pacticipant by name"),
		"pb:latest-provider-pacts":                           t("/pacts/provider/{provider}/latest", "Latest pacts by provider"),
		"pb:latest-provider-pacts-with-tag":                  t("/pacts/provider/{provider}/latest/{tag}", "Latest pacts for provider with the specified tag"),
		"pb:provider-pacts-with-tag":                         t("/pacts/provider/{provider}/tag/{tag}", "All pact versions for the provider with the specified consumer version tag"),
		"pb:provider-pacts":                                  t("/pacts/provider/{provider}", "All pact versions for the specified provider"),
		"pb:latest-version":                                  t("/pacticipants/{pacticipant}/latest-version", "Latest pacticipant version"),
		"pb:latest-tagged-version":                           t("/pacticipants/{pacticipant}/latest-version/{tag}", "Latest pacticipant version with the specified tag"),
		"pb:webhooks":                                        f("/webhooks", "Webhooks"),
		"pb:webhook":                                         t("/webhooks/{uuid}", "Webhook"),
		"pb:integrations":                                    f("/integrations", "Integrations"),
		"pb:pacticipant-version-tag":                         t("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "Get, create or delete a tag for a pacticipant version"),
		"pb:pacticipant-branch":                              t("/pacticipants/{pacticipant}/branches/{branch}", "Get or delete a pacticipant branch"),
		"pb:pacticipant-branch-version":                      t("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", "Get or add/create a pacticipant version for a branch"),
		"pb:pacticipant-version":                             t("/pacticipants/{pacticipant}/versions/{version}", "Get, create or delete a pacticipant version"),
		"pb:metrics":                                         f("/metrics", "Get Pact Broker metrics"),
		"pb:can-i-deploy-pacticipant-version-to-tag":         t("/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}", "Determine if an application version can be safely deployed to an environment identified by the given tag"),
		"pb:can-i-deploy-pacticipant-version-to-environment": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}", "Determine if an application version can be safely deployed to an environment"),
		"pb:provider-pacts-for-verification":                 t("/pacts/provider/{provider}/for-verification", "Pact versions to be verified for the specified provider"),
		"beta:provider-pacts-for-verification":               Link{Name: "beta", Href: l.base + "/pacts/provider/{provider}/for-verification", Title: "DEPRECATED - please use pb:provider-pacts-for-verification", Templated: true},
		"pb:environments":                                    f("/environments", "Environments"),
		"pb:environment":                                     t("/environments/{uuid}", "Environment"),
		"curies": []Link{
			{Name: "pb", Href: l.base + "/doc/{rel}?context=index", Templated: true},
			{Name: "beta", Href: l.base + "/doc/{rel}?context=index", Templated: true},
		},
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": idx})
	return nil
}
