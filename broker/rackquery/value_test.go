package rackquery

import "testing"

func TestValueAccessorsAreNilSafe(t *testing.T) {
	var missing *Value
	if missing.Kind() != Null || !missing.IsNull() || missing.Len() != 0 {
		t.Error("nil value is not an empty Null")
	}
	if missing.Get("a") != nil || missing.Index(0) != nil || missing.Keys() != nil || missing.Items() != nil {
		t.Error("nil value has children")
	}
	if s, ok := missing.Str(); ok || s != "" {
		t.Error("nil value is a string")
	}
	if missing.GetString("a") != "" || missing.Has("a") {
		t.Error("nil value has keys")
	}
	if missing.Set("a", NewNull()) != nil || missing.Append(NewNull()) != nil {
		t.Error("mutating nil returned a value")
	}
}

func TestValueAccessors(t *testing.T) {
	v, err := Parse("q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&flag&n=2")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Keys(); len(got) != 3 || got[0] != "q" || got[1] != "flag" || got[2] != "n" {
		t.Errorf("Keys = %v", got)
	}
	q := v.Get("q")
	if q.Kind() != Array || q.Len() != 2 {
		t.Fatalf("q = %s", q)
	}
	if q.Index(1).GetString("pacticipant") != "Bar" || q.Index(2) != nil || q.Index(-1) != nil {
		t.Errorf("Index gave %s", q)
	}
	if !v.Has("flag") || !v.Get("flag").IsNull() {
		t.Error("flag should be present and null")
	}
	if v.GetString("q") != "" {
		t.Error("GetString of an array should be empty")
	}
	if len(q.Items()) != 2 {
		t.Error("Items")
	}
	if NewString("x").Set("a", NewNull()).Len() != 0 || NewHash().Append(NewNull()).Kind() != Hash {
		t.Error("Set/Append on the wrong kind changed the value")
	}
	h := NewHash().SetString("a", "1").SetString("b", "2").SetString("a", "3")
	if h.String() != `{"a"=>"3", "b"=>"2"}` {
		t.Errorf("replacing a key moved it: %s", h)
	}
	for k, want := range map[Kind]string{Null: "Null", String: "String", Array: "Array", Hash: "Hash", Kind(9): "Kind(9)"} {
		if k.String() != want {
			t.Errorf("Kind %d = %s", k, k)
		}
	}
	if NewArray(NewString("a")).Equal(NewArray(NewString("b"))) || NewHash().SetString("a", "1").Equal(NewHash().SetString("b", "1")) ||
		NewString("a").Equal(NewNull()) || !NewNull().Equal(nil) || NewArray().Equal(NewArray(NewNull())) {
		t.Error("Equal")
	}
}
