package main

import (
	"context"
	"flag"
	"strings"

	"github.com/accord-cdc/accord/ci/pipeline"
)

const publishProviderContractHelp = "Publishes FILE, the provider's OpenAPI document (3.0, 3.1, or Swagger 2.0), as the provider\n" +
	"contract of this provider version, with the result of the provider's own test against it. The broker\n" +
	"checks every consumer pact the usual selectors pick against the document, and each result is a\n" +
	"verification in the matrix: can-i-deploy answers with it. The request is the official CLI's\n" +
	"(pact pactflow publish-provider-contract), except that the self-verification result is always sent."

func publishProviderContractCmd(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
	c.brokerFlags(fs)
	var pc pipeline.ProviderContract
	fs.StringVar(&pc.Provider, "provider", "", "the provider (required)")
	fs.StringVar(&pc.Version, "provider-app-version", "", "the provider version (default: detected from CI or git)")
	fs.StringVar(&pc.Version, "a", "", "short for --provider-app-version")
	fs.StringVar(&pc.Branch, "branch", "", "the provider version's branch (default: detected)")
	tags := fs.String("tag", "", "tags for the provider version, comma separated")
	fs.StringVar(&pc.ContentType, "content-type", "", "application/yaml or application/json (default: from FILE's extension)")
	success := fs.Bool("verification-success", false, "the provider's own test against the document passed")
	failure := fs.Bool("no-verification-success", false, "the provider's own test against the document failed")
	exitCode := fs.Int("verification-exit-code", -1, "the exit code of the provider's own test (0 passed), instead of the two flags above")
	fs.StringVar(&pc.Results, "verification-results", "", "a file with that test's output")
	fs.StringVar(&pc.ResultsContentType, "verification-results-content-type", "", "its content type, like text/plain")
	fs.StringVar(&pc.ResultsFormat, "verification-results-format", "", "its format, like text or junit")
	fs.StringVar(&pc.Verifier, "verifier", "", "the tool that ran the test, like \"go test\"")
	fs.StringVar(&pc.VerifierVersion, "verifier-version", "", "its version")
	return func(ctx context.Context, args []string) error {
		given := 0
		for _, b := range []bool{*success, *failure, *exitCode >= 0} {
			if b {
				given++
			}
		}
		switch {
		case len(args) != 1 || pc.Provider == "":
			return &usageError{msg: "publish-provider-contract needs FILE and --provider P"}
		case given != 1:
			return &usageError{msg: "say how the provider's own test went: --verification-success, --no-verification-success or --verification-exit-code N"}
		}
		pc.File = args[0]
		pc.SelfVerified = *success || *exitCode == 0
		if *tags != "" {
			pc.Tags = strings.Split(*tags, ",")
		}
		p, err := c.pipeline(false)
		if err != nil {
			return err
		}
		if pc.Version == "" {
			pc.Version = p.Build.Version
		}
		if pc.Branch == "" {
			pc.Branch = p.Build.Branch
		}
		if pc.Version == "" {
			return &usageError{msg: "no provider version: pass -a VERSION (none could be detected from CI or git)"}
		}
		return p.PublishProviderContract(ctx, pc)
	}
}
