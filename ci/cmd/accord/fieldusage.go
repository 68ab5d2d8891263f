package main

import (
	"context"
	"errors"
	"flag"

	"github.com/accord-cdc/accord/ci/pipeline"
)

const canIRemoveFieldHelp = "Asks the broker which consumer versions use a field of a provider's endpoint or message: by\n" +
	"default each consumer's latest version on its main branch and every version deployed or released.\n" +
	"Locations: response.body.$.name, response.headers.Content-Type, request.query.page,\n" +
	"request.headers.Accept, request.body.$.items[*].sku, message.body.$.orderId.\n" +
	"Exit status: 0 removable, 1 in use (or a pact could not be read completely), 2 usage, 3 any other error."

func canIRemoveFieldCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	var q pipeline.FieldQuery
	fs.StringVar(&q.Provider, "provider", "", "the provider (required)")
	fs.StringVar(&q.Method, "method", "", "the endpoint's HTTP method (with --path)")
	fs.StringVar(&q.Path, "path", "", "the endpoint's path: a template like /users/{id} or a concrete path")
	fs.StringVar(&q.Message, "message", "", "a message's description, instead of --method and --path")
	fs.StringVar(&q.Location, "location", "", "the field, like response.body.$.name (required)")
	fs.StringVar(&q.Environment, "environment", "", "only the consumer versions in this environment")
	fs.StringVar(&q.Branch, "branch", "", "only the latest consumer versions on this branch")
	return func(ctx context.Context, args []string) error {
		switch {
		case q.Provider == "" || q.Location == "" || len(args) > 0:
			return &usageError{msg: "can-i-remove-field needs --provider P, --location LOC and --method M --path PATH (or --message DESCRIPTION)"}
		case q.Message == "" && (q.Method == "" || q.Path == ""):
			return &usageError{msg: "name the endpoint with --method and --path, or a message with --message"}
		case q.Environment != "" && q.Branch != "":
			return &usageError{msg: "pass --environment or --branch, not both"}
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		d, err := p.CanIRemoveField(ctx, q)
		if err != nil && !errors.Is(err, pipeline.ErrFieldInUse) {
			return err
		}
		pipeline.WriteFieldDecision(c.stdout, q, d)
		return err
	}
}
