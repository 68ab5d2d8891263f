package matrix

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Scale sizes a synthetic broker.
type Scale struct {
	Pacticipants  int // applications; each consumes ProvidersEach others
	Versions      int // total, spread evenly over the applications
	Verifications int
	ProvidersEach int
	Seed          uint64
}

// LargeScale is the size the can-i-deploy speed goal is stated for.
var LargeScale = Scale{Pacticipants: 200, Versions: 200_000, Verifications: 1_000_000, ProvidersEach: 3, Seed: 1}

// Synthetic generates a deterministic broker of the given scale, shaped like a real one:
// applications "app-000"... each consume ProvidersEach applications with a higher index (so the
// graph has no cycles and the last ones are pure providers); every version of a consumer publishes
// a pact to each provider, with content that changes about every fifth version (later versions
// inherit verifications of identical content); versions are on branch "main" with a few feature
// branches and a "prod" tag every 50th; verification results (10% failures) come from provider
// versions made around the same time; every application has two deployed instances in production
// (blue, green), one in test, and its two newest "release" versions supported in production.
// Stores can load the same Data to compare their speed with Memory.
func Synthetic(s Scale) Data {
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x5eed))
	perApp := max(s.Versions/max(s.Pacticipants, 1), 1)
	d := Data{Environments: []string{"production", "test"}}
	app := func(i int) string { return fmt.Sprintf("app-%03d", i) }
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < s.Pacticipants; i++ {
		d.Pacticipants = append(d.Pacticipants, Pacticipant{Name: app(i), MainBranch: "main"})
	}
	// Versions are created round-robin so that orders interleave across applications, as in time.
	for n := 0; n < perApp; n++ {
		for i := 0; i < s.Pacticipants; i++ {
			branch := "main"
			if n%7 == 3 {
				branch = fmt.Sprintf("feat-%d", n)
			}
			v := VersionFact{Pacticipant: app(i), Number: fmt.Sprintf("1.%d.0", n), Branches: []string{branch},
				CreatedAt: base.Add(time.Duration(n*s.Pacticipants+i) * time.Second)}
			if n%50 == 0 {
				v.Tags = []string{"prod"}
			}
			d.Versions = append(d.Versions, v)
		}
	}
	providersOf := func(i int) []int {
		var out []int
		for k := 1; k <= s.ProvidersEach && i+k*7 < s.Pacticipants; k++ {
			out = append(out, i+k*7)
		}
		return out
	}
	type pactRef struct{ consumer, provider, n int }
	var refs []pactRef
	for n := 0; n < perApp; n++ {
		for i := 0; i < s.Pacticipants; i++ {
			for _, p := range providersOf(i) {
				d.Pacts = append(d.Pacts, PactFact{Consumer: app(i), ConsumerVersion: fmt.Sprintf("1.%d.0", n), Provider: app(p),
					SHA: fmt.Sprintf("sha-%d-%d-%d", i, p, n/5), CreatedAt: base.Add(time.Duration(n*s.Pacticipants+i) * time.Second)})
				refs = append(refs, pactRef{i, p, n})
			}
		}
	}
	for k := 0; k < s.Verifications && len(refs) > 0; k++ {
		r := refs[rng.IntN(len(refs))]
		pn := min(r.n+rng.IntN(3), perApp-1)
		d.Verifications = append(d.Verifications, VerificationFact{Consumer: app(r.consumer), Provider: app(r.provider),
			SHA: fmt.Sprintf("sha-%d-%d-%d", r.consumer, r.provider, r.n/5), ProviderVersion: fmt.Sprintf("1.%d.0", pn),
			Success: rng.IntN(10) != 0})
	}
	for i := 0; i < s.Pacticipants; i++ {
		newest := perApp - 1
		for _, dep := range []struct {
			env, instance string
			n             int
		}{{"production", "blue", newest - 10}, {"production", "green", newest - 12}, {"test", "", newest - 1}} {
			if dep.n >= 0 {
				d.Deployments = append(d.Deployments, Deployment{Pacticipant: app(i), Version: fmt.Sprintf("1.%d.0", dep.n),
					Environment: dep.env, ApplicationInstance: dep.instance})
			}
		}
		if i%10 == 0 {
			for _, n := range []int{newest - 20, newest - 30} {
				if n >= 0 {
					d.Releases = append(d.Releases, Release{Pacticipant: app(i), Version: fmt.Sprintf("1.%d.0", n), Environment: "production"})
				}
			}
		}
	}
	return d
}
