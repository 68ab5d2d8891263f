package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/verifiable"
)

type publishBody struct {
	PacticipantName          string   `json:"pacticipantName"`
	PacticipantVersionNumber string   `json:"pacticipantVersionNumber"`
	Branch                   *string  `json:"branch"`
	Tags                     []string `json:"tags"`
	BuildURL                 string   `json:"buildUrl"`
	Contracts                []struct {
		ConsumerName  string        `json:"consumerName"`
		ProviderName  string        `json:"providerName"`
		Specification string        `json:"specification"`
		ContentType   string        `json:"contentType"`
		Content       base64Content `json:"content"`
		OnConflict    string        `json:"onConflict"`
	} `json:"contracts"`
}

func (b publishBody) request() (broker.PublishRequest, error) {
	req := broker.PublishRequest{Pacticipant: b.PacticipantName, Version: b.PacticipantVersionNumber, Tags: b.Tags, BuildURL: b.BuildURL}
	switch {
	case strings.TrimSpace(b.PacticipantName) == "":
		return req, broker.FieldErrorf("pacticipantName", "is missing; set it to the consumer's name")
	case strings.TrimSpace(b.PacticipantVersionNumber) == "":
		return req, broker.FieldErrorf("pacticipantVersionNumber", "is missing; set it to the consumer's version (for example the git sha)")
	case strings.ContainsAny(b.PacticipantVersionNumber, "\r\n"):
		return req, broker.FieldErrorf("pacticipantVersionNumber", "must be a single line")
	case b.Branch != nil && strings.TrimSpace(*b.Branch) == "":
		return req, broker.FieldErrorf("branch", "cannot be blank; leave it out or set it to the git branch")
	case len(b.Contracts) == 0:
		return req, broker.FieldErrorf("contracts", "is missing; send at least one contract")
	}
	if b.Branch != nil {
		req.Branch = *b.Branch
	}
	for i, t := range b.Tags {
		if strings.TrimSpace(t) == "" {
			return req, broker.FieldErrorf("tags", "tag %d is blank", i)
		}
	}
	for i, c := range b.Contracts {
		bad := func(format string, args ...any) error {
			return broker.FieldErrorf("contracts", "%s (at index %d)", fmt.Sprintf(format, args...), i)
		}
		switch {
		case c.ConsumerName != b.PacticipantName:
			return req, bad("consumerName %q must match pacticipantName %q", c.ConsumerName, b.PacticipantName)
		case strings.TrimSpace(c.ProviderName) == "":
			return req, bad("providerName is missing")
		case c.Specification != "pact":
			return req, bad("specification must be \"pact\" (got %q)", c.Specification)
		case c.ContentType != "application/json":
			return req, bad("contentType must be \"application/json\" (got %q)", c.ContentType)
		case c.OnConflict != "" && c.OnConflict != "overwrite" && c.OnConflict != "merge":
			return req, bad("onConflict must be \"overwrite\" or \"merge\" (got %q)", c.OnConflict)
		}
		content := c.Content.b
		if c.Content.bad {
			return req, bad("content is not valid Base64; send the pact file base64-encoded")
		}
		consumer, provider, err := broker.PactNames(content)
		if err != nil {
			return req, bad("%s", err.(*broker.Error).Message)
		}
		if n := consumer; n != "" && n != c.ConsumerName {
			return req, bad("the consumer name in the pact content (%q) does not match consumerName (%q)", n, c.ConsumerName)
		}
		if n := provider; n != "" && n != c.ProviderName {
			return req, bad("the provider name in the pact content (%q) does not match providerName (%q)", n, c.ProviderName)
		}
		req.Contracts = append(req.Contracts, broker.Contract{ConsumerName: c.ConsumerName, ProviderName: c.ProviderName, Content: content, Merge: c.OnConflict == "merge"})
	}
	return req, nil
}

// base64Content is a contract's content, decoded from Base64 (padded or
// not) straight from the request's text: a string of it first would cost
// the size of the body again.
type base64Content struct {
	b   []byte
	bad bool // not Base64; reported with the contract's index
}

func (c *base64Content) UnmarshalJSON(lit []byte) error {
	if string(lit) == "null" {
		return nil
	}
	var text []byte
	if len(lit) >= 2 && lit[0] == '"' && bytes.IndexByte(lit, '\\') < 0 {
		text = lit[1 : len(lit)-1]
	} else {
		var s string
		if err := json.Unmarshal(lit, &s); err != nil {
			return err
		}
		text = []byte(s)
	}
	c.b = make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(c.b, text)
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(c.b, bytes.TrimRight(text, "="))
	}
	c.b, c.bad = c.b[:n], err != nil
	return nil
}

func versionNotice(res broker.PublishResult, req broker.PublishRequest) string {
	action := "Updated"
	if res.VersionCreated {
		action = "Created"
	}
	text := fmt.Sprintf("%s %s version %s", action, req.Pacticipant, req.Version)
	if req.Branch != "" {
		text += " with branch " + req.Branch
	}
	if len(req.Tags) > 0 {
		if req.Branch != "" {
			text += " and"
		} else {
			text += " with"
		}
		text += " tags " + strings.Join(req.Tags, ", ")
	}
	return text
}

// eventsDetected lists the events a publication fired as the Pact Broker
// does: the reason goes with contract_content_changed when the content
// changed, else with contract_published.
func eventsDetected(pp broker.PublishedPact) string {
	events := "contract_published"
	if pp.ContentChanged {
		events += ", contract_content_changed"
	}
	if pp.ContentChangeReason != "" {
		events += " (" + pp.ContentChangeReason + ")"
	}
	return events
}

func (s *Server) publishContracts(w http.ResponseWriter, r *http.Request, _ params) error {
	var b publishBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	req, err := b.request()
	if err != nil {
		return err
	}
	started := time.Now()
	// One contract (the usual publication) is not referenced here during
	// the call: the store may let the collector take it back once it has
	// normalised it, and a refused change carries the normalised content
	// for the diff. Several are kept for the diffs of them all.
	call := req
	if len(req.Contracts) == 1 {
		req.Contracts = []broker.Contract{{ConsumerName: req.Contracts[0].ConsumerName, ProviderName: req.Contracts[0].ProviderName}}
	}
	res, err := s.svc.Pacts.PublishContracts(r.Context(), call)
	if err != nil {
		if len(req.Contracts) == 1 && req.Contracts[0].Content == nil {
			var de *broker.Error
			if errors.As(err, &de) {
				req.Contracts[0].Content = de.Content
			}
		}
		return s.withContentDiff(r, req.Pacticipant, req.Version, req.Contracts, err)
	}
	l := s.links(r)
	notices := []broker.Notice{{Type: "debug", Text: versionNotice(res, req)}}
	if req.Branch == "" {
		notices = append(notices, broker.Notice{Type: "prompt", Text: "  Next steps:\n    Configure the version branch to be the value of your repository branch."})
	}
	var contracts []Link
	for _, pp := range res.Pacts {
		p := pp.Pact
		url := l.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion)
		contracts = append(contracts, Link{Href: url, Title: "Pact", Name: pactTitle(p)})
		switch pp.Outcome {
		case broker.PactCreated:
			notices = append(notices, broker.Notice{Type: "success", Text: fmt.Sprintf("Pact successfully published for %s version %s and provider %s.", p.Consumer, p.ConsumerVersion, p.Provider)})
		case broker.PactMerged:
			notices = append(notices, broker.Notice{Type: "success", Text: fmt.Sprintf("Pact successfully merged into the existing pact for %s version %s and provider %s.", p.Consumer, p.ConsumerVersion, p.Provider)})
		case broker.PactOverwritten:
			notices = append(notices, broker.Notice{Type: "warning", Text: fmt.Sprintf("Pact for %s version %s and provider %s replaced by changed content (PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION is on): can-i-deploy answers about this version may no longer be reliable.", p.Consumer, p.ConsumerVersion, p.Provider)})
		default:
			notices = append(notices, broker.Notice{Type: "success", Text: fmt.Sprintf("Pact successfully republished for %s version %s and provider %s with no content changes.", p.Consumer, p.ConsumerVersion, p.Provider)})
		}
		notices = append(notices,
			broker.Notice{Type: "debug", Text: "  View the published pact at " + url},
			broker.Notice{Type: "debug", Text: "  Events detected: " + eventsDetected(pp)})
		notices = append(notices, s.webhookNotices(r, l, pp, started)...)
		if !pp.ProviderHasVerifications {
			notices = append(notices,
				broker.Notice{Type: "prompt", Text: "  Next steps:"},
				broker.Notice{Type: "prompt", Text: fmt.Sprintf("    * Add Pact verification tests to the %s build. See https://docs.pact.io/go/provider_verification", p.Provider)})
		}
	}
	logs := []map[string]string{}
	for _, n := range notices {
		logs = append(logs, map[string]string{"level": n.Type, "message": n.Text, "deprecationWarning": "Replaced by notices"})
	}
	tagLinks := []Link{}
	for _, t := range req.Tags {
		tagLinks = append(tagLinks, Link{Href: l.tag(req.Pacticipant, req.Version, t), Title: "Tag", Name: t})
	}
	vlink := Link{Href: l.version(req.Pacticipant, req.Version), Title: "Version", Name: req.Version}
	writeJSON(w, http.StatusOK, map[string]any{
		"logs":    logs,
		"notices": notices,
		"_embedded": map[string]any{
			"pacticipant": map[string]any{"name": req.Pacticipant, "_links": map[string]any{"self": Link{Href: l.pacticipant(req.Pacticipant), Title: "Pacticipant", Name: req.Pacticipant}}},
			"version":     map[string]any{"number": req.Version, "_links": map[string]any{"self": vlink}},
		},
		"_links": map[string]any{
			"pb:pacticipant":              Link{Href: l.pacticipant(req.Pacticipant), Title: "Pacticipant", Name: req.Pacticipant},
			"pb:pacticipant-version":      Link{Href: vlink.Href, Title: "Pacticipant version", Name: req.Version},
			"pb:pacticipant-version-tags": tagLinks,
			"pb:contracts":                contracts,
		},
	})
	return nil
}

// pactRef builds the PactRef a pact route names.
func pactRef(r *http.Request, p params) broker.PactRef {
	ref := broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], SHA: p["sha"], Version: p["version"], Branch: p["branch"], Tag: p["tag"]}
	ref.Untagged = strings.HasSuffix(r.URL.Path, "/latest-untagged")
	return ref
}

func (s *Server) getPact(w http.ResponseWriter, r *http.Request, p params) error {
	pact, err := s.svc.Pacts.GetPact(r.Context(), pactRef(r, p))
	if err != nil {
		return err
	}
	has, err := s.pactRelations(r, pact)
	if err != nil {
		return err
	}
	w.Header().Set("X-Pact-Consumer-Version", pact.ConsumerVersion)
	return s.links(r).writePact(w, http.StatusOK, pact, p["metadata"], has)
}

func (s *Server) putPact(w http.ResponseWriter, r *http.Request, p params) error {
	return s.storePact(w, r, p, false)
}
func (s *Server) patchPact(w http.ResponseWriter, r *http.Request, p params) error {
	return s.storePact(w, r, p, true)
}

func (s *Server) storePact(w http.ResponseWriter, r *http.Request, p params, merge bool) error {
	content, err := s.readBody(r)
	if err != nil {
		return err
	}
	consumer, provider, err := broker.PactNames(content)
	if err != nil {
		return err
	}
	for role, names := range map[string][2]string{"consumer": {consumer, p["consumer"]}, "provider": {provider, p["provider"]}} {
		if n, want := names[0], names[1]; n != "" && n != want {
			return broker.FieldErrorf(role+".name", "name in pact '%s' does not match name in URL path '%s'.", n, want)
		}
	}
	// content is not referenced after this call: the store may let the
	// collector take the body back once it has normalised it. A refused
	// change carries the normalised content for the diff.
	pact, created, err := s.svc.Pacts.PutPact(r.Context(), p["consumer"], p["provider"], p["version"], content, merge)
	if err != nil {
		var refused []byte
		if de := (*broker.Error)(nil); errors.As(err, &de) {
			refused = de.Content
		}
		return s.withContentDiff(r, p["consumer"], p["version"], []broker.Contract{{ProviderName: p["provider"], Content: refused}}, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.links(r).writePact(w, status, pact, "", pactRelations{})
}

func (s *Server) deletePact(w http.ResponseWriter, r *http.Request, p params) error {
	if err := s.svc.Pacts.DeletePact(r.Context(), p["consumer"], p["provider"], p["version"]); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) latestPacts(w http.ResponseWriter, r *http.Request, _ params) error {
	ps, err := s.svc.Pacts.LatestPacts(r.Context())
	if err != nil {
		return err
	}
	l := s.links(r)
	items := []any{}
	for _, p := range ps {
		items = append(items, map[string]any{
			"createdAt": ts(p.CreatedAt),
			"_embedded": map[string]any{
				"consumer": map[string]any{"name": p.Consumer, "_links": map[string]any{"self": Link{Href: l.pacticipant(p.Consumer)}},
					"_embedded": map[string]any{"version": map[string]any{"number": p.ConsumerVersion}}},
				"provider": map[string]any{"name": p.Provider, "_links": map[string]any{"self": Link{Href: l.pacticipant(p.Provider)}}},
			},
			"_links": map[string]any{"self": []Link{
				{Href: l.url("pacts", "provider", p.Provider, "consumer", p.Consumer, "latest"), Title: "Latest pact"},
				{Href: l.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion), Title: "Pact"},
			}},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"pacts": items, "_links": map[string]any{"self": Link{Href: l.url("pacts", "latest")}}})
	return nil
}

// writePactList renders a list of pacts in the provider-pacts shape.
func (s *Server) writePactList(w http.ResponseWriter, r *http.Request, provider, title string, ps []broker.Pact) {
	l := s.links(r)
	list := []Link{}
	old := []Link{}
	for _, p := range ps {
		href := l.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion)
		list = append(list, Link{Href: href, Title: pactTitle(p), Name: p.Consumer})
		old = append(old, Link{Href: href, Title: "DEPRECATED - please use the pb:pacts relation. " + pactTitle(p), Name: p.Consumer})
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": map[string]any{
		"self":        Link{Href: l.base + r.URL.EscapedPath(), Title: title},
		"pb:provider": Link{Href: l.pacticipant(provider), Name: provider, Title: provider},
		"pb:pacts":    list,
		"provider":    Link{Href: l.pacticipant(provider), Title: provider, Name: "DEPRECATED - please use the pb:provider relation"},
		"pacts":       old,
	}})
}

func (s *Server) providerPacts(w http.ResponseWriter, r *http.Request, p params) error {
	f := broker.PactFilter{Tag: p["tag"], Branch: p["branch"], Latest: strings.HasSuffix(r.Pattern, "/latest") || strings.Contains(r.Pattern, "/latest/")}
	// /pacts/provider/{p}/branch[/latest]: the consumers' main branches.
	if strings.Contains(r.Pattern, "/branch") && p["branch"] == "" {
		f.MainBranch = true
	}
	ps, err := s.svc.Pacts.ProviderPacts(r.Context(), p["provider"], f)
	if err != nil {
		return err
	}
	title := "All pact versions for the provider " + p["provider"]
	if f.Latest {
		title = "Latest pact versions for the provider " + p["provider"]
	}
	s.writePactList(w, r, p["provider"], title, ps)
	return nil
}

func (s *Server) consumerProviderPacts(w http.ResponseWriter, r *http.Request, p params) error {
	f := broker.PactFilter{Consumer: p["consumer"], Tag: p["tag"], Branch: p["branch"]}
	if p["tag"] == "" && p["branch"] == "" {
		f.MainBranch = true
	}
	ps, err := s.svc.Pacts.ProviderPacts(r.Context(), p["provider"], f)
	if err != nil {
		return err
	}
	s.writePactList(w, r, p["provider"], "Pact versions", ps)
	return nil
}

func (s *Server) pactVersions(w http.ResponseWriter, r *http.Request, p params) error {
	ps, err := s.svc.Pacts.PactVersions(r.Context(), p["consumer"], p["provider"])
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return broker.Errorf(broker.NotFound, "no pacts between consumer %q and provider %q", p["consumer"], p["provider"])
	}
	l := s.links(r)
	items := []any{}
	for _, pa := range ps {
		items = append(items, map[string]any{"createdAt": ts(pa.CreatedAt), "_embedded": map[string]any{"consumerVersion": map[string]any{"number": pa.ConsumerVersion}},
			"_links": map[string]any{"self": Link{Href: l.pactVersion(pa.Provider, pa.Consumer, pa.ConsumerVersion), Title: "Pact", Name: pactTitle(pa)}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"pacts": items},
		"_links": map[string]any{"self": Link{Href: l.base + r.URL.EscapedPath(), Title: "Pact versions"}}})
	return nil
}

// forVerificationBody is the POST body of pacts-for-verification.
type forVerificationBody struct {
	ConsumerVersionSelectors []map[string]json.RawMessage `json:"consumerVersionSelectors"`
	ProviderVersionBranch    string                       `json:"providerVersionBranch"`
	ProviderVersionTags      []string                     `json:"providerVersionTags"`
	IncludePendingStatus     *bool                        `json:"includePendingStatus"`
	IncludeWipPactsSince     string                       `json:"includeWipPactsSince"`
}

func parseSelector(raw map[string]json.RawMessage, i int) (verifiable.ConsumerVersionSelector, error) {
	var sel verifiable.ConsumerVersionSelector
	bad := func(key, want string) error {
		return broker.FieldErrorf("consumerVersionSelectors", "%s must be %s (at index %d)", key, want, i)
	}
	str := func(key string, dst *string) error {
		if v, ok := raw[key]; ok && string(v) != "null" {
			if json.Unmarshal(v, dst) != nil {
				return bad(key, "a string")
			}
			return broker.CheckText(fmt.Sprintf("consumerVersionSelectors[%d].%s", i, key), *dst)
		}
		return nil
	}
	onlyTrue := func(key string, dst *bool) error {
		if v, ok := raw[key]; ok && string(v) != "null" {
			if json.Unmarshal(v, dst) != nil || !*dst {
				return bad(key, "true")
			}
		}
		return nil
	}
	for _, f := range []func() error{
		func() error { return str("branch", &sel.Branch) },
		func() error { return str("fallbackBranch", &sel.FallbackBranch) },
		func() error { return str("tag", &sel.Tag) },
		func() error { return str("fallbackTag", &sel.FallbackTag) },
		func() error { return str("consumer", &sel.Consumer) },
		func() error { return str("environment", &sel.Environment) },
		func() error { return onlyTrue("mainBranch", &sel.MainBranch) },
		func() error { return onlyTrue("matchingBranch", &sel.MatchingBranch) },
		func() error { return onlyTrue("deployed", &sel.Deployed) },
		func() error { return onlyTrue("released", &sel.Released) },
		func() error { return onlyTrue("deployedOrReleased", &sel.DeployedOrReleased) },
	} {
		if err := f(); err != nil {
			return sel, err
		}
	}
	if v, ok := raw["latest"]; ok && string(v) != "null" {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return sel, bad("latest", "true or false")
		}
		sel.Latest = &b
	}
	return sel, nil
}

// parseSince accepts a date (2024-01-02) or an RFC 3339 time.
func parseSince(v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return &t, nil
		}
	}
	return nil, broker.FieldErrorf("includeWipPactsSince", "%q is not a date (2024-01-31) or an RFC 3339 time (2024-01-31T10:00:00Z)", v)
}

func (s *Server) forVerification(w http.ResponseWriter, r *http.Request, p params) error {
	var b forVerificationBody
	if r.Method == http.MethodPost {
		if err := s.decode(r, &b); err != nil {
			return err
		}
	} else {
		q := r.URL.Query()
		b.ProviderVersionBranch = q.Get("provider_version_branch")
		b.ProviderVersionTags = q["provider_version_tags[]"]
		b.IncludeWipPactsSince = q.Get("include_wip_pacts_since")
		if v := q.Get("include_pending_status"); v != "" {
			t := v == "true"
			b.IncludePendingStatus = &t
		}
	}
	q := verifiable.Query{ProviderBranch: b.ProviderVersionBranch, ProviderTags: b.ProviderVersionTags, IncludePending: b.IncludePendingStatus == nil || *b.IncludePendingStatus}
	for i, raw := range b.ConsumerVersionSelectors {
		sel, err := parseSelector(raw, i)
		if err != nil {
			return err
		}
		q.Selectors = append(q.Selectors, sel)
	}
	since, err := parseSince(b.IncludeWipPactsSince)
	if err != nil {
		return err
	}
	q.WIPSince = since
	// The answer is found and rendered in one snapshot and kept for the
	// state that snapshot read; a request that reads the same state in its
	// own snapshot gets it again (answers.go says why that is never stale).
	l := s.links(r)
	qkey, err := json.Marshal(q)
	if err != nil {
		return err
	}
	key := p["provider"] + "\x00" + string(qkey) + "\x00" + l.base
	if ans, ok := kept(r.Context(), &s.verifyAnswers, s.svc.ForVerification.CommittedState, key); ok {
		ans.write(w)
		return nil
	}
	var ans answer
	err = s.svc.ForVerification.VerifiableSnapshot(r.Context(), func(ctx context.Context, state string, f verifiable.Facts) error {
		var err error
		ans, err = s.verifyAnswers.answer(state, key, func() (answer, error) {
			pacts, err := verifiable.Find(ctx, f, p["provider"], q)
			if err != nil {
				return answer{}, err
			}
			return renderForVerification(l, p["provider"], pacts)
		})
		return err
	})
	if err != nil {
		return err
	}
	ans.write(w)
	return nil
}

// renderForVerification is the HAL document listing the pacts to verify.
func renderForVerification(l links, provider string, pacts []verifiable.Pact) (answer, error) {
	items := []any{}
	for _, vp := range pacts {
		permalink := l.pactSHA(vp.Provider, vp.Consumer, vp.SHA)
		props := map[string]any{"notices": verificationNotices(vp, permalink)}
		if vp.PendingCalculated {
			props["pending"] = vp.Pending
		}
		if vp.WIP {
			props["wip"] = true
		}
		sel := vp.Selections[0]
		items = append(items, map[string]any{
			"shortDescription":       vp.ShortDescription(),
			"verificationProperties": props,
			"_links": map[string]any{"self": Link{
				Href: permalink + "/metadata/" + vp.Metadata(),
				Name: fmt.Sprintf("Pact between %s (%s) and %s", vp.Consumer, sel.ConsumerVersion, vp.Provider),
			}},
		})
	}
	body, err := halBytes(map[string]any{
		"_embedded": map[string]any{"pacts": items},
		"_links":    map[string]any{"self": Link{Href: l.url("pacts", "provider", provider, "for-verification"), Title: "Pacts to be verified"}},
	})
	return answer{httpedge.HALJSON, body}, err
}

type verificationBody struct {
	Success                    *bool           `json:"success"`
	ProviderApplicationVersion string          `json:"providerApplicationVersion"`
	BuildURL                   string          `json:"buildUrl"`
	TestResults                json.RawMessage `json:"testResults"`
	VerifiedBy                 json.RawMessage `json:"verifiedBy"`
}

func (s *Server) postVerification(w http.ResponseWriter, r *http.Request, p params) error {
	var b verificationBody
	if err := s.decode(r, &b); err != nil {
		return err
	}
	if b.Success == nil {
		return broker.FieldErrorf("success", "is missing; send true or false")
	}
	if strings.TrimSpace(b.ProviderApplicationVersion) == "" {
		return broker.FieldErrorf("providerApplicationVersion", "is missing; set it to the provider version that ran the verification")
	}
	meta := verifiable.ParseMetadata(p["metadata"])
	v, err := s.svc.Verifications.RecordVerification(r.Context(), broker.VerificationRequest{
		Consumer: p["consumer"], Provider: p["provider"], SHA: p["sha"], ProviderVersion: b.ProviderApplicationVersion,
		Success: *b.Success, BuildURL: b.BuildURL, TestResults: b.TestResults, VerifiedBy: b.VerifiedBy, WIP: meta.WIP, Pending: meta.Pending,
		ConsumerVersionIDs: meta.ConsumerVersionIDs,
	})
	if err != nil {
		return err
	}
	pact, err := s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: v.Consumer, Provider: v.Provider, SHA: v.SHA})
	if err != nil {
		return err
	}
	body := s.links(r).verificationJSON(v, pact.ConsumerVersion)
	w.Header().Set("Location", body["_links"].(map[string]any)["self"].(Link).Href)
	writeJSON(w, http.StatusCreated, body)
	return nil
}

func (s *Server) getVerification(w http.ResponseWriter, r *http.Request, p params) error {
	v, err := s.findVerification(r, p)
	if err != nil {
		return err
	}
	pact, err := s.svc.Pacts.GetPact(r.Context(), broker.PactRef{Consumer: v.Consumer, Provider: v.Provider, SHA: v.SHA})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.links(r).verificationJSON(v, pact.ConsumerVersion))
	return nil
}

// deleteVerification deletes the result any verification-result resource
// names (by number, or the latest of a pact), as the Ruby broker's
// Verification resources do.
func (s *Server) deleteVerification(w http.ResponseWriter, r *http.Request, p params) error {
	v, err := s.findVerification(r, p)
	if err != nil {
		return err
	}
	if err := s.svc.Verifications.DeleteVerification(r.Context(), v.Consumer, v.Provider, v.SHA, v.Number); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// findVerification reads the result a verification-result URL names: by
// number, or the latest for the pact content, consumer version, tag or
// the latest pact.
func (s *Server) findVerification(r *http.Request, p params) (broker.Verification, error) {
	ctx := r.Context()
	sha := p["sha"]
	if sha == "" {
		ref := broker.PactRef{Consumer: p["consumer"], Provider: p["provider"], Version: p["version"], Tag: p["tag"]}
		pact, err := s.svc.Pacts.GetPact(ctx, ref)
		if err != nil {
			return broker.Verification{}, err
		}
		sha = pact.SHA
	}
	n, ok := p["number"]
	if !ok {
		return s.svc.Verifications.LatestVerification(ctx, p["consumer"], p["provider"], sha)
	}
	if n == "all" {
		return broker.Verification{}, broker.Errorf(broker.NotFound, "To see all the verifications for a pact, use the Matrix page")
	}
	num, err := strconv.ParseInt(n, 10, 64)
	if err != nil || strings.TrimLeft(n, "0123456789") != "" {
		return broker.Verification{}, broker.Errorf(broker.NotFound, "verification result %q does not exist; numbers are integers", n)
	}
	return s.svc.Verifications.GetVerification(ctx, p["consumer"], p["provider"], sha, num)
}
