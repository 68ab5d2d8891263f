// Package httpedge is what every request to the broker passes through
// before a handler runs, for the HAL API (broker/httpapi) and the pages
// (broker/ui) alike:
//
//   - [Auth]: who is asking. Authentication comes first, so an anonymous
//     client learns nothing about routes (not even a 404 or 405) unless
//     the route is public.
//   - [Mux]: routing on net/http.ServeMux patterns, each route declaring
//     the [Access] it needs (read, write, public, or a badge), plus the
//     two documented rewrites ServeMux cannot express ([Mux.HandleSlashed],
//     [Mux.HandleShadowed]).
//   - the request-text check: no NUL or invalid UTF-8 in a path segment
//     or query parameter reaches a database.
//   - one table from errors (broker error codes, matrix validation,
//     routing) to HTTP statuses, rendered as the Pact Broker's HAL error
//     JSON or, for the pages, as HTML ([Pages]). Internal errors get a
//     reference that is logged with the cause.
package httpedge
