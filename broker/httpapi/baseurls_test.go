package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// PACT_BROKER_BASE_URLS: links use the configured URL a request came in
// through (by scheme, host and port, as a proxy reports them), else the
// first one, as the Ruby broker's SetBaseUrl middleware does.
func TestLinksUseTheBaseURLTheRequestCameThrough(t *testing.T) {
	base := brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{
		BaseURLs: []string{"http://pact-broker:9292", "https://broker.example.com/"}})
	for name, c := range map[string]struct {
		set  func(*http.Request)
		want string
	}{
		"the internal name": {func(r *http.Request) { r.Host = "pact-broker:9292" }, "http://pact-broker:9292"},
		"through the proxy": {func(r *http.Request) {
			r.Header.Set("X-Forwarded-Host", "broker.example.com")
			r.Header.Set("X-Forwarded-Proto", "https")
		}, "https://broker.example.com"},
		"the default port named": {func(r *http.Request) {
			r.Header.Set("X-Forwarded-Host", "broker.example.com:443")
			r.Header.Set("X-Forwarded-Proto", "https")
		}, "https://broker.example.com"},
		"any other name": {func(r *http.Request) { r.Host = "10.0.0.7:9292" }, "http://pact-broker:9292"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, body := send(t, "GET", base+"/", c.set)
			require.Equal(t, http.StatusOK, code)
			var idx struct {
				Links struct {
					Self struct{ Href string } `json:"self"`
				} `json:"_links"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &idx))
			assert.Equal(t, c.want, idx.Links.Self.Href)
		})
	}
}
