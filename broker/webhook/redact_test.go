package webhook_test

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

// TestFailedSendKeepsSecretsOutOfLogs: when the receiver cannot be reached,
// the HTTP client's error quotes the URL; the token in its query and the
// password in it must not reach the logs or the error the API shows.
func TestFailedSendKeepsSecretsOutOfLogs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now: the send fails

	hook := broker.Webhook{UUID: "redact-test-webhook-1", Request: broker.WebhookRequest{
		Method:  "POST",
		URL:     "http://user:pw-s3cret@" + addr + "/hook?api_key=k3y-s3cret&token=t0ken%2Fs3cret",
		Headers: map[string]string{"X-Auth-Token": "h3ader-s3cret"},
	}}
	exec := webhook.Executor{Config: webhook.Config{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}}}
	res := exec.Execute(context.Background(), hook, broker.WebhookContext{EventName: broker.EventContractPublished}, "http://broker.example")

	require.Error(t, res.Err, "nothing listens at %s", addr)
	assert.False(t, res.Success)
	assert.Contains(t, res.Logs, "Error executing webhook", "the failure is logged")
	for _, secret := range []string{"pw-s3cret", "k3y-s3cret", "t0ken%2Fs3cret", "t0ken/s3cret", "h3ader-s3cret"} {
		assert.NotContains(t, res.Logs, secret, "logs:\n%s", res.Logs)
		assert.NotContains(t, res.Err.Error(), secret)
	}
	assert.Contains(t, res.Err.Error(), webhook.Redacted)
}

// TestRedactHeadersHidesEveryCredentialHeader: API keys, secrets, passwords
// and cookies are credentials as much as Authorization and tokens are.
func TestRedactHeadersHidesEveryCredentialHeader(t *testing.T) {
	in := map[string]string{
		"Authorization": "Basic dTpw", "Private-Token": "t", "X-Api-Key": "k", "X-API_KEY": "k2", "Apikey": "k3",
		"X-Webhook-Secret": "s", "X-Password": "p", "Cookie": "session=1", "X-Credentials": "c",
		"Content-Type": "application/json", "X-Build": "${pactbroker.buildUrl}", "X-Secret-Param": "${pactbroker.consumerName}",
	}
	want := map[string]string{
		"Authorization": webhook.Redacted, "Private-Token": webhook.Redacted, "X-Api-Key": webhook.Redacted, "X-API_KEY": webhook.Redacted,
		"Apikey": webhook.Redacted, "X-Webhook-Secret": webhook.Redacted, "X-Password": webhook.Redacted, "Cookie": webhook.Redacted,
		"X-Credentials": webhook.Redacted,
		"Content-Type":  "application/json", "X-Build": "${pactbroker.buildUrl}", "X-Secret-Param": "${pactbroker.consumerName}",
	}
	assert.Equal(t, want, webhook.RedactHeaders(in))
}

// TestTemplatedCredentialValuesStayReadable: a credential header made of a
// template parameter is not a secret (the API shows it), so what it renders
// to, here the consumer's name, stays readable elsewhere in the logs.
func TestTemplatedCredentialValuesStayReadable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	hook := broker.Webhook{UUID: "redact-test-webhook-2", Request: broker.WebhookRequest{
		Method:  "POST",
		URL:     "http://" + addr + "/hook?token=${pactbroker.consumerName}",
		Headers: map[string]string{"X-Token": "${pactbroker.consumerName}", "Authorization": "Bearer l1teral-s3cret"},
		Body:    []byte(`{"consumer":"${pactbroker.consumerName}"}`),
	}}
	exec := webhook.Executor{Config: webhook.Config{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}}}
	res := exec.Execute(context.Background(), hook, broker.WebhookContext{EventName: broker.EventContractPublished, Consumer: "Web App"}, "http://broker.example")

	require.Error(t, res.Err)
	assert.Contains(t, res.Logs, `{"consumer":"Web App"}`, "the body names the consumer")
	assert.NotContains(t, res.Logs, "l1teral-s3cret", "a literal credential is still hidden")
}
