package httpedge

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

// checkRequestText refuses path segments and query parameters that no
// database column can hold (see broker.CheckText): PostgreSQL would fail
// the query, a 5xx that clients retry, instead of a 400 that says why.
// Path segments and query values name things, so they are held to
// broker.MaxIdentifier too (except a pact URL's metadata segment, which
// encodes several of them).
func checkRequestText(r *http.Request, segs []string) error {
	for i, seg := range segs {
		check := broker.CheckIdentifier
		if i > 0 && segs[i-1] == "metadata" {
			check = broker.CheckText
		}
		if err := check(fmt.Sprintf("the path segment %q", Abbreviate(seg)), seg); err != nil {
			return err
		}
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // malformed pairs are the handlers' to report
	for k, vs := range q {
		for _, v := range append([]string{k}, vs...) {
			if err := broker.CheckIdentifier(fmt.Sprintf("the query parameter %q", Abbreviate(k)), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Abbreviate shortens a client's value quoted in an error message, so a
// megabyte name is not echoed back whole.
func Abbreviate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "..."
}
