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
)

// TestBodiesOverTheLimitAreRefusedWhole: a body over 64 MiB gets 413. It
// used to be cut at the limit and read as whatever the cut left: here a
// valid object padded past the limit, which was then acted on.
func TestBodiesOverTheLimitAreRefusedWhole(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{})
	pad := strings.Repeat(" ", 64<<20)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/pacticipants", `{"name":"Web"}` + pad},
		{http.MethodPut, "/pacts/provider/Users/consumer/Web/version/1",
			`{"consumer":{"name":"Web"},"provider":{"name":"Users"},"interactions":[],"metadata":{"pactSpecification":{"version":"2.0.0"}}}` + pad},
		// A provider contract: the document is base64 in the body, so a
		// padded body stands for a document over the limit.
		{http.MethodPost, "/provider-contracts/provider/Orders/publish",
			`{"pacticipantVersionNumber":"1","contract":{"content":"b3BlbmFwaTogMy4wLjMK","specification":"oas"}}` + pad},
	} {
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s %s: %s", c.method, c.path, b)
		assert.Contains(t, string(b), "64 MiB", "%s %s", c.method, c.path)
	}
	for _, path := range []string{"/pacticipants/Web", "/pacts/provider/Users/consumer/Web/version/1", "/pacticipants/Orders", "/provider-contracts/provider/Orders/latest"} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s was not written", path)
	}
}
