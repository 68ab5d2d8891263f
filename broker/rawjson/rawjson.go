// Package rawjson walks JSON text without decoding it: the members of an
// object and the elements of an array as slices of the text. It reads only
// text json.Valid accepts (callers check first), allocates nothing per
// value, and so lets a pact of tens of MiB be read in about its own size
// where decoding it into maps would take ten times that.
package rawjson

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Text is valid JSON text with an index of where its large containers
// end, so walking nested objects skips each large one in one step instead
// of scanning it again at every level above it.
type Text struct {
	B    []byte
	ends map[int]int
}

// indexed is the size from which a container's end is remembered: smaller
// ones are scanned when skipped, which costs at most this much per level.
const indexed = 4 << 10

// New indexes b, which must be valid JSON (json.Valid).
func New(b []byte) *Text {
	t := &Text{B: b, ends: map[int]int{}}
	var open []int
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i = skipString(b, i) - 1
		case '{', '[':
			open = append(open, i)
		case '}', ']':
			start := open[len(open)-1]
			open = open[:len(open)-1]
			if i+1-start >= indexed {
				t.ends[start] = i + 1
			}
		}
	}
	return t
}

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index just past the string literal starting at
// b[i] (a '"').
func skipString(b []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		i += j
		n := 0
		for k := i - 1; b[k] == '\\'; k-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
}

// End returns the index just past the value starting at b[i].
func (t *Text) End(i int) int {
	b := t.B
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		if e, ok := t.ends[i]; ok {
			return e
		}
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
		i++
	}
	return i
}

// Span is a value's place in the text: B[Start:End].
type Span struct{ Start, End int }

// Members calls yield with the key (a string literal, quotes included)
// and the value of each member of the object starting at b[i], in order,
// until yield returns false.
func (t *Text) Members(i int, yield func(key, value Span) bool) {
	b := t.B
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] != '}' {
		ke := skipString(b, i)
		vs := SkipSpace(b, SkipSpace(b, ke)+1) // past ':'
		ve := t.End(vs)
		if !yield(Span{i, ke}, Span{vs, ve}) {
			return
		}
		i = SkipSpace(b, ve)
		if i < len(b) && b[i] == ',' {
			i = SkipSpace(b, i+1)
		}
	}
}

// Elements calls yield with each element of the array starting at b[i],
// in order, until yield returns false.
func (t *Text) Elements(i int, yield func(value Span) bool) {
	b := t.B
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		e := t.End(i)
		if !yield(Span{i, e}) {
			return
		}
		i = SkipSpace(b, e)
		if i < len(b) && b[i] == ',' {
			i = SkipSpace(b, i+1)
		}
	}
}

// Plain reports whether a string literal (quotes included) means its own
// bytes and is written back unchanged by encoding/json (escaping no HTML):
// no escapes, valid UTF-8, no U+2028 or U+2029.
func Plain(lit []byte) bool {
	s := lit[1 : len(lit)-1]
	return bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) && !bytes.Contains(s, []byte("\u2028")) && !bytes.Contains(s, []byte("\u2029"))
}

// Unquote returns the string a literal (quotes included) means, as
// encoding/json decodes it.
func Unquote(lit []byte) string {
	if Plain(lit) {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	_ = json.Unmarshal(lit, &s)
	return s
}
