package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/pactdiff"
)

// What an operator does from the pages: read what changed between two
// versions of a pact, see and edit a pacticipant's labels, delete. The
// delete and label buttons call the API from ops.js and are drawn only for
// clients that may write (httpedge.MayWrite); the API checks again.

func (h *Handler) opsRoutes(get func(string, httpedge.HandlerFunc)) {
	pair := "/pacts/provider/{provider}/consumer/{consumer}"
	get(pair+"/version/{version}/diff/previous-distinct", h.diff)
	get(pair+"/version/{version}/diff/version/{other}", h.diff)
	get(pair+"/pact-version/{sha}/diff/pact-version/{other}", h.diff)
}

func (a serviceSource) Labels(ctx context.Context, pacticipant string) ([]broker.Label, error) {
	return a.svc.Labels.PacticipantLabels(ctx, pacticipant)
}

// deleteButton is a delete action: the API URL to DELETE, the question
// confirming it, where to go afterwards ("" reloads the page), the
// button's text and what the page says once it is done.
type deleteButton struct {
	URL, Confirm, Then, Label, Done string
}

// deleteAction builds a delete button for the templates: kind and args
// name what goes ("pacticipant" name; "version" name number; "tag" name
// number tag; "branch" name branch; "branch-version" name branch number;
// "integration" consumer provider; "pact" consumer provider version;
// "verification" consumer provider sha number). Arguments may be numbers.
func (h *Handler) deleteAction(kind string, args ...any) (deleteButton, error) {
	arg := func(i int) string {
		if i < len(args) {
			return fmt.Sprint(args[i])
		}
		return ""
	}
	p := h.pacticipantURL(arg(0))
	var b deleteButton
	switch kind {
	case "pacticipant":
		b = deleteButton{URL: p, Confirm: fmt.Sprintf("Delete %s with all its versions, pacts and verification results?", arg(0)),
			Then: h.base + "/", Label: "Delete " + arg(0), Done: fmt.Sprintf("Deleted %s.", arg(0))}
	case "version":
		b = deleteButton{URL: p + "/versions/" + seg(arg(1)), Confirm: fmt.Sprintf("Delete version %s of %s with its pacts and verification results?", arg(1), arg(0)),
			Label: "Delete", Done: fmt.Sprintf("Deleted version %s of %s.", arg(1), arg(0))}
	case "tag":
		b = deleteButton{URL: p + "/versions/" + seg(arg(1)) + "/tags/" + seg(arg(2)), Confirm: fmt.Sprintf("Remove the tag %s from version %s of %s? The version stays.", arg(2), arg(1), arg(0)),
			Label: fmt.Sprintf("Remove tag %s from %s", arg(2), arg(1)), Done: fmt.Sprintf("Removed the tag %s from version %s of %s.", arg(2), arg(1), arg(0))}
	case "branch":
		b = deleteButton{URL: p + "/branches/" + seg(arg(1)), Confirm: fmt.Sprintf("Delete branch %s of %s? Its versions stay.", arg(1), arg(0)),
			Label: "Delete", Done: fmt.Sprintf("Deleted branch %s of %s.", arg(1), arg(0))}
	case "branch-version":
		b = deleteButton{URL: p + "/branches/" + seg(arg(1)) + "/versions/" + seg(arg(2)), Confirm: fmt.Sprintf("Take version %s of %s off the branch %s? The version stays.", arg(2), arg(0), arg(1)),
			Label: fmt.Sprintf("Remove %s from branch %s", arg(2), arg(1)), Done: fmt.Sprintf("Took version %s of %s off the branch %s.", arg(2), arg(0), arg(1))}
	case "integration": // consumer provider
		b = deleteButton{URL: h.base + "/integrations/provider/" + seg(arg(1)) + "/consumer/" + seg(arg(0)),
			Confirm: fmt.Sprintf("Delete the integration between %s and %s: their pacts, verification results and webhooks?", arg(0), arg(1)),
			Label:   "Delete", Done: fmt.Sprintf("Deleted the integration between %s and %s.", arg(0), arg(1))}
	case "pact":
		b = deleteButton{URL: h.pactURL(arg(0), arg(1), arg(2)), Confirm: fmt.Sprintf("Delete the pact %s published for %s to %s?", arg(2), arg(0), arg(1)),
			Then: p, Label: "Delete this pact", Done: fmt.Sprintf("Deleted the pact %s published for %s to %s.", arg(2), arg(0), arg(1))}
	case "verification": // consumer provider sha number
		b = deleteButton{URL: h.base + "/pacts/provider/" + seg(arg(1)) + "/consumer/" + seg(arg(0)) + "/pact-version/" + seg(arg(2)) + "/verification-results/" + seg(arg(3)),
			Confirm: fmt.Sprintf("Delete verification result %s of the pact between %s and %s? The pact stays.", arg(3), arg(0), arg(1)),
			Label:   "Delete result", Done: fmt.Sprintf("Deleted verification result %s of the pact between %s and %s.", arg(3), arg(0), arg(1))}
	default:
		return deleteButton{}, fmt.Errorf("deleteAction: unknown kind %q", kind)
	}
	return b, nil
}

// diffLine is one line of a unified diff, with its kind for styling:
// head (the --- and +++ lines), hunk (@@), add, del or same.
type diffLine struct {
	Kind, Text string
}

type diffData struct {
	Consumer, Provider string
	// From is the older side, To the newer; From is zero when To has no
	// previous distinct version.
	From, To         broker.Pact
	FromURL, ToURL   string
	Lines            []diffLine
	Added, Removed   int
	Same, NoPrevious bool
}

// diff shows what changed between two versions of a pact, at the URLs of
// the API's diff resources (which serve the same diff as text/plain):
// since the previous version with different content, from another
// consumer version, or between two contents by SHA.
func (h *Handler) diff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	consumer, provider, other := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("other")
	ref := broker.PactRef{Consumer: consumer, Provider: provider, Version: r.PathValue("version"), SHA: r.PathValue("sha")}
	to, err := h.src.Pact(ctx, ref)
	if err != nil {
		return err
	}
	d := diffData{Consumer: to.Consumer, Provider: to.Provider, To: to}
	switch {
	case ref.SHA != "":
		d.From, err = h.src.Pact(ctx, broker.PactRef{Consumer: consumer, Provider: provider, SHA: other})
	case other != "":
		d.From, err = h.src.Pact(ctx, broker.PactRef{Consumer: consumer, Provider: provider, Version: other})
	default:
		d.From, d.NoPrevious, err = h.previousDistinct(ctx, to)
	}
	if err != nil {
		return err
	}
	d.ToURL = h.pactURL(to.Consumer, to.Provider, to.ConsumerVersion)
	if !d.NoPrevious {
		d.FromURL = h.pactURL(d.From.Consumer, d.From.Provider, d.From.ConsumerVersion)
		text, err := pactdiff.Diff(d.From.ConsumerVersion, d.From.Content, d.To.ConsumerVersion, d.To.Content)
		if err != nil {
			return broker.Errorf(broker.Invalid, "cannot compare these pacts: %v", err)
		}
		d.Same = text == ""
		d.Lines, d.Added, d.Removed = diffLines(text)
	}
	title := fmt.Sprintf("Changes to the pact between %s and %s", to.Consumer, to.Provider)
	return h.render(w, http.StatusOK, "diff", title, "", d)
}

// previousDistinct finds the publication before to whose content differs,
// as the Ruby broker's previous-distinct does; none is not an error.
func (h *Handler) previousDistinct(ctx context.Context, to broker.Pact) (broker.Pact, bool, error) {
	prev, err := h.src.Pact(ctx, broker.PactRef{Consumer: to.Consumer, Provider: to.Provider, PreviousDistinctOf: &to})
	if broker.IsNotFound(err) {
		return broker.Pact{}, true, nil
	}
	return prev, false, err
}

func diffLines(text string) (lines []diffLine, added, removed int) {
	if text == "" {
		return nil, 0, 0
	}
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		kind := "same"
		switch {
		case i < 2 && (strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ")):
			kind = "head"
		case strings.HasPrefix(l, "@@"):
			kind = "hunk"
		case strings.HasPrefix(l, "+"):
			kind, added = "add", added+1
		case strings.HasPrefix(l, "-"):
			kind, removed = "del", removed+1
		}
		lines = append(lines, diffLine{Kind: kind, Text: l})
	}
	return lines, added, removed
}

// labelsData is the labels section of a pacticipant page.
type labelsData struct {
	Name string
	// URL is the pacticipant's labels collection in the API.
	URL      string
	Labels   []labelView
	MayWrite bool
}

type labelView struct{ Name, URL string }

func (h *Handler) labels(r *http.Request, p broker.Pacticipant) (labelsData, error) {
	d := labelsData{Name: p.Name, URL: h.pacticipantURL(p.Name) + "/labels", MayWrite: httpedge.MayWrite(r)}
	ls, err := h.src.Labels(r.Context(), p.Name)
	if err != nil {
		return d, err
	}
	for _, l := range ls {
		d.Labels = append(d.Labels, labelView{Name: l.Name, URL: d.URL + "/" + seg(l.Name)})
	}
	return d, nil
}
