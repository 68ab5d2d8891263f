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

// TestChunkedBodies: a body without a Content-Length (chunked) is read in
// pieces: one over the limit is refused with 413 once it passes it, and
// one of a few MiB within it is stored whole.
func TestChunkedBodies(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{})
	put := func(path string, body io.Reader) (int, string) {
		t.Helper()
		// A reader of unknown length: the client sends it chunked.
		req, err := http.NewRequest(http.MethodPut, base+path, io.MultiReader(body))
		require.NoError(t, err)
		req.ContentLength = -1 // unknown: sent chunked
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	pact := func(consumer string, pad int) string {
		return `{"consumer":{"name":"` + consumer + `"},"provider":{"name":"Users"},"interactions":[{"description":"` + strings.Repeat("x", pad) +
			`","request":{"method":"GET","path":"/"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`
	}
	over := pact("Web", 0) + strings.Repeat(" ", 64<<20)
	code, body := put("/pacts/provider/Users/consumer/Web/version/1", strings.NewReader(over))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, body)
	resp, err := http.Get(base + "/pacts/provider/Users/consumer/Web/version/1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the refused pact was not written")

	within := pact("App", 3<<20+12345) // more than one piece, not a whole number of them
	code, body = put("/pacts/provider/Users/consumer/App/version/1", strings.NewReader(within))
	require.Equal(t, http.StatusCreated, code, "%.300s", body)
	resp, err = http.Get(base + "/pacts/provider/Users/consumer/App/version/1")
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(got), strings.Repeat("x", 3<<20+12345), "the pact read back whole")
}
