package pipeline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// pactNames is what publishing reads of a pact file.
type pactNames struct {
	Consumer struct {
		Name string `json:"name"`
	} `json:"consumer"`
	Provider struct {
		Name string `json:"name"`
	} `json:"provider"`
}

// readPacts reads every pact file in dir, by file name.
func readPacts(dir string) (files []string, names []pactNames, contents [][]byte, err error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, nil, fmt.Errorf("no folder %s: run the consumer tests first (go test -run '^TestConsumer' ./...), they write the pacts there", dir)
	}
	files, _ = filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	if len(files) == 0 {
		return nil, nil, nil, fmt.Errorf("no pact files in %s: run the consumer tests first (go test -run '^TestConsumer' ./...), they write the pacts there", dir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, nil, err
		}
		var n pactNames
		if err := json.Unmarshal(b, &n); err != nil || n.Consumer.Name == "" || n.Provider.Name == "" {
			why := "it names no consumer and provider"
			if err != nil {
				why = err.Error()
			}
			return nil, nil, nil, fmt.Errorf("%s is not a pact file (%s): delete it and run the consumer tests again", f, why)
		}
		names = append(names, n)
		contents = append(contents, b)
	}
	return files, names, contents, nil
}

// Publish publishes every pact in dir as this build's version of its
// consumer, through the broker's pb:publish-contracts relation (one request
// per consumer and provider, as pact-broker-cli sends).
func (p *Pipeline) Publish(ctx context.Context, dir string) error {
	if err := p.needBroker("publish"); err != nil {
		return err
	}
	files, names, contents, err := readPacts(dir)
	if err != nil {
		return &StageError{Stage: "publish", Err: err}
	}
	if p.Build.Version == "" {
		return &StageError{Stage: "publish", Err: errors.New("no version"), Hint: "pass --consumer-app-version, or run inside a git checkout"}
	}
	href, err := p.Broker.relation(ctx, "pb:publish-contracts", nil)
	if err != nil {
		return &StageError{Stage: "publish", Err: err}
	}
	fmt.Fprintf(p.Stdout, "publishing %d pact(s) from %s as version %s (branch %q)\n", len(files), dir, DescribeVersion(p.Build.Version), p.Build.Branch)
	seen := map[[2]string]string{}
	for i, n := range names {
		pair := [2]string{n.Consumer.Name, n.Provider.Name}
		if other, dup := seen[pair]; dup {
			return &StageError{Stage: "publish", Err: fmt.Errorf("%s and %s are both the pact of %s with %s", other, files[i], pair[0], pair[1]),
				Hint: "delete the stale one and run the consumer tests again"}
		}
		seen[pair] = files[i]
		body := map[string]any{
			"pacticipantName":          n.Consumer.Name,
			"pacticipantVersionNumber": p.Build.Version,
			"contracts": []map[string]any{{
				"consumerName":  n.Consumer.Name,
				"providerName":  n.Provider.Name,
				"specification": "pact",
				"contentType":   "application/json",
				"content":       base64.StdEncoding.EncodeToString(contents[i]),
				"onConflict":    "overwrite",
			}},
		}
		if p.Build.Branch != "" {
			body["branch"] = p.Build.Branch
		}
		if p.Build.URL != "" {
			body["buildUrl"] = p.Build.URL
		}
		var out struct {
			Notices []struct {
				Type, Text string
			} `json:"notices"`
		}
		if err := p.Broker.post(ctx, href, body, &out); err != nil {
			return &StageError{Stage: "publish " + filepath.Base(files[i]), Err: err}
		}
		fmt.Fprintf(p.Stdout, "  %s -> %s: published\n", n.Consumer.Name, n.Provider.Name)
		for _, n := range out.Notices {
			if n.Type != "debug" {
				fmt.Fprintf(p.Stdout, "    %s\n", n.Text)
			}
		}
	}
	return nil
}
