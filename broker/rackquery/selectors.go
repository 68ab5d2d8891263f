package rackquery

import (
	"fmt"
	"slices"
)

// The keys Selectors treats specially; see the package documentation.
const (
	leadKey    = "pacticipant"
	versionKey = "version"
)

// AmbiguousError reports a key-grouped selector list that cannot be assigned to applications,
// because one key has more values than there are applications.
type AmbiguousError struct {
	Name   string // "q" or "ignore"
	Key    string
	Values int
	Leads  int
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s[][%s] is given %d times but only %d %s[][%s] values start a selector; "+
		"write each selector as %s[][%s]=NAME followed by its own keys",
		e.Name, e.Key, e.Values, e.Leads, e.Name, leadKey, e.Name, leadKey)
}

// Selectors returns the records of the array params[name] (the q[] or ignore[] selectors of a
// /matrix query), one hash per application. Queries in which every element starts with
// "pacticipant" are returned exactly as Rack groups them; others are regrouped by position as the
// package documentation describes. A missing array yields no records; an array whose elements name no
// pacticipant at all is returned as Rack grouped it, for the caller to reject.
func Selectors(params *Value, name string) ([]*Value, error) {
	arr := params.Get(name)
	switch arr.Kind() {
	case Null:
		return nil, nil
	case Array:
	default:
		return nil, &TypeError{Key: name, Want: Array, Got: arr.Kind()}
	}
	elems := arr.Items()
	if rackShaped(elems) {
		return elems, nil
	}

	var order []string
	values := map[string][]*Value{}
	for _, e := range elems {
		for _, k := range e.Keys() {
			if _, seen := values[k]; !seen {
				order = append(order, k)
			}
			values[k] = append(values[k], e.Get(k))
		}
	}
	leads := values[leadKey]
	if len(leads) == 0 {
		return elems, nil
	}
	records := make([]*Value, len(leads))
	for i, p := range leads {
		records[i] = NewHash().Set(leadKey, p)
	}
	versions := values[versionKey]
	if len(versions) > len(records) {
		return nil, &AmbiguousError{Name: name, Key: versionKey, Values: len(versions), Leads: len(leads)}
	}
	for i, v := range versions {
		records[i].Set(versionKey, v)
	}
	var unversioned []*Value
	for _, r := range records {
		if !r.Has(versionKey) {
			unversioned = append(unversioned, r)
		}
	}
	for _, k := range order {
		if k == leadKey || k == versionKey {
			continue
		}
		vals := values[k]
		if len(vals) > len(records) {
			return nil, &AmbiguousError{Name: name, Key: k, Values: len(vals), Leads: len(leads)}
		}
		targets := unversioned
		if len(vals) > len(targets) {
			targets = records
		}
		for i, v := range vals {
			targets[i].Set(k, v)
		}
	}
	return records, nil
}

// rackShaped reports whether Rack's grouping can be trusted: every element starts with its
// pacticipant, and the keys are not in the sorted order of a replayed pact (two or more
// pacticipants followed by other keys, which Rack would all give to the last pacticipant).
func rackShaped(elems []*Value) bool {
	var seq []string
	for _, e := range elems {
		if e.Kind() != Hash || e.Len() == 0 || e.keys[0] != leadKey {
			return false
		}
		seq = append(seq, e.keys...)
	}
	leads := 0
	for _, k := range seq {
		if k == leadKey {
			leads++
		}
	}
	keyGrouped := leads >= 2 && seq[len(seq)-1] != leadKey && slices.IsSorted(seq)
	return !keyGrouped
}
