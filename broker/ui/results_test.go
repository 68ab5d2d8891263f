package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVerificationResults(t *testing.T) {
	rust := `[{"interactionDescription": "a", "interactionId": "id-a", "success": false,
		"mismatches": [{"attribute": "status", "description": "expected 200 but was 500"}, {"attribute": "body", "description": "Expected body type of 'application/json'"}]},
		{"interactionDescription": "b", "interactionId": "id-b", "success": true}]`
	byID, byDesc := verificationResults([]byte(rust))
	assert.Equal(t, interactionResult{Success: false, Mismatches: []string{"status: expected 200 but was 500", "Expected body type of 'application/json'"}}, byID["id-a"])
	assert.True(t, byDesc["b"].Success)

	ruby := `{"tests": [{"testDescription": "c", "status": "passed"}, {"testDescription": "c", "status": "failed", "exception": {"message": "Expected 1 got 2"}}]}`
	_, byDesc = verificationResults([]byte(ruby))
	assert.Equal(t, interactionResult{Success: false, Mismatches: []string{"Expected 1 got 2"}}, byDesc["c"], "one failed expectation fails the interaction")

	byID, byDesc = verificationResults([]byte(`"not results"`))
	assert.Empty(t, byID)
	assert.Empty(t, byDesc)
}
