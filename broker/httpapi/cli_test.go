package httpapi_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/storetest"
)

// cli runs `pact broker <args>` against url and returns its output.
func cli(t *testing.T, url string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(pactCLI(t), append([]string{"broker"}, append(args, "--broker-base-url", url)...)...)
	cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "PACT_BROKER_HTTP_RETRIES=1")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writePact(t *testing.T, dir, consumer, provider string, descriptions ...string) string {
	t.Helper()
	p := filepath.Join(dir, consumer+"-"+provider+".json")
	require.NoError(t, os.WriteFile(p, storetest.PactJSON(consumer, provider, descriptions...), 0o644))
	return p
}

func TestPactCLI(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			store := brokertest.NewStore(t, backend)
			url := brokertest.Serve(t, store, httpapi.Config{})
			dir := t.TempDir()
			consumer, provider := "Web App", "User Service.v2"

			t.Run("publish", func(t *testing.T) {
				out, err := cli(t, url, nil, "publish", writePact(t, dir, consumer, provider, "get user"),
					"--consumer-app-version", "1.0.0", "--branch", "feat/login", "--tag", "dev")
				require.NoError(t, err, out)
				assert.Contains(t, out, "Pact successfully published for Web App version 1.0.0 and provider User Service.v2.")
				p, err := store.GetPact(ctx, broker.PactRef{Consumer: consumer, Provider: provider, Branch: "feat/login"})
				require.NoError(t, err)
				assert.Equal(t, "1.0.0", p.ConsumerVersion)

				out, err = cli(t, url, nil, "publish", writePact(t, dir, consumer, provider, "changed"), "--consumer-app-version", "1.0.0", "--branch", "feat/login")
				require.Error(t, err, "changing published content must fail the CLI")
				assert.Contains(t, out, "Cannot change the content of the pact for Web App version 1.0.0")
			})
			t.Run("describe-version", func(t *testing.T) {
				out, err := cli(t, url, nil, "describe-version", "--pacticipant", consumer, "--version", "1.0.0")
				require.NoError(t, err, out)
				assert.Contains(t, out, "1.0.0")
				assert.Contains(t, out, "dev")
				out, err = cli(t, url, nil, "describe-version", "--pacticipant", consumer, "--latest", "dev")
				require.NoError(t, err, out)
				assert.Contains(t, out, "1.0.0")
				out, err = cli(t, url, nil, "describe-version", "--pacticipant", consumer, "--version", "9.9.9")
				require.Error(t, err, out)
			})
			t.Run("list-latest-pact-versions", func(t *testing.T) {
				out, err := cli(t, url, nil, "list-latest-pact-versions", "--output", "json")
				require.NoError(t, err, out)
				var body struct {
					Pacts []struct {
						Embedded struct {
							Consumer struct {
								Name     string
								Embedded struct{ Version struct{ Number string } } `json:"_embedded"`
							}
							Provider struct{ Name string }
						} `json:"_embedded"`
					}
				}
				require.NoError(t, json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &body), out)
				require.Len(t, body.Pacts, 1)
				assert.Equal(t, consumer, body.Pacts[0].Embedded.Consumer.Name)
				assert.Equal(t, "1.0.0", body.Pacts[0].Embedded.Consumer.Embedded.Version.Number)
				assert.Equal(t, provider, body.Pacts[0].Embedded.Provider.Name)
				out, err = cli(t, url, nil, "list-latest-pact-versions")
				require.NoError(t, err, out)
				assert.Contains(t, out, "Web App")
			})
			t.Run("create-or-update-pacticipant", func(t *testing.T) {
				out, err := cli(t, url, nil, "create-or-update-pacticipant", "--name", "Billing Ünit", "--main-branch", "trunk", "--repository-url", "https://git.example/billing")
				require.NoError(t, err, out)
				p, err := store.GetPacticipant(ctx, "Billing Ünit")
				require.NoError(t, err)
				assert.Equal(t, "trunk", p.MainBranch)
				out, err = cli(t, url, nil, "create-or-update-pacticipant", "--name", provider, "--main-branch", "main")
				require.NoError(t, err, out)
				p, err = store.GetPacticipant(ctx, provider)
				require.NoError(t, err)
				assert.Equal(t, "main", p.MainBranch)
			})
			t.Run("create-version-tag", func(t *testing.T) {
				out, err := cli(t, url, nil, "create-version-tag", "--pacticipant", consumer, "--version", "1.0.0", "--tag", "prod", "eu/west")
				require.NoError(t, err, out)
				assert.NotContains(t, out, "Failed")
				v, err := store.GetVersion(ctx, consumer, "1.0.0")
				require.NoError(t, err)
				var tags []string
				for _, tg := range v.Tags {
					tags = append(tags, tg.Name)
				}
				assert.ElementsMatch(t, []string{"dev", "prod", "eu/west"}, tags)
			})
			t.Run("get-pacts", func(t *testing.T) {
				out, err := cli(t, url, nil, "publish", writePact(t, dir, consumer, provider, "get user", "list users"), "--consumer-app-version", "2.0.0", "--branch", "main")
				require.NoError(t, err, out)
				out, err = cli(t, url, nil, "get-pacts", "--provider", provider, "--branch", "main", "--latest")
				require.NoError(t, err, out)
				assert.Contains(t, out, "Pact between Web App (2.0.0) and User Service.v2")
				out, err = cli(t, url, nil, "get-pacts", "--provider", provider)
				require.NoError(t, err, out)
				assert.Contains(t, out, "2.0.0", "without --branch the consumers' main branches are used")
				assert.NotContains(t, out, "1.0.0")
				out, err = cli(t, url, nil, "get-pacts", "--provider", provider, "--branch", "feat/login", "--latest")
				require.NoError(t, err, out)
				assert.Contains(t, out, "Pact between Web App (1.0.0) and User Service.v2", "a branch with a slash works although the CLI does not encode it")
			})
		})
	}
}

func TestPactCLIAuth(t *testing.T) {
	store := brokertest.NewStore(t, "sqlite")
	url := brokertest.Serve(t, store, httpapi.Config{Auth: httpedge.Auth{Username: "rw", Password: "secret", ReadOnlyUsername: "ro", ReadOnlyPassword: "ro-secret", Token: "tok"}})
	pact := writePact(t, t.TempDir(), "Foo", "Bar", "a")

	out, err := cli(t, url, nil, "publish", pact, "--consumer-app-version", "1", "--branch", "main")
	require.Error(t, err, "anonymous publish must be refused")
	assert.Contains(t, out, "authentication required")
	out, err = cli(t, url, []string{"PACT_BROKER_USERNAME=ro", "PACT_BROKER_PASSWORD=ro-secret"}, "publish", pact, "--consumer-app-version", "1", "--branch", "main")
	require.Error(t, err, "the read-only user may not publish")
	assert.Contains(t, out, "read-only user may not")
	out, err = cli(t, url, []string{"PACT_BROKER_USERNAME=rw", "PACT_BROKER_PASSWORD=secret"}, "publish", pact, "--consumer-app-version", "1", "--branch", "main")
	require.NoError(t, err, out)
	out, err = cli(t, url, []string{"PACT_BROKER_TOKEN=tok"}, "publish", pact, "--consumer-app-version", "2", "--branch", "main")
	require.NoError(t, err, out)
	out, err = cli(t, url, []string{"PACT_BROKER_USERNAME=ro", "PACT_BROKER_PASSWORD=ro-secret"}, "describe-version", "--pacticipant", "Foo", "--version", "2")
	require.NoError(t, err, out)
	assert.Contains(t, out, "2")
}
