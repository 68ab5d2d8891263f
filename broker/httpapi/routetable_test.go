package httpapi_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/ui"
)

// routeExceptions are the official routes' methods this broker does not
// serve, by "METHOD PATH" as in testdata/official-routes.txt, each with
// the reason. Empty: every official route and method is served.
var routeExceptions = map[string]string{}

type officialRoute struct {
	methods  []string
	path     string
	resource string
}

func readOfficialRoutes(t *testing.T) []officialRoute {
	t.Helper()
	f, err := os.Open("testdata/official-routes.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []officialRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, " ", 3)
		require.Len(t, fields, 3, "line %q", line)
		out = append(out, officialRoute{methods: strings.Split(fields[0], ","), path: fields[1], resource: fields[2]})
	}
	require.NoError(t, sc.Err())
	return out
}

var placeholderName = regexp.MustCompile(`\{[^$}][^}]*\}`)

// shape is a path with its placeholders unnamed, so the official
// {provider_name} and this broker's {provider} compare equal.
func shape(path string) string { return placeholderName.ReplaceAllString(path, "{}") }

// TestOfficialRoutesAreServed reads the official broker's route table
// (testdata/official-routes.txt, taken from its api.rb) and checks that
// every route, with every method, is served by this broker's own route
// tables (httpapi.Server.Routes, and ui.Handler.Routes for the badges the
// pages draw) or is an exception with a reason. OPTIONS is answered for
// every route by httpedge. It also writes the table for people,
// docs/routes.md (-update), and fails when that file is out of date, so
// the document cannot drift from the code.
func TestOfficialRoutesAreServed(t *testing.T) {
	official := readOfficialRoutes(t)
	require.Len(t, official, 101, "the official api.rb has 101 routes")
	store := brokertest.NewStore(t, "sqlite")
	served := map[string]httpedge.Route{} // by "METHOD shape"
	for _, rt := range brokertest.API(store, httpapi.Config{}).Routes() {
		served[rt.Method+" "+shape(rt.Pattern)] = rt
	}
	for _, rt := range brokertest.Pages(store, ui.Config{}).Routes() {
		if rt.Access == httpedge.Badge { // the API has no badges; pages are not API routes
			served[rt.Method+" "+shape(rt.Pattern)] = rt
		}
	}
	used := map[string]bool{}
	var doc strings.Builder
	doc.WriteString(routesDocHead)
	counts := map[string]int{}
	for _, o := range official {
		var ours []string
		var marks []string
		for _, m := range o.methods {
			if m == http.MethodOptions {
				continue
			}
			key := m + " " + o.path
			rt, ok := served[m+" "+shape(strings.TrimSuffix(o.path, "/"))]
			if o.path == "/" {
				rt, ok = served[m+" /{$}"]
			}
			reason, excepted := routeExceptions[key]
			switch {
			case ok && excepted:
				t.Errorf("%s is served but listed as an exception (%s): remove the exception", key, reason)
			case ok:
				ours = append(ours, fmt.Sprintf("`%s %s`", rt.Method, rt.Pattern))
			case excepted:
				used[key] = true
				marks = append(marks, fmt.Sprintf("❌ %s: %s", m, reason))
			default:
				t.Errorf("the official %s (%s) is not served: serve it, or add it to routeExceptions with the reason", key, o.resource)
			}
		}
		status := "✅"
		if len(marks) > 0 {
			status = strings.Join(marks, "; ")
			counts["exception"]++
		} else {
			counts["served"]++
		}
		fmt.Fprintf(&doc, "| `%s` | %s | %s | %s | %s |\n", o.path, strings.Join(o.methods, ", "), o.resource, strings.Join(ours, "<br>"), status)
	}
	for key := range routeExceptions {
		assert.True(t, used[key], "routeExceptions lists %s, which is not an official route's method", key)
	}
	fmt.Fprintf(&doc, "\n%d official routes: %d served with every method, %d with exceptions. OPTIONS is answered for every route (httpedge), HEAD by each GET.\n",
		len(official), counts["served"], counts["exception"])
	assert.Equal(t, len(official), counts["served"], "official routes not served in full")

	const docPath = "../../docs/routes.md"
	if *update {
		require.NoError(t, os.WriteFile(docPath, []byte(doc.String()), 0o644))
	}
	got, err := os.ReadFile(docPath)
	require.NoError(t, err, "run go test ./broker/httpapi -run TestOfficialRoutesAreServed -update")
	assert.Equal(t, doc.String(), string(got), "docs/routes.md is out of date: go test ./broker/httpapi -run TestOfficialRoutesAreServed -update")
	assert.True(t, slices.ContainsFunc(official, func(o officialRoute) bool { return o.path == "/test/error" }))

	// OPTIONS on each API route, its placeholders filled, lists the
	// official methods: the official path reaches the route that serves
	// them (not another one the mux prefers).
	base := brokertest.Serve(t, store, httpapi.Config{})
	for _, o := range official {
		if strings.HasSuffix(o.path, "/badge") {
			continue // drawn by the pages (ui.Split), not the API
		}
		path := placeholderName.ReplaceAllString(o.path, "x")
		req, err := http.NewRequest(http.MethodOptions, base+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		if !assert.Equal(t, http.StatusOK, res.StatusCode, "OPTIONS %s", path) {
			continue
		}
		allow := strings.Split(res.Header.Get("Allow"), ", ")
		for _, m := range o.methods {
			assert.Contains(t, allow, m, "OPTIONS %s (official %s)", path, o.path)
		}
	}
}

const routesDocHead = `# Routes: the official Pact Broker's, and ours

Every route of the official broker's API (` + "`lib/pact_broker/api.rb`" + ` of pact-foundation/pact_broker, in its match
order, with each resource's allowed methods) and the ServeMux patterns that serve it here: in ` + "`broker/httpapi/routes.go`" + `,
or for badges in ` + "`broker/ui`" + `. Generated and checked by ` + "`TestOfficialRoutesAreServed`" + ` (` + "`broker/httpapi/routetable_test.go`" + `)
from ` + "`broker/httpapi/testdata/official-routes.txt`" + `; regenerate with
` + "`go test ./broker/httpapi -run TestOfficialRoutesAreServed -update`" + `. A route or method not served is ❌ with its reason.

Beyond these, this broker serves the diagnostic app's ` + "`/diagnostic/status/heartbeat`" + ` and
` + "`/diagnostic/status/dependencies`" + ` (mounted before the API in the official broker), the UI's pages at the same URLs,
and its own additions (` + "`/stubs`" + `, ` + "`/field-usage`" + `, ` + "`/can-i-remove-field`" + `, route coverage, ` + "`/provider-contracts`" + `, ` + "`/doc/{rel}`" + `).

| official path | methods | official resource | ours | |
|---|---|---|---|---|
`
