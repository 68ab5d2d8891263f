package pipeline

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// officialBroker serves the official broker's recorded answers
// (testdata/official): the index is the union of the relations its
// recordings show; other resources are the recording the test picks by
// description. It records the requests it gets.
type officialBroker struct {
	t         *testing.T
	index     map[string]any
	responses map[string]json.RawMessage // "METHOD /path" -> body
	statuses  map[string]int

	mu       sync.Mutex
	requests []recordedRequest
}

type recordedRequest struct {
	Method, Path, Query string
	Body                map[string]any
}

func newOfficialBroker(t *testing.T, descriptions ...string) (*officialBroker, string) {
	t.Helper()
	var pact struct {
		Interactions []struct {
			Description   string `json:"description"`
			ProviderState string `json:"providerState"`
			Request       struct {
				Method, Path string
			} `json:"request"`
			Response struct {
				Status int             `json:"status"`
				Body   json.RawMessage `json:"body"`
			} `json:"response"`
		} `json:"interactions"`
	}
	b, err := os.ReadFile("testdata/official/pact-broker-client-v2__pact-broker.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pact))
	ob := &officialBroker{t: t, index: map[string]any{}, responses: map[string]json.RawMessage{}, statuses: map[string]int{}}
	for _, in := range pact.Interactions {
		if in.Request.Method == "GET" && in.Request.Path == "/" {
			var idx struct {
				Links map[string]any `json:"_links"`
			}
			require.NoError(t, json.Unmarshal(in.Response.Body, &idx))
			for k, v := range idx.Links {
				if _, dup := ob.index[k]; !dup {
					ob.index[k] = v
				}
			}
			continue
		}
		for _, d := range descriptions {
			if in.Description+" / "+in.ProviderState == d {
				key := in.Request.Method + " " + in.Request.Path
				ob.responses[key], ob.statuses[key] = in.Response.Body, in.Response.Status
			}
		}
	}
	require.Len(t, ob.responses, len(descriptions), "every recording the test names is in the file")
	srv := httptest.NewServer(ob)
	t.Cleanup(srv.Close)
	return ob, srv.URL
}

func (ob *officialBroker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	ob.mu.Lock()
	ob.requests = append(ob.requests, recordedRequest{r.Method, r.URL.Path, r.URL.RawQuery, body})
	ob.mu.Unlock()
	w.Header().Set("Content-Type", "application/hal+json;charset=utf-8")
	if r.Method == "GET" && r.URL.Path == "/" {
		_ = json.NewEncoder(w).Encode(map[string]any{"_links": ob.index})
		return
	}
	key := r.Method + " " + r.URL.EscapedPath()
	resp, ok := ob.responses[key]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"no recording for ` + key + `"}`))
		return
	}
	w.WriteHeader(ob.statuses[key])
	_, _ = w.Write(resp)
}

func (ob *officialBroker) sent(method, path string) []recordedRequest {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	var out []recordedRequest
	for _, r := range ob.requests {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// TestBrokerClientAgainstTheOfficialBroker runs each broker command against
// the official broker's recorded answers: the relations it follows exist
// there, and what it reads of the answers is where the official broker puts
// it.
func TestBrokerClientAgainstTheOfficialBroker(t *testing.T) {
	ctx := context.Background()
	const version = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
	newPipeline := func(base string) (*Pipeline, *bytes.Buffer) {
		var out bytes.Buffer
		return &Pipeline{Broker: &Broker{BaseURL: base}, Build: build.Info{Version: version, Branch: "main", URL: "http://build"},
			Stdout: &out, Stderr: &out}, &out
	}

	t.Run("publish", func(t *testing.T) {
		ob, base := newOfficialBroker(t, "a request to publish contracts / ")
		approved, err := os.ReadFile("testdata/official/publish_contract_nothing_exists.approved.json")
		require.NoError(t, err)
		var rec struct {
			Response struct{ Body json.RawMessage } `json:"response"`
		}
		require.NoError(t, json.Unmarshal(approved, &rec))
		ob.responses["POST /contracts/publish"] = rec.Response.Body // the fuller answer, with notices
		p, out := newPipeline(base)
		require.NoError(t, p.Publish(ctx, "testdata/pacts"))
		sent := ob.sent("POST", "/contracts/publish")
		require.Len(t, sent, 1)
		body := sent[0].Body
		assert.Equal(t, "shop", body["pacticipantName"])
		assert.Equal(t, version, body["pacticipantVersionNumber"])
		assert.Equal(t, "main", body["branch"])
		assert.Equal(t, "http://build", body["buildUrl"])
		c := body["contracts"].([]any)[0].(map[string]any)
		assert.Equal(t, "stock", c["providerName"])
		assert.Equal(t, "pact", c["specification"])
		assert.Equal(t, "application/json", c["contentType"])
		content, err := base64.StdEncoding.DecodeString(c["content"].(string))
		require.NoError(t, err)
		file, _ := os.ReadFile("testdata/pacts/shop-stock.json")
		assert.Equal(t, string(file), string(content))
		assert.Contains(t, out.String(), "Pact successfully published for Foo version 1 and provider Bar.", "the broker's notices are shown")
		assert.NotContains(t, out.String(), "Created Foo version 1", "debug notices are not")
	})

	t.Run("create-environment", func(t *testing.T) {
		ob, base := newOfficialBroker(t, "a request to list the environments / an environment exists", "a request to create an environment / ")
		p, out := newPipeline(base)
		require.NoError(t, p.CreateEnvironment(ctx, "test", "", false))
		assert.Contains(t, out.String(), "environment test exists already (uuid 78e85fb2-9df1-48da-817e-c9bea6294e01")
		assert.Empty(t, ob.sent("POST", "/environments"))
		require.NoError(t, p.CreateEnvironment(ctx, "production", "Production", true))
		assert.Contains(t, out.String(), "created environment production (uuid ffe683ef-dcd7-4e4f-877d-f6eb3db8e86e")
		sent := ob.sent("POST", "/environments")
		require.Len(t, sent, 1)
		assert.Equal(t, map[string]any{"name": "production", "displayName": "Production", "production": true}, sent[0].Body)
	})

	t.Run("record-deployment", func(t *testing.T) {
		ob, base := newOfficialBroker(t,
			"a request for a pacticipant version / version "+version+" of pacticipant Foo exists with a test environment available for deployment",
			"a request to record a deployment / version "+version+" of pacticipant Foo exists with a test environment available for deployment")
		p, out := newPipeline(base)
		require.NoError(t, p.RecordDeployment(ctx, "Foo", version, "test"))
		assert.Contains(t, out.String(), "recorded: Foo "+version+" is deployed to test")
		require.Len(t, ob.sent("POST", "/pacticipants/Foo/versions/"+version+"/deployed-versions/environment/cb632df3-0a0d-4227-aac3-60114dd36479"), 1)
		err := p.RecordDeployment(ctx, "Foo", version, "production")
		assert.ErrorContains(t, err, `no environment "production" (it has: test)`)
	})

	t.Run("can-i-deploy", func(t *testing.T) {
		ob, base := newOfficialBroker(t, "a request for the compatibility matrix where only the version of Foo is specified / the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7")
		p, _ := newPipeline(base)
		d, err := p.CanIDeploy(ctx, DeployQuery{Pacticipant: "Foo", Version: "1.2.3", Environment: "production"})
		require.NoError(t, err)
		assert.Equal(t, "some text", d.Reason)
		require.Len(t, d.Rows, 1)
		assert.Equal(t, "Bar", d.Rows[0].Provider)
		assert.Equal(t, "5", d.Rows[0].ProviderVersion)
		sent := ob.sent("GET", "/matrix")
		require.Len(t, sent, 1)
		assert.Equal(t, "q[][pacticipant]=Foo&q[][version]=1.2.3&latestby=cvpv&environment=production", sent[0].Query,
			"the query pact-broker-cli sends for --to-environment")
		var table bytes.Buffer
		WriteDecision(&table, DeployQuery{Pacticipant: "Foo", Version: "1.2.3", Environment: "production"}, d)
		assert.True(t, strings.HasPrefix(table.String(), "CONSUMER  C.VERSION  PROVIDER  P.VERSION  SUCCESS?\nFoo       4          Bar       5          true"), table.String())
	})
}
