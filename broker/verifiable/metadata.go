package verifiable

import (
	"slices"
	"strconv"

	"github.com/accord-cdc/accord/broker/rackquery"
)

// A pact fetched through pacts-for-verification links to its verification
// results under .../pact-version/{sha}/metadata/{m}/verification-results,
// where m records how the pact was selected (the Ruby broker's keys: s[]
// per selection with b(ranch), t(ag), l(atest), e(nvironment) and the
// c(onsumer )v(ersion) id; p for pending; w for work in progress). The
// verifier posts its result back to that URL, so the result learns what it
// was verified as. rackquery is the codec: the same bytes as Ruby.

// Metadata encodes how the pact was selected into the URL segment the
// verifier posts its results under.
func (v Pact) Metadata() string {
	h := rackquery.NewHash()
	if v.WIP {
		h.SetString("w", "true")
	} else {
		sels := rackquery.NewArray()
		for _, s := range v.Selections {
			e := rackquery.NewHash()
			if s.Branch != "" {
				e.SetString("b", s.Branch)
			}
			if s.Tag != "" {
				e.SetString("t", s.Tag)
			} else if s.Selector.Tag != "" {
				e.SetString("t", s.Selector.Tag)
			}
			if s.Selector.IsLatest() {
				e.SetString("l", "true")
			}
			if s.Environment != "" {
				e.SetString("e", s.Environment)
			}
			e.SetString("cv", strconv.FormatInt(s.ConsumerVersionID, 10))
			sels.Append(e)
		}
		if len(v.Selections) > 0 {
			h.Set("s", sels)
		}
		if v.PendingCalculated {
			h.SetString("p", strconv.FormatBool(v.Pending))
		}
	}
	// Build refuses only a top-level string; h is a hash.
	seg, _ := rackquery.EncodeMetadata(h)
	return seg
}

// Metadata is what a verification result learns from the metadata segment
// of the URL it is posted to.
type Metadata struct {
	// WIP and Pending are the flags the result is stored with; a WIP pact
	// is pending too.
	WIP, Pending bool
	// ConsumerVersionIDs are the consumer versions the pact was selected
	// for, each once, in order: verification webhooks fire once for each.
	ConsumerVersionIDs []int64
}

// ParseMetadata decodes a metadata URL segment. Unreadable metadata means
// none, as in the Ruby broker: the result is still worth keeping.
func ParseMetadata(seg string) Metadata {
	v, err := rackquery.DecodeMetadata(seg)
	if err != nil || seg == "" {
		return Metadata{}
	}
	m := Metadata{WIP: v.GetString("w") == "true"}
	m.Pending = m.WIP || v.GetString("p") == "true"
	for _, s := range v.Get("s").Items() {
		id, err := strconv.ParseInt(s.GetString("cv"), 10, 64)
		if err == nil && !slices.Contains(m.ConsumerVersionIDs, id) {
			m.ConsumerVersionIDs = append(m.ConsumerVersionIDs, id)
		}
	}
	return m
}
