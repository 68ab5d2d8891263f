package rackquery

import (
	"errors"
	"testing"
)

// val converts test shorthand to a Value: nil is Null, string is String, []any is Array, and
// hash(...) builds hashes.
func val(x any) *Value {
	switch x := x.(type) {
	case nil:
		return NewNull()
	case string:
		return NewString(x)
	case []any:
		a := NewArray()
		for _, it := range x {
			a.Append(val(it))
		}
		return a
	case *Value:
		return x
	}
	panic("unsupported test value")
}

func hash(kv ...any) *Value {
	h := NewHash()
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i].(string), val(kv[i+1]))
	}
	return h
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name string
		in   *Value
		want string
	}{
		{"rack: nil", hash("foo", nil), "foo"},
		{"rack: empty", hash("foo", ""), "foo="},
		{"rack: plain", hash("foo", "bar"), "foo=bar"},
		{"rack: two", hash("foo", "1", "bar", "2"), "foo=1&bar=2"},
		{"rack: escaping", hash("my weird field", `q1!2"'w$5&7/z8)?`), "my+weird+field=q1%212%22%27w%245%267%2Fz8%29%3F"},
		{"rack: array of nil", hash("foo", []any{nil}), "foo%5B%5D"},
		{"rack: array of empty", hash("foo", []any{""}), "foo%5B%5D="},
		{"rack: array", hash("foo", []any{"bar"}), "foo%5B%5D=bar"},
		{"rack: empty array dropped", hash("foo", []any{}), ""},
		{"rack: empty hash dropped", hash("foo", hash()), ""},
		{"rack: empty array among others", hash("foo", "bar", "baz", []any{}), "foo=bar"},
		{"rack: empty hash among others", hash("foo", "bar", "baz", hash()), "foo=bar"},
		{"rack: nil and empty", hash("foo", nil, "bar", ""), "foo&bar="},
		{"rack: array of two", hash("foo", []any{"1", "2"}), "foo%5B%5D=1&foo%5B%5D=2"},
		{"rack: nested", hash("x", hash("y", hash("z", "1"))), "x%5By%5D%5Bz%5D=1"},
		{"rack: nested array", hash("x", hash("y", hash("z", []any{"1", "2"}))), "x%5By%5D%5Bz%5D%5B%5D=1&x%5By%5D%5Bz%5D%5B%5D=2"},
		{"rack: hash in array", hash("x", hash("y", []any{hash("z", "1", "w", "2")})), "x%5By%5D%5B%5D%5Bz%5D=1&x%5By%5D%5B%5D%5Bw%5D=2"},
		{"rack: two hashes in array", hash("x", hash("y", []any{hash("z", "1", "w", "a"), hash("z", "2", "w", "3")})),
			"x%5By%5D%5B%5D%5Bz%5D=1&x%5By%5D%5B%5D%5Bw%5D=a&x%5By%5D%5B%5D%5Bz%5D=2&x%5By%5D%5B%5D%5Bw%5D=3"},
		{"rack: array in array", hash("foo", []any{"1", []any{"2"}}), "foo%5B%5D=1&foo%5B%5D%5B%5D=2"},
		{"empty hash inside array keeps its separator, as Ruby's join does", hash("a", []any{hash(), hash("b", "1")}), "&a%5B%5D%5Bb%5D=1"},
		{"ruby escaping keeps * and escapes ~", hash("k", "a*b~c d+é"), "k=a*b%7Ec+d%2B%C3%A9"},
		{"empty top-level hash", hash(), ""},
		{"pacts for verification metadata", hash("s", []any{hash("t", "prod", "l", "true", "cv", "10")}), "s%5B%5D%5Bt%5D=prod&s%5B%5D%5Bl%5D=true&s%5B%5D%5Bcv%5D=10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Build(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Build(%s)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuildRejectsScalar(t *testing.T) {
	if _, err := Build(NewString("foo=bar")); !errors.Is(err, ErrNotHash) {
		t.Fatalf("Build(string) error = %v, want ErrNotHash", err)
	}
}

// Rack's inverse-function table: parse(build(h)) == h.
func TestBuildParseRoundTrip(t *testing.T) {
	for _, h := range []*Value{
		hash("bar", ""),
		hash("foo", "bar", "baz", ""),
		hash("foo", []any{"1", "2"}),
		hash("foo", "bar", "baz", []any{"1", "2", "3"}),
		hash("foo", []any{"bar"}, "baz", []any{"1", "2", "3"}),
		hash("x", hash("y", hash("z", "1"))),
		hash("x", hash("y", hash("z", []any{"1"}))),
		hash("x", hash("y", hash("z", []any{"1", "2"}))),
		hash("x", hash("y", []any{hash("z", "1")})),
		hash("x", hash("y", []any{hash("z", []any{"1"})})),
		hash("x", hash("y", []any{hash("z", "1", "w", "2")})),
		hash("x", hash("y", []any{hash("v", hash("w", "1"))})),
		hash("x", hash("y", []any{hash("z", "1", "v", hash("w", "2"))})),
		hash("x", hash("y", []any{hash("z", "1"), hash("z", "2")})),
		hash("x", hash("y", []any{hash("z", "1", "w", "a"), hash("z", "2", "w", "3")})),
		hash("foo", []any{"1", []any{"2"}}),
		hash("q", []any{hash("pacticipant", "Foo Thing", "version", "1.2.3+build/7"), hash("pacticipant", "Bar", "latest", "true", "tag", "prod")}),
	} {
		qs, err := Build(h)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(qs)
		if err != nil {
			t.Fatalf("Parse(%q): %v", qs, err)
		}
		if !back.Equal(h) {
			t.Errorf("round trip of %s via %q gave %s", h, qs, back)
		}
	}
}
