// Package rackquery reproduces, byte for byte, the two Rack functions the Pact Broker's HTTP API is
// built on: Rack::Utils.parse_nested_query (Parse) and Rack::Utils.build_nested_query (Build), plus
// the URL-safe base64 "metadata" path segment of pacts-for-verification links (EncodeMetadata,
// DecodeMetadata), which is urlsafe_encode64(build_nested_query(h), padding: false) in the Ruby broker.
//
// Clients depend on these semantics: the /matrix and can-i-deploy queries arrive as
// q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar, where a new array element starts
// whenever a key repeats in the last element, and verification results are posted back to URLs whose
// metadata segment was built by Ruby and must decode to the same selectors here.
//
// # Exactness
//
// Parse follows Rack 3.2 (lib/rack/query_parser.rb): pairs are split at "&" followed by any number
// of spaces; keys and values are decoded with URI.decode_www_form_component rules ("+" is a space, a
// "%" not followed by two hex digits is an error); a key without "=" has a null value; empty keys are
// dropped; a leading "[" is part of the key at the top level ("[a]=1" is the key "[a]"); "a[]"
// appends to an array; "a[][b]" (and the flat form "a[]b") fills the last hash of an array unless it
// already has the key b; "a[b]" nests hashes; nesting deeper than 32 levels, more than 4096
// parameters or more than 4 MiB of query are refused; and a key used both as a scalar and as an
// array or hash is a *TypeError, as Rack's ParameterTypeError is. Hash keys keep their first
// insertion order, which Build relies on to reproduce Ruby's output.
//
// Build follows build_nested_query: arrays emit "prefix[]" per element, hashes "prefix[key]",
// null values emit the bare key, and keys and values are escaped with URI.encode_www_form_component
// (only A-Z a-z 0-9 * - . _ stay literal, a space becomes "+", everything else is %XX in upper case).
//
// # Where this package is deliberately more lenient than Rack
//
// Only in Selectors, which turns the q[] or ignore[] array of a /matrix query into one record per
// application. Rack's grouping is kept for every query in which each array element starts with its
// "pacticipant" key — that is how every real client writes selectors (pact_broker-client, the Rust
// pact-broker-cli inside the `pact` CLI, the broker UI). Query strings replayed from pact files by
// a Pact verifier, however, have their parameters sorted and grouped by key
// (q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1.2.3&q[][version]=4.5.6), which
// Rack turns into selectors nobody meant; the Ruby broker needs a rewriting proxy for its own
// contract tests because of this. Selectors regroups by position instead when some element does not
// start with "pacticipant", or when the keys are in sorted order with two or more pacticipants
// followed by other keys (Rack would give all those keys to the last pacticipant):
//
//  1. the pacticipant values, in order, each start one record;
//  2. the version values go, in order, to the first records;
//  3. the values of every other key (latest, tag, branch, environment, mainBranch, ...) go, in
//     order, to the records that received no version — the versioned records are the applications
//     being deployed, the others are where they are going; if a key has more values than there are
//     such records, its values go to all records in order instead;
//  4. a key with more values than there are pacticipants is an error, as the intent cannot be known.
//
// The one query Rack accepts whose meaning changes is a sorted one such as
// q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1: Rack reads "every version of Foo and
// Bar 1", Selectors reads "Foo 1 and every version of Bar". Real clients never send the former for
// can-i-deploy (they write each version right after its pacticipant), verifiers replaying pacts
// always send the latter. Every other query is either grouped as Rack does or one Rack would give a
// selector without a pacticipant, which the Ruby broker rejects.
package rackquery
