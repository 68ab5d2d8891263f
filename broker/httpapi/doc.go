package httpapi

import (
	"fmt"
	"net/http"

	"github.com/accord-cdc/accord/broker"
)

// relationDocs documents the relations the API's curies point at
// (/doc/{rel}, the "pb" curie of pacticipants, versions and pacts, and
// /doc/webhooks-{rel} of webhooks), one paragraph each, as the Ruby
// broker's /doc pages do. A relation without an entry is a 404, so a
// curie is only as alive as this table: the link crawler test fails
// when a resource gains a pb: relation that is not documented here.
var relationDocs = map[string]string{
	"all-pact-versions":            "GET: every publication of this pact (one consumer and provider), newest first. DELETE removes them all.",
	"branch-version":               "GET: a version on a branch (templated {branch}, {version}). PUT puts the version on the branch, creating pacticipant, version and branch as needed.",
	"branches":                     "GET: the pacticipant's branches. DELETE ?exclude[]=b removes all but the main branch and the excluded ones; versions stay.",
	"consumer":                     "GET: the pacticipant that published this pact.",
	"consumer-version":             "GET: the consumer version this pact was published for.",
	"consumer-version-tag":         "GET, PUT, DELETE: a tag of the consumer version (templated {tag}).",
	"diff":                         "GET (text/plain): the diff of this pact with the pact of another consumer version (templated {version}), compared regardless of interaction order.",
	"diff-previous-distinct":       "GET (text/plain): the diff of this pact with the newest older version whose content differs.",
	"label":                        "GET, PUT, DELETE: a label of the pacticipant (templated {label}). /pacticipants/label/{label} lists the pacticipants with a label.",
	"latest-pact-version":          "GET: the latest pact between this consumer and provider.",
	"latest-tagged-pact-version":   "GET: the latest pact of a consumer version with a tag (templated {tag}).",
	"latest-untagged-pact-version": "GET: the latest pact of a consumer version without tags.",
	"latest-verification-results":  "GET: the newest verification result of this pact content.",
	"latest-verification-results-where-pacticipant-is-consumer": "GET: the newest verification result of each pact this consumer version published; success is true when all are successful.",
	"pact-version":                 "GET: this pact content by its SHA, whatever consumer versions published it (the permalink verifiers use).",
	"pacticipant":                  "GET: the pacticipant (application) this resource belongs to.",
	"previous-distinct":            "GET: the newest pact of an older consumer version whose content differs from this one.",
	"provider":                     "GET: the pacticipant this pact is with, as provider.",
	"publish-verification-results": "POST {success, providerApplicationVersion, buildUrl?, testResults?, verifiedBy?}: record the result of verifying this pact content.",
	"record-deployment":            "POST {applicationInstance?}: record that this version is deployed to the environment the link names (one link per environment).",
	"record-release":               "POST: record that this version is released in the environment the link names (one link per environment).",
	"tag":                          "GET, PUT, DELETE: a tag of this version (templated {tag}).",
	"tag-version":                  "PUT: tag the consumer version of this pact (templated {tag}).",
	"version":                      "GET, PUT, PATCH, DELETE: a version of the pacticipant (templated {version}).",
	"version-tag":                  "GET, PUT, DELETE: a tag of a version of the pacticipant (templated {version}, {tag}).",
	"versions":                     "GET: the pacticipant's versions, newest first (page, size).",
	"webhooks-create":              "POST {events, request, consumer?, provider?, description?, enabled?}: create a webhook.",
	"webhooks-webhooks":            "GET: the webhooks; POST creates one.",
}

// relationDoc serves the documentation of one relation as text.
func (s *Server) relationDoc(w http.ResponseWriter, r *http.Request, p params) error {
	doc, ok := relationDocs[p["rel"]]
	if !ok {
		return broker.Errorf(broker.NotFound, "no documentation for the relation %q", p["rel"])
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	_, err := fmt.Fprintf(w, "pb:%s\n\n%s\n", p["rel"], doc)
	return err
}
