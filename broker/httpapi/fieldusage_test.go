package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// usersPact is a consumer's pact with Users: GET /users/{n} reading the given response fields.
func usersPact(consumer string, user int, fields ...string) string {
	body := []string{}
	for _, f := range fields {
		body = append(body, fmt.Sprintf("%q: %q", f, "x"))
	}
	return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"Users"},"interactions":[{"description":"a user",
	  "request":{"method":"GET","path":"/users/%d"},"response":{"status":200,"headers":{"Content-Type":"application/json"},
	  "body":{%s},"matchingRules":{"body":{"$.id":{"matchers":[{"match":"type"}]}}}}}],
	  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`, consumer, user, strings.Join(body, ","))
}

const usersContract = `{"openapi":"3.0.3","info":{"title":"Users","version":"1"},"paths":{"/users/{id}":{
  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
  "get":{"responses":{"200":{"description":"a user","content":{"application/json":{"schema":{"type":"object",
    "properties":{"id":{"type":"string"},"name":{"type":"string"},"email":{"type":"string"}}}}}}}},
  "delete":{"responses":{"204":{"description":"gone"}}}}}}`

func publishPact(t *testing.T, c client, consumer, version, pact string) {
	t.Helper()
	st, body, _ := c.do("POST", "/contracts/publish", map[string]any{
		"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
		"contracts": []any{map[string]any{"consumerName": consumer, "providerName": "Users", "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString([]byte(pact))}},
	})
	require.Equal(t, http.StatusOK, st, "publish %s %s: %v", consumer, version, body)
}

// TestFieldUsage: two consumers of Users, Web Shop using $.id and $.name, Mobile only $.id. Who
// uses what follows main branches and deployments, through the HTTP API on both databases.
func TestFieldUsage(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			store := brokertest.NewStore(t, backend)
			c := client{t: t, base: brokertest.Serve(t, store, httpapi.Config{})}
			publishPact(t, c, "Web Shop", "1.0.0", usersPact("Web Shop", 1, "id", "name"))
			publishPact(t, c, "Mobile", "2.0", usersPact("Mobile", 2, "id"))
			st, env, _ := c.do("POST", "/environments", map[string]any{"name": "production", "production": true})
			require.Equal(t, http.StatusCreated, st, "%v", env)
			st, dep, _ := c.do("POST", "/pacticipants/Web%20Shop/versions/1.0.0/deployed-versions/environment/"+get(env, "uuid").(string), map[string]any{})
			require.Equal(t, http.StatusCreated, st, "%v", dep)
			// Web Shop's main branch moves on and stops reading the name; 1.0.0 stays deployed.
			publishPact(t, c, "Web Shop", "1.1.0", usersPact("Web Shop", 1, "id"))
			// Users published its routes with a verification: paths group under its template.
			st, _, _ = c.do("PUT", "/pacticipants/Users/versions/u1", map[string]any{})
			require.Contains(t, []int{http.StatusOK, http.StatusCreated}, st)
			st, cov, _ := c.do("PUT", "/pacticipants/Users/versions/u1/route-coverage", map[string]any{
				"routes": []string{"GET /users/{id}", "DELETE /users/{id}"}, "covered": []string{"GET /users/{id}"}, "notCovered": []string{"DELETE /users/{id}"}})
			require.Equal(t, http.StatusOK, st, "%v", cov)
			st, cov, _ = c.do("GET", "/pacticipants/Users/versions/u1/route-coverage", nil)
			require.Equal(t, http.StatusOK, st)
			assert.Equal(t, []any{"DELETE /users/{id}"}, cov["notCovered"])
			// The provider version links the coverage it published; a version that published
			// none links nothing (a link must not lead to a 404).
			for _, path := range []string{"/pacticipants/Users/versions/u1", "/pacticipants/Users/latest-version"} {
				st, ver, _ := c.do("GET", path, nil)
				require.Equal(t, http.StatusOK, st, "%s: %v", path, ver)
				assert.Equal(t, c.base+"/pacticipants/Users/versions/u1/route-coverage", get(ver, "_links.accord:route-coverage.href"), path)
			}
			st, ver, _ := c.do("GET", "/pacticipants/Web%20Shop/versions/1.0.0", nil)
			require.Equal(t, http.StatusOK, st)
			assert.NotContains(t, get(ver, "_links"), "accord:route-coverage")

			st, pa, _ := c.do("GET", "/pacticipants/Users", nil)
			require.Equal(t, http.StatusOK, st)
			assert.Equal(t, c.base+"/field-usage/provider/Users", get(pa, "_links.accord:field-usage.href"))
			assert.Equal(t, c.base+"/pacticipants/Users/route-coverage", get(pa, "_links.accord:route-coverage.href"))

			st, usage, _ := c.do("GET", "/field-usage/provider/Users", nil)
			require.Equal(t, http.StatusOK, st, "%v", usage)
			assert.Equal(t, "Users", usage["provider"])
			require.Len(t, usage["endpoints"], 1, "both paths are grouped under GET /users/{id}: %v", usage["endpoints"])
			assert.Equal(t, "/users/{id}", get(usage, "endpoints.0.path"))
			users := func(body map[string]any, location string) []string {
				for _, f := range get(body, "endpoints.0.fields").([]any) {
					if get(f, "location") == location {
						var names []string
						for _, c := range get(f, "consumers").([]any) {
							names = append(names, get(c, "name").(string))
						}
						return names
					}
				}
				return nil
			}
			assert.Equal(t, []string{"Mobile", "Web Shop"}, users(usage, "response.body.$.id"))
			assert.Equal(t, []string{"Web Shop"}, users(usage, "response.body.$.name"))
			assert.Equal(t, []string{"Mobile", "Web Shop"}, users(usage, "response.headers.Content-Type"))
			for _, f := range get(usage, "endpoints.0.fields").([]any) {
				if get(f, "location") == "response.body.$.name" {
					assert.Equal(t, []any{"1.0.0"}, get(f, "consumers.0.versions"))
					assert.Equal(t, []any{"production"}, get(f, "consumers.0.environments"))
				}
			}
			st, usage, _ = c.do("GET", "/field-usage/provider/Users?branch=main", nil)
			require.Equal(t, http.StatusOK, st)
			assert.Nil(t, users(usage, "response.body.$.name"), "on main nobody reads the name any more")

			canRemove := func(path, location string) map[string]any {
				t.Helper()
				st, d, _ := c.do("GET", "/can-i-remove-field?provider=Users&method=GET&path="+url.QueryEscape(path)+"&location="+url.QueryEscape(location), nil)
				require.Equal(t, http.StatusOK, st, "%v", d)
				return d
			}
			d := canRemove("/users/{id}", "response.body.$.id")
			assert.Equal(t, false, d["removable"], d["reason"])
			assert.Len(t, d["consumers"], 2)
			d = canRemove("/users/7", "response.body.$.name")
			assert.Equal(t, false, d["removable"], d["reason"])
			assert.Contains(t, d["reason"], "Web Shop 1.0.0 (production) uses response.body.$.name")

			st, _, _ = c.do("PATCH", "/deployed-versions/"+get(dep, "uuid").(string), map[string]any{"currentlyDeployed": false})
			require.Equal(t, http.StatusOK, st)
			d = canRemove("/users/{id}", "response.body.$.name")
			assert.Equal(t, true, d["removable"], d["reason"])
			assert.Contains(t, d["reason"], "none of them uses response.body.$.name")
			assert.Equal(t, false, canRemove("/users/{id}", "response.body.$.id")["removable"])

			st, usage, _ = c.do("GET", "/field-usage/provider/Users", nil)
			require.Equal(t, http.StatusOK, st)
			assert.Contains(t, usage["unusedNote"], "no provider contract")
			t.Run("unused fields of the provider contract", func(t *testing.T) {
				_, err := store.PublishProviderContract(context.Background(), broker.ProviderContractRequest{Provider: "Users", Version: "u2", Branch: "main",
					Specification: "oas", ContentType: "application/json", Content: []byte(usersContract)})
				require.NoError(t, err)
				st, usage, _ := c.do("GET", "/field-usage/provider/Users", nil)
				require.Equal(t, http.StatusOK, st, "%v", usage)
				assert.Equal(t, []any{
					map[string]any{"method": "DELETE", "path": "/users/{id}", "unusedOperation": true, "fields": []any{}},
					map[string]any{"method": "GET", "path": "/users/{id}", "unusedOperation": false, "fields": []any{"response.body.$.email", "response.body.$.name"}},
				}, usage["unused"], "after Web Shop 1.0.0 left production nobody reads the name")
			})

			t.Run("route coverage per provider version", func(t *testing.T) {
				st, cov, _ := c.do("PUT", "/pacticipants/Users/versions/u2/route-coverage", map[string]any{
					"routes": []string{"GET /users/{id}", "DELETE /users/{id}", "GET /healthz"}, "covered": []string{"GET /users/{id}"},
					"notCovered": []string{"DELETE /users/{id}", "GET /healthz"}})
				require.Equal(t, http.StatusOK, st, "%v", cov)
				st, list, _ := c.do("GET", "/pacticipants/Users/route-coverage", nil)
				require.Equal(t, http.StatusOK, st, "%v", list)
				require.Len(t, list["versions"], 2)
				assert.Equal(t, "u2", get(list, "versions.0.providerVersion"), "newest first")
				assert.Equal(t, []any{"DELETE /users/{id}", "GET /healthz"}, get(list, "versions.0.notCovered"))
				assert.Equal(t, "u1", get(list, "versions.1.providerVersion"))
				assert.Equal(t, c.base+"/pacticipants/Users/versions/u1/route-coverage", get(list, "versions.1._links.self.href"))
				st, usage, _ := c.do("GET", "/field-usage/provider/Users", nil)
				require.Equal(t, http.StatusOK, st)
				assert.Equal(t, "u2", get(usage, "routeCoverage.providerVersion"), "the usage shows the latest coverage")
				st, body, _ := c.do("GET", "/pacticipants/Nobody/route-coverage", nil)
				assert.Equal(t, http.StatusNotFound, st)
				assert.Contains(t, fmt.Sprint(body), `"Nobody"`)
			})

			t.Run("fields of one consumer that nobody else uses", func(t *testing.T) {
				others := func(body map[string]any, location string) []string {
					names := []string{}
					for _, f := range get(body, "endpoints.0.fields").([]any) {
						if get(f, "location") == location {
							for _, c := range get(f, "otherConsumers").([]any) {
								names = append(names, get(c, "name").(string))
							}
							return names
						}
					}
					t.Fatalf("no field %s in %v", location, body["endpoints"])
					return nil
				}
				st, own, _ := c.do("GET", "/field-usage/provider/Users/consumer/Web%20Shop?version=1.0.0", nil)
				require.Equal(t, http.StatusOK, st, "%v", own)
				assert.Equal(t, "1.0.0", own["consumerVersion"])
				assert.Equal(t, "/users/{id}", get(own, "endpoints.0.path"))
				assert.Equal(t, []string{"Mobile"}, others(own, "response.body.$.id"))
				assert.Equal(t, []string{}, others(own, "response.body.$.name"), "nobody else reads the name")
				st, own, _ = c.do("GET", "/field-usage/provider/Users/consumer/Mobile", nil)
				require.Equal(t, http.StatusOK, st, "%v", own)
				assert.Equal(t, []string{"Web Shop"}, others(own, "response.body.$.id"), "Web Shop's main reads the id")
				st, body, _ := c.do("GET", "/field-usage/provider/Users/consumer/Nobody", nil)
				assert.Equal(t, http.StatusNotFound, st, "%v", body)
			})

			t.Run("bad input", func(t *testing.T) {
				st, body, _ := c.do("GET", "/field-usage/provider/Nobody", nil)
				assert.Equal(t, http.StatusNotFound, st)
				assert.Contains(t, fmt.Sprint(body), `"Nobody"`)
				st, body, _ = c.do("GET", "/can-i-remove-field?provider=Nobody&method=GET&path=/x&location=response.body.$.id", nil)
				assert.Equal(t, http.StatusNotFound, st)
				assert.Contains(t, fmt.Sprint(body), `"Nobody"`)
				st, body, _ = c.do("GET", "/can-i-remove-field?provider=Users&method=GET&path=users&location=body.name", nil)
				assert.Equal(t, http.StatusBadRequest, st)
				assert.Contains(t, fmt.Sprint(body), "does not start with /")
				assert.Contains(t, fmt.Sprint(body), "expected response.body.$.<field>")
				st, body, _ = c.do("GET", "/field-usage/provider/Users?environment=production&branch=main", nil)
				assert.Equal(t, http.StatusBadRequest, st)
				assert.Contains(t, fmt.Sprint(body), "not both")
				st, _, _ = c.do("PUT", "/pacticipants/Users/versions/nope/route-coverage", map[string]any{"routes": []string{"GET /x"}})
				assert.Equal(t, http.StatusNotFound, st)
				st, body, _ = c.do("PUT", "/pacticipants/Users/versions/u1/route-coverage", map[string]any{"routes": []string{"users"}})
				assert.Equal(t, http.StatusBadRequest, st)
				assert.Contains(t, fmt.Sprint(body), "ServeMux patterns")
			})

			t.Run("a pact of an unknown specification version is indexed as far as possible and says so", func(t *testing.T) {
				pact := strings.Replace(usersPact("Legacy", 3, "id", "nickname"), `"version":"3.0.0"`, `"version":"9.0.0"`, 1)
				publishPact(t, c, "Legacy", "0.9", pact)
				st, usage, _ := c.do("GET", "/field-usage/provider/Users", nil)
				require.Equal(t, http.StatusOK, st, "%v", usage)
				assert.Equal(t, []string{"Legacy"}, users(usage, "response.body.$.nickname"), "its fields are indexed")
				assert.Contains(t, fmt.Sprint(usage["notices"]), `Legacy 0.9: pact specification version "9.0.0" is not one the index knows`)
				d := canRemove("/users/{id}", "response.body.$.nickname")
				assert.Equal(t, false, d["removable"], d["reason"])
				assert.Contains(t, fmt.Sprint(d["notices"]), `"9.0.0"`)
			})
		})
	}
}

// publishTo publishes one pact of consumer version on branch.
func publishTo(t *testing.T, c client, consumer, version, branch, pact string) {
	t.Helper()
	st, body, _ := c.do("POST", "/contracts/publish", map[string]any{
		"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": branch,
		"contracts": []any{map[string]any{"consumerName": consumer, "providerName": "Users", "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString([]byte(pact))}},
	})
	require.Equal(t, http.StatusOK, st, "publish %s %s: %v", consumer, version, body)
}

// withoutLinks is a response body as JSON without its _links, for comparing whole answers.
func withoutLinks(t *testing.T, body map[string]any) string {
	t.Helper()
	delete(body, "_links")
	js, err := json.Marshal(body)
	require.NoError(t, err)
	return string(js)
}

// TestFieldUsageAnswers checks both answers whole, as issue 17 writes them, on both databases:
// V2, V3 and message pacts; paths grouped under the provider contract's templates (no route
// coverage published); a version released and supported counts until its support ends; the
// environment filter; the contract's fields and operations nobody uses.
func TestFieldUsageAnswers(t *testing.T) {
	const (
		webShop = `{"consumer":{"name":"Web Shop"},"provider":{"name":"Users"},"interactions":[{"description":"a user",
		  "request":{"method":"GET","path":"/users/1"},
		  "response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"name":"Ann"},
		   "matchingRules":{"body":{"$.name":{"matchers":[{"match":"type"}]}}}}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
		mobileOld = `{"consumer":{"name":"Mobile"},"provider":{"name":"Users"},"interactions":[{"description":"a user's email",
		  "request":{"method":"GET","path":"/users/2","query":"fields=email","headers":{"accept":"application/json"}},
		  "response":{"status":200,"body":{"id":2,"email":"b@example.com","tags":[{"label":"vip"},{"label":"new"}]},
		   "matchingRules":{"$.body.tags":{"min":1,"match":"type"}}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`
		mobileNew = `{"consumer":{"name":"Mobile"},"provider":{"name":"Users"},"interactions":[{"description":"a user",
		  "request":{"method":"GET","path":"/users/2"},"response":{"status":200,"body":{"id":2}}}],
		  "metadata":{"pactSpecification":{"version":"2.0.0"}}}`
		notifier = `{"consumer":{"name":"Notifier"},"provider":{"name":"Users"},"messages":[{"description":"a user created event",
		  "contents":{"userId":7,"profile":{"name":"Ann"}},"metaData":{"contentType":"application/json"}}],
		  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
		contract = `{"openapi":"3.0.3","info":{"title":"Users","version":"1"},"paths":{"/users/{id}":{
		  "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
		  "get":{"responses":{"200":{"description":"a user","content":{"application/json":{"schema":{"type":"object",
		    "properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"},"phone":{"type":"string"},
		      "tags":{"type":"array","items":{"type":"object","properties":{"label":{"type":"string"}}}}}}}}}}},
		  "delete":{"responses":{"204":{"description":"gone"}}}}}}`
	)
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			store := brokertest.NewStore(t, backend)
			c := client{t: t, base: brokertest.Serve(t, store, httpapi.Config{})}
			publishTo(t, c, "Web Shop", "1.0.0", "main", webShop)
			publishTo(t, c, "Mobile", "2.0", "main", mobileOld)
			publishTo(t, c, "Notifier", "3.0", "main", notifier)
			st, env, _ := c.do("POST", "/environments", map[string]any{"name": "app-store", "production": true})
			require.Equal(t, http.StatusCreated, st, "%v", env)
			st, rel, _ := c.do("POST", "/pacticipants/Mobile/versions/2.0/released-versions/environment/"+get(env, "uuid").(string), map[string]any{})
			require.Equal(t, http.StatusCreated, st, "%v", rel)
			// Mobile's main moves on and reads only the id; 2.0 stays released and supported.
			publishTo(t, c, "Mobile", "2.1", "main", mobileNew)
			_, err := store.PublishProviderContract(context.Background(), broker.ProviderContractRequest{Provider: "Users", Version: "u1", Branch: "main",
				Specification: "oas", ContentType: "application/json", Content: []byte(contract)})
			require.NoError(t, err)

			mobile20 := `{"name":"Mobile","versions":["2.0"],"environments":["app-store"],"branches":[]}`
			mobileBoth := `{"name":"Mobile","versions":["2.1","2.0"],"environments":["app-store"],"branches":["main"]}`
			web := `{"name":"Web Shop","versions":["1.0.0"],"environments":[],"branches":["main"]}`
			notifierUse := `{"name":"Notifier","versions":["3.0"],"environments":[],"branches":["main"]}`
			st, usage, hdr := c.do("GET", "/field-usage/provider/Users", nil)
			require.Equal(t, http.StatusOK, st, "%v", usage)
			assert.Contains(t, hdr.Get("Content-Type"), "application/hal+json")
			assert.Equal(t, c.base+"/field-usage/provider/Users", get(usage, "_links.self.href"))
			assert.JSONEq(t, `{"provider":"Users","endpoints":[
			  {"method":"GET","path":"/users/{id}","consumers":[`+mobileBoth+`,`+web+`],"fields":[
			    {"location":"request.headers.Accept","consumers":[`+mobile20+`]},
			    {"location":"request.query.fields","consumers":[`+mobile20+`]},
			    {"location":"response.body.$.email","consumers":[`+mobile20+`]},
			    {"location":"response.body.$.id","consumers":[`+mobileBoth+`,`+web+`]},
			    {"location":"response.body.$.name","consumers":[`+web+`]},
			    {"location":"response.body.$.tags[*].label","consumers":[`+mobile20+`]},
			    {"location":"response.headers.Content-Type","consumers":[`+web+`]}]},
			  {"message":"a user created event","consumers":[`+notifierUse+`],"fields":[
			    {"location":"message.body.$.profile.name","consumers":[`+notifierUse+`]},
			    {"location":"message.body.$.userId","consumers":[`+notifierUse+`]},
			    {"location":"message.metadata.contentType","consumers":[`+notifierUse+`]}]}],
			 "unused":[
			  {"method":"DELETE","path":"/users/{id}","unusedOperation":true,"fields":[]},
			  {"method":"GET","path":"/users/{id}","unusedOperation":false,"fields":["response.body.$.phone"]}]}`,
				withoutLinks(t, usage))

			st, usage, _ = c.do("GET", "/field-usage/provider/Users?environment=app-store", nil)
			require.Equal(t, http.StatusOK, st, "%v", usage)
			require.Len(t, usage["endpoints"], 1, "only Mobile 2.0 is in app-store: %v", usage["endpoints"])
			assert.Equal(t, []any{"request.headers.Accept", "request.query.fields", "response.body.$.email", "response.body.$.id", "response.body.$.tags[*].label"},
				locations(get(usage, "endpoints.0.fields")))
			st, usage, _ = c.do("GET", "/field-usage/provider/Users?environment=nowhere", nil)
			require.Equal(t, http.StatusOK, st, "%v", usage)
			assert.Equal(t, []any{}, usage["endpoints"], "an environment nobody is in selects nothing")

			ask := func(query string) map[string]any {
				t.Helper()
				st, d, _ := c.do("GET", "/can-i-remove-field?provider=Users&"+query, nil)
				require.Equal(t, http.StatusOK, st, "%v", d)
				return d
			}
			d := ask("method=GET&path=%2Fusers%2F%7Bid%7D&location=response.body.$.email")
			assert.Equal(t, c.base+"/field-usage/provider/Users", get(d, "_links.accord:field-usage.href"))
			assert.JSONEq(t, `{"removable":false,"consumers":[`+mobile20+`],
			  "reason":"Mobile 2.0 (app-store) uses response.body.$.email of GET /users/{id}: removing it would break it"}`, withoutLinks(t, d))
			d = ask("method=GET&path=/users/9&location=response.body.$.name&environment=app-store")
			assert.JSONEq(t, `{"removable":true,"consumers":[],
			  "reason":"Mobile 2.0 (app-store) calls GET /users/9 but none of them uses response.body.$.name, so it can be removed without breaking the consumer versions deployed or released in app-store"}`, withoutLinks(t, d))
			assert.Equal(t, false, ask("method=GET&path=/users/9&location=response.body.$.name")["removable"], "Web Shop's main reads the name")
			d = ask("message=a+user+created+event&location=message.body.$.profile")
			assert.Equal(t, false, d["removable"], "the profile holds the name Notifier reads: %v", d["reason"])
			assert.Equal(t, true, ask("message=a+user+created+event&location=message.body.$.email")["removable"])

			// Support ends: the released version no longer counts, and main no longer reads the email.
			st, _, _ = c.do("PATCH", "/released-versions/"+get(rel, "uuid").(string), map[string]any{"currentlySupported": false})
			require.Equal(t, http.StatusOK, st)
			d = ask("method=GET&path=/users/{id}&location=response.body.$.email")
			assert.Equal(t, true, d["removable"], d["reason"])
			assert.Equal(t, false, ask("method=GET&path=/users/{id}&location=response.body.$.id")["removable"])

			t.Run("bad input says the expected form", func(t *testing.T) {
				for _, tc := range []struct{ query, want string }{
					{"provider=Users&method=G3T&path=/users/1&location=response.body.$.id", "expected one such as GET, POST"},
					{"provider=Users&path=/users/1&location=response.body.$.id", "method is missing"},
					{"provider=Users&method=GET&path=/users/{id&location=response.body.$.id", "expected a path starting with /"},
					{"provider=Users&method=GET&path=/users/1&location=response.body.name", "does not start with $"},
					{"provider=Users&method=GET&path=/users/1&location=response.cookies.x", `has no section "cookies"`},
					{"provider=Users&method=GET&path=/users/1&location=response.body.$.items[x]", "where an index, [*] or a quoted key was expected"},
					{"method=GET&path=/users/1&location=response.body.$.id", "provider is missing"},
				} {
					st, body, _ := c.do("GET", "/can-i-remove-field?"+tc.query, nil)
					assert.Equal(t, http.StatusBadRequest, st, tc.query)
					assert.Contains(t, fmt.Sprint(body), tc.want, tc.query)
				}
			})
		})
	}
}

func locations(fields any) []any {
	out := []any{}
	for _, f := range fields.([]any) {
		out = append(out, get(f, "location"))
	}
	return out
}
