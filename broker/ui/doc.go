// Package ui is the broker's server-rendered user interface: the pages a
// person opens in a browser to see who depends on whom, what is verified and
// what can ship, plus the SVG badges the broker draws itself.
//
// It serves the same URLs as the HAL API, the way the Ruby broker splits
// them: WantsHTML decides per request, and Split puts the pages in front of
// an API handler (browsers get HTML, API clients get HAL+JSON, badge paths
// always get SVG):
//
//	api := httpapi.New(store, cfg)
//	pages := ui.New(ui.FromStore(store), ui.Config{BaseURL: cfg.BaseURL, Log: log})
//	server.Handler = ui.Split(pages, api)
//
// Pages read through Source, a small read-only interface; FromStore adapts a
// broker.Store to it. Templates and CSS are embedded; pages work without
// JavaScript.
package ui
