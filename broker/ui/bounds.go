package ui

import (
	"bytes"
	"encoding/json"
)

// The pact page is bounded by construction: a pact over maxViewBytes or
// nested deeper than maxViewDepth is not rendered at all (the page says so
// and links to the JSON), and JSON is indented only when the indented text
// stays within indentFactor times the compact text. Indentation grows with
// depth on every line, so a 60 KB pact nested 10,000 levels deep would
// otherwise become a page of hundreds of megabytes.
const (
	maxViewBytes = 2 << 20
	maxViewDepth = 64
	indentFactor = 4
)

// jsonShape is what a scan of JSON text learns without decoding it.
type jsonShape struct {
	depth    int // deepest nesting of objects and arrays
	indented int // the size json.Indent(.., "", "  ") would produce, or more
}

// shape scans JSON text once. Text that is not JSON gets a shape too; the
// decoder reports what is wrong with it.
func shape(b []byte) jsonShape {
	var s jsonShape
	depth, inString, escaped := 0, false, false
	s.indented = len(b)
	newline := func(d int) { s.indented += 1 + 2*d }
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			s.depth = max(s.depth, depth)
			newline(depth)
		case '}', ']':
			depth--
			newline(max(depth, 0))
		case ',':
			newline(depth)
		case ':':
			s.indented++
		}
	}
	return s
}

// indentBounded indents JSON text when the result stays within
// indentFactor times its size (plus a little for tiny documents), and
// returns it unchanged otherwise.
func indentBounded(b []byte) string {
	if shape(b).indented > indentFactor*len(b)+4096 {
		return string(b)
	}
	var out bytes.Buffer
	out.Grow(len(b) * 2)
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}
