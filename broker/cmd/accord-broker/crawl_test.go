package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// TestEveryAdvertisedLinkResolves starts from / on a seeded broker and
// follows every link and templated relation of every HAL resource it
// reaches: none may answer 404 or 5xx. Templates are filled with the seed's
// names, so a relation whose resource is missing shows as a 404.
func TestEveryAdvertisedLinkResolves(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")
			if backend == "postgres" {
				db = pg.Database(t)
			}
			m := NewMain(io.Discard)
			require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", db}, env(nil)))
			require.NoError(t, m.Run(context.Background()))
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				m.Close(ctx)
			})
			vars := seedForCrawl(t, m.URL())
			c := &crawler{t: t, base: m.URL(), vars: vars, seen: map[string]string{}}
			c.startAtRoutes()
			c.crawl()
			if _, ok := c.seen[m.URL()+"/pacticipants/Orders/versions/1.0.1/route-coverage"]; !ok {
				t.Error("the crawl did not reach Orders 1.0.1's route coverage (linked from the version and from Orders' route-coverage list)")
			}
			if len(c.seen) < 60 {
				t.Errorf("crawled only %d URLs; the seed or the crawler lost its way", len(c.seen))
			}
			var bad []string
			for u, problem := range c.seen {
				if problem != "" {
					bad = append(bad, problem+"  "+u)
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Errorf("%d of %d advertised links are dead:\n%s", len(bad), len(c.seen), strings.Join(bad, "\n"))
			}
		})
	}
}

// seedForCrawl publishes HTTP and message pacts, a verification result,
// an environment with a deployment and a release, a label and a webhook,
// and returns the values to fill templates with.
func seedForCrawl(t *testing.T, base string) map[string]string {
	send := func(method, path string, body any) map[string]any {
		t.Helper()
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/hal+json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		require.Less(t, res.StatusCode, 300, "%s %s: %s", method, path, raw)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	publish := func(consumer, version, branch string, tags []string, provider string, content []byte) {
		send("POST", "/contracts/publish", map[string]any{"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": branch, "tags": tags,
			"contracts": []map[string]any{{"consumerName": consumer, "providerName": provider, "specification": "pact", "contentType": "application/json",
				"content": base64.StdEncoding.EncodeToString(content)}}})
	}
	// Every pacticipant has version 1.0.1 on branch main tagged prod and
	// the label team-a, so templates filled with those values name
	// resources that exist whichever pacticipant advertises them.
	publish("Web", "1.0.0", "main", []string{"prod"}, "Orders", storetest.PactJSON("Web", "Orders", "get order"))
	publish("Web", "1.0.1", "main", []string{"prod"}, "Orders", storetest.PactJSON("Web", "Orders", "get order", "list orders"))
	publish("Web", "1.0.2", "feat-x", []string{"prod"}, "Orders", storetest.PactJSON("Web", "Orders", "get order", "list orders"))
	message := func(status string) []byte {
		return []byte(`{"consumer":{"name":"Billing"},"provider":{"name":"Orders"},"messages":[
		{"description":"order placed","providerStates":[{"name":"an order","params":{"id":1}}],"contents":{"id":1,"status":"` + status + `"}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	}
	publish("Billing", "1.0.0", "main", []string{"prod"}, "Orders", message("placed"))
	publish("Billing", "1.0.1", "main", []string{"prod"}, "Orders", message("paid"))
	send("PUT", "/pacticipants/Orders/branches/main/versions/1.0.1", map[string]any{})
	send("PUT", "/pacticipants/Orders/versions/1.0.1/tags/prod", map[string]any{})
	// Every pact content has a verification result, so each pact's
	// pb:latest-verification-results has one to show.
	var sha, number string // of Web 1.0.1's pact and its result
	for _, pair := range [][2]string{{"Web", "1.0.0"}, {"Web", "1.0.1"}, {"Billing", "1.0.0"}, {"Billing", "1.0.1"}} {
		pact := send("GET", "/pacts/provider/Orders/consumer/"+pair[0]+"/version/"+pair[1], nil)
		s := strings.TrimPrefix(regexp.MustCompile(`pact-version/[0-9a-f]+`).FindString(fmt.Sprint(pact["_links"])), "pact-version/")
		require.NotEmpty(t, s, "pact links name the content SHA")
		res := send("POST", "/pacts/provider/Orders/consumer/"+pair[0]+"/pact-version/"+s+"/verification-results",
			map[string]any{"success": true, "providerApplicationVersion": "1.0.1", "buildUrl": "http://ci/1"})
		if pair == [2]string{"Web", "1.0.1"} {
			sha, number = s, regexp.MustCompile(`verification-results/(\d+)`).FindStringSubmatch(fmt.Sprint(res["_links"]))[1]
		}
	}
	// Orders 1.0.1 published its route coverage with the results, so its version links it.
	send("PUT", "/pacticipants/Orders/versions/1.0.1/route-coverage", map[string]any{
		"routes": []string{"GET /orders/{id}", "GET /orders"}, "covered": []string{"GET /orders/{id}"}, "notCovered": []string{"GET /orders"}})
	env := send("POST", "/environments", map[string]any{"name": "production", "displayName": "Production", "production": true})
	envUUID, _ := env["uuid"].(string)
	require.NotEmpty(t, envUUID)
	send("POST", "/pacticipants/Orders/versions/1.0.1/deployed-versions/environment/"+envUUID, map[string]any{})
	send("POST", "/pacticipants/Web/versions/1.0.1/released-versions/environment/"+envUUID, map[string]any{})
	for _, p := range []string{"Web", "Orders", "Billing"} {
		send("PUT", "/pacticipants/"+p+"/labels/team-a", map[string]any{})
	}
	hook := send("POST", "/webhooks", map[string]any{"description": "ci", "provider": map[string]any{"name": "Orders"},
		"events": []map[string]any{{"name": "contract_published"}}, "request": map[string]any{"method": "POST", "url": "https://ci.example/hook"}})
	hookURL := fmt.Sprint(hook["_links"].(map[string]any)["self"].(map[string]any)["href"])
	return map[string]string{
		"provider": "Orders", "consumer": "Web", "pacticipant": "Web", "version": "1.0.1", "consumerApplicationVersion": "1.0.1",
		"tag": "prod", "branch": "main", "environment": "production", "label": "team-a", "pacticipant_name": "Web",
		// For the route table's own placeholders (startAtRoutes).
		"sha": sha, "comparison_sha": sha, "number": number, "comparison_version": "1.0.0", "metadata": "c1tdPTE",
		"to": "prod", "ptag": "prod", "ctag": "prod",
		"environment-uuid": envUUID, "webhook-uuid": hookURL[strings.LastIndex(hookURL, "/")+1:],
		// accord:can-i-remove-field asks about one field of a provider.
		"method": "GET", "path": "/orders/1", "location": "response.body.$.id",
	}
}

type crawler struct {
	t    *testing.T
	base string
	vars map[string]string
	// seen maps each URL fetched to "" or what was wrong with it.
	seen  map[string]string
	queue []string
}

var templateVar = regexp.MustCompile(`\{([^}]+)\}`)

// expand fills a templated href; "" when it names a variable the seed has
// no value for (reported as a problem).
func (c *crawler) expand(rel, href string) (string, string) {
	missing := ""
	out := templateVar.ReplaceAllStringFunc(href, func(m string) string {
		name := m[1 : len(m)-1]
		switch {
		case name == "uuid" && strings.Contains(href, "/environment"):
			name = "environment-uuid"
		case name == "uuid":
			name = "webhook-uuid"
		}
		v, ok := c.vars[name]
		if !ok {
			missing = name
		}
		return url.QueryEscape(v)
	})
	if missing != "" {
		return "", fmt.Sprintf("template variable {%s} of %s has no seed value", missing, rel)
	}
	return out, ""
}

func (c *crawler) add(rel string, link map[string]any) {
	href, _ := link["href"].(string)
	if href == "" {
		return
	}
	if templated, _ := link["templated"].(bool); templated || strings.Contains(href, "{") {
		var problem string
		if href, problem = c.expand(rel, href); problem != "" {
			c.seen[rel+" "+link["href"].(string)] = problem
			return
		}
	}
	if !strings.HasPrefix(href, c.base) {
		return // another site (badges redirect to shields.io)
	}
	if _, ok := c.seen[href]; !ok {
		c.seen[href] = ""
		c.queue = append(c.queue, href)
	}
}

// links walks a HAL document for "_links" objects, embedded ones too.
func (c *crawler) links(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "_links" {
				if ls, ok := x.(map[string]any); ok {
					c.curies(ls)
					for rel, l := range ls {
						if rel == "curies" {
							continue
						}
						switch l := l.(type) {
						case map[string]any:
							c.add(rel, l)
						case []any:
							for _, one := range l {
								if m, ok := one.(map[string]any); ok {
									c.add(rel, m)
								}
							}
						}
					}
				}
				continue
			}
			c.links(x)
		}
	case []any:
		for _, x := range v {
			c.links(x)
		}
	}
}

// curies follows the documentation link of each relation a curie names:
// {rel} of the "pb" curie filled with "x" for every "pb:x" relation.
func (c *crawler) curies(ls map[string]any) {
	cs, _ := ls["curies"].([]any)
	for _, one := range cs {
		curie, _ := one.(map[string]any)
		name, _ := curie["name"].(string)
		href, _ := curie["href"].(string)
		for rel := range ls {
			if short, ok := strings.CutPrefix(rel, name+":"); ok && name != "" {
				c.add("curie "+rel, map[string]any{"href": strings.ReplaceAll(href, "{rel}", url.PathEscape(short))})
			}
		}
	}
}

// routesNotStarted are the API's GET routes the crawl does not start at:
// their placeholders name things the seed does not make by name (the
// crawl reaches them through links), or they fail on purpose.
var routesNotStarted = map[string]string{
	"/test/error":                     "answers 500 by design (the official broker's error test)",
	"/deployed-versions/{uuid}":       "reached through the deployment's links",
	"/released-versions/{uuid}":       "reached through the release's links",
	"/triggered-webhooks/{uuid}/logs": "reached through the triggered webhook's links",
	"/doc/{rel}":                      "reached through the curies",
	"/matrix":                         "needs a query; reached through links that carry one",
	"/can-i-deploy":                   "needs a query; reached through links that carry one",
	"/can-i-remove-field":             "needs a query; reached through links that carry one",
	"/stubs/provider/{provider}/environment/{environment}":           "needs a provider contract; covered by its own tests",
	"/pacts/provider/{provider}/consumer/{consumer}/latest-untagged": "the seed tags every version (404 when none is untagged, as the official broker); linked only when there is one",
	"/pacticipants/{pacticipant}/versions/{version}/route-coverage":  "the seed publishes route coverage for Orders 1.0.1, not Web's (the placeholders' values); reached through the links of Orders' version and coverage list",
	"/stubs/provider/{provider}/branch/{branch}":                     "needs a provider contract; covered by its own tests",
}

// startAtRoutes queues every GET route of the API's own route table
// (httpapi.Server.Routes) with its placeholders filled from the seed, so
// a route no resource links to is fetched too: a route added later is
// crawled without editing this test.
func (c *crawler) startAtRoutes() {
	started := 0
	for _, rt := range httpapi.New(httpapi.Services{}, httpapi.Config{}).Routes() {
		if rt.Method != http.MethodGet {
			continue
		}
		pattern := strings.TrimSuffix(rt.Pattern, "{$}")
		// Provider contracts: the seed publishes none (they have their own
		// crawl-free tests in providercontracts_test.go).
		if _, skip := routesNotStarted[pattern]; skip || strings.HasPrefix(pattern, "/provider-contracts/") {
			continue
		}
		href, problem := c.expand("route "+pattern, pattern)
		if problem != "" {
			c.seen["route "+pattern] = problem
			continue
		}
		href = c.base + href
		if _, ok := c.seen[href]; !ok {
			c.seen[href] = ""
			c.queue = append(c.queue, href)
			started++
		}
	}
	if started < 50 {
		c.t.Errorf("started at only %d routes of the route table", started)
	}
}

func (c *crawler) crawl() {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c.seen[c.base+"/"] = ""
	c.queue = append([]string{c.base + "/"}, c.queue...)
	for len(c.queue) > 0 && len(c.seen) < 3000 {
		u := c.queue[0]
		c.queue = c.queue[1:]
		req, err := http.NewRequest("GET", u, nil)
		require.NoError(c.t, err)
		req.Header.Set("Accept", "application/hal+json, application/json, */*")
		res, err := client.Do(req)
		if err != nil {
			c.seen[u] = err.Error()
			continue
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusNotFound || res.StatusCode >= 500 {
			c.seen[u] = fmt.Sprintf("%d %.120s", res.StatusCode, body)
			continue
		}
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			c.links(doc)
		}
	}
}
