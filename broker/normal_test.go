package broker_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
)

// manyInteractions is a pact with n interactions whose keys are not in
// order, with whitespace, escapes and duplicate keys.
func manyInteractions(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"provider\": {\"name\": \"Bar\"},\n  \"consumer\": {\"name\": \"F\\u006fo\"},\n  \"interactions\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `    {"response": {"status": 200, "body": {"z": [1, 2.50, -0, 1e3], "a\"q": "<&>\u2028", "a": {"nested": {"y": true, "x": null}}}}, "description": "get %d", "_id": "old", "request": {"path": "/items/%d", "method": "GET"}, "description": "get %d again"}`, i%7, i, i)
	}
	b.WriteString("\n  ],\n  \"metadata\": {\"pactSpecification\": {\"version\": \"3.0.0\"}}\n}\n")
	return []byte(b.String())
}

// TestNormalisePactIsParsePact: the streaming normalisation stores the
// same bytes and computes the same SHA as decoding the document, for the
// pacts in the repository and a large one written out of order.
func TestNormalisePactIsParsePact(t *testing.T) {
	docs := map[string][]byte{"many": manyInteractions(500), "deep": []byte(`{"interactions":[{"b":` + strings.Repeat(`{"b":[`, 3000) + `1` + strings.Repeat(`]}`, 3000) + `,"a":{}}]}`)}
	for _, f := range []string{"../ci/pipeline/testdata/pacts/shop-stock.json", "../ci/pipeline/testdata/official/pact-broker-client-v2__pact-broker.json",
		"matrix/testdata/pact-broker-cli__tests_fixtures_pact_broker_matrix.json"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		docs[f] = b
	}
	for name, b := range docs {
		np, err := broker.NormalisePact(b)
		require.NoError(t, err, name)
		doc, err := broker.ParsePact(b)
		require.NoError(t, err, name)
		assert.Equal(t, doc.ContentSHA(), np.SHA, name)
		assert.Equal(t, doc.Participant("consumer"), np.Consumer, name)
		assert.Equal(t, doc.Participant("provider"), np.Provider, name)
		assert.Equal(t, string(doc.WithIDs()), string(np.Stored), name)
	}
	for _, bad := range []string{`[]`, `null`, `"x"`, `{"a":1} {}`, `{`, `{"a":}`} {
		_, err := broker.NormalisePact([]byte(bad))
		assert.Equal(t, broker.Invalid, broker.ErrorCode(err), bad)
	}
}

// BenchmarkNormalisePact against decoding the document as the store did.
func BenchmarkNormalisePact(b *testing.B) {
	pact := manyInteractions(20000)
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(len(pact)))
		for b.Loop() {
			if _, err := broker.NormalisePact(pact); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(pact)))
		for b.Loop() {
			doc, err := broker.ParsePact(pact)
			if err != nil {
				b.Fatal(err)
			}
			_ = doc.ContentSHA()
			_ = doc.WithIDs()
		}
	})
}
