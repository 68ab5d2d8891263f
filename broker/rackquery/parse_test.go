package rackquery

import (
	"errors"
	"strings"
	"testing"
)

// Cases marked "rack" are Rack's own specification (test/spec_utils.rb), in Ruby's insertion order;
// the others pin the query strings Pact clients send.
func TestParse(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"rack: key without value is nil", "foo", `{"foo"=>nil}`},
		{"rack: empty value", "foo=", `{"foo"=>""}`},
		{"rack: plain", "foo=bar", `{"foo"=>"bar"}`},
		{"rack: quotes kept", `foo="bar"`, `{"foo"=>"\"bar\""}`},
		{"rack: last plain value wins", "foo=bar&foo=quux", `{"foo"=>"quux"}`},
		{"rack: nil then empty", "foo&foo=", `{"foo"=>""}`},
		{"rack: two keys", "foo=1&bar=2", `{"foo"=>"1", "bar"=>"2"}`},
		{"rack: empty pairs skipped", "&foo=1&&bar=2", `{"foo"=>"1", "bar"=>"2"}`},
		{"rack: nil and empty", "foo&bar=", `{"foo"=>nil, "bar"=>""}`},
		{"rack: form decoding", "my+weird+field=q1%212%22%27w%245%267%2Fz8%29%3F", `{"my weird field"=>"q1!2\"'w$5&7/z8)?"}`},
		{"rack: escaped equals in key", "a=b&pid%3D1234=1023", `{"a"=>"b", "pid=1234"=>"1023"}`},
		{"rack: array of nil", "foo[]", `{"foo"=>[nil]}`},
		{"rack: array of empty", "foo[]=", `{"foo"=>[""]}`},
		{"rack: array", "foo[]=bar", `{"foo"=>["bar"]}`},
		{"rack: plain key replaces array", "foo[]=bar&foo", `{"foo"=>nil}`},
		{"rack: dangling bracket is literal", "foo[]=bar&foo[", `{"foo"=>["bar"], "foo["=>nil}`},
		{"rack: dangling bracket with value", "foo[]=bar&foo[=baz", `{"foo"=>["bar"], "foo["=>"baz"}`},
		{"rack: array appends nil", "foo[]=bar&foo[]", `{"foo"=>["bar", nil]}`},
		{"rack: array appends empty", "foo[]=bar&foo[]=", `{"foo"=>["bar", ""]}`},
		{"rack: array of two", "foo[]=1&foo[]=2", `{"foo"=>["1", "2"]}`},
		{"rack: mixed", "foo=bar&baz[]=1&baz[]=2&baz[]=3", `{"foo"=>"bar", "baz"=>["1", "2", "3"]}`},
		{"rack: two arrays", "foo[]=bar&baz[]=1&baz[]=2&baz[]=3", `{"foo"=>["bar"], "baz"=>["1", "2", "3"]}`},
		{"rack: nested nil", "x[y][z]", `{"x"=>{"y"=>{"z"=>nil}}}`},
		{"rack: nested", "x[y][z]=1", `{"x"=>{"y"=>{"z"=>"1"}}}`},
		{"rack: nested array", "x[y][z][]=1", `{"x"=>{"y"=>{"z"=>["1"]}}}`},
		{"rack: nested overwrite", "x[y][z]=1&x[y][z]=2", `{"x"=>{"y"=>{"z"=>"2"}}}`},
		{"rack: nested array append", "x[y][z][]=1&x[y][z][]=2", `{"x"=>{"y"=>{"z"=>["1", "2"]}}}`},
		{"rack: hash in array", "x[y][][z]=1", `{"x"=>{"y"=>[{"z"=>"1"}]}}`},
		{"rack: array in hash in array", "x[y][][z][]=1", `{"x"=>{"y"=>[{"z"=>["1"]}]}}`},
		{"rack: new key fills last hash", "x[y][][z]=1&x[y][][w]=2", `{"x"=>{"y"=>[{"z"=>"1", "w"=>"2"}]}}`},
		{"rack: deep hash in array", "x[y][][v][w]=1", `{"x"=>{"y"=>[{"v"=>{"w"=>"1"}}]}}`},
		{"rack: deep hash joins last", "x[y][][z]=1&x[y][][v][w]=2", `{"x"=>{"y"=>[{"z"=>"1", "v"=>{"w"=>"2"}}]}}`},
		{"rack: repeated key starts new element", "x[y][][z]=1&x[y][][z]=2", `{"x"=>{"y"=>[{"z"=>"1"}, {"z"=>"2"}]}}`},
		{"rack: two elements of two", "x[y][][z]=1&x[y][][w]=a&x[y][][z]=2&x[y][][w]=3", `{"x"=>{"y"=>[{"z"=>"1", "w"=>"a"}, {"z"=>"2", "w"=>"3"}]}}`},
		{"rack: nested keys in elements", "x[][y]=1&x[][z][w]=a&x[][y]=2&x[][z][w]=b", `{"x"=>[{"y"=>"1", "z"=>{"w"=>"a"}}, {"y"=>"2", "z"=>{"w"=>"b"}}]}`},
		{"rack: nested key first", "x[][z][w]=a&x[][y]=1&x[][z][w]=b&x[][y]=2", `{"x"=>[{"z"=>{"w"=>"a"}, "y"=>"1"}, {"z"=>{"w"=>"b"}, "y"=>"2"}]}`},
		{"rack: array under hash under array", "data[books][][data][page]=1&data[books][][data][page]=2", `{"data"=>{"books"=>[{"data"=>{"page"=>"1"}}, {"data"=>{"page"=>"2"}}]}}`},
		{"rack: invalid utf-8 kept", "foo%81E=1", `{"foo\x81E"=>"1"}`},
		{"rack: new array only when the full key was seen", "x[][y][][z]=1&x[][y][][w]=2", `{"x"=>[{"y"=>[{"z"=>"1", "w"=>"2"}]}]}`},
		{"rack: two records of nested keys", "x[][id]=1&x[][y][a]=5&x[][y][b]=7&x[][z][id]=3&x[][z][w]=0&x[][id]=2&x[][y][a]=6&x[][y][b]=8&x[][z][id]=4&x[][z][w]=0",
			`{"x"=>[{"id"=>"1", "y"=>{"a"=>"5", "b"=>"7"}, "z"=>{"id"=>"3", "w"=>"0"}}, {"id"=>"2", "y"=>{"a"=>"6", "b"=>"8"}, "z"=>{"id"=>"4", "w"=>"0"}}]}`},
		{"rack: stray brackets are characters", "[]=1&[a]=2&b[=3&c]=4", `{"[]"=>"1", "[a]"=>"2", "b["=>"3", "c]"=>"4"}`},
		{"rack: stray brackets nested", "d[[]=5&e][]=6&f[[]]=7", `{"d"=>{"["=>"5"}, "e]"=>["6"], "f"=>{"["=>{"]"=>"7"}}}`},
		{"rack: text after brackets", "g[h]i=8&j[k]l[m]=9", `{"g"=>{"h"=>{"i"=>"8"}}, "j"=>{"k"=>{"l[m]"=>"9"}}}`},
		{"rack: many brackets", "l[[[[[[[[]]]]]]]=10", `{"l"=>{"[[[[[[["=>{"]]]]]]"=>"10"}}}`},
		{"empty query", "", `{}`},
		{"spaces after ampersand belong to the separator", "a=1&  b=2& &c", `{"a"=>"1", "b"=>"2", "c"=>nil}`},
		{"value may contain equals", "a=b=c", `{"a"=>"b=c"}`},
		{"empty key dropped", "=x&a=1", `{"a"=>"1"}`},
		{"array of arrays", "a[][]=1&a[][]=2", `{"a"=>[["1"], ["2"]]}`},
		{"array inside element accumulates", "a[][b][]=1&a[][b][]=2", `{"a"=>[{"b"=>["1", "2"]}]}`},
		{"nil value is replaced by a hash", "a[b]&a[b][c]=1", `{"a"=>{"b"=>{"c"=>"1"}}}`},
		{"nil value is replaced by an array", "a&a[]=1", `{"a"=>["1"]}`},
		{"ruby v1 client: selectors in order", "q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][version]=4.5.6&latestby=cvpv",
			`{"q"=>[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "version"=>"4.5.6"}], "latestby"=>"cvpv"}`},
		{"brackets percent-encoded", "q%5B%5D%5Bpacticipant%5D=Foo%20Thing&q%5B%5D%5Bversion%5D=1%2e2%2e3",
			`{"q"=>[{"pacticipant"=>"Foo Thing", "version"=>"1.2.3"}]}`},
		{"rust cli can-i-deploy", "q[][pacticipant]=Foo&q[][version]=1.2.3&latestby=cvp&latest=true",
			`{"q"=>[{"pacticipant"=>"Foo", "version"=>"1.2.3"}], "latestby"=>"cvp", "latest"=>"true"}`},
		{"rust cli with ignore and to", "q[][pacticipant]=Foo&q[][version]=1&ignore[][pacticipant]=Bar&ignore[][version]=2&ignore[][pacticipant]=Baz&tag=prod&latestby=cvp&latest=true",
			`{"q"=>[{"pacticipant"=>"Foo", "version"=>"1"}], "ignore"=>[{"pacticipant"=>"Bar", "version"=>"2"}, {"pacticipant"=>"Baz"}], "tag"=>"prod", "latestby"=>"cvp", "latest"=>"true"}`},
		{"key-grouped order is grouped as Rack does (see Selectors)", "q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][version]=1.2.3&q[][version]=4.5.6",
			`{"q"=>[{"pacticipant"=>"Foo"}, {"pacticipant"=>"Bar", "version"=>"1.2.3"}, {"version"=>"4.5.6"}]}`},
		{"flat encoding q[]key", "q[]pacticipant=Foo&q[]version=1&q[]pacticipant=Bar&q[]version=10",
			`{"q"=>[{"pacticipant"=>"Foo", "version"=>"1"}, {"pacticipant"=>"Bar", "version"=>"10"}]}`},
		{"can-i-deploy ignore as plain list", "pacticipant=Foo&version=1&environment=production&ignore[]=Bar&ignore[]=Baz",
			`{"pacticipant"=>"Foo", "version"=>"1", "environment"=>"production", "ignore"=>["Bar", "Baz"]}`},
		{"success filter", "success[]=true&success[]=&success[]=false", `{"success"=>["true", "", "false"]}`},
		{"metadata of pacts for verification", "s%5B%5D%5Bt%5D=prod&s%5B%5D%5Bl%5D=true&s%5B%5D%5Bcv%5D=10",
			`{"s"=>[{"t"=>"prod", "l"=>"true", "cv"=>"10"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.query, err)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.query, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, query string
		check       func(error) bool
	}{
		{"rack: string then hash", "x[y]=1&x[y]z=2", isType("y", Hash, String)},
		{"rack: hash then array", "x[y]=1&x[]=1", isType("x", Array, Hash)},
		{"rack: string then array of hashes", "x[y]=1&x[y][][w]=2", isType("y", Array, String)},
		{"string then array", "q=1&q[][pacticipant]=Foo", isType("q", Array, String)},
		{"rack: too deep", "foo" + strings.Repeat("[a]", DepthLimit) + "=bar", isLimit("depth")},
		{"too many parameters", strings.Repeat("a=1&", ParamsLimit) + "a=1", isLimit("parameters")},
		{"too many bytes", "a=" + strings.Repeat("x", BytesizeLimit), isLimit("bytes")},
		{"bad percent in value", "a=%zz", isEncoding},
		{"bad percent in key", "a%=1", isEncoding},
		{"truncated percent", "a=1%2", isEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse(tt.query)
			if err == nil {
				t.Fatalf("Parse succeeded with %s, want an error", v)
			}
			if !tt.check(err) {
				t.Errorf("wrong error: %T %v", err, err)
			}
			if err.Error() == "" {
				t.Error("empty error message")
			}
		})
	}
}

func TestParseDepthJustBelowLimit(t *testing.T) {
	v, err := Parse("foo" + strings.Repeat("[a]", DepthLimit-1) + "=bar")
	if err != nil {
		t.Fatal(err)
	}
	for range DepthLimit - 1 {
		v = v.Get(v.Keys()[0])
	}
	if got, _ := v.Get("a").Str(); got != "bar" {
		t.Errorf("deepest value = %s, want bar", v)
	}
}

func isType(key string, want, got Kind) func(error) bool {
	return func(err error) bool {
		var te *TypeError
		return errors.As(err, &te) && te.Key == key && te.Want == want && te.Got == got
	}
}

func isLimit(what string) func(error) bool {
	return func(err error) bool {
		var le *LimitError
		return errors.As(err, &le) && le.What == what
	}
}

func isEncoding(err error) bool {
	var ee *EncodingError
	return errors.As(err, &ee)
}
