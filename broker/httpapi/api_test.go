package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

type client struct {
	t    *testing.T
	base string
	user string
	pass string
}

// do sends a request and decodes a JSON response into a map.
func (c client) do(method, path string, body any) (int, map[string]any, http.Header) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(c.t, err)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/hal+json")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, &m), "%s %s answered non-JSON: %s", method, path, raw)
	}
	return res.StatusCode, m, res.Header
}

// get walks a JSON path like "_links.self.href" or "_embedded.pacts.0.shortDescription".
func get(m any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch v := m.(type) {
		case map[string]any:
			m = v[k]
		case []any:
			i := 0
			for _, ch := range k {
				i = i*10 + int(ch-'0')
			}
			if i >= len(v) {
				return nil
			}
			m = v[i]
		default:
			return nil
		}
	}
	return m
}

func newAPI(t *testing.T, cfg httpapi.Config) (*sqlstore.Store, client) {
	s := brokertest.NewStore(t, "sqlite")
	return s, client{t: t, base: brokertest.Serve(t, s, cfg)}
}

func publishBody(consumer, version, branch, provider string, descriptions ...string) map[string]any {
	return map[string]any{
		"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": branch, "tags": []string{"dev"},
		"contracts": []any{map[string]any{"consumerName": consumer, "providerName": provider, "specification": "pact", "contentType": "application/json",
			"content": base64.StdEncoding.EncodeToString(storetest.PactJSON(consumer, provider, descriptions...))}},
	}
}

// publish publishes a pact of the given interactions through
// /contracts/publish with these tags (none when nil) and requires a 200.
func (c client) publish(consumer, version, branch, provider string, tags []string, descriptions ...string) {
	c.t.Helper()
	b := publishBody(consumer, version, branch, provider, descriptions...)
	b["tags"] = tags
	code, res, _ := c.do("POST", "/contracts/publish", b)
	require.Equal(c.t, http.StatusOK, code, "%v", res)
}

func TestIndexLinksAreAbsoluteAndTemplated(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	code, body, h := c.do("GET", "/", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "application/hal+json;charset=utf-8", h.Get("Content-Type"))
	assert.Equal(t, httpapi.Version, h.Get("X-Pact-Broker-Version"))
	for _, rel := range []string{"pb:provider-pacts-for-verification", "pb:pacticipant", "pb:pacticipant-version", "pb:latest-version",
		"pb:latest-tagged-version", "pb:webhook", "pb:pacticipant-branch", "pb:pacticipant-branch-version", "pb:publish-pact"} {
		assert.Equal(t, true, get(body, "_links."+rel+".templated"), rel)
		assert.True(t, strings.HasPrefix(get(body, "_links."+rel+".href").(string), c.base+"/"), rel)
	}
	for _, rel := range []string{"pb:publish-contracts", "pb:pacticipants", "pb:latest-pact-versions", "pb:environments", "pb:webhooks"} {
		assert.Nil(t, get(body, "_links."+rel+".templated"), rel)
		assert.True(t, strings.HasPrefix(get(body, "_links."+rel+".href").(string), c.base+"/"), rel)
	}
}

func TestBaseURLFromForwardedHeaders(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	req, _ := http.NewRequest("GET", c.base+"/", nil)
	req.Header.Set("X-Forwarded-Host", "broker.example")
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	assert.Equal(t, "https://broker.example/pacticipants", get(body, "_links.pb:pacticipants.href"))
}

func TestNamesRoundTripThroughEscapedPaths(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	code, body, _ := c.do("POST", "/contracts/publish", publishBody("Zürich Web", "1.0.0+b.1", "feat/new ui", "Orders.API/v2", "a"))
	require.Equal(t, 200, code, "%v", body)
	contract := get(body, "_links.pb:contracts.0.href").(string)
	assert.Equal(t, c.base+"/pacts/provider/Orders.API%2Fv2/consumer/Z%C3%BCrich%20Web/version/1.0.0+b.1", contract)

	for _, path := range []string{
		strings.TrimPrefix(contract, c.base),
		"/pacts/provider/Orders.API%2Fv2/consumer/Z%C3%BCrich%20Web/branch/feat%2Fnew%20ui/latest",
		"/pacts/provider/Orders.API%2Fv2/consumer/Z%C3%BCrich%20Web/latest/dev",
	} {
		code, pact, h := c.do("GET", path, nil)
		require.Equal(t, 200, code, path)
		assert.Equal(t, "1.0.0+b.1", h.Get("X-Pact-Consumer-Version"))
		assert.Equal(t, c.base+"/pacticipants/Orders.API%2Fv2", get(pact, "_links.pb:provider.href"))
		assert.Contains(t, get(pact, "_links.pb:publish-verification-results.href"), "/pacts/provider/Orders.API%2Fv2/consumer/Z%C3%BCrich%20Web/pact-version/")
	}
	code, b, _ := c.do("GET", "/pacticipants/Z%C3%BCrich%20Web/branches/feat%2Fnew%20ui", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "feat/new ui", b["name"])
}

func TestErrorShapes(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	require.Equal(t, 200, first(c.do("POST", "/contracts/publish", publishBody("Foo", "1", "main", "Bar", "a"))))

	cases := []struct {
		name, method, path string
		body               any
		status             int
		key                string
		contains           string
	}{
		{"unknown pacticipant", "GET", "/pacticipants/Nope", nil, 404, "error", "no pacticipant named \"Nope\""},
		{"unknown route", "GET", "/nothing/here", nil, 404, "error", "start from the index"},
		{"changed content", "POST", "/contracts/publish", publishBody("Foo", "1", "main", "Bar", "changed"), 409, "errors.contracts.0", "Cannot change the content of the pact for Foo version 1 and provider Bar"},
		{"missing version", "POST", "/contracts/publish", map[string]any{"pacticipantName": "Foo", "contracts": []any{}}, 400, "errors.pacticipantVersionNumber.0", "is missing"},
		{"bad base64", "POST", "/contracts/publish", map[string]any{"pacticipantName": "Foo", "pacticipantVersionNumber": "2", "contracts": []any{map[string]any{
			"consumerName": "Foo", "providerName": "Bar", "specification": "pact", "contentType": "application/json", "content": "%%%"}}}, 400, "errors.contracts.0", "not valid Base64; send the pact file base64-encoded (at index 0)"},
		{"consumer mismatch", "POST", "/contracts/publish", map[string]any{"pacticipantName": "Foo", "pacticipantVersionNumber": "2", "contracts": []any{map[string]any{
			"consumerName": "Other", "providerName": "Bar", "specification": "pact", "contentType": "application/json", "content": "e30="}}}, 400, "errors.contracts.0", "must match pacticipantName \"Foo\" (at index 0)"},
		{"not JSON", "POST", "/pacticipants", "{", 400, "errors.base.0", "not valid JSON"},
		{"pacticipant without name", "POST", "/pacticipants", map[string]any{}, 400, "errors.name.0", "is missing"},
		{"main branch with spaces", "PATCH", "/pacticipants/Foo", map[string]any{"mainBranch": "a b"}, 400, "errors.mainBranch.0", "cannot contain spaces"},
		{"duplicate pacticipant", "POST", "/pacticipants", map[string]any{"name": "Foo"}, 409, "errors.base.0", "already exists"},
		{"PUT does not create", "PUT", "/pacticipants/Ghost", map[string]any{}, 404, "error", "Ghost"},
		{"legacy PUT name mismatch", "PUT", "/pacts/provider/Bar/consumer/Foo/version/3", storetest.PactJSON("Foo", "Baz", "a"), 400, "errors.provider\\.name", ""},
		{"verification without success", "POST", "/pacts/provider/Bar/consumer/Foo/pact-version/abc/verification-results", map[string]any{"providerApplicationVersion": "1"}, 400, "errors.success.0", "is missing"},
		{"verification of unknown content", "POST", "/pacts/provider/Bar/consumer/Foo/pact-version/abc/verification-results", map[string]any{"success": true, "providerApplicationVersion": "1"}, 404, "error", "no pact content abc"},
		{"bad selector type", "POST", "/pacts/provider/Bar/for-verification", map[string]any{"consumerVersionSelectors": []any{map[string]any{"mainBranch": "yes"}}}, 400, "errors.consumerVersionSelectors.0", "mainBranch must be true (at index 0)"},
		{"mixed selector", "POST", "/pacts/provider/Bar/for-verification", map[string]any{"consumerVersionSelectors": []any{map[string]any{"tag": "x", "deployed": true}}}, 400, "errors.consumerVersionSelectors.0", "cannot specify the field(s) tag with the field(s) deployed"},
		{"bad WIP date", "POST", "/pacts/provider/Bar/for-verification", map[string]any{"includeWipPactsSince": "yesterday"}, 400, "errors.includeWipPactsSince.0", "RFC 3339"},
		{"bad page", "GET", "/pacticipants?page=0", nil, 400, "errors.page.0", "at least 1"},
		{"method not allowed", "DELETE", "/contracts/publish", nil, 405, "errors.base.0", "not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body, h := c.do(tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, code, "%v", body)
			assert.True(t, strings.HasPrefix(h.Get("Content-Type"), "application/hal+json"))
			if strings.Contains(tc.key, "\\.") { // a field name with a dot
				errs := body["errors"].(map[string]any)
				assert.Contains(t, errs, strings.ReplaceAll(strings.TrimPrefix(tc.key, "errors."), "\\", ""))
				return
			}
			v, _ := get(body, tc.key).(string)
			require.NotEmpty(t, v, "expected %s in %v", tc.key, body)
			assert.Contains(t, v, tc.contains)
		})
	}
	// The refused publication wrote nothing, and its notices say why.
	code, body, _ := c.do("POST", "/contracts/publish", publishBody("Foo", "1", "main", "Bar", "changed"))
	require.Equal(t, 409, code)
	assert.Equal(t, "error", get(body, "notices.0.type"))
}

func first(code int, _ map[string]any, _ http.Header) int { return code }

// brokenPacticipants fails to read a pacticipant the way a database that
// went away would.
type brokenPacticipants struct{ broker.Pacticipants }

func (brokenPacticipants) GetPacticipant(context.Context, string) (broker.Pacticipant, error) {
	return broker.Pacticipant{}, errors.New("index btree corrupt") // not a lost connection, which is a 503
}

func TestUnexpectedErrorsGetAReference(t *testing.T) {
	s := brokertest.NewStore(t, "sqlite")
	var logs bytes.Buffer
	svc := brokertest.APIServices(s)
	svc.Pacticipants = brokenPacticipants{s}
	c := client{t: t, base: brokertest.ServeServices(t, svc, httpapi.Config{Log: newLogger(&logs)})}
	code, body, _ := c.do("GET", "/pacticipants/Foo", nil)
	require.Equal(t, 500, code)
	ref := get(body, "error.reference").(string)
	assert.Contains(t, get(body, "error.message"), "reference "+ref)
	assert.NotContains(t, get(body, "error.message"), "btree corrupt", "internal causes stay in the log")
	assert.Contains(t, logs.String(), ref)
	assert.Contains(t, logs.String(), "btree corrupt")
}

func TestPacticipantLifecycle(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	code, body, h := c.do("POST", "/pacticipants", map[string]any{"name": "Foo", "repositoryUrl": "http://foo", "mainBranch": "main"})
	require.Equal(t, 201, code)
	assert.Equal(t, c.base+"/pacticipants/Foo", h.Get("Location"))
	assert.Equal(t, "main", body["mainBranch"])
	code, body, _ = c.do("PATCH", "/pacticipants/Foo", map[string]any{"displayName": "The Foo"})
	require.Equal(t, 200, code)
	assert.Equal(t, "http://foo", body["repositoryUrl"], "PATCH keeps what it does not mention")
	code, body, _ = c.do("PUT", "/pacticipants/Foo", map[string]any{"displayName": "Foo!"})
	require.Equal(t, 200, code)
	assert.Nil(t, body["repositoryUrl"], "PUT replaces")
	code, _, _ = c.do("PATCH", "/pacticipants/New%20One", map[string]any{"repository_url": "git@x"})
	require.Equal(t, 201, code, "PATCH creates (older clients register repository URLs this way)")
	for i := range 3 {
		c.do("PUT", "/pacticipants/P"+string(rune('a'+i)), nil)
		c.do("PATCH", "/pacticipants/P"+string(rune('a'+i)), map[string]any{})
	}
	code, body, _ = c.do("GET", "/pacticipants?pageNumber=2&pageSize=2", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, float64(5), get(body, "page.totalElements"))
	assert.Len(t, get(body, "_embedded.pacticipants"), 2)
	assert.Contains(t, get(body, "_links.next.href"), "page=3")
	assert.Contains(t, get(body, "_links.previous.href"), "page=1")
	code, _, _ = c.do("DELETE", "/pacticipants/Foo", nil)
	assert.Equal(t, 204, code)
	code, _, _ = c.do("GET", "/pacticipants/Foo", nil)
	assert.Equal(t, 404, code)
}

func TestVersionsTagsBranches(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	code, body, _ := c.do("PUT", "/pacticipants/Foo/versions/1", map[string]any{"buildUrl": "http://ci/1", "tags": []any{map[string]any{"name": "t1"}}})
	require.Equal(t, 201, code)
	assert.Equal(t, "http://ci/1", body["buildUrl"])
	code, _, _ = c.do("PUT", "/pacticipants/Foo/versions/1", map[string]any{})
	assert.Equal(t, 200, code)
	code, body, _ = c.do("PUT", "/pacticipants/Foo/versions/1/tags/prod", map[string]any{})
	require.Equal(t, 201, code)
	assert.Equal(t, c.base+"/pacticipants/Foo/versions/1/tags/prod", get(body, "_links.self.href"))
	code, _, _ = c.do("PUT", "/pacticipants/Foo/versions/1/tags/prod", map[string]any{})
	assert.Equal(t, 200, code)
	code, body, _ = c.do("PUT", "/pacticipants/Foo/branches/feat%2Fx/versions/1", map[string]any{})
	require.Equal(t, 201, code)
	assert.Equal(t, "feat/x", body["name"])
	assert.Equal(t, true, body["latest"])
	code, body, _ = c.do("GET", "/pacticipants/Foo/versions/1", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "feat/x", get(body, "_embedded.branchVersions.0.name"))
	assert.ElementsMatch(t, []any{"t1", "prod"}, []any{get(body, "_embedded.tags.0.name"), get(body, "_embedded.tags.1.name")})
	code, body, _ = c.do("GET", "/pacticipants/Foo/latest-version/prod", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "1", body["number"])
	code, body, _ = c.do("GET", "/pacticipants/Foo/branches/feat%2Fx/latest-version", nil)
	require.Equal(t, 200, code)
	assert.Equal(t, "1", body["number"])
	code, body, _ = c.do("GET", "/pacticipants/Foo/branches", nil)
	require.Equal(t, 200, code)
	assert.Len(t, get(body, "_embedded.branches"), 1)
	code, _, _ = c.do("DELETE", "/pacticipants/Foo/versions/1/tags/prod", nil)
	assert.Equal(t, 204, code)
	code, _, _ = c.do("DELETE", "/pacticipants/Foo/branches/feat%2Fx", nil)
	assert.Equal(t, 204, code)
	code, _, _ = c.do("GET", "/pacticipants/Foo/versions/1", nil)
	assert.Equal(t, 200, code, "deleting a branch keeps its versions")
}

func TestPactsForVerificationAndResults(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	require.Equal(t, 200, first(c.do("POST", "/contracts/publish", publishBody("Web", "w1", "main", "API", "a"))))
	require.Equal(t, 200, first(c.do("POST", "/contracts/publish", publishBody("Web", "w2", "feat", "API", "a", "b"))))

	code, body, _ := c.do("GET", "/pacts/provider/API/for-verification", nil)
	require.Equal(t, 200, code)
	self := get(body, "_links.self.href").(string)
	assert.Equal(t, c.base+"/pacts/provider/API/for-verification", self)
	assert.Len(t, get(body, "_embedded.pacts"), 1, "default selectors: Web's main branch")

	// What pact-go sends: providerVersionBranch "" when unset, RFC 3339 WIP date.
	code, body, _ = c.do("POST", "/pacts/provider/API/for-verification", map[string]any{
		"consumerVersionSelectors": []any{map[string]any{"mainBranch": true}}, "providerVersionBranch": "main", "includePendingStatus": true, "includeWipPactsSince": "2020-01-02T15:04:05+10:00"})
	require.Equal(t, 200, code, "%v", body)
	pacts := get(body, "_embedded.pacts").([]any)
	require.Len(t, pacts, 2)
	assert.Equal(t, "latest from main branch", get(pacts[0], "shortDescription"))
	assert.Equal(t, true, get(pacts[0], "verificationProperties.pending"))
	assert.Nil(t, get(pacts[0], "verificationProperties.wip"))
	assert.Equal(t, true, get(pacts[1], "verificationProperties.wip"))
	assert.Equal(t, "Pact between Web (w1) and API", get(pacts[0], "_links.self.name"))
	for _, n := range get(pacts[0], "verificationProperties.notices").([]any) {
		assert.IsType(t, "", get(n, "when"))
		assert.IsType(t, "", get(n, "text"))
	}
	assert.Contains(t, get(pacts[0], "verificationProperties.notices.0.text"), "latest version from the main branch 'main' (w1)")

	code, body, _ = c.do("POST", "/pacts/provider/API/for-verification", map[string]any{"consumerVersionSelectors": []any{map[string]any{"branch": "feat"}}, "providerVersionBranch": ""})
	require.Equal(t, 200, code, "%v", body)
	assert.Equal(t, true, get(body, "_embedded.pacts.0.verificationProperties.pending"), "includePendingStatus defaults to true")

	// The verifier's flow: fetch the pact, PUT the branch version, POST results.
	wipURL := get(pacts[1], "_links.self.href").(string)
	code, pact, _ := c.do("GET", strings.TrimPrefix(wipURL, c.base), nil)
	require.Equal(t, 200, code)
	code, provider, _ := c.do("GET", strings.TrimPrefix(get(pact, "_links.pb:provider.href").(string), c.base), nil)
	require.Equal(t, 200, code)
	branchVersion := strings.NewReplacer("{branch}", "main", "{version}", "p1").Replace(get(provider, "_links.pb:branch-version.href").(string))
	code, bv, _ := c.do("PUT", strings.TrimPrefix(branchVersion, c.base), map[string]any{})
	require.Equal(t, 201, code)
	assert.Equal(t, "main", bv["name"], "the verifier needs a JSON body")
	versionTag := strings.NewReplacer("{version}", "p1", "{tag}", "main").Replace(get(provider, "_links.pb:version-tag.href").(string))
	code, _, _ = c.do("PUT", strings.TrimPrefix(versionTag, c.base), map[string]any{})
	require.Equal(t, 201, code)

	results := get(pact, "_links.pb:publish-verification-results.href").(string)
	assert.Contains(t, results, "/metadata/")
	code, res, h := c.do("POST", strings.TrimPrefix(results, c.base), map[string]any{"success": true, "providerApplicationVersion": "p1",
		"testResults": []any{map[string]any{"interactionId": "x", "success": true}}, "verifiedBy": map[string]any{"implementation": "Pact-Rust", "version": "1.3.3"}})
	require.Equal(t, 201, code, "%v", res)
	assert.Equal(t, get(res, "_links.self.href"), h.Get("Location"))
	assert.Equal(t, "p1", res["providerApplicationVersion"])
	code, got, _ := c.do("GET", strings.TrimPrefix(h.Get("Location"), c.base), nil)
	require.Equal(t, 200, code)
	assert.Equal(t, true, got["success"])
	assert.Equal(t, "Pact-Rust", get(got, "verifiedBy.implementation"))

	// Results without metadata work too; the WIP one stays WIP.
	code, _, _ = c.do("POST", strings.TrimPrefix(get(pact, "_links.pb:pact-version.href").(string), c.base)+"/verification-results", map[string]any{"success": false, "providerApplicationVersion": "p2"})
	require.Equal(t, 201, code)
	code, body, _ = c.do("POST", "/pacts/provider/API/for-verification", map[string]any{
		"consumerVersionSelectors": []any{map[string]any{"mainBranch": true}}, "providerVersionBranch": "main", "includeWipPactsSince": "2020-01-02"})
	require.Equal(t, 200, code)
	assert.Len(t, get(body, "_embedded.pacts"), 2, "a WIP verification does not end WIP")
}

func TestReadOnlyUserMayAskForVerification(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "p", ReadOnlyUsername: "ro", ReadOnlyPassword: "q", ReadOnlyToken: "rtok"}})
	code, _, h := c.do("GET", "/", nil)
	assert.Equal(t, 401, code)
	assert.Equal(t, `Basic realm="Restricted area"`, h.Get("WWW-Authenticate"))
	ro := client{t: t, base: c.base, user: "ro", pass: "q"}
	assert.Equal(t, 200, first(ro.do("GET", "/", nil)))
	assert.Equal(t, 200, first(ro.do("POST", "/pacts/provider/API/for-verification", map[string]any{})))
	assert.Equal(t, 403, first(ro.do("POST", "/pacticipants", map[string]any{"name": "x"})))
	wrong := client{t: t, base: c.base, user: "rw", pass: "nope"}
	assert.Equal(t, 401, first(wrong.do("GET", "/", nil)))
	rw := client{t: t, base: c.base, user: "rw", pass: "p"}
	assert.Equal(t, 201, first(rw.do("POST", "/pacticipants", map[string]any{"name": "x"})))

	req, _ := http.NewRequest("GET", c.base+"/pacticipants/x", nil)
	req.Header.Set("Authorization", "Bearer rtok")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)

	public := client{t: t, base: brokertest.Serve(t, brokertest.NewStore(t, "sqlite"), httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "p", AllowPublicRead: true}})}
	assert.Equal(t, 200, first(public.do("GET", "/", nil)))
	assert.Equal(t, 401, first(public.do("POST", "/pacticipants", map[string]any{"name": "x"})))
	assert.Equal(t, 200, first(public.do("GET", "/diagnostic/status/heartbeat", nil)))
}

func TestPactListsAndLegacyPublish(t *testing.T) {
	_, c := newAPI(t, httpapi.Config{})
	code, body, _ := c.do("PUT", "/pacts/provider/Pricing%20Service/consumer/Condor/version/1.3.0", storetest.PactJSON("Condor", "Pricing Service", "a"))
	require.Equal(t, 201, code, "%v", body)
	assert.Equal(t, "Condor", get(body, "consumer.name"))
	assert.NotEmpty(t, get(body, "interactions.0._id"))
	code, _, _ = c.do("PUT", "/pacts/provider/Pricing%20Service/consumer/Condor/version/1.3.0", storetest.PactJSON("Condor", "Pricing Service", "a"))
	assert.Equal(t, 200, code)
	code, _, _ = c.do("PUT", "/pacts/provider/Pricing%20Service/consumer/Condor/version/1.3.0", storetest.PactJSON("Condor", "Pricing Service", "b"))
	assert.Equal(t, 409, code)
	code, body, _ = c.do("PATCH", "/pacts/provider/Pricing%20Service/consumer/Condor/version/1.3.0", storetest.PactJSON("Condor", "Pricing Service", "b"))
	require.Equal(t, 200, code)
	assert.Len(t, body["interactions"], 2)
	c.do("PUT", "/pacticipants/Condor/versions/1.3.0/tags/prod", nil)

	for path, want := range map[string]int{
		"/pacts/latest": 1, "/pacts/provider/Pricing%20Service/latest": 1, "/pacts/provider/Pricing%20Service/latest/prod": 1,
		"/pacts/provider/Pricing%20Service/tag/prod": 1, "/pacts/provider/Pricing%20Service": 1, "/pacts/provider/Pricing%20Service/latest/nope": 0,
	} {
		code, body, _ := c.do("GET", path, nil)
		require.Equal(t, 200, code, path)
		list := get(body, "pacts")
		if path != "/pacts/latest" {
			list = get(body, "_links.pb:pacts")
		}
		assert.Len(t, list, want, path)
	}
	code, _, _ = c.do("GET", "/pacts/provider/Pricing%20Service/consumer/Condor/latest-untagged", nil)
	assert.Equal(t, 404, code, "the only version is tagged")
	code, body, _ = c.do("GET", "/pacts/provider/Pricing%20Service/consumer/Condor/versions", nil)
	require.Equal(t, 200, code)
	assert.Len(t, get(body, "_embedded.pacts"), 1)
	code, _, _ = c.do("DELETE", "/pacts/provider/Pricing%20Service/consumer/Condor/version/1.3.0", nil)
	assert.Equal(t, 204, code)
	code, _, _ = c.do("GET", "/pacts/provider/Pricing%20Service/consumer/Condor/latest", nil)
	assert.Equal(t, 404, code)
}
