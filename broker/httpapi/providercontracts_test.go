package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/broker"
)

const minimalOAS = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"

func contractBody(t *testing.T, s string) providerContractBody {
	t.Helper()
	var b providerContractBody
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProviderContractRequest(t *testing.T) {
	doc := base64.StdEncoding.EncodeToString([]byte(minimalOAS))
	ok := `{"pacticipantVersionNumber":"1","branch":"main","tags":["t"],"contract":{"content":"` + doc + `","contentType":"application/yaml","specification":"oas",
		"selfVerificationResults":{"success":false,"content":"` + base64.StdEncoding.EncodeToString([]byte("1 failed")) + `","contentType":"text/plain","format":"text","verifier":"dredd"}}}`
	req, err := providerContractRequest("orders", contractBody(t, ok))
	if err != nil {
		t.Fatal(err)
	}
	if req.Version != "1" || req.Branch != "main" || string(req.Content) != minimalOAS || req.SelfVerification == nil ||
		req.SelfVerification.Success || req.SelfVerification.Content != "1 failed" || req.SelfVerification.Verifier != "dredd" {
		t.Fatalf("request %+v", req)
	}
	req, err = providerContractRequest("orders", contractBody(t, `{"pacticipantVersionNumber":"2","contract":{"content":"`+doc+`","contentType":"application/json","specification":"oas"}}`))
	if err != nil || req.SelfVerification != nil {
		t.Fatalf("without self-verification: %+v %v", req, err)
	}

	bad := []struct{ name, body, says string }{
		{"no version", `{"contract":{"content":"` + doc + `"}}`, "pacticipantVersionNumber is required"},
		{"no contract", `{"pacticipantVersionNumber":"1"}`, "contract.content is required"},
		{"not base64", `{"pacticipantVersionNumber":"1","contract":{"content":"%%%"}}`, "not base64"},
		{"other specification", `{"pacticipantVersionNumber":"1","contract":{"content":"` + doc + `","specification":"graphql"}}`, "not supported"},
		{"other content type", `{"pacticipantVersionNumber":"1","contract":{"content":"` + doc + `","contentType":"text/html"}}`, "neither YAML nor JSON"},
		{"not OpenAPI", `{"pacticipantVersionNumber":"1","contract":{"content":"` + base64.StdEncoding.EncodeToString([]byte("name: x")) + `"}}`, "not an OpenAPI document"},
		{"success missing", `{"pacticipantVersionNumber":"1","contract":{"content":"` + doc + `","selfVerificationResults":{"verifier":"x"}}}`, "success is required"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := providerContractRequest("orders", contractBody(t, tc.body))
			if broker.ErrorCode(err) != broker.Invalid || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want Invalid saying %q", err, tc.says)
			}
		})
	}
}
