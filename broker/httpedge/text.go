package httpedge

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/accord-cdc/accord/broker"
)

// checkRequestText refuses path segments and query parameters that no
// database column can hold (see broker.CheckText): PostgreSQL would fail
// the query, a 5xx that clients retry, instead of a 400 that says why.
func checkRequestText(r *http.Request, segs []string) error {
	for _, seg := range segs {
		if err := broker.CheckText(fmt.Sprintf("the path segment %q", seg), seg); err != nil {
			return err
		}
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // malformed pairs are the handlers' to report
	for k, vs := range q {
		for _, v := range append([]string{k}, vs...) {
			if err := broker.CheckText(fmt.Sprintf("the query parameter %q", k), v); err != nil {
				return err
			}
		}
	}
	return nil
}
