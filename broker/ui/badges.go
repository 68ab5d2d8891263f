package ui

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
)

// Badges are drawn here rather than redirected to shields.io (the Ruby
// broker's default), whose address many networks block. Titles, statuses
// and colours follow the Ruby broker's badge service.

func writeBadge(w http.ResponseWriter, label, message, color string) error {
	w.Header().Set("Content-Type", "image/svg+xml;charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, err := w.Write(badgeSVG(label, message, color))
	return err
}

func (h *Handler) pactBadge(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ref := pactRef(r)
	label, initials := r.URL.Query().Get("label"), r.URL.Query().Get("initials") == "true"
	p, err := h.src.Pact(ctx, ref)
	if broker.IsNotFound(err) {
		return writeBadge(w, "pact not found", "unknown", colorGrey)
	}
	if err != nil {
		return err
	}
	title := badgeTitle(p.Consumer, p.Provider, label, initials, ref.Tag, "")
	v, err := h.src.LatestVerification(ctx, p.Consumer, p.Provider, p.SHA)
	if err != nil {
		return err
	}
	switch verificationStatus(v) {
	case Verified:
		return writeBadge(w, title, "verified", colorGreen)
	case Failed, Pending:
		return writeBadge(w, title, "failed", colorRed)
	}
	// Unverified content whose earlier content was verified has changed
	// since ("stale" in the Ruby broker).
	all, err := h.src.PactVersions(ctx, p.Consumer, p.Provider)
	if err != nil {
		return err
	}
	checked := map[string]bool{p.SHA: true}
	for _, other := range all {
		if checked[other.SHA] {
			continue
		}
		checked[other.SHA] = true
		ov, err := h.src.LatestVerification(ctx, p.Consumer, p.Provider, other.SHA)
		if err != nil {
			return err
		}
		if ov != nil {
			return writeBadge(w, title, "changed", colorOrange)
		}
	}
	return writeBadge(w, title, "unknown", colorGrey)
}

func (h *Handler) matrixBadge(w http.ResponseWriter, r *http.Request) error {
	consumer, provider := r.PathValue("consumer"), r.PathValue("provider")
	ctag, ptag := r.PathValue("ctag"), r.PathValue("ptag")
	label, initials := r.URL.Query().Get("label"), r.URL.Query().Get("initials") == "true"
	res, err := h.src.Matrix(r.Context(), matrix.Query{
		Selectors: []matrix.Selector{{Pacticipant: consumer, Latest: true, Tag: ctag}, {Pacticipant: provider, Latest: true, Tag: ptag}},
		LatestBy:  matrix.ByConsumerVersionAndProviderVersion,
	})
	var ve *matrix.ValidationError
	if asValidation(err, &ve) || (err == nil && len(res.Rows) == 0) {
		return writeBadge(w, "pact not found", "unknown", colorGrey)
	}
	if err != nil {
		return err
	}
	title := badgeTitle(consumer, provider, label, initials, ctag, ptag)
	switch res.Rows[0].Status() {
	case matrix.Succeeded:
		return writeBadge(w, title, "verified", colorGreen)
	case matrix.Failed:
		return writeBadge(w, title, "failed", colorRed)
	}
	return writeBadge(w, title, "unknown", colorGrey)
}

func (h *Handler) canIDeployBadge(w http.ResponseWriter, r *http.Request) error {
	app := r.PathValue("pacticipant")
	var q matrix.Query
	var message string
	if to := r.PathValue("to"); to != "" {
		q = matrix.LatestTaggedToTag(app, r.PathValue("tag"), to)
		message = r.PathValue("tag") + " to " + to
	} else {
		env := r.PathValue("environment")
		q = matrix.LatestOnBranchToEnvironment(app, r.PathValue("branch"), env)
		message = r.PathValue("branch") + " to " + env
	}
	title := r.URL.Query().Get("label")
	if title == "" {
		title = "can-i-deploy"
	}
	return h.decisionBadge(w, r, q, title, message)
}

func (h *Handler) canIMergeBadge(w http.ResponseWriter, r *http.Request) error {
	app := r.PathValue("pacticipant")
	p, err := h.src.Pacticipant(r.Context(), app)
	if broker.IsNotFound(err) || (err == nil && p.MainBranch == "") {
		return writeBadge(w, "can-i-merge", "main branch not found", colorGrey)
	}
	if err != nil {
		return err
	}
	q := matrix.Query{Selectors: []matrix.Selector{{Pacticipant: app, Branch: p.MainBranch, Latest: true}}, MainBranch: true, Latest: true,
		LatestBy: matrix.ByConsumerVersionAndProvider}
	return h.decisionBadge(w, r, q, "can-i-merge", "")
}

func (h *Handler) decisionBadge(w http.ResponseWriter, r *http.Request, q matrix.Query, title, message string) error {
	res, err := h.src.Matrix(r.Context(), q)
	var ve *matrix.ValidationError
	if asValidation(err, &ve) {
		return writeBadge(w, title, "not found", colorGrey)
	}
	if err != nil {
		return err
	}
	ok := res.Summary.Deployable != nil && *res.Summary.Deployable
	if message == "" {
		message = map[bool]string{true: "success", false: "failure"}[ok]
	}
	color := colorRed
	if ok {
		color = colorGreen
	}
	return writeBadge(w, title, message, color)
}

func asValidation(err error, ve **matrix.ValidationError) bool {
	if err == nil {
		return false
	}
	return errors.As(err, ve)
}

// badgeTitle is "consumer/provider pact", lowercased, or one of the names
// when label is "consumer" or "provider"; initials shortens names to their
// initials ("Foo Bar" or "FooBar" -> "fb").
func badgeTitle(consumer, provider, label string, initials bool, ctag, ptag string) string {
	c, p := badgeName(consumer, initials, ctag), badgeName(provider, initials, ptag)
	var t string
	switch strings.ToLower(label) {
	case "consumer":
		t = c
	case "provider":
		t = p
	default:
		t = c + "/" + p
	}
	return strings.ToLower(t + " pact")
}

var camelBoundary = regexp.MustCompile(`([a-z\d])([A-Z])|([A-Z]+)([A-Z][a-z])`)

func badgeName(name string, initials bool, tag string) string {
	suffix := ""
	if tag != "" {
		suffix = " (" + tag + ")"
	}
	if initials {
		parts := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '_' })
		if len(parts) == 1 {
			parts = strings.Fields(camelBoundary.ReplaceAllString(name, "$1$3 $2$4"))
		}
		if len(parts) > 1 {
			var b strings.Builder
			for _, p := range parts {
				b.WriteRune(unicode.ToLower([]rune(p)[0]))
			}
			return b.String() + suffix
		}
	}
	return strings.ToLower(name) + suffix
}
