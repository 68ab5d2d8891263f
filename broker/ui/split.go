package ui

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/accord-cdc/accord/broker/httpedge"
)

// apiContentTypes are the media types that mark a request as an API call
// (the Ruby broker's Rack::PactBroker::RequestTarget).
var apiContentTypes = []string{"application/hal+json", "application/problem+json", "application/json", "text/csv", "application/yaml", "text/plain"}

// webAssetExtensions are paths a browser fetches with Accept: */*.
var webAssetExtensions = []string{".js", ".woff", ".woff2", ".css", ".png", ".html", ".map", ".ttf", ".ico"}

// WantsHTML reports whether the request is a browser's, to be answered with
// a page rather than HAL+JSON. It follows the Ruby broker: a request is for
// the API when its Accept header (or its body's Content-Type) names an API
// media type, when it has no Accept header, when it asks for a badge as SVG,
// or when it accepts exactly */* (curl) for anything but a web asset.
func WantsHTML(r *http.Request) bool {
	accept := strings.ToLower(r.Header.Get("Accept"))
	contentType := strings.ToLower(r.Header.Get("Content-Type"))
	switch {
	case accept == "":
		return false
	case isAPIType(accept), isAPIType(contentType):
		return false
	case strings.Contains(accept, "svg") && IsBadgePath(r.URL.EscapedPath()):
		return false
	case accept == "*/*" && !hasSuffix(r.URL.Path, webAssetExtensions):
		return false
	}
	return true
}

func isAPIType(header string) bool {
	for _, t := range apiContentTypes {
		if strings.Contains(header, t) {
			return true
		}
	}
	return false
}

func hasSuffix(s string, suffixes []string) bool {
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

// badgePatterns are the Ruby broker's badge URLs (pact, matrix,
// can-i-deploy and can-i-merge badges); they are the only routes that
// PublicBadges opens.
var badgePatterns = [...]string{
	"/pacts/provider/{provider}/consumer/{consumer}/latest/badge",
	"/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}/badge",
	"/pacts/provider/{provider}/consumer/{consumer}/latest-untagged/badge",
	"/matrix/provider/{provider}/latest/{ptag}/consumer/{consumer}/latest/{ctag}/badge",
	"/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}/badge",
	"/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge",
	"/pacticipants/{pacticipant}/main-branch/can-i-merge/badge",
}

var badgeMux = func() *http.ServeMux {
	m := http.NewServeMux()
	for _, p := range badgePatterns {
		m.Handle(p, http.NotFoundHandler())
	}
	return m
}()

// IsBadgePath reports whether the escaped path, with or without ".svg",
// is one of the badge URLs: a name that ends in "/badge" (sent as
// "x%2Fbadge") or a page whose last name is "badge" is not a badge.
func IsBadgePath(escaped string) bool {
	escaped = strings.TrimSuffix(escaped, ".svg")
	if path.Clean(escaped) != escaped {
		return false
	}
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return false
	}
	_, pattern := badgeMux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: p, RawPath: escaped}})
	return pattern != ""
}

// Split serves pages to browsers and everything else from api, at the same
// URLs, as the Ruby broker does:
//
//   - a ".json", ".svg" or ".csv" suffix becomes the Accept header (the
//     Ruby broker's ConvertFileExtensionToAcceptHeader), so "{pact URL}.json"
//     is the raw pact for a browser and "/groups/{name}.csv" the network
//     diagram's data;
//   - badge routes are always drawn here (the API has no badges);
//   - a request WantsHTML for a path with a page gets the page; any other
//     request, and a browser's request for a path without a page (an API
//     resource opened in a tab), goes to api.
func Split(pages *Handler, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		convertExtension(r)
		if access, ok := pages.mux.Access(r); ok && (access == httpedge.Badge || WantsHTML(r)) {
			pages.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

func convertExtension(r *http.Request) {
	for ext, accept := range map[string]string{".json": "application/json", ".svg": "image/svg+xml", ".csv": "text/csv"} {
		if !strings.HasSuffix(r.URL.Path, ext) || r.URL.Path == ext {
			continue
		}
		r.URL.Path = strings.TrimSuffix(r.URL.Path, ext)
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, ext)
		}
		r.Header.Set("Accept", accept)
		return
	}
}
