package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
)

// Field usage pages: who uses which field of a provider, the routes no consumer contract
// covers, and the fields of one consumer's pact nobody else uses. They show what
// broker.ProviderFieldUsage and broker.ConsumerFieldUsage answer the API with, at the same URLs.

func (a serviceSource) FieldUsage(ctx context.Context, provider string, f fieldusage.Filter) (broker.UsageReport, error) {
	return broker.ProviderFieldUsage(ctx, a.svc.FieldUsage, provider, f)
}

func (a serviceSource) ConsumerFieldUsage(ctx context.Context, ref broker.PactRef, f fieldusage.Filter) (broker.ConsumerUsage, error) {
	return broker.ConsumerFieldUsage(ctx, a.svc.FieldUsage, a.svc.Pacts, ref, f)
}

func (a serviceSource) RouteCoverages(ctx context.Context, provider string, limit int) ([]broker.RouteCoverage, error) {
	stored, err := a.svc.FieldUsage.RouteCoverages(ctx, provider, limit)
	if err != nil {
		return nil, err
	}
	out := make([]broker.RouteCoverage, 0, len(stored))
	for _, s := range stored {
		out = append(out, s.Decode())
	}
	return out, nil
}

func (h *Handler) fieldUsageURL(provider string) string {
	return h.base + "/field-usage/provider/" + seg(provider)
}

func (h *Handler) consumerFieldsURL(provider, consumer, version string) string {
	u := h.base + "/field-usage/provider/" + seg(provider) + "/consumer/" + seg(consumer)
	if version != "" {
		u += "?version=" + url.QueryEscape(version)
	}
	return u
}

// user is one consumer in a "used by" list, with the versions and why they count.
type user struct {
	Name, Detail string
}

func usersOf(us []fieldusage.ConsumerUse) []user {
	out := make([]user, 0, len(us))
	for _, u := range us {
		d := strings.Join(u.Versions, ", ")
		if why := append(slices.Clone(u.Branches), u.Environments...); len(why) > 0 {
			d += " (" + strings.Join(why, ", ") + ")"
		}
		out = append(out, user{Name: u.Name, Detail: d})
	}
	return out
}

type usageField struct {
	Location string
	Users    []user
	// Unused: the provider contract declares it and no selected consumer uses it.
	Unused bool
}

type usageEndpoint struct {
	Name  string
	Users []user
	// Covered is "covered", "not covered" (by the consumer contracts, in the latest route
	// coverage) or "" when the provider published no coverage or it does not list the route.
	Covered string
	// UnusedOperation: declared by the provider contract, called by no selected consumer.
	UnusedOperation bool
	Fields          []usageField
}

type fieldUsageData struct {
	Provider     string
	Environment  string
	Environments []broker.Environment
	Endpoints    []usageEndpoint
	Notices      []string
	HasContract  bool
	UnusedNote   string
	UnusedFields int
	Coverage     *broker.RouteCoverage
	History      []broker.RouteCoverage
}

// fieldUsage is the page of GET /field-usage/provider/{provider}[?environment=E|branch=B].
func (h *Handler) fieldUsage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider := r.PathValue("provider")
	f, err := fieldusage.ParseFilter(r.URL.Query())
	if err != nil {
		return broker.Errorf(broker.Invalid, "%s", strings.Join(err.(*fieldusage.ValidationError).Problems, "; "))
	}
	rep, err := h.src.FieldUsage(ctx, provider, f)
	if err != nil {
		return err
	}
	d := fieldUsageData{Provider: provider, Environment: f.Environment, Notices: rep.Notices, HasContract: rep.HasContract,
		UnusedNote: rep.UnusedNote, Coverage: rep.Coverage}
	if d.Environments, err = h.src.Environments(ctx); err != nil {
		return err
	}
	if d.History, err = h.src.RouteCoverages(ctx, provider, 10); err != nil {
		return err
	}
	d.Endpoints, d.UnusedFields = usageEndpoints(rep)
	return h.render(w, http.StatusOK, "fieldusage", "Field usage of "+provider, "", d)
}

// usageEndpoints lists the endpoints consumers use with their fields, the declared fields and
// operations nobody uses, and the routes no consumer contract covers, one entry per endpoint.
func usageEndpoints(rep broker.UsageReport) ([]usageEndpoint, int) {
	var out []usageEndpoint
	index := map[string]int{}
	entry := func(name string) *usageEndpoint {
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, usageEndpoint{Name: name})
		}
		return &out[i]
	}
	for _, ep := range rep.Endpoints {
		e := entry(ep.Name())
		e.Users = usersOf(ep.Consumers)
		for _, f := range ep.Fields {
			e.Fields = append(e.Fields, usageField{Location: f.Location, Users: usersOf(f.Consumers)})
		}
	}
	unusedFields := 0
	for _, u := range rep.Unused {
		e := entry(u.Method + " " + u.Path)
		e.UnusedOperation = u.Whole
		for _, f := range u.Fields {
			e.Fields = append(e.Fields, usageField{Location: f, Unused: true})
			unusedFields++
		}
	}
	if c := rep.Coverage; c != nil {
		for _, rt := range c.Covered {
			if i, ok := index[rt]; ok {
				out[i].Covered = "covered"
			}
		}
		for _, rt := range c.NotCovered {
			entry(rt).Covered = "not covered"
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Fields, func(a, b usageField) int { return strings.Compare(a.Location, b.Location) })
	}
	slices.SortFunc(out, func(a, b usageEndpoint) int { return strings.Compare(routeKey(a.Name), routeKey(b.Name)) })
	return out, unusedFields
}

// routeKey sorts endpoints by path, then method, as people scan an API.
func routeKey(name string) string {
	if m, p, ok := strings.Cut(name, " "); ok && strings.HasPrefix(p, "/") {
		return p + " " + m
	}
	return name
}

type ownField struct {
	Location string
	Others   []user
}

type ownEndpoint struct {
	Name   string
	Fields []ownField
	Only   int
}

type consumerFieldsData struct {
	Usage       broker.ConsumerUsage
	Environment string
	Endpoints   []ownEndpoint
	Only, Total int
	PactURL     string
}

// consumerFields is the page of GET /field-usage/provider/{provider}/consumer/{consumer}
// [?version=V]: which of the consumer's fields nobody else uses.
func (h *Handler) consumerFields(w http.ResponseWriter, r *http.Request) error {
	f, err := fieldusage.ParseFilter(r.URL.Query())
	if err != nil {
		return broker.Errorf(broker.Invalid, "%s", strings.Join(err.(*fieldusage.ValidationError).Problems, "; "))
	}
	ref := broker.PactRef{Consumer: r.PathValue("consumer"), Provider: r.PathValue("provider"), Version: r.URL.Query().Get("version")}
	cu, err := h.src.ConsumerFieldUsage(r.Context(), ref, f)
	if err != nil {
		return err
	}
	d := consumerFieldsData{Usage: cu, Environment: f.Environment, PactURL: h.pactURL(cu.Consumer, cu.Provider, cu.ConsumerVersion)}
	for _, ep := range cu.Endpoints {
		oe := ownEndpoint{Name: fieldusage.OwnEndpoint{Method: ep.Method, Path: ep.Path, Message: ep.Message}.Name()}
		for _, fl := range ep.Fields {
			oe.Fields = append(oe.Fields, ownField{Location: fl.Location, Others: usersOf(fl.Others)})
			if len(fl.Others) == 0 {
				oe.Only++
			}
		}
		d.Only += oe.Only
		d.Total += len(oe.Fields)
		d.Endpoints = append(d.Endpoints, oe)
	}
	return h.render(w, http.StatusOK, "consumerfields", "Fields of "+cu.Consumer+" that only it uses", "", d)
}
