package matrix

import (
	"strconv"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker/rackquery"
)

// Body is the JSON document of GET /matrix and GET /can-i-deploy, in the Ruby broker's shape
// (summary, notices, matrix); clients read summary.deployable, notices[].type/text and matrix[].
type Body struct {
	Summary BodySummary `json:"summary"`
	Notices []Notice    `json:"notices"`
	Matrix  []BodyRow   `json:"matrix"`
}

// BodySummary is the "summary" object; ignored is present only when ignore selectors were given.
type BodySummary struct {
	Deployable *bool  `json:"deployable"`
	Reason     string `json:"reason"`
	Success    int    `json:"success"`
	Failed     int    `json:"failed"`
	Unknown    int    `json:"unknown"`
	Ignored    *int   `json:"ignored,omitempty"`
}

// BodyRow is one element of "matrix".
type BodyRow struct {
	Consumer           BodyParty         `json:"consumer"`
	Provider           BodyParty         `json:"provider"`
	Pact               BodyPact          `json:"pact"`
	VerificationResult *BodyVerification `json:"verificationResult"`
	Ignored            bool              `json:"ignored,omitempty"`
}

// BodyParty is a consumer or provider with its version (null when there is none).
type BodyParty struct {
	Name    string       `json:"name"`
	Version *BodyVersion `json:"version"`
	Links   Links        `json:"_links"`
}

// BodyVersion is a version with its branches, environments and tags.
type BodyVersion struct {
	Number         string              `json:"number"`
	Branch         *string             `json:"branch"`
	Branches       []BodyBranchVersion `json:"branches"`
	BranchVersions []BodyBranchVersion `json:"branchVersions"`
	Environments   []BodyEnvironment   `json:"environments"`
	Links          Links               `json:"_links"`
	Tags           []BodyTag           `json:"tags"`
}

// BodyBranchVersion is a branch the version is on.
type BodyBranchVersion struct {
	Name   string `json:"name"`
	Latest bool   `json:"latest"`
	Links  Links  `json:"_links"`
}

// BodyEnvironment is an environment the version is deployed or released to.
type BodyEnvironment struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Production  bool   `json:"production"`
	CreatedAt   string `json:"createdAt,omitempty"`
	Links       Links  `json:"_links"`
}

// BodyTag is a tag of the version.
type BodyTag struct {
	Name   string `json:"name"`
	Latest bool   `json:"latest"`
	Links  Links  `json:"_links"`
}

// BodyPact is the pact of a row.
type BodyPact struct {
	CreatedAt string `json:"createdAt"`
	Links     Links  `json:"_links"`
}

// BodyVerification is the verification result of a row.
type BodyVerification struct {
	Success    bool   `json:"success"`
	VerifiedAt string `json:"verifiedAt"`
	Links      Links  `json:"_links"`
}

// Links is a HAL _links object.
type Links map[string]Link

// Link is a HAL link.
type Link struct {
	Title string `json:"title,omitempty"`
	Name  string `json:"name,omitempty"`
	Href  string `json:"href"`
}

// VersionDetails is what the store knows about a version beyond the matrix: its branches, tags
// and environments, in the order they were added.
type VersionDetails struct {
	Branches     []BranchInfo
	Tags         []TagInfo
	Environments []EnvironmentInfo
}

// BranchInfo is a branch of a version; Latest when the version is the branch head.
type BranchInfo struct {
	Name   string
	Latest bool
}

// TagInfo is a tag of a version; Latest when it is the newest version with the tag.
type TagInfo struct {
	Name   string
	Latest bool
}

// EnvironmentInfo is an environment a version is currently deployed or released to.
type EnvironmentInfo struct {
	UUID, Name, DisplayName string
	Production              bool
	CreatedAt               time.Time
}

// RenderOptions configures NewBody.
type RenderOptions struct {
	// BaseURL prefixes every link, e.g. "http://broker:9292" (no trailing slash).
	BaseURL string
	// Details, when set, supplies branches, tags and environments of the versions in the rows.
	Details func(pacticipant string, v Version) VersionDetails
}

// NewBody renders a Result as the document clients expect.
func NewBody(res Result, opt RenderOptions) Body {
	s := res.Summary
	b := Body{
		Summary: BodySummary{Deployable: s.Deployable, Reason: s.Reason, Success: s.Success, Failed: s.Failed,
			Unknown: s.Unknown, Ignored: s.Ignored},
		Notices: append([]Notice{}, s.Notices...),
		Matrix:  make([]BodyRow, 0, len(res.Rows)),
	}
	for _, r := range res.Rows {
		b.Matrix = append(b.Matrix, opt.row(r))
	}
	return b
}

func (o RenderOptions) row(r Row) BodyRow {
	p := r.Pact
	cv := p.ConsumerVersion
	row := BodyRow{
		Consumer: BodyParty{Name: p.Consumer, Version: o.version(p.Consumer, cv), Links: self(o.pacticipantURL(p.Consumer))},
		Provider: BodyParty{Name: p.Provider, Links: self(o.pacticipantURL(p.Provider))},
		Pact: BodyPact{CreatedAt: timestamp(p.CreatedAt),
			Links: self(o.BaseURL + "/pacts/provider/" + segment(p.Provider) + "/consumer/" + segment(p.Consumer) + "/version/" + segment(cv.Number))},
		Ignored: r.Ignored,
	}
	if r.ProviderVersion != nil {
		row.Provider.Version = o.version(p.Provider, *r.ProviderVersion)
	}
	if v := r.Verification; v != nil {
		meta, _ := rackquery.EncodeMetadata(rackquery.NewHash().SetString("cvn", cv.Number))
		row.VerificationResult = &BodyVerification{
			Success:    v.Success,
			VerifiedAt: timestamp(v.VerifiedAt),
			Links: self(o.BaseURL + "/pacts/provider/" + segment(p.Provider) + "/consumer/" + segment(p.Consumer) +
				"/pact-version/" + segment(v.SHA) + "/metadata/" + meta + "/verification-results/" + strconv.Itoa(v.Number)),
		}
		if v.ContractCheck {
			// A provider contract check (bi-directional): the contract it
			// checked the pact against, where people and tools see why.
			row.VerificationResult.Links["pf:provider-contract"] = Link{Title: "Provider contract",
				Href: o.BaseURL + "/provider-contracts/provider/" + segment(p.Provider) + "/version/" + segment(v.ProviderVersion.Number)}
		}
	}
	return row
}

func (o RenderOptions) version(app string, v Version) *BodyVersion {
	var d VersionDetails
	if o.Details != nil {
		d = o.Details(app, v)
	}
	versionURL := o.pacticipantURL(app) + "/versions/" + segment(v.Number)
	bv := &BodyVersion{
		Number: v.Number, Branches: []BodyBranchVersion{}, BranchVersions: []BodyBranchVersion{},
		Environments: []BodyEnvironment{}, Links: self(versionURL), Tags: []BodyTag{},
	}
	for _, br := range d.Branches {
		bv.Branches = append(bv.Branches, BodyBranchVersion{Name: br.Name, Latest: br.Latest, Links: Links{"self": {
			Title: "Branch version", Name: br.Name,
			Href: o.pacticipantURL(app) + "/branches/" + segment(br.Name) + "/versions/" + segment(v.Number)}}})
	}
	bv.BranchVersions = append(bv.BranchVersions, bv.Branches...)
	if n := len(d.Branches); n > 0 {
		bv.Branch = &d.Branches[n-1].Name
	}
	for _, e := range d.Environments {
		created := ""
		if !e.CreatedAt.IsZero() {
			created = timestamp(e.CreatedAt)
		}
		bv.Environments = append(bv.Environments, BodyEnvironment{UUID: e.UUID, Name: e.Name, DisplayName: e.DisplayName,
			Production: e.Production, CreatedAt: created,
			Links: Links{"self": {Title: "Environment", Name: e.Name, Href: o.BaseURL + "/environments/" + segment(e.UUID)}}})
	}
	for _, t := range d.Tags {
		bv.Tags = append(bv.Tags, BodyTag{Name: t.Name, Latest: t.Latest, Links: self(versionURL + "/tags/" + segment(t.Name))})
	}
	return bv
}

func (o RenderOptions) pacticipantURL(app string) string {
	return o.BaseURL + "/pacticipants/" + segment(app)
}

func self(href string) Links { return Links{"self": {Href: href}} }

// timestamp formats like the Ruby broker: ISO 8601 in UTC with a numeric offset.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}

// segment escapes a path segment as Ruby's ERB::Util.url_encode does: everything but
// A-Z a-z 0-9 - . _ ~ becomes %XX, so a space is %20 and "/" is %2F.
func segment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
