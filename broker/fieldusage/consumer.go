package fieldusage

import (
	"slices"
	"strings"
)

// OwnField is a field one consumer's pact uses, with the other selected consumers that use it
// too (or a field inside it, or one around it). Others empty: nobody else relies on it, so the
// consumer and the provider may change it between themselves.
type OwnField struct {
	Location string        `json:"location"`
	Others   []ConsumerUse `json:"otherConsumers"`
}

// OwnEndpoint is an endpoint (or message) of one consumer's pact with the fields it uses.
type OwnEndpoint struct {
	Method  string     `json:"method,omitempty"`
	Path    string     `json:"path,omitempty"`
	Message string     `json:"message,omitempty"`
	Fields  []OwnField `json:"fields"`
}

// Name is the endpoint as a person writes it.
func (e OwnEndpoint) Name() string {
	return Endpoint{Method: e.Method, Path: e.Path, Message: e.Message}.Name()
}

// ConsumerFields lists, endpoint by endpoint, the fields own (one pact of consumer) uses and
// which other consumers, among the versions o.Filter selects, use each. Versions of consumer
// itself are left out: the question is who else would notice a change.
func ConsumerFields(consumer string, own Index, versions []ConsumerVersion, o Options) []OwnEndpoint {
	others := make([]ConsumerVersion, 0, len(versions))
	for _, cv := range versions {
		if cv.Consumer != consumer {
			others = append(others, cv)
		}
	}
	rep := Usage("", others, Options{Filter: o.Filter, Routes: o.Routes, Declared: o.Declared})
	byKey := map[endpointKey]Endpoint{}
	for _, ep := range rep.Endpoints {
		k := endpointKey{kind: HTTP, method: ep.Method, name: ep.Path}
		if ep.Message != "" {
			k = endpointKey{kind: Message, name: ep.Message}
		}
		byKey[k] = ep
	}
	routes := o.routes()
	groups := map[endpointKey]string{}
	type acc struct {
		ep     OwnEndpoint
		fields map[string]bool
	}
	mine := map[endpointKey]*acc{}
	for _, in := range own.Interactions {
		key, ep := endpointOf(in, routes, groups)
		if key.kind != HTTP {
			key.kind = Message
		}
		a := mine[key]
		if a == nil {
			a = &acc{ep: OwnEndpoint{Method: ep.Method, Path: ep.Path, Message: ep.Message}, fields: map[string]bool{}}
			mine[key] = a
		}
		for _, f := range in.Fields {
			a.fields[f] = true
		}
	}
	out := make([]OwnEndpoint, 0, len(mine))
	for key, a := range mine {
		theirs := byKey[key]
		ep := a.ep
		ep.Fields = make([]OwnField, 0, len(a.fields))
		for f := range a.fields {
			var users []ConsumerUse
			for _, tf := range theirs.Fields {
				if related(f, tf.Location) {
					users = mergeUses(users, tf.Consumers)
				}
			}
			if users == nil {
				users = []ConsumerUse{}
			}
			ep.Fields = append(ep.Fields, OwnField{Location: f, Others: users})
		}
		slices.SortFunc(ep.Fields, func(a, b OwnField) int { return strings.Compare(a.Location, b.Location) })
		out = append(out, ep)
	}
	slices.SortFunc(out, func(a, b OwnEndpoint) int {
		return compareEndpoints(Endpoint{Method: a.Method, Path: a.Path, Message: a.Message}, Endpoint{Method: b.Method, Path: b.Path, Message: b.Message})
	})
	return out
}

// related reports whether two canonical locations overlap: equal, or one inside the other
// (whoever reads $.address notices a change to $.address.city, and the other way round).
func related(a, b string) bool {
	inside := func(outer, inner string) bool {
		if !strings.HasPrefix(inner, outer) {
			return false
		}
		rest := inner[len(outer):]
		return rest == "" || rest[0] == '.' || rest[0] == '['
	}
	if a == b {
		return true
	}
	if !strings.Contains(a, ".body.") || !strings.Contains(b, ".body.") {
		return false
	}
	return inside(a, b) || inside(b, a)
}

// mergeUses adds more to uses, one entry per consumer, sorted by name.
func mergeUses(uses, more []ConsumerUse) []ConsumerUse {
	for _, m := range more {
		i := slices.IndexFunc(uses, func(u ConsumerUse) bool { return u.Name == m.Name })
		if i < 0 {
			uses = append(uses, ConsumerUse{Name: m.Name, Versions: slices.Clone(m.Versions),
				Environments: slices.Clone(m.Environments), Branches: slices.Clone(m.Branches)})
			continue
		}
		u := &uses[i]
		for _, v := range m.Versions {
			u.Versions = appendNew(u.Versions, v)
		}
		for _, e := range m.Environments {
			u.Environments = appendNew(u.Environments, e)
		}
		for _, b := range m.Branches {
			u.Branches = appendNew(u.Branches, b)
		}
		slices.Sort(u.Environments)
		slices.Sort(u.Branches)
	}
	slices.SortFunc(uses, func(a, b ConsumerUse) int { return strings.Compare(a.Name, b.Name) })
	return uses
}
