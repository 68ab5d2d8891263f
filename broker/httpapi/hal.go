package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/rawjson"
)

// Link is a HAL link.
type Link struct {
	Href      string `json:"href"`
	Title     string `json:"title,omitempty"`
	Name      string `json:"name,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// links builds absolute URLs for one request.
type links struct{ base string }

func (s *Server) links(r *http.Request) links { return links{base: s.base(r)} }

// url joins path segments, escaping each (a "/" in a name becomes %2F).
// Segments written as {name} are kept as template placeholders.
func (l links) url(segs ...string) string {
	var b strings.Builder
	b.WriteString(l.base)
	for _, s := range segs {
		b.WriteByte('/')
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			b.WriteString(s)
			continue
		}
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

func (l links) pacticipant(name string) string { return l.url("pacticipants", name) }
func (l links) version(p, v string) string     { return l.url("pacticipants", p, "versions", v) }
func (l links) tag(p, v, t string) string      { return l.url("pacticipants", p, "versions", v, "tags", t) }
func (l links) branch(p, b string) string      { return l.url("pacticipants", p, "branches", b) }
func (l links) branchVersion(p, b, v string) string {
	return l.url("pacticipants", p, "branches", b, "versions", v)
}
func (l links) pactVersion(provider, consumer, version string) string {
	return l.url("pacts", "provider", provider, "consumer", consumer, "version", version)
}
func (l links) pactSHA(provider, consumer, sha string) string {
	return l.url("pacts", "provider", provider, "consumer", consumer, "pact-version", sha)
}

func (l links) curies() []Link {
	return []Link{{Name: "pb", Href: l.base + "/doc/{rel}?context=pacticipant", Templated: true}}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func (l links) pacticipantJSON(p broker.Pacticipant, latest *broker.Version) map[string]any {
	m := map[string]any{
		"name":        p.Name,
		"displayName": displayName(p),
		"createdAt":   ts(p.CreatedAt),
		"_links": map[string]any{
			"self":               Link{Href: l.pacticipant(p.Name), Title: "Pacticipant", Name: p.Name},
			"pb:versions":        Link{Href: l.url("pacticipants", p.Name, "versions"), Title: "Versions"},
			"versions":           Link{Href: l.url("pacticipants", p.Name, "versions"), Title: "Versions"},
			"pb:branches":        Link{Href: l.url("pacticipants", p.Name, "branches"), Title: "Branches"},
			"pb:version":         Link{Href: l.url("pacticipants", p.Name, "versions", "{version}"), Title: "Get, create or delete a pacticipant version", Templated: true},
			"pb:version-tag":     Link{Href: l.url("pacticipants", p.Name, "versions", "{version}", "tags", "{tag}"), Title: "Get, create or delete a tag for a version", Templated: true},
			"pb:branch-version":  Link{Href: l.url("pacticipants", p.Name, "branches", "{branch}", "versions", "{version}"), Title: "Get or add/create a version for a branch", Templated: true},
			"pb:label":           Link{Href: l.url("pacticipants", p.Name, "labels", "{label}"), Title: "Get, create or delete a label", Templated: true},
			"accord:field-usage": Link{Href: l.url("field-usage", "provider", p.Name), Title: "Who uses which field of this provider"},
			"accord:route-coverage": Link{Href: l.url("pacticipants", p.Name, "route-coverage"),
				Title: "Which of this provider's routes the consumer contracts covered, by provider version"},
			"curies": l.curies(),
		},
	}
	if !p.UpdatedAt.Equal(p.CreatedAt) {
		m["updatedAt"] = ts(p.UpdatedAt)
	}
	for k, v := range map[string]string{"repositoryUrl": p.RepositoryURL, "repositoryName": p.RepositoryName, "repositoryNamespace": p.RepositoryNamespace, "mainBranch": p.MainBranch} {
		if v != "" {
			m[k] = v
		}
	}
	emb := map[string]any{"labels": []any{}}
	if latest != nil {
		lv := map[string]any{"number": latest.Number, "_links": map[string]any{"self": Link{Href: l.version(p.Name, latest.Number), Title: "Version", Name: latest.Number}}}
		emb["latestVersion"], emb["latest-version"] = lv, lv
	}
	m["_embedded"] = emb
	return m
}

func displayName(p broker.Pacticipant) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Name
}

func (l links) tagJSON(p, v string, t broker.Tag) map[string]any {
	return map[string]any{
		"name":      t.Name,
		"createdAt": ts(t.CreatedAt),
		"_links": map[string]any{
			"self":        Link{Href: l.tag(p, v, t.Name), Title: "Tag", Name: t.Name},
			"version":     Link{Href: l.version(p, v), Title: "Version", Name: v},
			"pacticipant": Link{Href: l.pacticipant(p), Title: "Pacticipant", Name: p},
		},
	}
}

func (l links) versionJSON(v broker.Version, envs []broker.Environment) map[string]any {
	tags := []any{}
	for _, t := range v.Tags {
		tags = append(tags, l.tagJSON(v.Pacticipant, v.Number, t))
	}
	bvs, bs := []any{}, []any{}
	for _, b := range v.Branches {
		bvs = append(bvs, map[string]any{"name": b.Branch, "latest": b.Latest, "_links": map[string]any{
			"self": Link{Href: l.branchVersion(v.Pacticipant, b.Branch, v.Number), Title: "Branch version", Name: b.Branch}}})
		bs = append(bs, map[string]any{"name": b.Branch, "latest": b.Latest, "_links": map[string]any{
			"self": Link{Href: l.branch(v.Pacticipant, b.Branch), Title: "Branch", Name: b.Branch}}})
	}
	m := map[string]any{
		"number":    v.Number,
		"createdAt": ts(v.CreatedAt),
		"_embedded": map[string]any{"branchVersions": bvs, "branches": bs, "tags": tags},
		"_links": map[string]any{
			"self":           Link{Href: l.version(v.Pacticipant, v.Number), Title: "Version", Name: v.Number},
			"pb:pacticipant": Link{Href: l.pacticipant(v.Pacticipant), Title: "Pacticipant", Name: v.Pacticipant},
			"pb:tag":         Link{Href: l.url("pacticipants", v.Pacticipant, "versions", v.Number, "tags", "{tag}"), Title: "Get, create or delete a tag for this pacticipant version", Templated: true},
			"pb:latest-verification-results-where-pacticipant-is-consumer": Link{
				Href: l.url("verification-results", "consumer", v.Pacticipant, "version", v.Number, "latest"), Title: "Latest verification results for consumer version"},
			"pb:record-deployment": l.envLinks(v, envs, "deployed-versions", "Record deployment to "),
			"pb:record-release":    l.envLinks(v, envs, "released-versions", "Record release to "),
			"curies":               l.curies(),
		},
	}
	if v.BuildURL != "" {
		m["buildUrl"] = v.BuildURL
	}
	return m
}

// pactTitle is the Pact Broker's name for a publication.
func pactTitle(p broker.Pact) string {
	return fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, p.ConsumerVersion, p.Provider)
}

// pactMembers are the members the broker adds to a pact document:
// createdAt, updatedAt (when it differs) and _links. metadata is the URL
// segment the pact was fetched with (may be empty).
// pb:previous-distinct and pb:latest-untagged-pact-version are linked
// only when has says the resource exists: the Ruby broker links them
// always, and a first version's or an always-tagged pair's link is a 404.
func (l links) pactMembers(p broker.Pact, metadata string, has pactRelations) map[string]any {
	m := map[string]any{"createdAt": ts(p.CreatedAt)}
	if !p.UpdatedAt.Equal(p.CreatedAt) {
		m["updatedAt"] = ts(p.UpdatedAt)
	}
	permalink := l.pactSHA(p.Provider, p.Consumer, p.SHA)
	resultsBase := permalink
	if metadata != "" {
		resultsBase += "/metadata/" + url.PathEscape(metadata)
	}
	pair := func(segs ...string) string {
		return l.url(append([]string{"pacts", "provider", p.Provider, "consumer", p.Consumer}, segs...)...)
	}
	m["_links"] = map[string]any{
		"self":                            Link{Href: l.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion), Title: "Pact", Name: pactTitle(p)},
		"pb:consumer":                     Link{Href: l.pacticipant(p.Consumer), Title: "Consumer", Name: p.Consumer},
		"pb:consumer-version":             Link{Href: l.version(p.Consumer, p.ConsumerVersion), Title: "Consumer version", Name: p.ConsumerVersion},
		"pb:provider":                     Link{Href: l.pacticipant(p.Provider), Title: "Provider", Name: p.Provider},
		"pb:pact-version":                 Link{Href: permalink, Title: "Pact content version permalink", Name: p.SHA},
		"pb:latest-pact-version":          Link{Href: pair("latest"), Title: "Latest version of this pact"},
		"pb:all-pact-versions":            Link{Href: pair("versions"), Title: "All versions of this pact"},
		"pb:latest-tagged-pact-version":   Link{Href: pair("latest", "{tag}"), Title: "Latest tagged version of this pact", Templated: true},
		"pb:consumer-version-tag":         Link{Href: l.url("pacticipants", p.Consumer, "versions", p.ConsumerVersion, "tags", "{tag}"), Title: "Tag this consumer version", Templated: true},
		"pb:tag-version":                  Link{Href: l.url("pacticipants", p.Consumer, "versions", p.ConsumerVersion, "tags", "{tag}"), Title: "Tag this consumer version", Templated: true},
		"pb:publish-verification-results": Link{Href: resultsBase + "/verification-results", Title: "Publish verification results"},
		"pb:latest-verification-results":  Link{Href: permalink + "/verification-results/latest", Title: "Latest verification results"},
		"pb:diff-previous-distinct":       Link{Href: pair("version", p.ConsumerVersion, "diff", "previous-distinct"), Title: "Diff with previous distinct version of this pact"},
		"pb:diff":                         Link{Href: pair("version", p.ConsumerVersion, "diff", "version", "{version}"), Title: "Diff with another specified version of this pact", Templated: true},
		"curies":                          []Link{{Name: "pb", Href: l.base + "/doc/{rel}?context=pact", Templated: true}},
	}
	if has.previousDistinct {
		m["_links"].(map[string]any)["pb:previous-distinct"] = Link{Href: pair("version", p.ConsumerVersion, "previous-distinct"), Title: "Previous distinct version of this pact"}
	}
	if has.latestUntagged {
		m["_links"].(map[string]any)["pb:latest-untagged-pact-version"] = Link{Href: pair("latest-untagged"), Title: "Latest untagged version of this pact"}
	}
	return m
}

// pactJSON renders the pact content with the broker's members merged in,
// by decoding it (stored content that is not as the broker writes it).
func (l links) pactJSON(p broker.Pact, metadata string, has pactRelations) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(p.Content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode stored pact: %w", err)
	}
	for k, v := range l.pactMembers(p, metadata, has) {
		doc[k] = v
	}
	return halBytes(doc)
}

// writePact answers with the pact document and the broker's members. The
// stored content is compact with sorted keys (broker.NormalisePact), so
// the members are spliced in between its own and the content is written
// as it is: the same bytes as decoding it, adding the members and
// encoding it again, without a copy of a pact of tens of MiB, let alone
// ten in decoded maps.
func (l links) writePact(w http.ResponseWriter, status int, p broker.Pact, metadata string, has pactRelations) error {
	pieces, ok := splicePact(p.Content, l.pactMembers(p, metadata, has))
	if !ok {
		body, err := l.pactJSON(p, metadata, has)
		if err != nil {
			return err
		}
		pieces = [][]byte{body}
	}
	n := 0
	for _, b := range pieces {
		n += len(b)
	}
	w.Header().Set("Content-Type", halJSON)
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	for _, b := range pieces {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// splicePact returns the pieces of content with members added (replacing
// its own of the same name), as encoding a map of it would write them, or
// false when content is not compact JSON with plain keys in order.
func splicePact(content []byte, members map[string]any) ([][]byte, bool) {
	if len(content) < 2 || content[0] != '{' || !json.Valid(content) {
		return nil, false
	}
	keys := slices.Sorted(maps.Keys(members))
	encoded := func(k string) []byte {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(k)
		key := bytes.TrimRight(buf.Bytes(), "\n")
		buf2 := bytes.Buffer{}
		enc = json.NewEncoder(&buf2)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(members[k])
		return append(append(key, ':'), bytes.TrimRight(buf2.Bytes(), "\n")...)
	}
	var (
		pieces [][]byte
		prev   []byte
		ok     = true
		first  = true
		end    = 1 // just past the last member copied
	)
	sep := func() {
		if !first {
			pieces = append(pieces, []byte(","))
		}
		first = false
	}
	t := &rawjson.Text{B: content}
	t.Members(0, func(k, v rawjson.Span) bool {
		lit := content[k.Start:k.End]
		key := lit[1 : len(lit)-1]
		if !rawjson.Plain(lit) || (prev != nil && bytes.Compare(prev, key) >= 0) || content[k.End] != ':' || k.Start != end+btoi(!first) {
			ok = false
			return false
		}
		prev = key
		for len(keys) > 0 && keys[0] <= string(key) {
			sep()
			pieces = append(pieces, encoded(keys[0]))
			if keys[0] == string(key) {
				keys = keys[1:]
				end = v.End
				return true // replaced by the broker's
			}
			keys = keys[1:]
		}
		sep()
		pieces = append(pieces, content[k.Start:v.End])
		end = v.End
		return true
	})
	if !ok || end != len(content)-1 {
		return nil, false
	}
	for _, k := range keys {
		sep()
		pieces = append(pieces, encoded(k))
	}
	return append(append([][]byte{[]byte("{")}, pieces...), []byte("}\n")), true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (l links) verificationJSON(v broker.Verification, consumerVersion string) map[string]any {
	m := map[string]any{
		"providerName":               v.Provider,
		"providerApplicationVersion": v.ProviderVersion,
		"success":                    v.Success,
		"verificationDate":           ts(v.CreatedAt),
		"_links": map[string]any{
			"self": Link{Href: l.pactSHA(v.Provider, v.Consumer, v.SHA) + fmt.Sprintf("/verification-results/%d", v.Number), Title: "Verification result",
				Name: fmt.Sprintf("Verification result %d for Pact between %s (%s) and %s", v.Number, v.Consumer, consumerVersion, v.Provider)},
			"pb:pact-version": Link{Href: l.pactSHA(v.Provider, v.Consumer, v.SHA), Title: "Pact", Name: v.SHA},
		},
	}
	if v.BuildURL != "" {
		m["buildUrl"] = v.BuildURL
	}
	if len(v.TestResults) > 0 {
		m["testResults"] = json.RawMessage(v.TestResults)
	}
	if len(v.VerifiedBy) > 0 {
		m["verifiedBy"] = json.RawMessage(v.VerifiedBy)
	}
	return m
}

// envLinks are the per-environment links clients use to record deployments
// and releases; the CLI picks the one whose name is the environment.
func (l links) envLinks(v broker.Version, envs []broker.Environment, kind, title string) []Link {
	out := []Link{}
	for _, e := range envs {
		out = append(out, Link{Href: l.url("pacticipants", v.Pacticipant, "versions", v.Number, kind, "environment", e.UUID), Title: title + e.DisplayName, Name: e.Name})
	}
	return out
}
