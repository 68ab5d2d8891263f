package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// The official Ruby client's contract with the broker has eleven /matrix interactions. Each is
// replayed here through ParseQuery, Decide and NewBody against the situation its provider state
// describes, and the body is matched as a Pact verifier would (exact unless a type rule applies).
// The queries are those a verifier sends: parameters sorted by key.

type clientInteraction struct {
	Description   string `json:"description"`
	ProviderState string `json:"providerState"`
	Request       struct {
		Query string `json:"query"`
	} `json:"request"`
	Response struct {
		Status        int                       `json:"status"`
		Body          any                       `json:"body"`
		MatchingRules map[string]map[string]any `json:"matchingRules"`
	} `json:"response"`
}

// clientStates are the provider states of those interactions, as Data.
var clientStates = map[string]Data{
	"the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6": {
		Pacts:         []PactFact{pact("Foo Thing", "1.2.3", "Bar", "s1")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo Thing", "s1", true)},
	},
	"the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6": {
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true)},
	},
	"the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9": {
		Versions:      []VersionFact{{Pacticipant: "Bar", Number: "4.5.6", Tags: []string{"prod"}}},
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1"), pact("Foo", "1.2.4", "Bar", "s2")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "9.9.9", "Foo", "s2", false)},
	},
	"the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7": {
		Versions:      []VersionFact{{Pacticipant: "Bar", Number: "4.5.6", Tags: []string{"prod"}}, {Pacticipant: "Bar", Number: "5.6.7"}},
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "5.6.7", "Foo", "s1", true)},
	},
	"the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9": {
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1"), pact("Foo", "1.2.4", "Bar", "s2")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "9.9.9", "Foo", "s2", false)},
	},
	"the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6": {
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1"), pact("Foo", "1.2.4", "Bar", "s2")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "4.5.6", "Foo", "s2", true)},
	},
	"the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7": {
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "5.6.7", "Foo", "s1", true)},
	},
	"provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod": {
		Versions:      []VersionFact{{Pacticipant: "Foo", Number: "1.2.3", Tags: []string{"prod"}}, {Pacticipant: "Foo", Number: "3.4.5", Tags: []string{"prod"}}},
		Pacts:         []PactFact{pact("Foo", "1.2.3", "Bar", "s1"), pact("Foo", "3.4.5", "Bar", "s2")},
		Verifications: []VerificationFact{verified("Bar", "4.5.6", "Foo", "s1", true), verified("Bar", "4.5.6", "Foo", "s2", false)},
	},
	"": {},
}

func TestOfficialClientMatrixInteractions(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "client_v2_matrix_interactions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Interactions []clientInteraction `json:"interactions"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Interactions) != 11 {
		t.Fatalf("%d interactions, want 11", len(file.Interactions))
	}
	for _, in := range file.Interactions {
		t.Run(in.Description+" given "+in.ProviderState, func(t *testing.T) {
			data, ok := clientStates[in.ProviderState]
			if !ok {
				t.Fatalf("no Data for provider state %q", in.ProviderState)
			}
			m, err := NewMemory(data)
			if err != nil {
				t.Fatal(err)
			}
			status, body := 200, any(nil)
			q, err := ParseQuery(in.Request.Query)
			if err == nil {
				var res Result
				res, err = Decide(context.Background(), m, q)
				if err == nil {
					body = toJSONValue(t, NewBody(res, RenderOptions{BaseURL: "http://localhost"}))
				}
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				status, body = 400, map[string]any{"errors": toJSONValueAny(t, ve.Problems)}
			} else if err != nil {
				t.Fatal(err)
			}
			if status != in.Response.Status {
				t.Fatalf("status %d, want %d (%v)", status, in.Response.Status, err)
			}
			if err := pactMatch("$.body", in.Response.Body, body, in.Response.MatchingRules, false); err != nil {
				b, _ := json.Marshal(body)
				t.Errorf("%v\nbody: %s", err, b)
			}
		})
	}
}

func toJSONValueAny(t *testing.T, v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// pactMatch matches a response body as a Pact V2 verifier does: exactly, except below a path with a
// "type" rule, where values only need the same JSON type and arrays at least "min" elements, each
// like the first expected one. Unexpected keys in objects are allowed.
func pactMatch(path string, expected, actual any, rules map[string]map[string]any, byType bool) error {
	min := 0
	if r, ok := rules[path]; ok && r["match"] == "type" {
		byType = true
		if m, ok := r["min"].(float64); ok {
			min = int(m)
		}
	}
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %v", path, actual)
		}
		for k, ev := range e {
			av, ok := a[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := pactMatch(path+"."+k, ev, av, rules, byType); err != nil {
				return err
			}
		}
		return nil
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %v", path, actual)
		}
		if byType {
			if len(a) < max(min, 1) && len(e) > 0 {
				return fmt.Errorf("%s: %d elements, want at least %d", path, len(a), max(min, 1))
			}
		} else if len(a) != len(e) {
			return fmt.Errorf("%s: %d elements, want %d", path, len(a), len(e))
		}
		for i, av := range a {
			if err := pactMatch(path+"["+strconv.Itoa(i)+"]", e[min0(i, len(e)-1)], av, rules, byType); err != nil {
				return err
			}
		}
		return nil
	}
	if byType {
		if reflect.TypeOf(expected) != reflect.TypeOf(actual) {
			return fmt.Errorf("%s: want a value like %v, got %v", path, expected, actual)
		}
		return nil
	}
	if !reflect.DeepEqual(expected, actual) {
		return fmt.Errorf("%s: want %v, got %v", path, expected, actual)
	}
	return nil
}

func min0(a, b int) int { return max(min(a, b), 0) }

func TestPactMatchCanFail(t *testing.T) {
	typeRule := map[string]map[string]any{"$.body": {"match": "type"}}
	for name, tc := range map[string]struct {
		expected, actual any
		rules            map[string]map[string]any
		ok               bool
	}{
		"null is not a boolean":        {map[string]any{"d": true}, map[string]any{"d": nil}, typeRule, false},
		"type allows another boolean":  {map[string]any{"d": true}, map[string]any{"d": false}, typeRule, true},
		"exact needs the same value":   {map[string]any{"d": true}, map[string]any{"d": false}, nil, false},
		"exact needs the same length":  {[]any{1.0}, []any{1.0, 1.0}, nil, false},
		"type needs an element":        {[]any{1.0}, []any{}, typeRule, false},
		"missing key":                  {map[string]any{"a": "x"}, map[string]any{}, typeRule, false},
		"extra keys are fine":          {map[string]any{"a": "x"}, map[string]any{"a": "x", "b": 1.0}, nil, true},
		"min under a nested type rule": {map[string]any{"m": []any{"x"}}, map[string]any{"m": []any{"y"}}, map[string]map[string]any{"$.body.m": {"match": "type", "min": 2.0}}, false},
	} {
		err := pactMatch("$.body", tc.expected, tc.actual, tc.rules, false)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, tc.ok)
		}
	}
}
