package fieldusage

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func mustIndex(tb testing.TB, pact string) Index {
	tb.Helper()
	ix, err := IndexPact([]byte(pact))
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

const (
	webShopPact = `{"interactions":[{"description":"a user","request":{"method":"GET","path":"/users/42"},
	  "response":{"status":200,"body":{"id":42,"name":"Ann"},"matchingRules":{"body":{"$.name":{"matchers":[{"match":"type"}]}}}}}],
	  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	webShopNoNamePact = `{"interactions":[{"description":"a user","request":{"method":"GET","path":"/users/42"},
	  "response":{"status":200,"body":{"id":42}}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	mobilePact = `{"interactions":[{"description":"a user","request":{"method":"GET","path":"/users/7","headers":{"Accept":"application/json"}},
	  "response":{"status":200,"body":{"id":7}}},
	  {"description":"delete a user","request":{"method":"DELETE","path":"/users/7"},"response":{"status":204}}],
	  "metadata":{"pactSpecification":{"version":"2.0.0"}}}`
)

// twoConsumers: Web Shop 1.0.0 (deployed to production) uses $.id and $.name; its main branch's
// latest, 1.1.0, only $.id. Mobile 2.0 (main) uses $.id.
func twoConsumers(tb testing.TB) []ConsumerVersion {
	return []ConsumerVersion{
		{Consumer: "Web Shop", Version: "1.0.0", MainBranch: "main", Environments: []string{"production"}, Index: mustIndex(tb, webShopPact)},
		{Consumer: "Web Shop", Version: "1.1.0", MainBranch: "main", LatestOf: []string{"main"}, Index: mustIndex(tb, webShopNoNamePact)},
		{Consumer: "Mobile", Version: "2.0", MainBranch: "main", LatestOf: []string{"main", "feat/x"}, Index: mustIndex(tb, mobilePact)},
		{Consumer: "Mobile", Version: "1.9", MainBranch: "main", LatestOf: []string{"old"}, Index: mustIndex(tb, webShopPact)},
	}
}

func TestUsage(t *testing.T) {
	routes, err := ParseRoutes([]string{"GET /users/{id}", "DELETE /users/{id}"})
	if err != nil {
		t.Fatal(err)
	}
	rep := Usage("Users", twoConsumers(t), Options{Routes: routes})
	web := func(versions, envs, branches []string) ConsumerUse {
		return ConsumerUse{Name: "Web Shop", Versions: versions, Environments: envs, Branches: branches}
	}
	mobile := ConsumerUse{Name: "Mobile", Versions: []string{"2.0"}, Environments: []string{}, Branches: []string{"main"}}
	both := web([]string{"1.0.0", "1.1.0"}, []string{"production"}, []string{"main"})
	prod := web([]string{"1.0.0"}, []string{"production"}, []string{})
	want := Report{Provider: "Users", Endpoints: []Endpoint{
		{Method: "DELETE", Path: "/users/{id}", Consumers: []ConsumerUse{mobile}, Fields: []Field{}},
		{Method: "GET", Path: "/users/{id}", Consumers: []ConsumerUse{mobile, both}, Fields: []Field{
			{Location: "request.headers.Accept", Consumers: []ConsumerUse{mobile}},
			{Location: "response.body.$.id", Consumers: []ConsumerUse{mobile, both}},
			{Location: "response.body.$.name", Consumers: []ConsumerUse{prod}},
		}},
	}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("usage:\n got %+v\nwant %+v", rep, want)
	}

	t.Run("without routes the concrete paths are listed", func(t *testing.T) {
		rep := Usage("Users", twoConsumers(t), Options{})
		var got []string
		for _, ep := range rep.Endpoints {
			got = append(got, ep.Name())
		}
		if want := []string{"GET /users/42", "DELETE /users/7", "GET /users/7"}; !reflect.DeepEqual(got, want) {
			t.Errorf("endpoints %q, want %q", got, want)
		}
	})
	t.Run("by branch", func(t *testing.T) {
		rep := Usage("Users", twoConsumers(t), Options{Routes: routes, Filter: Filter{Branch: "old"}})
		if len(rep.Endpoints) != 1 || len(rep.Endpoints[0].Fields) != 2 || rep.Endpoints[0].Consumers[0].Versions[0] != "1.9" {
			t.Errorf("branch old: %+v", rep.Endpoints)
		}
	})
	t.Run("declared operations and fields nobody uses", func(t *testing.T) {
		rep := Usage("Users", twoConsumers(t), Options{Declared: []Operation{
			{Method: "GET", Path: "/users/{id}", Fields: []string{"response.body.$.id", "response.body.$.name", "response.body.$.email", "response.body.$.address"}},
			{Method: "POST", Path: "/users", Fields: []string{"response.body.$.id"}},
			{Method: "DELETE", Path: "/users/{id}"},
		}})
		want := []Unused{
			{Method: "GET", Path: "/users/{id}", Fields: []string{"response.body.$.address", "response.body.$.email"}},
			{Method: "POST", Path: "/users", Whole: true, Fields: []string{"response.body.$.id"}},
		}
		if !reflect.DeepEqual(rep.Unused, want) {
			t.Errorf("unused:\n got %+v\nwant %+v", rep.Unused, want)
		}
		if rep.Endpoints[1].Path != "/users/{id}" {
			t.Errorf("declared paths did not group: %+v", rep.Endpoints)
		}
	})
}

func TestCanRemove(t *testing.T) {
	routes, _ := ParseRoutes([]string{"GET /users/{id}"})
	ask := func(query string, versions []ConsumerVersion) Decision {
		t.Helper()
		q, err := ParseRemoveQuery(mustQuery(t, "provider=Users&"+query))
		if err != nil {
			t.Fatal(err)
		}
		return CanRemove(q, versions, routes)
	}
	undeployed := twoConsumers(t)
	undeployed[0].Environments = nil
	unread := twoConsumers(t)
	unread[2].Index.Unread = 1
	unread[2].Index.Notices = []string{`interactions[3] ("grpc") has type "Synchronous/Plugin", so the index could not read it`}
	tests := []struct {
		name      string
		query     string
		versions  []ConsumerVersion
		removable bool
		consumers []string
		reason    string
	}{
		{"both use $.id", "method=GET&path=/users/{id}&location=response.body.$.id", twoConsumers(t), false,
			[]string{"Mobile", "Web Shop"}, "Mobile 2.0 (main) and Web Shop 1.0.0, 1.1.0 (main, production) use response.body.$.id of GET /users/{id}: removing it would break them"},
		{"a concrete path asks about its template", "method=get&path=/users/1&location=response.body.$.id", twoConsumers(t), false,
			[]string{"Mobile", "Web Shop"}, "GET /users/1"},
		{"the deployed Web Shop uses $.name", "method=GET&path=/users/{id}&location=response.body.$.name", twoConsumers(t), false,
			[]string{"Web Shop"}, "Web Shop 1.0.0 (production) uses response.body.$.name of GET /users/{id}: removing it would break it"},
		{"removing the body removes $.name", "method=GET&path=/users/{id}&location=response.body.$", twoConsumers(t), false,
			[]string{"Mobile", "Web Shop"}, "would break them"},
		{"undeployed and gone from main", "method=GET&path=/users/{id}&location=response.body.$.name", undeployed, true,
			nil, "Mobile 2.0 (main) and Web Shop 1.1.0 (main) call GET /users/{id} but none of them uses response.body.$.name"},
		{"in an environment nobody uses it", "method=GET&path=/users/{id}&location=response.body.$.id&environment=staging", twoConsumers(t), true,
			nil, "no consumer version of Users is selected (the consumer versions deployed or released in staging)"},
		{"a branch's latest version uses it", "method=GET&path=/users/{id}&location=response.body.$.name&branch=old", twoConsumers(t), false,
			[]string{"Mobile"}, "Mobile 1.9 (old) uses"},
		{"an endpoint nobody calls", "method=PUT&path=/users/{id}&location=request.body.$.name", twoConsumers(t), true,
			nil, "none of the 3 selected consumer versions (the latest version on each consumer's main branch and every version deployed or released) calls PUT /users/{id}"},
		{"an unread pact keeps the answer no", "method=GET&path=/users/{id}&location=response.body.$.email", unread, false,
			nil, "the pact of Mobile 2.0 (main) could not be read completely"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ask(tt.query, tt.versions)
			var names []string
			for _, c := range d.Consumers {
				names = append(names, c.Name)
			}
			if d.Removable != tt.removable || !reflect.DeepEqual(names, tt.consumers) || !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("got removable=%t consumers=%q reason %q\nwant removable=%t consumers=%q reason containing %q",
					d.Removable, names, d.Reason, tt.removable, tt.consumers, tt.reason)
			}
		})
	}
}

func TestCanRemoveMessageField(t *testing.T) {
	vs := []ConsumerVersion{{Consumer: "Notifier", Version: "3", MainBranch: "main", LatestOf: []string{"main"}, Index: mustIndex(t,
		`{"messages":[{"description":"an order placed event","contents":{"orderId":"o-1","total":3}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)}}
	for loc, removable := range map[string]bool{"message.body.$.orderId": false, "message.body.$.customer": true} {
		q, err := ParseRemoveQuery(mustQuery(t, "provider=Orders&message=an+order+placed+event&location="+url.QueryEscape(loc)))
		if err != nil {
			t.Fatal(err)
		}
		if d := CanRemove(q, vs, nil); d.Removable != removable {
			t.Errorf("%s: removable=%t (%s), want %t", loc, d.Removable, d.Reason, removable)
		}
	}
}

func TestParseRemoveQueryProblems(t *testing.T) {
	tests := map[string][]string{
		"": {"provider is missing", "method is missing", "path is missing", "location is missing"},
		"provider=U&method=G3T&path=users&location=body.x":                                {"not an HTTP method", "does not start with /", `location "body.x"`},
		"provider=U&method=GET&path=/a&location=response.body.$.x&environment=p&branch=b": {"not both"},
		"provider=U&message=m&method=GET&location=message.body.$.x":                       {"not both"},
		"provider=U&method=GET&path=/a?b=1&location=response.body.$.x":                    {"without the query string"},
	}
	for query, want := range tests {
		_, err := ParseRemoveQuery(mustQuery(t, query))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q: error %v is not a *ValidationError", query, err)
			continue
		}
		if len(ve.Problems) != len(want) {
			t.Errorf("%q: problems %q, want %d", query, ve.Problems, len(want))
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %v, want it to contain %q", query, err, w)
			}
		}
	}
}

func mustQuery(tb testing.TB, s string) url.Values {
	tb.Helper()
	q, err := url.ParseQuery(s)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}
