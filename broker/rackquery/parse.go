package rackquery

import (
	"fmt"
	"net/url"
	"strings"
)

// The limits Rack 3.2 applies by default (Rack::Utils.default_query_parser and the
// RACK_QUERY_PARSER_* defaults).
const (
	DepthLimit    = 32
	ParamsLimit   = 4096
	BytesizeLimit = 4 << 20
)

// TypeError reports a key used as two shapes, e.g. "q=1&q[]=2" (Rack's ParameterTypeError).
// Servers answer it with 400.
type TypeError struct {
	Key  string
	Want Kind
	Got  Kind
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("query parameter %q is used both as %s and as %s; send it in one shape only", e.Key, e.Got, e.Want)
}

// LimitError reports a query that exceeds one of Rack's limits.
type LimitError struct {
	What  string // "depth", "parameters" or "bytes"
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("query exceeds the limit of %d %s; send a smaller query", e.Limit, e.What)
}

// EncodingError reports a pair that is not valid www-form encoding (a "%" not followed by two hex
// digits).
type EncodingError struct {
	Pair string
	Err  error
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("query parameter %q is not valid URL encoding (%v); percent-encode %% as %%25", e.Pair, e.Err)
}

func (e *EncodingError) Unwrap() error { return e.Err }

// Parse expands a raw query string (without the leading "?") the way Rack's parse_nested_query does
// and returns the top-level hash. The errors are *TypeError, *LimitError and *EncodingError; all of
// them mean the client sent a bad request.
func Parse(rawQuery string) (*Value, error) {
	params := NewHash()
	if rawQuery == "" {
		return params, nil
	}
	if len(rawQuery) > BytesizeLimit {
		return nil, &LimitError{What: "bytes", Limit: BytesizeLimit}
	}
	pairs := strings.Split(rawQuery, "&")
	if len(pairs) > ParamsLimit {
		return nil, &LimitError{What: "parameters", Limit: ParamsLimit}
	}
	for i, p := range pairs {
		if i > 0 {
			// Rack splits on /& */: spaces after an ampersand belong to the separator.
			p = strings.TrimLeft(p, " ")
		}
		if p == "" {
			continue
		}
		rawKey, rawVal, hasVal := strings.Cut(p, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil, &EncodingError{Pair: p, Err: err}
		}
		val := NewNull()
		if hasVal {
			s, err := url.QueryUnescape(rawVal)
			if err != nil {
				return nil, &EncodingError{Pair: p, Err: err}
			}
			val = NewString(s)
		}
		if _, err := normalize(params, key, val, 0); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// normalize is a line-by-line port of Rack::QueryParser#_normalize_params. It returns what the Ruby
// method returns: usually params, a one-element array for a trailing "[]" below the top level, or
// nil when the key is empty.
func normalize(params *Value, name string, v *Value, depth int) (*Value, error) {
	if depth >= DepthLimit {
		return nil, &LimitError{What: "depth", Limit: DepthLimit}
	}
	var k, after string
	switch {
	case depth == 0:
		// At the start a leading "[" is part of the key.
		if start := indexFrom(name, '[', 1); start >= 0 {
			k, after = name[:start], name[start:]
		} else {
			k = name
		}
	case strings.HasPrefix(name, "[]"):
		k, after = "[]", name[2:]
	case strings.HasPrefix(name, "["):
		if start := indexFrom(name, ']', 1); start >= 0 {
			k, after = name[1:start], name[start+1:]
		} else {
			k = name
		}
	default:
		k = name
	}
	if k == "" {
		return nil, nil
	}

	switch {
	case after == "":
		if k == "[]" && depth != 0 {
			return NewArray(v), nil
		}
		params.Set(k, v)
	case after == "[":
		params.Set(name, v)
	case after == "[]":
		arr, err := arrayAt(params, k)
		if err != nil {
			return nil, err
		}
		arr.Append(v)
	case strings.HasPrefix(after, "[]"):
		// x[][y] fills the hash at the end of the array; anything else nests further.
		childKey := ""
		if len(after) >= 4 && after[2] == '[' && strings.HasSuffix(after, "]") {
			childKey = after[3 : len(after)-1]
		}
		if childKey == "" || strings.ContainsAny(childKey, "[]") {
			childKey = after[2:]
		}
		arr, err := arrayAt(params, k)
		if err != nil {
			return nil, err
		}
		last := arr.Index(arr.Len() - 1)
		if last.Kind() == Hash && !hashHasKey(last, childKey) {
			if _, err := normalize(last, childKey, v, depth+1); err != nil {
				return nil, err
			}
		} else {
			child, err := normalize(NewHash(), childKey, v, depth+1)
			if err != nil {
				return nil, err
			}
			if child == nil {
				child = NewNull()
			}
			arr.Append(child)
		}
	default:
		cur := params.Get(k)
		if cur.IsNull() {
			cur = NewHash()
			params.Set(k, cur)
		}
		if cur.Kind() != Hash {
			return nil, &TypeError{Key: k, Want: Hash, Got: cur.Kind()}
		}
		child, err := normalize(cur, after, v, depth+1)
		if err != nil {
			return nil, err
		}
		if child == nil {
			child = NewNull()
		}
		params.Set(k, child)
	}
	return params, nil
}

// arrayAt is Ruby's `params[k] ||= []` followed by the Array type check.
func arrayAt(params *Value, k string) (*Value, error) {
	cur := params.Get(k)
	if cur.IsNull() {
		cur = NewArray()
		params.Set(k, cur)
	}
	if cur.Kind() != Array {
		return nil, &TypeError{Key: k, Want: Array, Got: cur.Kind()}
	}
	return cur, nil
}

// hashHasKey ports params_hash_has_key?: a key path such as "[x][y]" is looked up level by level,
// and any key containing "[]" counts as absent so that arrays keep accumulating.
func hashHasKey(h *Value, key string) bool {
	if strings.Contains(key, "[]") {
		return false
	}
	cur := h
	for _, part := range strings.FieldsFunc(key, func(r rune) bool { return r == '[' || r == ']' }) {
		if cur.Kind() != Hash || !cur.Has(part) {
			return false
		}
		cur = cur.Get(part)
	}
	return true
}

func indexFrom(s string, c byte, from int) int {
	if from >= len(s) {
		return -1
	}
	i := strings.IndexByte(s[from:], c)
	if i < 0 {
		return -1
	}
	return i + from
}
