package broker

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker/rawjson"
)

// NormalPact is a pact's content as the broker stores it, made in one pass
// over the text without decoding the document: the same bytes as
// ParsePact(content).WithIDs() and the same SHA as ContentSHA, in about
// the pact's size of memory instead of ten times it.
type NormalPact struct {
	// Stored is compact JSON with sorted keys (as encoding/json writes a
	// map), every interaction (or message) carrying its "_id".
	Stored []byte
	// SHA identifies the content (see PactDocument.ContentSHA).
	SHA string
	// Consumer and Provider are the names the pact declares ("" none).
	Consumer, Provider string
}

// NormalisePact checks that content is a JSON object and normalises it.
// Bad content is an Invalid error, as ParsePact reports it.
func NormalisePact(content []byte) (NormalPact, error) {
	if !json.Valid(content) || len(content) > math.MaxInt32 {
		_, err := ParsePact(content)
		if err == nil { // trailing text after the object, which ParsePact ignores
			err = Errorf(Invalid, "the pact is not valid JSON (there is text after the document); publish the file your Pact library wrote, unmodified")
		}
		return NormalPact{}, err
	}
	start := rawjson.SkipSpace(content, 0)
	if content[start] != '{' {
		return NormalPact{}, notAnObject(content[start:])
	}
	n := normaliser{t: rawjson.New(content), out: make([]byte, 0, len(content)+len(content)/8+512)}
	return n.pact(start), nil
}

func notAnObject(v []byte) error {
	if bytes.HasPrefix(v, []byte("null")) {
		return Errorf(Invalid, "the pact must be a JSON object with consumer, provider and interactions")
	}
	kind := map[byte]string{'[': "an array", '"': "a string", 't': "a boolean", 'f': "a boolean"}[v[0]]
	if kind == "" {
		kind = "a number"
	}
	return Errorf(Invalid, "the pact is not valid JSON (it is %s, not an object); publish the file your Pact library wrote, unmodified", kind)
}

type normaliser struct {
	t   *rawjson.Text
	out []byte
	// members is a stack shared by the objects being written, outermost
	// first.
	members []member
	// items are the interactions (or messages) written, as out[Start:IDStart]
	// + out[IDEnd:End] without their "_id".
	items []item
}

type member struct {
	key, value rawjson.Span
	plain      bool // the key literal means its own bytes
}

type item struct{ start, idStart, idEnd, end int }

// idKey is where "_id" sorts among an interaction's keys.
const idKey = "_id"

// pact writes the document and computes its SHA.
func (n *normaliser) pact(start int) NormalPact {
	b := n.t.B
	top := n.sorted(start, false)
	key := "interactions"
	if !slices.ContainsFunc(top, func(m member) bool { return n.keyIs(m, "interactions") }) &&
		slices.ContainsFunc(top, func(m member) bool { return n.keyIs(m, "messages") }) {
		key = "messages"
	}
	spans := map[string]rawjson.Span{}
	n.out = append(n.out, '{')
	for i, m := range top {
		if i > 0 {
			n.out = append(n.out, ',')
		}
		n.key(m)
		vs := len(n.out)
		if n.keyIs(m, key) && b[m.value.Start] == '[' {
			n.itemList(m.value.Start)
		} else {
			n.value(m.value)
		}
		for _, k := range []string{"consumer", "provider", "metadata"} {
			if n.keyIs(m, k) {
				spans[k] = rawjson.Span{Start: vs, End: len(n.out)}
			}
		}
	}
	n.out = append(n.out, '}')
	np := NormalPact{Stored: n.out}
	np.SHA = n.sha(key, spans["metadata"])
	np.Consumer = stringMember(np.Stored, spans["consumer"], "name")
	np.Provider = stringMember(np.Stored, spans["provider"], "name")
	return np
}

// sorted returns the members of the object at b[start] as encoding/json
// writes a map decoded from it: sorted by key, the last of duplicate keys,
// without "_id" when dropID. The slice is on the shared stack; pop it with
// n.members = n.members[:len(n.members)-len(ms)] once written.
func (n *normaliser) sorted(start int, dropID bool) []member {
	b := n.t.B
	base := len(n.members)
	inOrder := true
	n.t.Members(start, func(k, v rawjson.Span) bool {
		m := member{key: k, value: v, plain: rawjson.Plain(b[k.Start:k.End])}
		if dropID && n.keyIs(m, idKey) {
			return true
		}
		if len(n.members) > base && n.cmpKey(n.members[len(n.members)-1], m) >= 0 {
			inOrder = false
		}
		n.members = append(n.members, m)
		return true
	})
	ms := n.members[base:]
	if !inOrder {
		slices.SortStableFunc(ms, n.cmpKey)
		out := ms[:0]
		for i, m := range ms {
			if i+1 < len(ms) && n.cmpKey(m, ms[i+1]) == 0 {
				continue // a later duplicate wins, as in a map
			}
			out = append(out, m)
		}
		n.members = n.members[:base+len(out)]
		ms = out
	}
	return ms
}

func (n *normaliser) keyText(m member) []byte { return n.t.B[m.key.Start+1 : m.key.End-1] }

func (n *normaliser) keyIs(m member, s string) bool {
	if m.plain {
		return string(n.keyText(m)) == s
	}
	return rawjson.Unquote(n.t.B[m.key.Start:m.key.End]) == s
}

func (n *normaliser) cmpKey(a, b member) int {
	if a.plain && b.plain {
		return bytes.Compare(n.keyText(a), n.keyText(b))
	}
	return strings.Compare(rawjson.Unquote(n.t.B[a.key.Start:a.key.End]), rawjson.Unquote(n.t.B[b.key.Start:b.key.End]))
}

func (n *normaliser) key(m member) {
	n.str(m.key)
	n.out = append(n.out, ':')
}

// str writes a string literal as encoding/json writes the string it means.
func (n *normaliser) str(s rawjson.Span) {
	lit := n.t.B[s.Start:s.End]
	if rawjson.Plain(lit) {
		n.out = append(n.out, lit...)
		return
	}
	n.out = appendJSONString(n.out, rawjson.Unquote(lit))
}

func appendJSONString(out []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
}

func (n *normaliser) value(v rawjson.Span) {
	b := n.t.B
	switch b[v.Start] {
	case '{':
		n.object(v.Start, false)
	case '[':
		n.out = append(n.out, '[')
		first := true
		n.t.Elements(v.Start, func(e rawjson.Span) bool {
			if !first {
				n.out = append(n.out, ',')
			}
			first = false
			n.value(e)
			return true
		})
		n.out = append(n.out, ']')
	case '"':
		n.str(v)
	default: // numbers as written, true, false, null
		n.out = append(n.out, b[v.Start:v.End]...)
	}
}

// object writes the object at b[start]. With an "_id" it leaves room for
// one where the key sorts, and returns that room's place in out.
func (n *normaliser) object(start int, withID bool) (idStart, idEnd int) {
	ms := n.sorted(start, withID)
	at := len(ms)
	if withID {
		at, _ = slices.BinarySearchFunc(ms, idKey, func(m member, _ string) int {
			if m.plain {
				return strings.Compare(string(n.keyText(m)), idKey)
			}
			return strings.Compare(rawjson.Unquote(n.t.B[m.key.Start:m.key.End]), idKey)
		})
	}
	n.out = append(n.out, '{')
	for i, m := range ms {
		if i > 0 {
			n.out = append(n.out, ',')
		}
		if withID && i == at {
			idStart = len(n.out)
			n.out = append(n.out, `"_id":"0000000000000000000000000000000000000000",`...)
			idEnd = len(n.out)
		}
		n.key(m)
		n.value(m.value)
	}
	if withID && at == len(ms) {
		idStart = len(n.out)
		if len(ms) > 0 {
			n.out = append(n.out, ',')
		}
		n.out = append(n.out, `"_id":"0000000000000000000000000000000000000000"`...)
		idEnd = len(n.out)
	}
	n.out = append(n.out, '}')
	n.members = n.members[:len(n.members)-len(ms)]
	return idStart, idEnd
}

// itemList writes the interactions (or messages) array at b[start], each
// object with its "_id": the SHA-1 of the interaction written without it.
func (n *normaliser) itemList(start int) {
	b := n.t.B
	n.out = append(n.out, '[')
	first := true
	n.t.Elements(start, func(e rawjson.Span) bool {
		if !first {
			n.out = append(n.out, ',')
		}
		first = false
		it := item{start: len(n.out)}
		if b[e.Start] == '{' {
			it.idStart, it.idEnd = n.object(e.Start, true)
			it.end = len(n.out)
			h := sha1.New()
			h.Write(n.out[it.start:it.idStart])
			h.Write(n.out[it.idEnd:it.end])
			sum := h.Sum(nil)
			at := it.idStart + bytes.IndexByte(n.out[it.idStart:], ':') + 2
			hex.Encode(n.out[at:at+40], sum)
		} else {
			n.value(e)
			it.idStart, it.idEnd, it.end = it.start, it.start, len(n.out)
		}
		n.items = append(n.items, it)
		return true
	})
	n.out = append(n.out, ']')
}

// sha is ContentSHA over what was written: the items without their "_id"s,
// sorted, and the specification version.
func (n *normaliser) sha(key string, metadata rawjson.Span) string {
	out := n.out
	parts := func(it item) ([]byte, []byte) { return out[it.start:it.idStart], out[it.idEnd:it.end] }
	slices.SortFunc(n.items, func(x, y item) int {
		x1, x2 := parts(x)
		y1, y2 := parts(y)
		return compare2(x1, x2, y1, y2)
	})
	h := sha1.New()
	h.Write([]byte(`{"` + key + `":[`))
	for i, it := range n.items {
		if i > 0 {
			h.Write([]byte(","))
		}
		a, b := parts(it)
		h.Write(a)
		h.Write(b)
	}
	h.Write([]byte("]"))
	if v := specVersionText(out, metadata); v != nil {
		h.Write([]byte(`,"pact_specification_version":`))
		h.Write(v)
	}
	h.Write([]byte("}"))
	return hex.EncodeToString(h.Sum(nil))
}

// compare2 compares x1+x2 with y1+y2 byte by byte.
func compare2(x1, x2, y1, y2 []byte) int {
	for {
		if len(x1) == 0 {
			x1, x2 = x2, nil
		}
		if len(y1) == 0 {
			y1, y2 = y2, nil
		}
		if len(x1) == 0 || len(y1) == 0 {
			return cmp.Compare(len(x1), len(y1))
		}
		k := min(len(x1), len(y1))
		if c := bytes.Compare(x1[:k], y1[:k]); c != 0 {
			return c
		}
		x1, y1 = x1[k:], y1[k:]
	}
}

// normalMember returns the value of a key in a normalised object (keys written
// as encoding/json writes them, each once), or nil.
func normalMember(text []byte, obj rawjson.Span, key string) []byte {
	if obj.End == 0 || text[obj.Start] != '{' {
		return nil
	}
	t := &rawjson.Text{B: text}
	var found []byte
	want := appendJSONString(nil, key)
	t.Members(obj.Start, func(k, v rawjson.Span) bool {
		if bytes.Equal(text[k.Start:k.End], want) {
			found = text[v.Start:v.End]
			return false
		}
		return true
	})
	return found
}

// specVersionText is the text of specVersion in normalised metadata, or
// nil for none (absent or null).
func specVersionText(text []byte, metadata rawjson.Span) []byte {
	for _, k := range []string{"pactSpecification", "pact-specification"} {
		ps := normalMember(text, metadata, k)
		if len(ps) > 0 && ps[0] == '{' {
			if v := memberOf(ps, "version"); v != nil {
				return nonNull(v)
			}
		}
	}
	return nonNull(normalMember(text, metadata, "pactSpecificationVersion"))
}

func memberOf(obj []byte, key string) []byte {
	return normalMember(obj, rawjson.Span{Start: 0, End: len(obj)}, key)
}

func nonNull(v []byte) []byte {
	if string(v) == "null" {
		return nil
	}
	return v
}

func stringMember(text []byte, obj rawjson.Span, key string) string {
	v := normalMember(text, obj, key)
	if len(v) == 0 || v[0] != '"' {
		return ""
	}
	return rawjson.Unquote(v)
}

// PactNames checks that content is a JSON object, as NormalisePact does,
// and returns the consumer and provider names it declares ("" none),
// reading only those members.
func PactNames(content []byte) (consumer, provider string, err error) {
	if !json.Valid(content) {
		_, err := NormalisePact(content)
		return "", "", err
	}
	start := rawjson.SkipSpace(content, 0)
	if content[start] != '{' {
		return "", "", notAnObject(content[start:])
	}
	t := &rawjson.Text{B: content}
	name := func(v rawjson.Span) (s string) {
		if content[v.Start] != '{' {
			return ""
		}
		t.Members(v.Start, func(k, v rawjson.Span) bool {
			if rawjson.Unquote(content[k.Start:k.End]) == "name" { // the last of duplicate keys, as in a map
				s = ""
				if content[v.Start] == '"' {
					s = rawjson.Unquote(content[v.Start:v.End])
				}
			}
			return true
		})
		return s
	}
	t.Members(start, func(k, v rawjson.Span) bool {
		switch rawjson.Unquote(content[k.Start:k.End]) {
		case "consumer":
			consumer = name(v)
		case "provider":
			provider = name(v)
		}
		return true
	})
	return consumer, provider, nil
}
