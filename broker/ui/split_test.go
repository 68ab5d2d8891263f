package ui_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker/ui"
)

func TestWantsHTML(t *testing.T) {
	for _, c := range []struct {
		name, path, accept, contentType string
		want                            bool
	}{
		{"browser page", "/", browserAccept, "", true},
		{"browser pact", "/pacts/provider/p/consumer/c/latest", browserAccept, "", true},
		{"pact CLI", "/", "application/hal+json", "", false},
		{"HAL and JSON", "/pacticipants", "application/hal+json, application/json, */*; q=0.01", "", false},
		{"problem JSON", "/", "application/problem+json", "", false},
		{"plain text", "/matrix", "text/plain", "", false},
		{"CSV", "/groups/Foo", "text/csv", "", false},
		{"YAML", "/", "application/yaml", "", false},
		{"no Accept header", "/", "", "", false},
		{"JSON body", "/contracts/publish", "text/html", "application/json", false},
		{"curl", "/pacticipants", "*/*", "", false},
		{"script with */*", "/ui/assets/app.js", "*/*", "", true},
		{"stylesheet", "/ui/assets/style.css", "text/css,*/*;q=0.1", "", true},
		{"badge in an img tag", "/pacts/provider/p/consumer/c/latest/badge", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "", false},
		{"badge opened in a tab", "/pacts/provider/p/consumer/c/latest/badge", browserAccept, "", true},
		{"case-insensitive", "/", "Application/HAL+JSON", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.path, nil)
			if c.accept != "" {
				r.Header.Set("Accept", c.accept)
			}
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			assert.Equal(t, c.want, ui.WantsHTML(r))
		})
	}
}

func TestIsBadgePath(t *testing.T) {
	for path, want := range map[string]bool{
		"/pacts/provider/p/consumer/c/latest/badge":                                     true,
		"/pacts/provider/p/consumer/c/latest/prod/badge.svg":                            true,
		"/matrix/provider/p/latest/a/consumer/c/latest/b/badge":                         true,
		"/pacticipants/p/main-branch/can-i-merge/badge":                                 true,
		"/pacticipants/p/latest-version/dev/can-i-deploy/to/prod/badge":                 true,
		"/pacts/provider/p/consumer/c/latest":                                           false,
		"/badge":                                                                        false,
		"/pacticipants/p/branches/b/latest-version/can-i-deploy/to-environment/e":       false,
		"/pacticipants/p/branches/b/latest-version/can-i-deploy/to-environment/e/badge": true,
	} {
		assert.Equal(t, want, ui.IsBadgePath(path), path)
	}
}

// TestGroupCSVByExtension follows the Ruby UI's network diagram, which
// fetches "/groups/{name}.csv" from a page: the extension asks for CSV,
// so a browser gets the API's CSV, not a page.
func TestGroupCSVByExtension(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	srv := newServer(t, s)
	res, body := getURL(t, srv, "/groups/users.csv", browserAccept)
	assert.Equal(t, 200, res.StatusCode, body)
	assert.Equal(t, "text/csv;charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, body, ",users,1,1,0,")
	assert.Contains(t, body, ",billing,1,1,0,")
}

// TestErrorTestPage: a browser at /test/error gets the error page with a
// reference (the Ruby UI's error test); API clients get the API's 500.
func TestErrorTestPage(t *testing.T) {
	srv := newServer(t, newStore(t))
	doc := page(t, srv, "/test/error", 500)
	assert.Contains(t, doc.Text(), "Something went wrong")
	assert.Contains(t, doc.Text(), "The details are logged with the reference")
	res, body := getURL(t, srv, "/test/error", "application/hal+json")
	assert.Equal(t, 500, res.StatusCode)
	assert.Contains(t, body, `"reference"`)
	res, _ = getURL(t, srv, "/", browserAccept)
	assert.Equal(t, 200, res.StatusCode, "the broker serves on")
}
