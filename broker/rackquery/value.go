package rackquery

import (
	"strconv"
	"strings"
)

// Kind says which of Rack's four value shapes a Value has.
type Kind uint8

const (
	// Null is a key given without "=" (Ruby nil).
	Null Kind = iota
	// String is a decoded scalar value.
	String
	// Array comes from "key[]".
	Array
	// Hash comes from "key[sub]" and is the shape of every parsed query; its keys keep their
	// insertion order, as Ruby hashes do.
	Hash
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "Null"
	case String:
		return "String"
	case Array:
		return "Array"
	case Hash:
		return "Hash"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one node of a nested query: a null, a string, an array or an ordered hash.
// The accessors are safe on a nil *Value, so lookups chain without checks:
// v.Get("q").Index(0).GetString("pacticipant").
type Value struct {
	kind  Kind
	str   string
	items []*Value
	keys  []string
	m     map[string]*Value
}

// NewNull returns a null value; Build writes its key without "=".
func NewNull() *Value { return &Value{kind: Null} }

// NewString returns a string value.
func NewString(s string) *Value { return &Value{kind: String, str: s} }

// NewArray returns an array holding items.
func NewArray(items ...*Value) *Value { return &Value{kind: Array, items: items} }

// NewHash returns an empty hash; fill it with Set.
func NewHash() *Value { return &Value{kind: Hash, m: map[string]*Value{}} }

// Set stores val under key in a hash and returns the hash, so calls chain. Replacing an existing
// key keeps its position, as in Ruby. Set does nothing on a value that is not a hash.
func (v *Value) Set(key string, val *Value) *Value {
	if v == nil || v.kind != Hash {
		return v
	}
	if _, ok := v.m[key]; !ok {
		v.keys = append(v.keys, key)
	}
	v.m[key] = val
	return v
}

// SetString is Set(key, NewString(s)).
func (v *Value) SetString(key, s string) *Value { return v.Set(key, NewString(s)) }

// Append adds val to the end of an array and returns the array. It does nothing on a value that is
// not an array.
func (v *Value) Append(val *Value) *Value {
	if v == nil || v.kind != Array {
		return v
	}
	v.items = append(v.items, val)
	return v
}

// Kind reports the shape of v; a nil *Value is Null.
func (v *Value) Kind() Kind {
	if v == nil {
		return Null
	}
	return v.kind
}

// IsNull reports whether v is null or missing.
func (v *Value) IsNull() bool { return v.Kind() == Null }

// Str returns the string held by v and whether v is a string.
func (v *Value) Str() (string, bool) {
	if v == nil || v.kind != String {
		return "", false
	}
	return v.str, true
}

// Get returns the value stored under key in a hash, or nil when v is not a hash or lacks the key.
func (v *Value) Get(key string) *Value {
	if v == nil || v.kind != Hash {
		return nil
	}
	return v.m[key]
}

// Has reports whether the hash v has key (even with a null value).
func (v *Value) Has(key string) bool {
	if v == nil || v.kind != Hash {
		return false
	}
	_, ok := v.m[key]
	return ok
}

// GetString returns the string under key, or "" when it is absent or not a string.
func (v *Value) GetString(key string) string {
	s, _ := v.Get(key).Str()
	return s
}

// Keys returns the keys of a hash in insertion order.
func (v *Value) Keys() []string {
	if v == nil || v.kind != Hash {
		return nil
	}
	return append([]string(nil), v.keys...)
}

// Items returns the elements of an array.
func (v *Value) Items() []*Value {
	if v == nil || v.kind != Array {
		return nil
	}
	return append([]*Value(nil), v.items...)
}

// Index returns element i of an array, or nil when out of range or not an array.
func (v *Value) Index(i int) *Value {
	if v == nil || v.kind != Array || i < 0 || i >= len(v.items) {
		return nil
	}
	return v.items[i]
}

// Len is the number of elements of an array or keys of a hash, else 0.
func (v *Value) Len() int {
	switch v.Kind() {
	case Array:
		return len(v.items)
	case Hash:
		return len(v.keys)
	}
	return 0
}

// Equal reports whether v and o have the same shape and contents, including hash key order.
func (v *Value) Equal(o *Value) bool {
	if v.Kind() != o.Kind() {
		return false
	}
	switch v.Kind() {
	case Null:
		return true
	case String:
		return v.str == o.str
	case Array:
		if len(v.items) != len(o.items) {
			return false
		}
		for i := range v.items {
			if !v.items[i].Equal(o.items[i]) {
				return false
			}
		}
		return true
	default:
		if len(v.keys) != len(o.keys) {
			return false
		}
		for i, k := range v.keys {
			if o.keys[i] != k || !v.m[k].Equal(o.m[k]) {
				return false
			}
		}
		return true
	}
}

// String renders v the way Ruby's inspect would, e.g. {"q"=>[{"pacticipant"=>"Foo"}]}; it is meant
// for test failures and logs.
func (v *Value) String() string {
	var b strings.Builder
	v.inspect(&b)
	return b.String()
}

func (v *Value) inspect(b *strings.Builder) {
	switch v.Kind() {
	case Null:
		b.WriteString("nil")
	case String:
		b.WriteString(strconv.Quote(v.str))
	case Array:
		b.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			it.inspect(b)
		}
		b.WriteByte(']')
	case Hash:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k))
			b.WriteString("=>")
			v.m[k].inspect(b)
		}
		b.WriteByte('}')
	}
}
