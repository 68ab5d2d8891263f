// Package pactdiff shows what changed between two versions of a pact, for
// the broker's diff resources, the UI's diff view and the 409 that refuses
// a changed pact for an already published consumer version.
//
// Pacts are compared as the broker compares them for change, the way the
// Ruby broker's SortContent does: object keys sorted, the "interactions"
// (V2, V3, V4, where V4 messages are interactions too) or "messages" (V3
// message pacts) sorted by their canonical JSON, and the broker's "_id"s
// dropped — so reordering interactions is no change and the diff lists
// only real ones. The result is a unified diff of the pretty-printed JSON,
// which every reader of `git diff` can follow.
package pactdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Canonical returns the pact pretty-printed in comparison order: sorted
// keys, sorted interactions or messages, no "_id"s.
func Canonical(content []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		if err == nil {
			err = fmt.Errorf("null")
		}
		return "", fmt.Errorf("the pact is not a JSON object (%v)", err)
	}
	for _, key := range []string{"interactions", "messages"} {
		items, ok := doc[key].([]any)
		if !ok {
			continue
		}
		type keyed struct {
			sortKey string
			item    any
		}
		ks := make([]keyed, 0, len(items))
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				delete(m, "_id")
			}
			ks = append(ks, keyed{encode(it, ""), it})
		}
		slices.SortStableFunc(ks, func(a, b keyed) int { return strings.Compare(a.sortKey, b.sortKey) })
		for i := range ks {
			items[i] = ks[i].item
		}
	}
	return encode(doc, "  "), nil
}

// encode writes JSON with sorted keys (encoding/json sorts map keys) and
// without HTML escaping, so "<" in a body reads as written.
func encode(v any, indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	_ = enc.Encode(v) // decoded JSON always encodes
	return strings.TrimRight(buf.String(), "\n")
}

// Diff returns the unified diff from the old pact to the new one, with
// three lines of context and headers naming them; "" when they do not
// differ in comparison order.
func Diff(oldName string, old []byte, newName string, new []byte) (string, error) {
	a, err := Canonical(old)
	if err != nil {
		return "", fmt.Errorf("%s: %w", oldName, err)
	}
	b, err := Canonical(new)
	if err != nil {
		return "", fmt.Errorf("%s: %w", newName, err)
	}
	if a == b {
		return "", nil
	}
	return Unified(oldName, strings.Split(a, "\n"), newName, strings.Split(b, "\n"), 3), nil
}

// op is one line of an edit script: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	text string
}

// maxEdits bounds the work on two very different large pacts (the Ruby
// broker times a diff out instead); past it the differing middle is shown
// as removed and added whole, which is correct, only longer.
const maxEdits = 4000

// lines returns the edit script turning a into b: shortest (Myers) within
// maxEdits after the common prefix and suffix are set aside.
func lines(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []op
	for _, s := range a[:pre] {
		out = append(out, op{' ', s})
	}
	out = append(out, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, s := range a[len(a)-suf:] {
		out = append(out, op{' ', s})
	}
	return out
}

func myers(a, b []string) []op {
	n, m := len(a), len(b)
	whole := func() []op {
		out := make([]op, 0, n+m)
		for _, s := range a {
			out = append(out, op{'-', s})
		}
		for _, s := range b {
			out = append(out, op{'+', s})
		}
		return out
	}
	if n == 0 || m == 0 {
		return whole()
	}
	maxD := min(n+m, maxEdits)
	off := maxD
	v := make([]int, 2*maxD+2)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		trace = append(trace, slices.Clone(v))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return whole()
	}
	// Walk back through the saved frontiers, collecting ops in reverse.
	var rev []op
	x, y := n, m
	for d := found; d > 0; d-- {
		vp := trace[d]
		k := x - y
		var pk int
		if k == -d || k != d && vp[off+k-1] < vp[off+k+1] {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := vp[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, op{' ', a[x]})
		}
		if x == px {
			y--
			rev = append(rev, op{'+', b[y]})
		} else {
			x--
			rev = append(rev, op{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{' ', a[x]})
	}
	slices.Reverse(rev)
	return rev
}

// Unified renders the diff of a and b in unified format with context
// lines around each change.
func Unified(aName string, a []string, bName string, b []string, context int) string {
	ops := lines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	// Hunks: runs of changes joined when their context would touch.
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-context)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*context {
				break
			}
		}
		end = min(len(ops), end+context+1)
		aLine, bLine := 1, 1
		for _, o := range ops[:start] {
			if o.kind != '+' {
				aLine++
			}
			if o.kind != '-' {
				bLine++
			}
		}
		aCount, bCount := 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				aCount++
			}
			if o.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(aLine, aCount), hunkRange(bLine, bCount))
		for _, o := range ops[start:end] {
			sb.WriteByte(o.kind)
			sb.WriteString(o.text)
			sb.WriteByte('\n')
		}
		i = end
	}
	return sb.String()
}

func hunkRange(line, count int) string {
	if count == 0 {
		line-- // an empty side names the line before it, as diff -u does
	}
	if count == 1 {
		return fmt.Sprint(line)
	}
	return fmt.Sprintf("%d,%d", line, count)
}
