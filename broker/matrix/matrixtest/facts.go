package matrixtest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/accord-cdc/accord/broker/matrix"
)

// CompareFacts probes f, loaded with d, with the queries Decide makes and compares every answer
// with matrix.Memory's for the same d. Versions are compared by number, never by store ID. Use it
// to find which query of a store is wrong when a Case fails.
func CompareFacts(t testing.TB, f matrix.Facts, d matrix.Data) {
	t.Helper()
	ref, err := matrix.NewMemory(d)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	apps, tags, branches := map[string]bool{}, map[[2]string]bool{}, map[[2]string]bool{}
	for _, p := range d.Pacticipants {
		apps[p.Name] = true
	}
	for _, v := range d.Versions {
		apps[v.Pacticipant] = true
		for _, tag := range v.Tags {
			tags[[2]string{v.Pacticipant, tag}] = true
		}
		for _, b := range v.Branches {
			branches[[2]string{v.Pacticipant, b}] = true
		}
	}
	for _, p := range d.Pacts {
		apps[p.Consumer], apps[p.Provider] = true, true
	}
	for _, v := range d.Verifications {
		apps[v.Consumer], apps[v.Provider] = true, true
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range apps {
			if !yield(n) {
				return
			}
		}
	})

	same := func(what string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %v\nwant %v", what, got, want)
		}
	}
	for _, env := range append(slices.Clone(d.Environments), "no-such-environment") {
		got, err := f.EnvironmentExists(ctx, env)
		want, _ := ref.EnvironmentExists(ctx, env)
		same("EnvironmentExists("+env+")", got, want, err)
	}
	for _, name := range append(slices.Clone(names), "no-such-pacticipant") {
		p, ok, err := f.Pacticipant(ctx, name)
		wp, wok, _ := ref.Pacticipant(ctx, name)
		same("Pacticipant("+name+")", [2]any{p.MainBranch, ok}, [2]any{wp.MainBranch, wok}, err)
	}

	var selectors []matrix.Selector
	for _, name := range names {
		selectors = append(selectors, matrix.Selector{Pacticipant: name, Latest: true},
			matrix.Selector{Pacticipant: name, MainBranch: true}, matrix.Selector{Pacticipant: name, MainBranch: true, Latest: true})
		for _, env := range d.Environments {
			selectors = append(selectors, matrix.Selector{Pacticipant: name, Environment: env})
		}
	}
	for k := range tags {
		selectors = append(selectors, matrix.Selector{Pacticipant: k[0], Tag: k[1]}, matrix.Selector{Pacticipant: k[0], Tag: k[1], Latest: true})
	}
	for k := range branches {
		selectors = append(selectors, matrix.Selector{Pacticipant: k[0], Branch: k[1]}, matrix.Selector{Pacticipant: k[0], Branch: k[1], Latest: true})
	}
	for _, s := range selectors {
		got, err := f.Versions(ctx, s)
		want, _ := ref.Versions(ctx, s)
		if s.Latest && len(got) > 1 {
			got = got[:1]
		}
		same(fmt.Sprintf("Versions(%+v)", s), numbers(got), numbers(want), err)
	}

	for _, name := range names {
		got, err := f.Providers(ctx, name, nil)
		want, _ := ref.Providers(ctx, name, nil)
		same("Providers("+name+", any version)", sorted(got), want, err)
		got, err = f.Consumers(ctx, name)
		want, _ = ref.Consumers(ctx, name)
		same("Consumers("+name+")", sorted(got), want, err)

		all, err := f.Versions(ctx, matrix.Selector{Pacticipant: name, Latest: true})
		if err != nil || len(all) == 0 {
			continue
		}
		refAll, _ := ref.Versions(ctx, matrix.Selector{Pacticipant: name, Latest: true})
		got, err = f.Providers(ctx, name, []int64{all[0].ID})
		want, _ = ref.Providers(ctx, name, []int64{refAll[0].ID})
		same("Providers("+name+", latest version)", sorted(got), want, err)

		for _, every := range []bool{false, true} {
			q := matrix.PactQuery{Consumers: []matrix.Side{{Pacticipant: name, All: true}}, AllRevisions: every}
			gotP, err := f.Pacts(ctx, q)
			wantP, _ := ref.Pacts(ctx, q)
			same(fmt.Sprintf("Pacts(every version of %s, all revisions %v)", name, every), pactSet(gotP), pactSet(wantP), err)

			var contents []matrix.Content
			for _, p := range wantP {
				contents = append(contents, matrix.Content{Consumer: p.Consumer, Provider: p.Provider, SHA: p.SHA})
			}
			if len(contents) == 0 {
				continue
			}
			gotV, err := f.Verifications(ctx, matrix.VerificationQuery{Contents: contents, AllResults: every})
			wantV, _ := ref.Verifications(ctx, matrix.VerificationQuery{Contents: contents, AllResults: every})
			same(fmt.Sprintf("Verifications(pacts of %s, all results %v)", name, every), verificationSet(gotV), verificationSet(wantV), err)
		}
	}
}

func numbers(vs []matrix.Version) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Number)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func pactSet(ps []matrix.Publication) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s > %s %s rev %d", p.Consumer, p.ConsumerVersion.Number, p.Provider, p.SHA, p.Revision))
	}
	slices.Sort(out)
	return out
}

func verificationSet(vs []matrix.Verification) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s > %s %s by %s #%d %v", v.Consumer, v.Provider, v.SHA, v.ProviderVersion.Number, v.Number, v.Success))
	}
	slices.Sort(out)
	return out
}
