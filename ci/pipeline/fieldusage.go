package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// ErrFieldInUse is can-i-remove-field's "no": a selected consumer version uses the field (or a
// pact could not be read completely). The decision is printed already.
var ErrFieldInUse = errors.New("the field is in use")

// FieldQuery asks whether a field of a provider's endpoint (or message) can be removed.
type FieldQuery struct {
	Provider string
	// Method and Path name an HTTP endpoint (Path a template like /users/{id} or a concrete
	// path); Message names a message by its description instead.
	Method, Path, Message string
	// Location is the field: response.body.$.name, request.query.page, message.body.$.orderId, ...
	Location string
	// Environment or Branch narrow the consumer versions asked about (default: each consumer's
	// main branch and everything deployed or released).
	Environment, Branch string
}

// FieldDecision is the broker's answer.
type FieldDecision struct {
	Removable bool            `json:"removable"`
	Reason    string          `json:"reason"`
	Consumers []FieldConsumer `json:"consumers"`
	Notices   []string        `json:"notices"`
}

// FieldConsumer is a consumer that uses the field, with the versions that do and why they count.
type FieldConsumer struct {
	Name         string   `json:"name"`
	Versions     []string `json:"versions"`
	Environments []string `json:"environments"`
	Branches     []string `json:"branches"`
}

// CanIRemoveField asks the broker's /can-i-remove-field; a field in use is ErrFieldInUse with
// the decision.
func (p *Pipeline) CanIRemoveField(ctx context.Context, q FieldQuery) (FieldDecision, error) {
	stage := "can-i-remove-field " + q.Provider
	if err := p.needBroker(stage); err != nil {
		return FieldDecision{}, err
	}
	v := url.Values{"provider": {q.Provider}, "location": {q.Location}}
	for k, s := range map[string]string{"method": q.Method, "path": q.Path, "message": q.Message, "environment": q.Environment, "branch": q.Branch} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var d FieldDecision
	if err := p.Broker.get(ctx, strings.TrimSuffix(p.Broker.BaseURL, "/")+"/can-i-remove-field?"+v.Encode(), &d); err != nil {
		if IsNotFound(err) {
			return d, &StageError{Stage: stage, Err: err, Hint: "is the provider's name right, and does the broker offer can-i-remove-field (an Accord broker)?"}
		}
		return d, &StageError{Stage: stage, Err: err}
	}
	if !d.Removable {
		return d, ErrFieldInUse
	}
	return d, nil
}

// WriteFieldDecision prints who uses the field, the reason and the answer.
func WriteFieldDecision(w io.Writer, q FieldQuery, d FieldDecision) {
	for _, c := range d.Consumers {
		why := append(append([]string{}, c.Branches...), c.Environments...)
		fmt.Fprintf(w, "used by %s %s", c.Name, strings.Join(c.Versions, ", "))
		if len(why) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(why, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, n := range d.Notices {
		fmt.Fprintln(w, "notice:", n)
	}
	fmt.Fprintln(w, "reason:", d.Reason)
	endpoint := q.Message
	if endpoint == "" {
		endpoint = strings.ToUpper(q.Method) + " " + q.Path
	}
	if d.Removable {
		fmt.Fprintf(w, "yes: %s of %s can be removed\n", q.Location, endpoint)
	} else {
		fmt.Fprintf(w, "no: %s of %s is in use\n", q.Location, endpoint)
	}
}
