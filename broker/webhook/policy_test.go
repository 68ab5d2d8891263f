package webhook_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

func TestHostAllowed(t *testing.T) {
	cases := []struct {
		name  string
		host  string
		allow []string
		want  bool
	}{
		{"exact host", "ci.example.com", []string{"ci.example.com"}, true},
		{"exact host ignores case", "CI.example.com", []string{"ci.example.com"}, true},
		{"other host", "evil.example.org", []string{"ci.example.com"}, false},
		{"wildcard one label", "build.ci.example.com", []string{"*.ci.example.com"}, true},
		{"wildcard not two labels", "a.build.ci.example.com", []string{"*.ci.example.com"}, false},
		{"wildcard not the apex", "ci.example.com", []string{"*.ci.example.com"}, false},
		{"ip exact", "127.0.0.1", []string{"127.0.0.1"}, true},
		{"ip outside", "127.0.0.2", []string{"127.0.0.1"}, false},
		{"cidr inside", "127.0.0.9", []string{"127.0.0.0/28"}, true},
		{"cidr outside", "127.0.0.9", []string{"127.0.0.0/30"}, false},
		{"ipv6 in cidr", "::1", []string{"::1/128"}, true},
		{"regex", "jenkins-7.internal", []string{`/^jenkins-\d+\.internal$/`}, true},
		{"regex no match", "jenkins.internal.evil", []string{`/^jenkins-\d+\.internal$/`}, false},
		{"host name is not an ip range", "localhost", []string{"127.0.0.0/8"}, false},
		{"any entry", "b.example", []string{"a.example", "b.example"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, webhook.HostAllowed(c.host, c.allow))
		})
	}
}

func TestCheckRequest(t *testing.T) {
	loop := webhook.Config{Schemes: []string{"http", "https"}, Hosts: []string{"127.0.0.1"}, Methods: []string{"POST", "PUT"}}
	cases := []struct {
		name, method, url string
		cfg               webhook.Config
		field             string // "" means allowed
	}{
		{"defaults allow https POST anywhere", "POST", "https://ci.example/build", webhook.Config{}, ""},
		{"defaults refuse http", "POST", "http://ci.example/build", webhook.Config{}, "request.url"},
		{"defaults refuse GET", "GET", "https://ci.example/build", webhook.Config{}, "request.method"},
		{"method case does not matter", "post", "https://ci.example/build", webhook.Config{}, ""},
		{"allowed loopback", "PUT", "http://127.0.0.1:8080/hook?u=${pactbroker.pactUrl}", loop, ""},
		{"host outside the allow-list", "POST", "http://127.0.0.2:8080/hook", loop, "request.url"},
		{"templated host", "POST", "https://${pactbroker.consumerName}.example/hook", webhook.Config{}, "request.url"},
		{"relative URL", "POST", "/hook", webhook.Config{}, "request.url"},
		{"missing URL", "POST", "", webhook.Config{}, "request.url"},
		{"missing method", "", "https://ci.example", webhook.Config{}, "request.method"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.CheckRequest(c.method, c.url)
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			var de *broker.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, broker.Invalid, de.Code)
			assert.Equal(t, c.field, de.Field)
		})
	}
}

func TestValidate(t *testing.T) {
	ok := broker.WebhookRequest{Method: "POST", URL: "https://ci.example"}
	cases := []struct {
		name  string
		w     broker.Webhook
		field string
	}{
		{"fine", broker.Webhook{Events: []string{broker.EventContractPublished}, Request: ok}, ""},
		{"unknown event", broker.Webhook{Events: []string{"pact_changed"}, Request: ok}, "events"},
		{"consumer without name or label", broker.Webhook{Consumer: &broker.WebhookPacticipant{}, Request: ok}, "consumer"},
		{"provider with both", broker.Webhook{Provider: &broker.WebhookPacticipant{Name: "a", Label: "b"}, Request: ok}, "provider.label"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := webhook.Config{}.Validate(c.w)
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			var de *broker.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, c.field, de.Field)
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"PACT_BROKER_WEBHOOK_RETRY_SCHEDULE":        "1 2.5,3",
		"PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS":     "200 202",
		"PACT_BROKER_WEBHOOK_SCHEME_WHITELIST":      "http https",
		"PACT_BROKER_WEBHOOK_HOST_WHITELIST":        "127.0.0.1 *.ci.example /^a$/ 10.0.0.0/8",
		"PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST": "POST,PUT",
		"PACT_BROKER_WEBHOOK_TIMEOUT":               "0.5",
	}
	c, err := webhook.ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Len(t, c.RetrySchedule, 3)
	assert.Equal(t, 2500, int(c.RetrySchedule[1].Milliseconds()))
	assert.Equal(t, []int{200, 202}, c.SuccessCodes)
	assert.Equal(t, []string{"POST", "PUT"}, c.Methods)
	assert.Equal(t, 4, c.MaxAttempts())
	assert.Equal(t, 500, int(c.Timeout.Milliseconds()))

	d, err := webhook.ConfigFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	d = d.WithDefaults()
	assert.Equal(t, 7, d.MaxAttempts(), "the default schedule has six retries")
	assert.Equal(t, []string{"https"}, d.Schemes)
	assert.Equal(t, []string{"POST"}, d.Methods)

	for k, v := range map[string]string{
		"PACT_BROKER_WEBHOOK_RETRY_SCHEDULE":    "10 soon",
		"PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS": "ok",
		"PACT_BROKER_WEBHOOK_HOST_WHITELIST":    "10.0.0.0/99",
		"PACT_BROKER_WEBHOOK_TIMEOUT":           "-1",
	} {
		_, err := webhook.ConfigFromEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		assert.Error(t, err, "%s=%s must be refused", k, v)
	}
}
