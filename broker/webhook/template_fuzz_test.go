package webhook_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

// FuzzBuild: whatever a webhook's template says and whatever names,
// versions, tags and branches a publisher chooses, rendering never panics,
// and once the URL template passed the allow-list check the rendered URL
// goes to the same host: template parameters cannot move a webhook
// (parameters in URLs are query-escaped, and the host may not hold any).
func FuzzBuild(f *testing.F) {
	f.Add("https://ci.example/build?pact=${pactbroker.pactUrl}&c=${pactbroker.consumerName}", `{"v":"${pactbroker.consumerVersionNumber}"}`, "Bearer ${pactbroker.providerName}", "Foo", "Bar", "1.0.0", "prod", "main")
	f.Add("https://ci.example/${pactbroker.consumerName}/x", `"${pactbroker.eventName} ${pactbroker.nope}"`, "", "a@evil.example/", "../..", "1#frag", "?q=1", "a\x00b")
	f.Add("https://${pactbroker.consumerName}.ci.example/", `null`, "", "evil.example#", "Bar", "1", "", "")
	f.Add("http://127.0.0.2:1/${pactbroker.pactUrl}", `{`, "${pactbroker.consumerVersionTags}", "@127.0.0.1", "Bar", "\xff", "a,b", "%2F")
	f.Fuzz(func(t *testing.T, rawURL, body, header, consumer, provider, version, tag, branch string) {
		w := broker.Webhook{UUID: "fuzzfuzzfuzzfuzz", Request: broker.WebhookRequest{
			Method: "POST", URL: rawURL, Headers: map[string]string{"Authorization": header}, Username: header, Password: header,
		}}
		if json.Valid([]byte(body)) {
			w.Request.Body = json.RawMessage(body)
		}
		c := broker.WebhookContext{Consumer: consumer, Provider: provider, ConsumerVersion: version, ConsumerVersionTags: []string{tag},
			ConsumerVersionBranch: branch, ProviderVersion: version, ProviderVersionBranch: branch, SHA: "abc", VerificationNumber: 1, EventName: "contract_published"}
		req, err := webhook.Build(w, c, "http://broker.example")
		if err != nil {
			return
		}
		cfg := webhook.Config{Schemes: []string{"http", "https"}}
		if cfg.CheckRequest(w.Request.Method, rawURL) != nil {
			return
		}
		tmpl, _ := url.Parse(webhook.Placeholder(rawURL, "placeholder"))
		got, err := url.Parse(req.URL)
		if err != nil {
			t.Fatalf("template %q passed the check but renders to %q, which is not a URL: %v", rawURL, req.URL, err)
		}
		if got.Host != tmpl.Host || got.Scheme != tmpl.Scheme {
			t.Fatalf("template %q (host %q) renders to %q (host %q)", rawURL, tmpl.Host, req.URL, got.Host)
		}
		if err := cfg.CheckRequest(req.Method, req.URL); err != nil {
			t.Fatalf("template %q passed the check but its rendering %q does not: %v", rawURL, req.URL, err)
		}
	})
}
