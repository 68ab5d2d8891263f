// Package fieldusage answers "who uses this field?": which consumers rely on which request parts,
// response fields and message fields of a provider, and whether one of them can be removed
// without breaking a consumer version that is on its main branch, deployed or released.
//
// It is pure Go over plain data, like broker/matrix: no HTTP, no SQL.
//
//   - IndexPact reads one pact (specification 1 to 4: HTTP interactions, asynchronous messages,
//     V4 synchronous messages) into an Index: per interaction its method and concrete path, or its
//     description for a message, and the locations it uses. The broker computes it once, when the
//     pact content is published, and stores it; questions read the stored indexes.
//   - Usage aggregates the indexes of the selected consumer versions into a Report per endpoint
//     and field, grouping concrete paths under the provider's known routes, and lists the declared
//     operations and fields that nobody uses when the provider has a contract.
//   - CanRemove decides can-i-remove-field with a reason in plain words.
//   - ParseLocation, ParseMethod, ParsePath, ParseFilter and ParseRemoveQuery validate what people
//     type, with errors that give the expected form.
//
// # Locations
//
// A location is written part.section.rest: response.body.$.name, response.headers.Content-Type,
// request.query.page, request.headers.Accept, request.body.$.items[*].sku, message.body.$.orderId,
// message.metadata.contentType; a V4 synchronous message uses request.body / response.body and
// request.metadata / response.metadata. Body paths are canonical: an array's elements are one
// field ([*], whatever index a rule or a question names), a key that is not a plain name is
// quoted ($['a b']), and a map whose keys are data (a values, eachKey or eachValue matcher) has
// one field for all its keys (.*). Header names take their canonical case.
//
// What counts as used: every leaf of the example body (a field in an array counts once; an empty
// object or array is itself a leaf), every header and query parameter of the example, and every
// path a matching rule names. The example's value is not a promise, so a field under a type
// matcher is used just the same. A question about $.address is answered by the fields inside it
// as well: removing it removes them.
//
// # Which consumer versions count
//
// By default the latest version on each consumer's main branch and every version deployed, or
// released and still supported; with Filter.Environment the versions in that environment; with
// Filter.Branch the latest version on that branch. The store supplies, per consumer version, the
// branches it is the latest of and the environments it is in (ConsumerVersion); the selection is
// made here.
//
// # Pacts the index cannot read completely
//
// A pact with an unknown specification version is read by its shape and says so in Notices; an
// interaction of a kind the index does not know (a plugin's type, a malformed entry) is counted in
// Unread and named in Notices. Usage lists the notices with the report; CanRemove will not answer
// "removable" while a selected pact has unread interactions.
package fieldusage
