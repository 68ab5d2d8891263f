package webhook

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/rackquery"
)

var parameterPattern = regexp.MustCompile(`\$\{pactbroker\.[^}]+\}`)

// Placeholder replaces every template parameter in s with p.
func Placeholder(s, p string) string { return parameterPattern.ReplaceAllString(s, p) }

// HasParameter reports whether s holds a template parameter.
func HasParameter(s string) bool { return parameterPattern.MatchString(s) }

// Params returns the value of every ${pactbroker.*} parameter for c, with
// links to the broker at base. Keys are the parameter names without the
// "pactbroker." prefix.
func Params(c broker.WebhookContext, base string) map[string]string {
	base = strings.TrimRight(base, "/")
	status := func(success, failure, pending string) string {
		switch {
		case c.VerificationNumber == 0:
			return pending
		case c.VerificationSuccess:
			return success
		}
		return failure
	}
	pactURL, resultURL := "", ""
	if c.SHA != "" {
		permalink := fmt.Sprintf("%s/pacts/provider/%s/consumer/%s/pact-version/%s", base, url.PathEscape(c.Provider), url.PathEscape(c.Consumer), c.SHA)
		pactURL = permalink + "/metadata/" + pactMetadata(c)
		if c.VerificationNumber != 0 {
			resultURL = fmt.Sprintf("%s/verification-results/%d", permalink, c.VerificationNumber)
		}
	}
	join := func(s []string) string { return strings.Join(s, ", ") }
	return map[string]string{
		"pactUrl":                                pactURL,
		"verificationResultUrl":                  resultURL,
		"consumerVersionNumber":                  c.ConsumerVersion,
		"providerVersionNumber":                  c.ProviderVersion,
		"providerVersionTags":                    join(c.ProviderVersionTags),
		"providerVersionBranch":                  c.ProviderVersionBranch,
		"providerVersionDescriptions":            join(c.ProviderVersionDescriptions),
		"consumerVersionTags":                    join(c.ConsumerVersionTags),
		"consumerVersionBranch":                  c.ConsumerVersionBranch,
		"consumerName":                           c.Consumer,
		"providerName":                           c.Provider,
		"githubVerificationStatus":               status("success", "failure", "pending"),
		"bitbucketVerificationStatus":            status("SUCCESSFUL", "FAILED", "INPROGRESS"),
		"azureDevOpsVerificationStatus":          status("succeeded", "failed", "pending"),
		"gitlabVerificationStatus":               status("success", "failed", "pending"),
		"consumerLabels":                         join(c.ConsumerLabels),
		"providerLabels":                         join(c.ProviderLabels),
		"eventName":                              c.EventName,
		"buildUrl":                               c.BuildURL,
		"currentlyDeployedProviderVersionNumber": "",
	}
}

// pactMetadata is the metadata segment the Pact Broker puts in webhook pact
// URLs: the consumer version, its tags, and w=true.
func pactMetadata(c broker.WebhookContext) string {
	h := rackquery.NewHash().SetString("cvn", c.ConsumerVersion)
	tags := rackquery.NewArray()
	for _, t := range c.ConsumerVersionTags {
		tags.Append(rackquery.NewString(t))
	}
	h.Set("cvt", tags).SetString("w", "true")
	s, err := rackquery.EncodeMetadata(h)
	if err != nil { // only a non-hash can fail
		return ""
	}
	return s
}

// Render replaces ${pactbroker.X} in s with params[X], passed through
// escape when it is not nil. Unknown parameters are left as they are.
func Render(s string, params map[string]string, escape func(string) string) string {
	return parameterPattern.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := params[strings.TrimSuffix(strings.TrimPrefix(m, "${pactbroker."), "}")]
		if !ok {
			return m
		}
		if escape != nil {
			return escape(v)
		}
		return v
	})
}
