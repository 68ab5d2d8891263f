package ui

import (
	"encoding/json"
	"strings"
)

// interactionResult is what a verification said about one interaction.
type interactionResult struct {
	Success    bool
	Mismatches []string
}

// verificationResults reads the per-interaction results a verifier sent
// with its verification, keyed by interaction id ("_id") and by
// description. Pact Rust verifiers send a list of results; Ruby verifiers
// send {"tests": [...]}. Anything else gives no results.
func verificationResults(raw json.RawMessage) (byID, byDescription map[string]interactionResult) {
	byID, byDescription = map[string]interactionResult{}, map[string]interactionResult{}
	type mismatch struct {
		Attribute   string `json:"attribute"`
		Description string `json:"description"`
	}
	type result struct {
		InteractionID          string     `json:"interactionId"`
		InteractionDescription string     `json:"interactionDescription"`
		Success                *bool      `json:"success"`
		Mismatches             []mismatch `json:"mismatches"`
		// Ruby verifiers
		TestDescription string `json:"testDescription"`
		Status          string `json:"status"`
		Exception       *struct {
			Message string `json:"message"`
		} `json:"exception"`
	}
	var list []result
	if json.Unmarshal(raw, &list) != nil {
		var ruby struct {
			Tests []result `json:"tests"`
		}
		if json.Unmarshal(raw, &ruby) != nil {
			return byID, byDescription
		}
		list = ruby.Tests
	}
	for _, r := range list {
		ir := interactionResult{Success: r.Status == "passed"}
		if r.Success != nil {
			ir.Success = *r.Success
		}
		for _, m := range r.Mismatches {
			text := m.Description
			if m.Attribute != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(m.Attribute)) {
				text = m.Attribute + ": " + text
			}
			ir.Mismatches = append(ir.Mismatches, text)
		}
		if r.Exception != nil && r.Exception.Message != "" {
			ir.Mismatches = append(ir.Mismatches, r.Exception.Message)
		}
		if r.InteractionID != "" {
			put(byID, r.InteractionID, ir)
		}
		desc := r.InteractionDescription
		if desc == "" {
			desc = r.TestDescription
		}
		if desc != "" {
			put(byDescription, desc, ir)
		}
	}
	return byID, byDescription
}

// put records a result; results of the same interaction (Ruby verifiers
// report each expectation separately) combine: it passed only if all did.
func put(m map[string]interactionResult, key string, ir interactionResult) {
	if old, ok := m[key]; ok {
		old.Success = old.Success && ir.Success
		old.Mismatches = append(old.Mismatches, ir.Mismatches...)
		ir = old
	}
	m[key] = ir
}
