package rackquery

import "testing"

// FuzzDecodeMetadata: the metadata segment of a pact URL is attacker
// controlled; decoding never panics, and what decodes with plain keys
// encodes back to a segment that decodes to the same value.
func FuzzDecodeMetadata(f *testing.F) {
	for _, s := range []string{
		"Y3ZuPTI", "Y3ZuPTImY3Z0W109cHJvZCZ3PXRydWU", "Y3ZuPTI=", "Y3ZuPTI==", "", "!!", "e30",
		"cVtdW3BhY3RpY2lwYW50XT1Gb28", "JTAw", "JXp6", "W11bXVtdW11bXVtdW11bXT0x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seg string) {
		v, err := DecodeMetadata(seg)
		if err != nil || !plainKeys(v) {
			return
		}
		again, err := EncodeMetadata(v)
		if err != nil {
			return // only a non-hash fails, and a query always parses to a hash
		}
		back, err := DecodeMetadata(again)
		if err != nil {
			t.Fatalf("DecodeMetadata(EncodeMetadata(%s)) = %v", v, err)
		}
		if !back.Equal(v) {
			t.Fatalf("metadata %q decodes to %s, which encodes to %q, which decodes to %s", seg, v, again, back)
		}
	})
}
