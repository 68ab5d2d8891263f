package matrix_test

import (
	"context"
	"fmt"

	"github.com/accord-cdc/accord/broker/matrix"
)

// A consumer is ready for production when the provider versions there verified its pact.
func ExampleDecide() {
	facts, err := matrix.NewMemory(matrix.Data{
		Environments: []string{"production"},
		Pacts:        []matrix.PactFact{{Consumer: "gateway", ConsumerVersion: "1.2.3", Provider: "orders", SHA: "c0ffee"}},
		Verifications: []matrix.VerificationFact{
			{Consumer: "gateway", Provider: "orders", SHA: "c0ffee", ProviderVersion: "4.5.6", Success: true},
		},
		Deployments: []matrix.Deployment{{Pacticipant: "orders", Version: "4.5.6", Environment: "production"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := matrix.ParseCanIDeploy("pacticipant=gateway&version=1.2.3&environment=production")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := matrix.Decide(context.Background(), facts, q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*res.Summary.Deployable, res.Summary.Success, res.Summary.Reason)
	// Output: true 1 Every required verification result is published and successful
}

// When nothing verified the pact, the answer is "unknown" (deployable null) and the reason names
// the versions involved.
func ExampleDecide_unverified() {
	facts, _ := matrix.NewMemory(matrix.Data{
		Environments: []string{"production"},
		Pacts:        []matrix.PactFact{{Consumer: "gateway", ConsumerVersion: "1.2.3", Provider: "orders", SHA: "c0ffee"}},
		Deployments:  []matrix.Deployment{{Pacticipant: "orders", Version: "4.5.6", Environment: "production"}},
	})
	res, _ := matrix.Decide(context.Background(), facts, matrix.Query{
		Selectors:   []matrix.Selector{{Pacticipant: "gateway", Version: "1.2.3"}},
		Environment: "production",
		LatestBy:    matrix.ByConsumerVersionAndProviderVersion,
	})
	fmt.Println(res.Summary.Deployable == nil)
	fmt.Println(res.Summary.Reason)
	// Output:
	// true
	// There is no verified pact between version 1.2.3 of gateway and the version of orders currently in production (4.5.6)
}

// ParseQuery reads /matrix query strings, including the key-sorted form Pact verifiers replay.
func ExampleParseQuery() {
	q, _ := matrix.ParseQuery("latestby=cvpv&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1.2.3&q[][version]=4.5.6")
	for _, s := range q.Selectors {
		fmt.Println(s.Pacticipant, s.Version)
	}
	// Output:
	// Foo 1.2.3
	// Bar 4.5.6
}
