package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/openapi"
)

// RouteCoverage is what a provider version published of its routes with its verification
// results (contracts.RouteCoverage): which of them the consumer contracts exercised.
type RouteCoverage struct {
	ProviderVersion string    `json:"providerVersion"`
	Routes          []string  `json:"routes"`
	Covered         []string  `json:"covered"`
	NotCovered      []string  `json:"notCovered"`
	Unlisted        []string  `json:"unlisted,omitempty"`
	Unrouted        []string  `json:"unrouted,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
}

// StoredRouteCoverage is one provider version's coverage as the store keeps it.
type StoredRouteCoverage struct {
	ProviderVersion string
	Coverage        json.RawMessage
	CreatedAt       time.Time
}

// Decode reads the stored coverage; a document that is not one reads as empty lists.
func (s StoredRouteCoverage) Decode() RouteCoverage {
	var c RouteCoverage
	_ = json.Unmarshal(s.Coverage, &c) // stored as the client sent it: a help, never a must
	c.ProviderVersion, c.CreatedAt = s.ProviderVersion, s.CreatedAt
	for _, l := range []*[]string{&c.Routes, &c.Covered, &c.NotCovered} {
		if *l == nil {
			*l = []string{}
		}
	}
	return c
}

// UsageReport is a provider's field usage as the API and the pages show it.
type UsageReport struct {
	fieldusage.Report
	// HasContract is set when the provider has a readable provider contract, so Report.Unused
	// is the safe-to-change list; UnusedNote says why not otherwise.
	HasContract bool
	UnusedNote  string
	// Coverage is the provider's latest published route coverage, nil when it published none.
	Coverage *RouteCoverage
}

// ProviderFieldUsage answers "who uses which field of provider?" for the consumer versions f
// selects: concrete paths grouped under the routes of the latest route coverage and of the
// provider contract, and the contract's fields and operations no selected consumer uses. An
// unknown provider is NotFound, naming it.
func ProviderFieldUsage(ctx context.Context, fu FieldUsage, provider string, f fieldusage.Filter) (UsageReport, error) {
	versions, routes, err := UsageFacts(ctx, fu, provider, f)
	if err != nil {
		return UsageReport{}, err
	}
	declared, note, err := declaredOperations(ctx, fu, provider)
	if err != nil {
		return UsageReport{}, err
	}
	rep := UsageReport{Report: fieldusage.Usage(provider, versions, fieldusage.Options{Filter: f, Routes: routes, Declared: declared}),
		HasContract: declared != nil, UnusedNote: note}
	if rep.HasContract && rep.Unused == nil {
		rep.Unused = []fieldusage.Unused{}
	}
	latest, err := fu.RouteCoverages(ctx, provider, 1)
	if err != nil {
		return UsageReport{}, err
	}
	if len(latest) > 0 {
		c := latest[0].Decode()
		rep.Coverage = &c
	}
	return rep, nil
}

// CanRemoveField answers can-i-remove-field for q: the concrete path or template it names is
// matched under the routes of the latest route coverage and of the provider contract, the same
// templates the usage is grouped under. An unknown provider is NotFound, naming it.
func CanRemoveField(ctx context.Context, fu FieldUsage, q fieldusage.RemoveQuery) (fieldusage.Decision, error) {
	versions, routes, err := UsageFacts(ctx, fu, q.Provider, q.Filter)
	if err != nil {
		return fieldusage.Decision{}, err
	}
	declared, _, err := declaredOperations(ctx, fu, q.Provider)
	if err != nil {
		return fieldusage.Decision{}, err
	}
	for _, op := range declared {
		if rt, err := fieldusage.ParseRoute(op.Method + " " + op.Path); err == nil {
			routes = append(routes, rt)
		}
	}
	return fieldusage.CanRemove(q, versions, routes), nil
}

// UsageFacts reads the consumer versions f selects and the provider's known routes.
func UsageFacts(ctx context.Context, fu FieldUsage, provider string, f fieldusage.Filter) ([]fieldusage.ConsumerVersion, fieldusage.Routes, error) {
	versions, err := fu.FieldUsageFacts(ctx, provider, f)
	if err != nil {
		if IsNotFound(err) {
			return nil, nil, Errorf(NotFound, "no provider named %q; check the spelling (names are case-sensitive)", provider)
		}
		return nil, nil, err
	}
	patterns, err := fu.LatestRoutes(ctx, provider)
	if err != nil {
		return nil, nil, err
	}
	var routes fieldusage.Routes
	for _, p := range patterns {
		if rt, err := fieldusage.ParseRoute(p); err == nil {
			routes = append(routes, rt)
		}
	}
	return versions, routes, nil
}

// DeclaredOperations are the operations and response fields of a provider contract.
type DeclaredOperations struct {
	ProviderVersion string
	Operations      []fieldusage.Operation
	// Problem says why the contract could not be read ("" when it could).
	Problem string
}

// ReadDeclaredOperations reads a provider contract's operations; a document that cannot be
// parsed is a Problem, not an error.
func ReadDeclaredOperations(pc ProviderContract) DeclaredOperations {
	d := DeclaredOperations{ProviderVersion: pc.ProviderVersion}
	doc, err := openapi.Parse(pc.Content)
	if err != nil {
		d.Problem = err.Error()
		return d
	}
	ops := doc.DeclaredOperations()
	d.Operations = make([]fieldusage.Operation, 0, len(ops))
	for _, op := range ops {
		d.Operations = append(d.Operations, fieldusage.Operation{Method: op.Method, Path: op.Path, Fields: op.Fields})
	}
	return d
}

// declaredOperations reads the provider's newest contract as operations and response fields;
// without one, note says why nothing can be called unused.
func declaredOperations(ctx context.Context, fu FieldUsage, provider string) ([]fieldusage.Operation, string, error) {
	d, err := fu.LatestDeclaredOperations(ctx, provider)
	if IsNotFound(err) {
		return nil, provider + " has published no provider contract (OpenAPI), so no field can be called unused: only the fields consumers use are known", nil
	}
	if err != nil {
		return nil, "", err
	}
	if d.Problem != "" {
		return nil, fmt.Sprintf("the provider contract of %s %s could not be read (%s), so no field can be called unused", provider, d.ProviderVersion, d.Problem), nil
	}
	if d.Operations == nil {
		d.Operations = []fieldusage.Operation{}
	}
	return d.Operations, "", nil
}

// ConsumerUsage is what one consumer's pact uses of its provider, field by field, with who
// else uses each: the fields nobody else relies on are the ones the two may change alone.
type ConsumerUsage struct {
	Consumer, Provider, ConsumerVersion string
	Endpoints                           []fieldusage.OwnEndpoint
	// Notices say what of the pact could not be read.
	Notices []string
}

// ConsumerFieldUsage answers, for the pact ref names (the consumer's latest when it names no
// version), which of its fields the other consumer versions f selects use too.
func ConsumerFieldUsage(ctx context.Context, fu FieldUsage, pacts Pacts, ref PactRef, f fieldusage.Filter) (ConsumerUsage, error) {
	p, err := pacts.GetPact(ctx, ref)
	if err != nil {
		return ConsumerUsage{}, err
	}
	versions, routes, err := UsageFacts(ctx, fu, ref.Provider, f)
	if err != nil {
		return ConsumerUsage{}, err
	}
	declared, _, err := declaredOperations(ctx, fu, ref.Provider)
	if err != nil {
		return ConsumerUsage{}, err
	}
	cu := ConsumerUsage{Consumer: p.Consumer, Provider: p.Provider, ConsumerVersion: p.ConsumerVersion}
	own, err := fieldusage.IndexPact(p.Content)
	if err != nil {
		cu.Notices = append(cu.Notices, err.Error())
	}
	cu.Notices = append(cu.Notices, own.Notices...)
	cu.Endpoints = fieldusage.ConsumerFields(p.Consumer, own, versions, fieldusage.Options{Filter: f, Routes: routes, Declared: declared})
	return cu, nil
}
