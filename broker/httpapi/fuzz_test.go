package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// fuzzRoutes are the API's paths with their parameters as {}; the fuzzer
// fills the parameters, the query and the body.
var fuzzRoutes = []string{
	"/contracts/publish", "/pacts/provider/{}/consumer/{}/version/{}", "/pacts/provider/{}/consumer/{}/pact-version/{}/metadata/{}",
	"/pacts/provider/{}/consumer/{}/pact-version/{}/verification-results", "/pacts/provider/{}/for-verification",
	"/pacts/provider/{}/consumer/{}/latest/{}", "/pacts/provider/{}/consumer/{}/branch/{}/latest", "/pacts/latest",
	"/pacticipants", "/pacticipants/{}", "/pacticipants/{}/versions/{}", "/pacticipants/{}/versions/{}/tags/{}",
	"/pacticipants/{}/branches/{}/versions/{}", "/pacticipants/{}/latest-version/{}", "/pacticipants/{}/versions",
	"/matrix", "/can-i-deploy", "/pacticipants/{}/latest-version/{}/can-i-deploy/to/{}", "/environments", "/environments/{}",
	"/pacticipants/{}/versions/{}/deployed-versions/environment/{}", "/pacticipants/{}/versions/{}/released-versions/environment/{}",
	"/webhooks", "/webhooks/{}", "/webhooks/{}/execute", "/webhooks/provider/{}/consumer/{}", "/pacts/provider/{}/consumer/{}/webhooks/status",
	"/{}", "/{}/{}",
}

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// FuzzHTTP sends fuzzed requests to every kind of route of a broker on
// SQLite holding one pact: whatever arrives, the answer is never a 5xx (a
// 5xx tells the official clients to retry, and means the broker did not
// understand its own input).
func FuzzHTTP(f *testing.F) {
	pact := `{"consumer":{"name":"Foo"},"provider":{"name":"Bar"},"interactions":[{"description":"a","request":{"method":"GET","path":"/"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`
	publish, _ := json.Marshal(map[string]any{"pacticipantName": "Foo", "pacticipantVersionNumber": "1", "branch": "main", "tags": []string{"prod"},
		"contracts": []any{map[string]any{"consumerName": "Foo", "providerName": "Bar", "specification": "pact", "contentType": "application/json",
			"content": base64.StdEncoding.EncodeToString([]byte(pact))}}})
	f.Add(uint8(0), uint8(1), "", "", "", "", string(publish))
	f.Add(uint8(1), uint8(2), "Bar", "Foo", "2", "", pact)
	f.Add(uint8(3), uint8(1), "Bar", "Foo", "0000", "", `{"success":true,"providerApplicationVersion":"9","testResults":{"a":"\udfff"},"verifiedBy":{"implementation":"x"}}`)
	f.Add(uint8(4), uint8(1), "Bar", "", "", "", `{"consumerVersionSelectors":[{"mainBranch":true},{"deployedOrReleased":true}],"includePendingStatus":true,"includeWipPactsSince":"2020-01-01","providerVersionBranch":"main"}`)
	f.Add(uint8(15), uint8(0), "", "", "", "q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&page=99999999999&size=-1", "")
	f.Add(uint8(2), uint8(0), "Bar", "Foo", "sha", "Y3ZuPTI", "")
	f.Add(uint8(22), uint8(1), "", "", "", "", `{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://ci.example/${pactbroker.pactUrl}","body":{"a":"\u0000"}}}`)
	f.Add(uint8(10), uint8(2), "Foo", "1\x00", "", "", `{"branch":"\xff"}`)
	f.Add(uint8(9), uint8(3), "Foo", "", "", "", `{"mainBranch":"`+strings.Repeat("m", 300)+`"}`)
	f.Add(uint8(27), uint8(0), "..%2F..%2Fetc", "", "", "", "")

	store, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(f.TempDir(), "broker.sqlite3"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	h := brokertest.API(store, httpapi.Config{BaseURL: "http://broker.test"})
	send := func(method, target string, body []byte) *httptest.ResponseRecorder {
		u, err := url.Parse(target)
		if err != nil {
			return nil
		}
		r := &http.Request{Method: method, URL: u, Header: http.Header{"Content-Type": {"application/json"}}, Host: "broker.test",
			Body: http.NoBody, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, RequestURI: target}
		if len(body) > 0 {
			r.Body, r.ContentLength = httpNopCloser{bytes.NewReader(body)}, int64(len(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r.WithContext(context.Background()))
		return rec
	}
	if rec := send("POST", "/contracts/publish", publish); rec.Code != 200 {
		f.Fatalf("seeding the pact: %d %s", rec.Code, rec.Body)
	}
	f.Fuzz(func(t *testing.T, route, method uint8, a, b, c, query, body string) {
		segs := []string{a, b, c, query}
		i := 0
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		for strings.Contains(path, "{}") {
			path = strings.Replace(path, "{}", url.PathEscape(segs[i%len(segs)]), 1)
			i++
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		m := fuzzMethods[int(method)%len(fuzzMethods)]
		rec := send(m, target, []byte(body))
		if rec == nil {
			return
		}
		if rec.Code >= 500 {
			t.Fatalf("%s %s with body %q: %d %s", m, target, body, rec.Code, rec.Body)
		}
	})
}

type httpNopCloser struct{ *bytes.Reader }

func (httpNopCloser) Close() error { return nil }
