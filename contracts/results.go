package contracts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// interactionRun is one interaction of one pact and its subtest.
type interactionRun struct {
	pact *pactFile
	in   pactInteraction
	name string // the subtest's name: consumer/description

	selected bool // -run selected its subtest
	outcome  outcome
}

// outcome is what the verifier said about one interaction.
type outcome struct {
	verified bool
	failed   bool
	pending  bool   // pending or WIP: a failure is reported, not failed
	mismatch string // what did not match, one line each
	note     string // why it was not verified
}

// planInteractions lists every interaction of the pacts, in the order the
// verifier runs them.
func planInteractions(pacts []pactFile) []*interactionRun {
	var out []*interactionRun
	for i := range pacts {
		pf := &pacts[i]
		for _, in := range pf.all() {
			out = append(out, &interactionRun{pact: pf, in: in, name: pf.Consumer.Name + "/" + in.Description})
		}
	}
	return out
}

// verifierKey is how the verifier names an interaction in its errors.
func (it *interactionRun) verifierKey() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Verifying a pact between %s and %s", it.pact.Consumer.Name, it.pact.Provider.Name)
	for i, s := range it.in.stateNames() {
		if i == 0 {
			b.WriteString(" Given " + s)
		} else {
			b.WriteString(" And " + s)
		}
	}
	b.WriteString(" - " + it.in.Description)
	return b.String()
}

// report passes or fails the interaction's subtest st with its outcome.
func (it *interactionRun) report(st *testing.T, providerName string) {
	o := it.outcome
	switch {
	case !o.verified:
		st.Errorf("contracts: %s's interaction %q was not verified: %s", it.pact.Consumer.Name, it.in.label(), o.note)
	case o.failed && o.pending:
		st.Logf("contracts: %s does not honour %s's pending or work-in-progress interaction %q; this cannot fail the build:\n%s",
			providerName, it.pact.Consumer.Name, it.in.label(), o.mismatch)
	case o.failed:
		st.Errorf("contracts: %s does not honour its contracts: %s's interaction %q:\n%s\n"+
			"Fix the provider, or, if the consumer's expectation is wrong, change the consumer test and publish a new pact.\n"+
			"Re-run only this interaction: %s",
			providerName, it.pact.Consumer.Name, it.in.label(), o.mismatch, rerunCommand(st.Name()))
	}
}

// rerunCommand is the go test command that runs only the test named name.
func rerunCommand(name string) string {
	elems := strings.Split(name, "/")
	for i, e := range elems {
		elems[i] = "^" + regexp.QuoteMeta(e) + "$"
	}
	pattern := strings.ReplaceAll(strings.Join(elems, "/"), "'", `'\''`)
	return fmt.Sprintf("go test -count=1 -run '%s' %s", pattern, packageArg())
}

// packageArg is the test's package as a path relative to its module root,
// where go test commands are usually run.
func packageArg() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	root, err := moduleRoot()
	if err != nil {
		return "."
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || rel == "." {
		return "."
	}
	return "./" + filepath.ToSlash(rel) + "/"
}

// verifierResult is the part of pactffi_verifier_json's document that
// attributes results to interactions.
type verifierResult struct {
	Result             bool            `json:"result"`
	Output             []string        `json:"output"`
	Errors             []verifierError `json:"errors"`
	PendingErrors      []verifierError `json:"pendingErrors"`
	InteractionResults []struct {
		Description string `json:"description"`
		Result      string `json:"result"` // "OK" or "Error"
	} `json:"interactionResults"`
}

type verifierError struct {
	Interaction string `json:"interaction"`
	Mismatch    struct {
		Type       string `json:"type"` // "mismatches" or "error"
		Message    string `json:"message"`
		Mismatches []struct {
			Type      string `json:"type"`
			Path      string `json:"path"`
			Key       string `json:"key"`
			Parameter string `json:"parameter"`
			Mismatch  string `json:"mismatch"`
		} `json:"mismatches"`
	} `json:"mismatch"`
}

// text renders the mismatch one line each, as the verifier's report does.
func (e verifierError) text() string {
	m := e.Mismatch
	if m.Type == "error" || len(m.Mismatches) == 0 {
		return "  " + m.Message
	}
	var lines []string
	for _, mm := range m.Mismatches {
		where := ""
		switch {
		case mm.Path != "":
			where = "body " + mm.Path + ": "
		case mm.Key != "":
			where = "header " + mm.Key + ": "
		case mm.Parameter != "":
			where = "query " + mm.Parameter + ": "
		}
		lines = append(lines, "  "+where+mm.Mismatch)
	}
	return strings.Join(lines, "\n")
}

// attribute gives each interaction the verifier ran its outcome.
//
// The verifier's JSON lists each interaction's result in the order it ran
// them, without naming the pact; its report ("Verifying a pact between C
// and P") says which pact came next. So results are matched pact by pact,
// in order, and checked against the descriptions; the errors are matched
// by the name the verifier gives them. run is the filter applied to the
// run (nil: everything). It returns the errors no interaction claims
// (a pact that failed to load, say).
func attribute(items []*interactionRun, res verifierResult, providerName string, ran func(*interactionRun) bool) []string {
	errs := map[string][]verifierError{}
	for _, e := range res.Errors {
		errs[e.Interaction] = append(errs[e.Interaction], e)
	}
	pending := map[string][]verifierError{}
	for _, e := range res.PendingErrors {
		pending[e.Interaction] = append(pending[e.Interaction], e)
	}
	byPact := map[*pactFile][]*interactionRun{}
	var order []*pactFile
	for _, it := range items {
		if _, ok := byPact[it.pact]; !ok {
			order = append(order, it.pact)
		}
		byPact[it.pact] = append(byPact[it.pact], it)
	}
	used := map[*pactFile]bool{}
	pos := 0
	suffix := " and " + providerName
	for _, line := range res.Output {
		line = strings.TrimLeft(line, "\n")
		if !strings.HasPrefix(line, "Verifying a pact between ") || !strings.HasSuffix(line, suffix) {
			continue
		}
		consumer := strings.TrimSuffix(strings.TrimPrefix(line, "Verifying a pact between "), suffix)
		i := slices.IndexFunc(order, func(pf *pactFile) bool { return !used[pf] && pf.Consumer.Name == consumer })
		if i < 0 {
			continue
		}
		pf := order[i]
		used[pf] = true
		for _, it := range byPact[pf] {
			if !ran(it) {
				continue
			}
			if pos >= len(res.InteractionResults) || res.InteractionResults[pos].Description != it.in.Description {
				return unclaimed(errs, pending) // out of step: claim nothing more
			}
			r := res.InteractionResults[pos]
			pos++
			it.outcome.verified = true
			if r.Result == "OK" {
				continue
			}
			it.outcome.failed = true
			key := it.verifierKey()
			if q := errs[key]; len(q) > 0 {
				it.outcome.mismatch, errs[key] = q[0].text(), q[1:]
			} else if q := pending[key]; len(q) > 0 {
				it.outcome.mismatch, pending[key] = q[0].text(), q[1:]
				it.outcome.pending = true
			} else {
				it.outcome.mismatch = "  (the verifier's report above says what did not match)"
			}
		}
	}
	return unclaimed(errs, pending)
}

// unclaimed lists the errors no interaction claimed.
func unclaimed(errs, pending map[string][]verifierError) []string {
	var out []string
	for _, m := range []map[string][]verifierError{errs, pending} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, e := range m[k] {
				out = append(out, e.Interaction+":\n"+e.text())
			}
		}
	}
	return out
}

func decodeVerifierResult(js string) (verifierResult, error) {
	var res verifierResult
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		return res, fmt.Errorf("read the verifier's results: %w", err)
	}
	return res, nil
}
