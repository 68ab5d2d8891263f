package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker/verifiable"
)

func TestVerificationNotices(t *testing.T) {
	main := verifiable.ConsumerVersionSelector{MainBranch: true}
	dep := verifiable.ConsumerVersionSelector{Deployed: true}
	both := verifiable.Pact{Consumer: "Web", Provider: "API", SHA: "s1", Selections: []verifiable.Selection{
		{Consumer: "Web", ConsumerVersion: "2", ConsumerVersionID: 2, SHA: "s1", Selector: main, Branch: "main"},
		{Consumer: "Web", ConsumerVersion: "1", ConsumerVersionID: 1, SHA: "s1", Selector: dep, Environment: "prod"},
	}}
	n := verificationNotices(both, "http://b/pacts/x")
	assert.Len(t, n, 1, "no pending notices when pending was not asked for")
	assert.Equal(t, "before_verification", n[0].When)
	assert.Contains(t, n[0].Text, "the consumer versions matching the following criteria:\n    * latest version from the main branch 'main' (2)\n    * version currently deployed to prod (1)")

	wip := verifiable.Pact{Consumer: "Web", Provider: "API", SHA: "s2", WIP: true, Pending: true, PendingCalculated: true, ProviderBranch: "main",
		Selections: []verifiable.Selection{{Consumer: "Web", ConsumerVersion: "3", Branch: "feat-x"}}}
	n = verificationNotices(wip, "u")
	assert.Contains(t, n[0].Text, "'work in progress' pact (ie. it is the pact for the latest version of Web from branch 'feat-x'")
	var whens []string
	for _, x := range n {
		whens = append(whens, x.When)
	}
	assert.Equal(t, []string{"before_verification", "before_verification", "after_verification:success_true_published_false",
		"after_verification:success_true_published_true", "after_verification:success_false_published_false", "after_verification:success_false_published_true"}, whens)
	assert.Contains(t, n[1].Text, "a version of API from branch 'main'")
}
