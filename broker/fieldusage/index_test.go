package fieldusage

import (
	"reflect"
	"strings"
	"testing"
)

func TestIndexPact(t *testing.T) {
	tests := []struct {
		name   string
		pact   string
		want   []Interaction
		unread int
		notice string // a notice must contain this ("" means no notices)
	}{
		{
			name: "V2 HTTP: query string, headers, nested objects, arrays, V2 matching rules",
			pact: `{"consumer":{"name":"Web"},"provider":{"name":"Users"},
			  "interactions":[{"description":"a user","request":{"method":"get","path":"/users/42",
			    "query":"page=2&sort=name","headers":{"accept":"application/json"}},
			   "response":{"status":200,"headers":{"Content-Type":"application/json"},
			    "body":{"id":42,"name":"Ann","address":{"city":"Oslo","geo":{"lat":1}},
			      "items":[{"sku":"a"},{"sku":"b","qty":2}],"tags":["x","y"],"empty":[]},
			    "matchingRules":{"$.body.name":{"match":"type"},"$.body.items":{"min":1,"match":"type"},
			      "$.headers.X-Trace":{"match":"regex","regex":".*"}}}}],
			  "metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
			want: []Interaction{{Description: "a user", Kind: HTTP, Method: "GET", Path: "/users/42", Fields: []string{
				"request.headers.Accept", "request.query.page", "request.query.sort",
				"response.body.$.address.city", "response.body.$.address.geo.lat", "response.body.$.empty",
				"response.body.$.id", "response.body.$.items[*].qty", "response.body.$.items[*].sku", "response.body.$.name",
				"response.body.$.tags[*]", "response.headers.Content-Type", "response.headers.X-Trace",
			}}},
		},
		{
			name: "V3 HTTP: query map, request body, V3 matching rules name fields the example lacks",
			pact: `{"interactions":[{"description":"create an order","providerStates":[{"name":"a user"}],
			   "request":{"method":"POST","path":"/orders","query":{"dryRun":["true"]},
			    "headers":{"Content-Type":"application/json"},
			    "body":{"items":[{"sku":"a","qty":1}],"note":"x"},
			    "matchingRules":{"body":{"$.items":{"matchers":[{"match":"type","min":1}]},"$.items[0].price":{"matchers":[{"match":"decimal"}]}},
			      "query":{"dryRun":{"matchers":[{"match":"regex","regex":"true|false"}]}}}},
			   "response":{"status":201,"body":{"id":"o-1","links":{"self":"/orders/o-1"}},
			    "matchingRules":{"body":{"$.id":{"matchers":[{"match":"type"}],"combine":"AND"}},
			      "header":{"Location":{"matchers":[{"match":"regex","regex":".*"}]}}}}}],
			  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
			want: []Interaction{{Description: "create an order", Kind: HTTP, Method: "POST", Path: "/orders", Fields: []string{
				"request.body.$.items[*].price", "request.body.$.items[*].qty", "request.body.$.items[*].sku", "request.body.$.note",
				"request.headers.Content-Type", "request.query.dryRun",
				"response.body.$.id", "response.body.$.links.self", "response.headers.Location",
			}}},
		},
		{
			name: "V4 HTTP: wrapped bodies, header lists, a map whose keys are data, an encoded body",
			pact: `{"interactions":[
			   {"type":"Synchronous/HTTP","description":"prices","request":{"method":"GET","path":"/prices","headers":{"Accept":["application/json"]}},
			    "response":{"status":200,"headers":{"content-type":["application/json"]},
			     "body":{"content":{"prices":{"EUR":{"amount":1},"USD":{"amount":2}},"weird key":true},"contentType":"application/json","encoded":false},
			     "matchingRules":{"body":{"$.prices":{"matchers":[{"match":"values"}],"combine":"AND"}}}}},
			   {"type":"Synchronous/HTTP","description":"logo","request":{"method":"GET","path":"/logo.png"},
			    "response":{"status":200,"body":{"content":"iVBORw0KGgo=","contentType":"image/png","encoded":"base64"}}},
			   {"type":"Synchronous/HTTP","description":"json as a string","request":{"method":"PUT","path":"/notes/1",
			     "body":{"content":"{\"text\":\"hi\"}","contentType":"application/json","encoded":false}},"response":{"status":204}}],
			  "metadata":{"pactSpecification":{"version":"4.0"}}}`,
			want: []Interaction{
				{Description: "prices", Kind: HTTP, Method: "GET", Path: "/prices", Fields: []string{
					"request.headers.Accept", "response.body.$.prices.*.amount", "response.body.$['weird key']", "response.headers.Content-Type"}},
				{Description: "logo", Kind: HTTP, Method: "GET", Path: "/logo.png", Fields: []string{"response.body.$"}},
				{Description: "json as a string", Kind: HTTP, Method: "PUT", Path: "/notes/1", Fields: []string{"request.body.$.text"}},
			},
		},
		{
			name: "V3 message pact: contents, metaData, matching rules",
			pact: `{"messages":[{"description":"an order placed event","providerStates":[],
			   "contents":{"orderId":"o-1","lines":[{"sku":"a"}],"customer":{"email":"a@b"}},
			   "metaData":{"contentType":"application/json","topic":"orders"},
			   "matchingRules":{"body":{"$.orderId":{"matchers":[{"match":"type"}]}},"metadata":{"topic":{"matchers":[{"match":"type"}]}}}}],
			  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
			want: []Interaction{{Description: "an order placed event", Kind: Message, Fields: []string{
				"message.body.$.customer.email", "message.body.$.lines[*].sku", "message.body.$.orderId",
				"message.metadata.contentType", "message.metadata.topic"}}},
		},
		{
			name: "V4 asynchronous and synchronous messages",
			pact: `{"interactions":[
			   {"type":"Asynchronous/Messages","description":"user deleted","contents":{"content":{"userId":7},"contentType":"application/json"},
			    "metadata":{"kind":"deleted"},"matchingRules":{"body":{"$.reason":{"matchers":[{"match":"type"}]}}}},
			   {"type":"Synchronous/Messages","description":"get stock","request":{"contents":{"content":{"sku":"a"},"contentType":"application/json"}},
			    "response":[{"contents":{"content":{"inStock":true,"count":3},"contentType":"application/json"},"metadata":{"cached":"no"}}]}],
			  "metadata":{"pactSpecification":{"version":"4.0"}}}`,
			want: []Interaction{
				{Description: "user deleted", Kind: Message, Fields: []string{"message.body.$.reason", "message.body.$.userId", "message.metadata.kind"}},
				{Description: "get stock", Kind: SyncMessage, Fields: []string{"request.body.$.sku", "response.body.$.count", "response.body.$.inStock", "response.metadata.cached"}},
			},
		},
		{
			name: "an unknown specification version is read by its shape and flagged",
			pact: `{"interactions":[{"description":"a user","request":{"method":"GET","path":"/users/1"},
			   "response":{"status":200,"body":{"content":{"id":1},"contentType":"application/json"}}}],
			  "metadata":{"pactSpecification":{"version":"5.1.0"}}}`,
			want:   []Interaction{{Description: "a user", Kind: HTTP, Method: "GET", Path: "/users/1", Fields: []string{"response.body.$.id"}}},
			notice: `version "5.1.0" is not one the index knows`,
		},
		{
			name: "interactions it cannot read are counted and named, the others still indexed",
			pact: `{"interactions":[{"type":"Synchronous/Plugin","description":"a gRPC call"},"junk",
			   {"description":"no path","request":{"method":"GET"},"response":{}},
			   {"description":"fine","request":{"method":"DELETE","path":"/users/1"},"response":{"status":204}}],
			  "metadata":{"pactSpecification":{"version":"4.0"}}}`,
			want:   []Interaction{{Description: "fine", Kind: HTTP, Method: "DELETE", Path: "/users/1", Fields: []string{}}},
			unread: 3,
			notice: `interactions[0] ("a gRPC call") has type "Synchronous/Plugin"`,
		},
		{
			name:   "no version at all",
			pact:   `{"interactions":[{"description":"d","request":{"method":"GET","path":"/"},"response":{"body":"ok"}}]}`,
			want:   []Interaction{{Description: "d", Kind: HTTP, Method: "GET", Path: "/", Fields: []string{"response.body.$"}}},
			notice: "names no specification version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := IndexPact([]byte(tt.pact))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ix.Interactions, tt.want) {
				t.Errorf("interactions:\n got %+v\nwant %+v", ix.Interactions, tt.want)
			}
			if ix.Unread != tt.unread {
				t.Errorf("unread = %d, want %d (notices %q)", ix.Unread, tt.unread, ix.Notices)
			}
			joined := strings.Join(ix.Notices, "\n")
			if tt.notice == "" && joined != "" || !strings.Contains(joined, tt.notice) {
				t.Errorf("notices %q, want one containing %q", ix.Notices, tt.notice)
			}
			for _, in := range ix.Interactions {
				for _, f := range in.Fields {
					l, err := ParseLocation(f)
					if err != nil || l.String() != f {
						t.Errorf("field %q does not parse back to itself: %v %q", f, err, l)
					}
				}
			}
		})
	}
}

func TestIndexPactRefusesWhatIsNotAPact(t *testing.T) {
	for _, doc := range []string{``, `[]`, `null`, `"x"`, `{`} {
		if _, err := IndexPact([]byte(doc)); err == nil {
			t.Errorf("IndexPact(%q) = nil error", doc)
		}
	}
}

func TestParseLocation(t *testing.T) {
	ok := map[string]string{
		"response.body.$.name":              "response.body.$.name",
		"response.headers.content-type":     "response.headers.Content-Type",
		"request.query.page":                "request.query.page",
		"request.headers.Accept":            "request.headers.Accept",
		"request.body.$.items[0].sku":       "request.body.$.items[*].sku",
		"request.body.$['items'][*]['sku']": "request.body.$.items[*].sku",
		"message.body.$.orderId":            "message.body.$.orderId",
		"message.metadata.topic":            "message.metadata.topic",
		`response.body.$['a b']["c'd"]`:     `response.body.$['a b']['c\'d']`,
		"response.body.$":                   "response.body.$",
		"response.body.$.prices.*":          "response.body.$.prices.*",
		"response.body.$['*']":              "response.body.$['*']",
	}
	for in, want := range ok {
		l, err := ParseLocation(in)
		if err != nil || l.String() != want {
			t.Errorf("ParseLocation(%q) = %q, %v; want %q", in, l, err, want)
		}
	}
	bad := map[string]string{
		"":                     "is empty",
		"body.$.name":          `does not start with "request."`,
		"response.query.page":  `has no section "query" in a response`,
		"response.body.name":   "does not start with $",
		"response.body":        "names no field",
		"response.body.$.":     "empty field name",
		"response.body.$.a[x]": "where an index",
		"response.body.$.a['x": "closing quote",
		"request.headers.":     "names no header",
		"message.headers.X":    `no section "headers"`,
	}
	for in, want := range bad {
		_, err := ParseLocation(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "expected response.body.$.<field>") {
			t.Errorf("ParseLocation(%q) error %v, want one containing %q and the expected form", in, err, want)
		}
	}
}

func TestCovers(t *testing.T) {
	loc := func(s string) Location {
		l, err := ParseLocation(s)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	tests := []struct {
		removed, used string
		want          bool
	}{
		{"response.body.$.address", "response.body.$.address.city", true},
		{"response.body.$.items", "response.body.$.items[*].sku", true},
		{"response.body.$.name", "response.body.$.name", true},
		{"response.body.$.name", "response.body.$.names", false},
		{"response.body.$.address.city", "response.body.$.address", false},
		{"response.body.$.name", "request.body.$.name", false},
		{"response.headers.X-A", "response.headers.x-a", true},
		{"response.body.$", "response.body.$['a b']", true},
	}
	for _, tt := range tests {
		if got := loc(tt.removed).Covers(loc(tt.used)); got != tt.want {
			t.Errorf("%s covers %s = %t, want %t", tt.removed, tt.used, got, tt.want)
		}
	}
}

func TestRoutes(t *testing.T) {
	rs, err := ParseRoutes([]string{"GET /users/{id}", "GET /users/me", "DELETE /users/{id}", "/files/{path...}", "GET /static/", "/", "POST example.com/orders"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/users/42", "/users/{id}"},
		{"GET", "/users/me", "/users/me"},
		{"DELETE", "/users/7", "/users/{id}"},
		{"PUT", "/users/7", "/users/7"}, // no PUT route: the catch-all / does not group
		{"GET", "/files/a/b.txt", "/files/{path...}"},
		{"GET", "/static/app.css", "/static/"},
		{"HEAD", "/users/1", "/users/{id}"},
		{"POST", "/orders", "/orders"},
		{"GET", "/users/", "/users/"},
	}
	for _, tt := range tests {
		if got := rs.Group(tt.method, tt.path); got != tt.want {
			t.Errorf("Group(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
	for _, p := range []string{"users", "GeT! /x", "/a/{b...}/c", "/a{b}", "/{}"} {
		if _, err := ParseRoute(p); err == nil {
			t.Errorf("ParseRoute(%q) accepted", p)
		}
	}
}
