package rackquery

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// EncodeMetadata builds the metadata path segment of a pact URL, e.g. the "cvn=2" in
// /pacts/provider/Bar/consumer/Foo/pact-version/SHA/metadata/Y3ZuPTI/verification-results/1:
// Base64.urlsafe_encode64(Rack::Utils.build_nested_query(h), padding: false).
func EncodeMetadata(h *Value) (string, error) {
	q, err := Build(h)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString([]byte(q)), nil
}

// DecodeMetadata reverses EncodeMetadata. Like Ruby's urlsafe_decode64 it accepts the segment with
// or without "=" padding. An undecodable segment is an error; the Ruby broker logs it and carries
// on with empty metadata, which callers can copy by ignoring the error.
func DecodeMetadata(segment string) (*Value, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
	if err != nil {
		return nil, fmt.Errorf("decode pact metadata %q: not URL-safe base64: %w", segment, err)
	}
	v, err := Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("decode pact metadata %q: %w", segment, err)
	}
	return v, nil
}
