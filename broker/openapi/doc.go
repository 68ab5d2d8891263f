// Package openapi checks consumer pacts against a provider contract: the
// provider's OpenAPI document. It is the broker's open-source
// "bi-directional contract testing": a provider that cannot replay pacts
// against itself publishes its OpenAPI document (and the result of testing
// itself against it), and every consumer pact is checked against that.
//
// It is pure Go over bytes: no HTTP, no SQL. [Parse] reads and validates a
// document (OpenAPI 3.0 or 3.1, YAML or JSON; Swagger 2.0 is converted to
// OpenAPI 3.0) and [Document.Check] judges each interaction of a pact
// (specification V1 to V4). The schemas are validated by kin-openapi.
//
// # The rules
//
// An HTTP interaction is compatible when
//
//   - its method and path match an operation: path templates
//     ("/orders/{id}"), concrete paths before templated ones, and a server's
//     base path ("https://api.example.com/v1") may prefix the pact's path;
//   - its path, query and header parameters fit the parameters' schemas, the
//     required ones are sent, and it sends no query parameter the operation
//     does not declare;
//   - its request body (if any) has a content type the operation accepts and
//     fits that request schema; a body sent to an operation without one, or
//     none sent to an operation that requires one, is incompatible;
//   - its response status is declared (exactly, as a range like 2XX, or by
//     "default");
//   - every response header it expects is declared and fits its schema;
//   - its response body has a declared content type and fits the schema,
//     read as what a consumer may rely on: the schema's required properties
//     need not be in the example (a consumer may use a subset) and oneOf is
//     read as anyOf (a partial example may fit several alternatives), but
//     objects are closed — a property no applying schema declares is
//     incompatible, since the provider does not promise to send it. An
//     object schema that lists no properties at all is free-form and stays
//     open.
//
// Matching rules: the pact's examples are what is judged. A type matcher's
// example must fit the schema; a regex matcher is not taken to promise that
// every value it allows fits, nor excused when its example does not. A
// problem inside a matched value says so.
//
// A message interaction (V3 "messages", V4 "Asynchronous/Messages" and
// "Synchronous/Messages") cannot be checked against an OpenAPI document: it
// is reported [Unchecked], never [Compatible].
//
// Every [Problem] names its location in the interaction
// ("response.body.$.items[0].name") and says why in plain words.
package openapi
