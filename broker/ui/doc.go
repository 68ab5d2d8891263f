// Package ui is the broker's server-rendered user interface: the pages a
// person opens in a browser to see who depends on whom, what is verified and
// what can ship, plus the SVG badges the broker draws itself.
//
// It serves the same URLs as the HAL API, the way the Ruby broker splits
// them: WantsHTML decides per request, and Split puts the pages in front of
// an API handler (browsers get HTML, API clients get HAL+JSON, badge paths
// always get SVG, a browser opening an API-only resource gets the API):
//
//	api := httpapi.New(httpapi.Services{Pacts: store, ...}, httpapi.Config{BaseURL: base, Auth: auth, Log: log})
//	pages := ui.New(ui.NewSource(ui.Services{Pacts: store, ...}), ui.Config{BaseURL: base, Log: log, Auth: auth})
//	server.Handler = ui.Split(pages, api)
//
// Authentication, routing and error statuses are the API's, from
// broker/httpedge: pages need read access, badges are public when
// Config.PublicBadges is set, and errors are rendered as an error page.
//
// Pages read through Source, a small read-only interface; NewSource builds it
// over the broker's services (Services), which broker/cmd/accord-broker sets
// one by one. Templates, CSS and
// a few lines of JavaScript are embedded; every page works without
// JavaScript.
//
// Pages: / (integrations, search, status filter, pagination), the pact
// URLs (/pacts/provider/{p}/consumer/{c}/latest, /version/{v}, ...),
// /pacticipants/{name}, /matrix, /matrix/provider/{p}/consumer/{c}, the
// can-i-deploy shortcuts and /environments. Badges: the Ruby broker's badge
// URLs, drawn here instead of redirected to shields.io.
package ui
