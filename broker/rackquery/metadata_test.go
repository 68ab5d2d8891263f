package rackquery

import (
	"strings"
	"testing"
)

func TestMetadata(t *testing.T) {
	tests := []struct {
		name    string
		in      *Value
		segment string // as produced by the Ruby broker (approval fixtures)
	}{
		{"pacts for verification selector", hash("s", []any{hash("t", "prod", "l", "true", "cv", "10")}),
			"cyU1QiU1RCU1QnQlNUQ9cHJvZCZzJTVCJTVEJTVCbCU1RD10cnVlJnMlNUIlNUQlNUJjdiU1RD0xMA"},
		{"matrix verification link, consumer version 2", hash("cvn", "2"), "Y3ZuPTI"},
		{"matrix verification link, consumer version 1", hash("cvn", "1"), "Y3ZuPTE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeMetadata(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.segment {
				t.Errorf("EncodeMetadata(%s) = %q, want %q", tt.in, got, tt.segment)
			}
			back, err := DecodeMetadata(tt.segment)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(tt.in) {
				t.Errorf("DecodeMetadata(%q) = %s, want %s", tt.segment, back, tt.in)
			}
		})
	}
}

func TestMetadataRoundTripNeedsURLSafeAlphabet(t *testing.T) {
	// "?>" encodes to bytes whose base64 uses the characters that differ between alphabets.
	in := hash("s", []any{hash("b", "feat/x?>~", "e", "prod uction", "cv", "12345")}, "p", "false")
	seg, err := EncodeMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(seg, "+/=") {
		t.Fatalf("segment %q is not URL-safe unpadded base64", seg)
	}
	back, err := DecodeMetadata(seg)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(in) {
		t.Errorf("round trip gave %s, want %s", back, in)
	}
}

func TestDecodeMetadataAcceptsPadding(t *testing.T) {
	v, err := DecodeMetadata("Y3ZuPTI=")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetString("cvn"); got != "2" {
		t.Errorf("cvn = %q, want 2", got)
	}
}

func TestDecodeMetadataErrors(t *testing.T) {
	for _, seg := range []string{"not base64!", "Y3ZuPT$", "JXp6PTE"} { // the last decodes to "%zz=1"
		if v, err := DecodeMetadata(seg); err == nil {
			t.Errorf("DecodeMetadata(%q) = %s, want an error", seg, v)
		}
	}
}
