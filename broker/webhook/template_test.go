package webhook_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

var sample = broker.WebhookContext{
	EventName: broker.EventContractRequiringVerificationPublished,
	Consumer:  "Web App", Provider: "User Service",
	ConsumerVersion: "abc 1", ConsumerVersionBranch: "feat/x", ConsumerVersionTags: []string{"dev", "qa"},
	ConsumerLabels:  []string{"team-a"},
	SHA:             "0123456789abcdef",
	ProviderVersion: "p1", ProviderVersionBranch: "main",
	ProviderVersionDescriptions: []string{"latest from main branch", "deployed in production"},
	BuildURL:                    "https://ci.example/1",
}

func TestParams(t *testing.T) {
	p := webhook.Params(sample, "https://broker.example/")
	permalink := "https://broker.example/pacts/provider/User%20Service/consumer/Web%20App/pact-version/0123456789abcdef"
	require.True(t, strings.HasPrefix(p["pactUrl"], permalink+"/metadata/"), p["pactUrl"])
	meta, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(p["pactUrl"], permalink+"/metadata/"))
	require.NoError(t, err)
	assert.Equal(t, "cvn=abc+1&cvt[]=dev&cvt[]=qa&w=true", strings.ReplaceAll(string(meta), "%5B%5D", "[]"))
	assert.Equal(t, "", p["verificationResultUrl"], "no verification yet")
	assert.Equal(t, "pending", p["githubVerificationStatus"])
	assert.Equal(t, "INPROGRESS", p["bitbucketVerificationStatus"])
	assert.Equal(t, "abc 1", p["consumerVersionNumber"])
	assert.Equal(t, "feat/x", p["consumerVersionBranch"])
	assert.Equal(t, "dev, qa", p["consumerVersionTags"])
	assert.Equal(t, "team-a", p["consumerLabels"])
	assert.Equal(t, "p1", p["providerVersionNumber"])
	assert.Equal(t, "main", p["providerVersionBranch"])
	assert.Equal(t, "latest from main branch, deployed in production", p["providerVersionDescriptions"])
	assert.Equal(t, "contract_requiring_verification_published", p["eventName"])
	assert.Equal(t, "https://ci.example/1", p["buildUrl"])

	v := sample
	v.VerificationNumber, v.VerificationSuccess = 7, false
	p = webhook.Params(v, "https://broker.example")
	assert.Equal(t, permalink+"/verification-results/7", p["verificationResultUrl"])
	assert.Equal(t, "failure", p["githubVerificationStatus"])
	assert.Equal(t, "failed", p["gitlabVerificationStatus"])
	assert.Equal(t, "failed", p["azureDevOpsVerificationStatus"])
	v.VerificationSuccess = true
	p = webhook.Params(v, "https://broker.example")
	assert.Equal(t, "success", p["githubVerificationStatus"])
	assert.Equal(t, "SUCCESSFUL", p["bitbucketVerificationStatus"])
}

func TestBuild(t *testing.T) {
	w := broker.Webhook{Request: broker.WebhookRequest{
		Method:   "post",
		URL:      "https://ci.example/build?pact=${pactbroker.pactUrl}&c=${pactbroker.consumerName}&x=${pactbroker.unknown}",
		Headers:  map[string]string{"X-Consumer": "${pactbroker.consumerName}", "Authorization": "Bearer s3cret"},
		Body:     json.RawMessage(`{"version": "${pactbroker.providerVersionNumber}", "branch": "${pactbroker.providerVersionBranch}"}`),
		Username: "${pactbroker.providerName}", Password: "pw",
	}}
	req, err := webhook.Build(w, sample, "https://broker.example")
	require.NoError(t, err)
	assert.Equal(t, "POST", req.Method)
	assert.Contains(t, req.URL, "&c=Web+App&", "URL values are query-escaped")
	assert.Contains(t, req.URL, "pact=https%3A%2F%2Fbroker.example%2Fpacts%2Fprovider%2FUser%2520Service")
	assert.Contains(t, req.URL, "x=${pactbroker.unknown}", "unknown parameters stay as they are")
	assert.Equal(t, "Web App", req.Headers["x-consumer"], "headers are filled in verbatim")
	assert.JSONEq(t, `{"version":"p1","branch":"main"}`, req.Body)
	assert.Equal(t, "User Service", req.Username)

	w.Request.Body = json.RawMessage(`"<xml>${pactbroker.consumerName}</xml>"`)
	req, err = webhook.Build(w, sample, "https://broker.example")
	require.NoError(t, err)
	assert.Equal(t, "<xml>Web App</xml>", req.Body, "a string body is sent as it is")

	red := webhook.RedactHeaders(map[string]string{"Authorization": "Bearer x", "X-Api-Token": "t", "X-Token-Param": "${pactbroker.consumerName}", "Accept": "a"})
	assert.Equal(t, map[string]string{"Authorization": webhook.Redacted, "X-Api-Token": webhook.Redacted, "X-Token-Param": "${pactbroker.consumerName}", "Accept": "a"}, red)
	for in, want := range map[string]string{
		"https://u:secret@h.example/p":                            "https://u:xxxxx@h.example/p",
		"https://h.example/p?token=abc&x=1":                       "https://h.example/p?token=" + webhook.Redacted + "&x=1",
		"https://h.example/p?x=1&api_key=k#f":                     "https://h.example/p?x=1&api_key=" + webhook.Redacted + "#f",
		"https://h.example/p?access_token=${pactbroker.buildUrl}": "https://h.example/p?access_token=${pactbroker.buildUrl}",
		"https://h.example/p?pact=${pactbroker.pactUrl}":          "https://h.example/p?pact=${pactbroker.pactUrl}",
	} {
		assert.Equal(t, want, webhook.RedactURL(in), in)
	}
}
