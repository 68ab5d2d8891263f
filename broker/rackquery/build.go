package rackquery

import (
	"errors"
	"strings"
)

// ErrNotHash is returned by Build when the top-level value is a string: Rack raises
// "value must be a Hash" in that case.
var ErrNotHash = errors.New("rackquery: the top-level value of a query must be a hash")

// Build serialises v exactly as Rack's build_nested_query does, so a hash built here and one built
// by the Ruby broker produce identical strings (and identical metadata segments).
func Build(v *Value) (string, error) {
	if v.Kind() == String {
		return "", ErrNotHash
	}
	return build(v, "", false), nil
}

func build(v *Value, prefix string, hasPrefix bool) string {
	switch v.Kind() {
	case Array:
		parts := make([]string, 0, len(v.items))
		for _, it := range v.items {
			// Empty elements are kept here (Ruby joins them, yielding "&&").
			parts = append(parts, build(it, prefix+"[]", true))
		}
		return strings.Join(parts, "&")
	case Hash:
		parts := make([]string, 0, len(v.keys))
		for _, k := range v.keys {
			p := k
			if hasPrefix {
				p = prefix + "[" + k + "]"
			}
			if s := build(v.m[k], p, true); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "&")
	case Null:
		return Escape(prefix)
	default:
		return Escape(prefix) + "=" + Escape(v.str)
	}
}

// Escape is Ruby's URI.encode_www_form_component: bytes other than A-Z a-z 0-9 * - . _ become %XX
// (upper-case hex) and a space becomes "+". Note that Go's url.QueryEscape differs on "*" and "~".
func Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
