package rackquery

import (
	"strings"
	"testing"
)

// FuzzParse: Parse never panics, and whatever it accepts with keys free of brackets and no null
// values, Build writes back to a query that Parse reads as the same value. (Keys containing brackets do not survive the
// round trip in Rack either: "f[[]]=7" parses to {"f"=>{"["=>{"]"=>"7"}}}, which builds to
// "f[[][]]=7"; and a null is replaced by an array or hash given later under the same key.)
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar",
		"x[][y][][z]=1&x[][y][][w]=2",
		"[]=1&[a]=2&b[=3&c]=4",
		"d[[]=5&e][]=6&f[[]]=7",
		"a[][]=1&a[][]=2",
		"a&a[]=1&b[c]&b[c][d]=2",
		"success[]=true&success[]=&ignore[]=Bar",
		"s%5B%5D%5Bt%5D=prod&s%5B%5D%5Bl%5D=true",
		"x[y]=1&x[y]z=2",
		"%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		if recs, err := Selectors(v, "q"); err == nil {
			for _, r := range recs {
				_ = r.GetString("pacticipant")
			}
		}
		if !plainKeys(v) {
			return
		}
		qs, err := Build(v)
		if err != nil {
			t.Fatalf("Build(%s): %v", v, err)
		}
		back, err := Parse(qs)
		if err != nil {
			t.Fatalf("Parse(Build(Parse(%q))) = Parse(%q): %v", s, qs, err)
		}
		if !back.Equal(v) {
			t.Fatalf("Parse(%q) = %s\nBuild gives %q\nwhich parses as %s", s, v, qs, back)
		}
	})
}

func plainKeys(v *Value) bool {
	if v.IsNull() {
		return false
	}
	for _, k := range v.Keys() {
		if strings.ContainsAny(k, "[]") || !plainKeys(v.Get(k)) {
			return false
		}
	}
	for _, it := range v.Items() {
		if !plainKeys(it) {
			return false
		}
	}
	return true
}
