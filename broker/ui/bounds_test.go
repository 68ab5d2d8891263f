package ui_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deepPact is a small pact whose one response body is nested n levels.
func deepPact(consumer, provider string, n int) []byte {
	body := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"deep","request":{"method":"GET","path":"/"},"response":{"status":200,"body":%s}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, body))
}

// widePact is a pact nested depth levels whose innermost array holds n
// numbers: each on its own line when indented, deeply indented.
func widePact(consumer, provider string, depth, n int) []byte {
	body := strings.Repeat(`[`, depth) + strings.TrimSuffix(strings.Repeat("1,", n), ",") + strings.Repeat("]", depth)
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"wide","request":{"method":"GET","path":"/"},"response":{"status":200,"body":%s}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, body))
}

// TestPactPageIsBounded: the page of a pact nested thousands of levels, or
// of one larger than pages show, says so and links to the JSON instead of
// rendering a page hundreds of times the pact's size; a pact within the
// limits whose indentation would explode is shown unindented. Every page
// stays within a small multiple of the pact.
func TestPactPageIsBounded(t *testing.T) {
	s := newStore(t)
	deep := deepPact("deep", "p", 9000)
	mustPublish(t, s, "deep", "1", "main", nil, "p", deep)
	large := []byte(strings.Replace(string(deepPact("large", "p", 1)), "1}", `"`+strings.Repeat("x", 2_400_000)+`"}`, 1)) // 2.3 MiB
	mustPublish(t, s, "large", "1", "main", nil, "p", large)
	wide := widePact("wide", "p", 60, 100_000) // 200 KB that json.Indent would make ~25 MB
	mustPublish(t, s, "wide", "1", "main", nil, "p", wide)
	ok := deepPact("ok", "p", 40)
	mustPublish(t, s, "ok", "1", "main", nil, "p", ok)
	srv := newServer(t, s)

	for _, c := range []struct {
		consumer, notice string
		content          []byte
	}{
		{"deep", "too deeply nested to show here (9004 levels; pages show up to 64)", deep},
		{"large", "too large to show here (2.3 MiB; pages show pacts up to 2.0 MiB)", large},
		{"wide", "", wide},
		{"ok", "", ok},
	} {
		path := "/pacts/provider/p/consumer/" + c.consumer + "/version/1"
		res, body := getURL(t, srv, path, browserAccept)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Less(t, len(body), 10*len(c.content)+64<<10, "%s: a %d-byte pact made a %d-byte page", c.consumer, len(c.content), len(body))
		doc := page(t, srv, path, http.StatusOK)
		if c.notice != "" {
			assert.Contains(t, doc.Find("p.too-big").Text(), c.notice, c.consumer)
			assert.Equal(t, path+".json", doc.Find("p.too-big a").AttrOr("href", ""), c.consumer)
			assert.Zero(t, doc.Find("section.interaction").Length(), c.consumer)
			continue
		}
		assert.Zero(t, doc.Find("p.too-big").Length(), c.consumer)
		assert.Equal(t, 1, doc.Find("section.interaction").Length(), c.consumer)
	}
	_, okPage := getURL(t, srv, "/pacts/provider/p/consumer/ok/version/1", browserAccept)
	assert.Contains(t, okPage, "\n"+strings.Repeat("  ", 12)+`&#34;a&#34;: {`, "a pact within the limits is indented")
}
