package httpapi

import (
	"fmt"
	"strings"

	"github.com/accord-cdc/accord/broker/verifiable"
)

// The notices a pacts-for-verification response gives the verifier, in the
// Ruby broker's words: why each pact is verified, and what a failure means
// while it is pending.

// criterion describes a selection for the "being verified because" notice.
func criterion(s verifiable.Selection) string {
	sel := s.Selector
	of := ""
	if sel.Consumer != "" {
		of = " of " + sel.Consumer
	}
	var d string
	switch sel.Kind() {
	case verifiable.KindMainBranch:
		d = fmt.Sprintf("latest version%s from the main branch '%s'", of, s.Branch)
	case verifiable.KindMatchingBranch:
		d = fmt.Sprintf("latest version%s from branch '%s' (matching the provider branch)", of, s.Branch)
	case verifiable.KindBranch:
		if s.Fallback {
			d = fmt.Sprintf("latest version%s from branch '%s' (fallback branch used as no version was found from branch '%s')", of, sel.FallbackBranch, sel.Branch)
		} else {
			d = fmt.Sprintf("latest version%s from branch '%s'", of, sel.Branch)
		}
	case verifiable.KindLatestTag:
		if s.Fallback {
			d = fmt.Sprintf("latest version%s tagged '%s' (fallback tag used as no pact was found with tag '%s')", of, sel.FallbackTag, sel.Tag)
		} else {
			d = fmt.Sprintf("latest version%s tagged '%s'", of, sel.Tag)
		}
	case verifiable.KindAllTag:
		d = fmt.Sprintf("one of the versions%s tagged '%s'", of, sel.Tag)
	case verifiable.KindDeployed:
		d = fmt.Sprintf("version%s currently deployed to %s", of, s.Environment)
	case verifiable.KindReleased:
		d = fmt.Sprintf("version%s released and supported in %s", of, s.Environment)
	case verifiable.KindEnvironment:
		d = fmt.Sprintf("version%s currently in %s", of, s.Environment)
	default:
		if sel.Consumer != "" {
			d = fmt.Sprintf("latest version of %s that has a pact with the provider", sel.Consumer)
		} else {
			d = "latest version of a consumer that has a pact with the provider"
		}
	}
	return fmt.Sprintf("%s (%s)", d, s.ConsumerVersion)
}

// verificationNotice is a message for the verifier, shown at the moment
// named by When ("before_verification", "after_verification:...").
type verificationNotice struct {
	When string `json:"when"`
	Text string `json:"text"`
}

// verificationNotices explains to the verifier why this pact is verified and what a
// failure means. pactURL is the permalink of the content.
func verificationNotices(v verifiable.Pact, pactURL string) []verificationNotice {
	var out []verificationNotice
	before := func(text string) { out = append(out, verificationNotice{When: "before_verification", Text: text}) }
	if v.WIP {
		s := v.Selections[0]
		from := fmt.Sprintf("from branch '%s'", s.Branch)
		if s.Branch == "" {
			from = fmt.Sprintf("with tag '%s'", s.Tag)
		}
		before(fmt.Sprintf("The pact at %s is being verified because it is a 'work in progress' pact (ie. it is the pact for the latest version of %s %s and it has not yet been successfully verified by %s). Read more at https://docs.pact.io/go/wip",
			pactURL, v.Consumer, from, providerDescription(v)))
	} else {
		var crit []string
		for _, s := range v.Selections {
			crit = append(crit, "    * "+criterion(s))
		}
		what := "the consumer version matching the following criterion"
		if len(crit) > 1 {
			what = "the consumer versions matching the following criteria"
		}
		before(fmt.Sprintf("The pact at %s is being verified because the pact content belongs to %s:\n%s", pactURL, what, strings.Join(crit, "\n")))
	}
	if !v.PendingCalculated {
		return out
	}
	after := func(success, published bool, text string) {
		out = append(out, verificationNotice{When: fmt.Sprintf("after_verification:success_%t_published_%t", success, published), Text: text})
	}
	if v.Pending {
		before(fmt.Sprintf("This pact is in pending state for this version of %s because a successful verification result for %s has not yet been published. If this verification fails, it will not cause the overall build to fail. Read more at https://docs.pact.io/go/pending",
			v.Provider, providerDescription(v)))
		after(true, false, fmt.Sprintf("This pact is still in pending state for %s as the successful verification results have not yet been published.", providerDescription(v)))
		after(true, true, fmt.Sprintf("This pact is no longer in pending state for %[1]s, as a successful verification result has been published. If a verification by %[1]s fails in the future, it will fail the build. Read more at https://docs.pact.io/go/pending", providerDescription(v)))
		after(false, false, fmt.Sprintf("This pact is still in pending state for %s as a successful verification result has not yet been published", providerDescription(v)))
		after(false, true, fmt.Sprintf("This pact is still in pending state for %s as a successful verification result has not yet been published", providerDescription(v)))
	} else {
		before(fmt.Sprintf("This pact has previously been successfully verified by %s. If this verification fails, it will fail the build. Read more at https://docs.pact.io/go/pending", providerDescription(v)))
	}
	return out
}

func providerDescription(v verifiable.Pact) string {
	switch {
	case v.ProviderBranch != "":
		return fmt.Sprintf("a version of %s from branch '%s'", v.Provider, v.ProviderBranch)
	case len(v.ProviderTags) == 1:
		return fmt.Sprintf("a version of %s with tag '%s'", v.Provider, v.ProviderTags[0])
	case len(v.ProviderTags) > 1:
		return fmt.Sprintf("a version of %s with tags '%s'", v.Provider, strings.Join(v.ProviderTags, "', '"))
	}
	return "any version of " + v.Provider
}
