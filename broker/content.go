package broker

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// PactDocument is a decoded pact JSON document.
type PactDocument map[string]any

// ParsePact decodes pact JSON, keeping numbers exactly as written.
func ParsePact(content []byte) (PactDocument, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, Errorf(Invalid, "the pact is not valid JSON (%v); publish the file your Pact library wrote, unmodified", err)
	}
	if doc == nil {
		return nil, Errorf(Invalid, "the pact must be a JSON object with consumer, provider and interactions")
	}
	return doc, nil
}

// Participant returns the name of the "consumer" or "provider" in the pact.
func (d PactDocument) Participant(role string) string {
	m, _ := d[role].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// interactionsKey is "interactions", or "messages" for message pacts.
func (d PactDocument) interactionsKey() string {
	if _, ok := d["interactions"]; !ok {
		if _, ok := d["messages"]; ok {
			return "messages"
		}
	}
	return "interactions"
}

func (d PactDocument) specVersion() any {
	meta, _ := d["metadata"].(map[string]any)
	for _, k := range []string{"pactSpecification", "pact-specification"} {
		if ps, ok := meta[k].(map[string]any); ok {
			if v, ok := ps["version"]; ok {
				return v
			}
		}
	}
	if v, ok := meta["pactSpecificationVersion"]; ok {
		return v
	}
	return nil
}

// marshal writes compact JSON with sorted keys and no HTML escaping.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of decoded JSON always encode
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// ContentSHA identifies the part of a pact that affects verification: its
// interactions (or messages), compared regardless of key and interaction
// order and of "_id"s, and its specification version. Publishing content
// with the same SHA is not a change.
func (d PactDocument) ContentSHA() string {
	key := d.interactionsKey()
	items, _ := d[key].([]any)
	sorted := make([][]byte, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if _, has := m["_id"]; has {
				c := make(map[string]any, len(m))
				for k, v := range m {
					if k != "_id" {
						c[k] = v
					}
				}
				it = c
			}
		}
		sorted = append(sorted, marshal(it))
	}
	slices.SortFunc(sorted, bytes.Compare)
	var buf bytes.Buffer
	buf.WriteString(`{"` + key + `":[`)
	buf.Write(bytes.Join(sorted, []byte(",")))
	buf.WriteString("]")
	if v := d.specVersion(); v != nil {
		buf.WriteString(`,"pact_specification_version":`)
		buf.Write(marshal(v))
	}
	buf.WriteString("}")
	sum := sha1.Sum(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// WithIDs returns the document as stored: every interaction gets an "_id"
// (SHA-1 of the interaction), which verifiers echo back in their results.
func (d PactDocument) WithIDs() []byte {
	key := d.interactionsKey()
	items, _ := d[key].([]any)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		delete(m, "_id")
		sum := sha1.Sum(marshal(m))
		m["_id"] = hex.EncodeToString(sum[:])
	}
	return marshal(map[string]any(d))
}

// interactionKey identifies an interaction for merging: description plus
// provider state(s).
func interactionKey(m map[string]any) string {
	return fmt.Sprint(m["description"], "\x00", m["providerState"], "\x00", string(marshal(m["providerStates"])))
}

// Merge adds the interactions of other to d. An interaction with the same
// description and provider state but different content is a conflict.
func (d PactDocument) Merge(other PactDocument) error {
	key := d.interactionsKey()
	mine, _ := d[key].([]any)
	theirs, _ := other[other.interactionsKey()].([]any)
	index := map[string]int{}
	for i, it := range mine {
		if m, ok := it.(map[string]any); ok {
			index[interactionKey(m)] = i
		}
	}
	for _, it := range theirs {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		k := interactionKey(m)
		if i, found := index[k]; found {
			a, _ := mine[i].(map[string]any)
			if !bytes.Equal(marshal(withoutID(a)), marshal(withoutID(m))) {
				return Errorf(Conflict, "cannot merge pacts: the interaction %q is already in the pact with different content; publish with onConflict=overwrite for a new consumer version instead", m["description"])
			}
			continue
		}
		index[k] = len(mine)
		mine = append(mine, m)
	}
	d[key] = mine
	return nil
}

func withoutID(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		if k != "_id" {
			c[k] = v
		}
	}
	return c
}
