package broker_test

import (
	"encoding/json"
	"testing"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// FuzzParsePact: any body published as a pact either is refused as Invalid
// or normalises stably: the stored form (WithIDs) parses again to the same
// content SHA and stores again byte for byte the same, and merging a pact
// into itself adds nothing (or reports a Conflict when the pact itself
// repeats an interaction with different content).
func FuzzParsePact(f *testing.F) {
	for _, s := range []string{
		`{"consumer":{"name":"Foo"},"provider":{"name":"Bar"},"interactions":[{"description":"a","request":{"method":"GET","path":"/"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
		`{"consumer":{"name":"Foo"},"provider":{"name":"Bar"},"messages":[{"description":"m","contents":{"n":1.50}}],"metadata":{"pact-specification":{"version":"3.0.0"}}}`,
		`{"interactions":[{"_id":"x","description":"a"},{"description":"a","providerState":"s"},7,null]}`,
		`{"interactions":[{"description":"a","n":1e400},{"description":"a","n":2}]}`,
		`{"metadata":{"pactSpecificationVersion":1}}`,
		`{"interactions":{}}`,
		`[]`, `null`, `{`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}",
		`{"interactions":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		np, nerr := broker.NormalisePact(b)
		doc, err := broker.ParsePact(b)
		switch {
		case nerr != nil && broker.ErrorCode(nerr) != broker.Invalid:
			t.Fatalf("NormalisePact error is not Invalid: %v", nerr)
		case nerr != nil && err == nil && json.Valid(b):
			t.Fatalf("NormalisePact refuses what ParsePact reads: %v", nerr)
		case nerr != nil:
			if _, _, err := broker.PactNames(b); err == nil {
				t.Fatalf("PactNames reads what NormalisePact refuses: %v", nerr)
			}
		case nerr == nil && err != nil:
			t.Fatalf("NormalisePact reads what ParsePact refuses: %v", err)
		case nerr == nil:
			if sha := doc.ContentSHA(); np.SHA != sha {
				t.Fatalf("NormalisePact SHA %s, ContentSHA %s", np.SHA, sha)
			}
			if c, p := doc.Participant("consumer"), doc.Participant("provider"); np.Consumer != c || np.Provider != p {
				t.Fatalf("NormalisePact names %q %q, ParsePact %q %q", np.Consumer, np.Provider, c, p)
			}
			if c, p, err := broker.PactNames(b); err != nil || np.Consumer != c || np.Provider != p {
				t.Fatalf("PactNames %q %q %v, NormalisePact %q %q", c, p, err, np.Consumer, np.Provider)
			}
			if stored := doc.WithIDs(); string(np.Stored) != string(stored) {
				t.Fatalf("NormalisePact stores\n%s\nWithIDs\n%s", np.Stored, stored)
			}
			doc, _ = broker.ParsePact(b)
		}
		if err != nil {
			if broker.ErrorCode(err) != broker.Invalid {
				t.Fatalf("ParsePact error is not Invalid: %v", err)
			}
			return
		}
		_ = doc.Participant("consumer")
		sha := doc.ContentSHA()
		stored := doc.WithIDs()
		again, err := broker.ParsePact(stored)
		if err != nil {
			t.Fatalf("the stored form does not parse: %v\n%s", err, stored)
		}
		if got := again.ContentSHA(); got != sha {
			t.Fatalf("content SHA changed by storing: %s then %s\n%s", sha, got, stored)
		}
		if twice := again.WithIDs(); string(twice) != string(stored) {
			t.Fatalf("storing is not idempotent:\n%s\n%s", stored, twice)
		}
		other, _ := broker.ParsePact(stored)
		if err := again.Merge(other); err != nil && broker.ErrorCode(err) != broker.Conflict {
			t.Fatalf("merging a pact into itself: %v", err)
		}
	})
}

// FuzzSelectors: any consumerVersionSelectors array either fails
// validation with an Invalid error or yields selectors of a known kind,
// and expanding deployedOrReleased keeps them valid.
func FuzzSelectors(f *testing.F) {
	for _, s := range []string{
		`[{"mainBranch":true}]`, `[{"branch":"feat","fallbackBranch":"main"}]`, `[{"matchingBranch":true}]`,
		`[{"tag":"prod","latest":true,"fallbackTag":"main"}]`, `[{"tag":"prod"}]`, `[{"deployedOrReleased":true,"environment":"production"}]`,
		`[{"deployed":true,"released":true}]`, `[{"latest":true,"consumer":"Foo"}]`, `[{"environment":"test"}]`, `[{}]`,
		`[{"latest":false}]`, `[{"branch":"a","latest":false}]`, `[{"mainBranch":true,"tag":"x"}]`,
	} {
		f.Add([]byte(s), "main")
	}
	f.Fuzz(func(t *testing.T, b []byte, providerBranch string) {
		var sels []verifiable.ConsumerVersionSelector
		if json.Unmarshal(b, &sels) != nil {
			return
		}
		q := verifiable.Query{Selectors: sels, ProviderBranch: providerBranch}
		if err := q.Validate(); err != nil {
			if broker.ErrorCode(err) != broker.Invalid {
				t.Fatalf("Validate error is not Invalid: %v", err)
			}
			return
		}
		exp := verifiable.Expand(sels)
		if len(exp) < len(sels) || len(exp) > 2*len(sels) {
			t.Fatalf("Expand(%d selectors) gave %d", len(sels), len(exp))
		}
		if err := (verifiable.Query{Selectors: exp, ProviderBranch: providerBranch}).Validate(); err != nil {
			t.Fatalf("expanded selectors %+v are invalid: %v", exp, err)
		}
	})
}
