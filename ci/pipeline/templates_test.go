package pipeline

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// commands returns every shell command in a workflow (GitHub "run",
// GitLab "script") in document order.
func commands(node any) []string {
	var out []string
	switch n := node.(type) {
	case map[string]any:
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			switch v := n[k].(type) {
			case string:
				if k == "run" {
					out = append(out, v)
				}
			case []any:
				if k == "script" {
					for _, s := range v {
						out = append(out, s.(string))
					}
					continue
				}
				out = append(out, commands(v)...)
			default:
				out = append(out, commands(v)...)
			}
		}
	case []any:
		for _, v := range n {
			out = append(out, commands(v)...)
		}
	}
	return out
}

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(b, &doc), "%s must be valid YAML", path)
	return doc
}

// templates are the CI templates a team copies into its own repository.
var templates = []string{
	"../templates/github/consumer.yml",
	"../templates/github/provider.yml",
	"../templates/github/contract-requiring-verification.yml",
	"../templates/gitlab/consumer.gitlab-ci.yml",
	"../templates/gitlab/provider.gitlab-ci.yml",
}

// TestTemplatesUseOnlyGoAndAccord: a team's repository has no Makefile of
// ours, so the templates run go, accord and nothing else of the pipeline's.
func TestTemplatesUseOnlyGoAndAccord(t *testing.T) {
	all, _ := filepath.Glob("../templates/*/*.yml")
	assert.ElementsMatch(t, templates, all, "every template is checked here")
	allowed := regexp.MustCompile(`^(go (install|test) |accord |sudo "\$\(go env GOPATH\)/bin/accord" setup$|echo "deploy )`)
	for _, path := range templates {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cmds := commands(loadYAML(t, path))
			require.NotEmpty(t, cmds)
			for _, c := range cmds {
				assert.Regexp(t, allowed, c, "%s runs %q", path, c)
				assert.NotContains(t, c, "make ", "%s needs a Makefile of ours", path)
				assert.NotContains(t, c, "pact ", "%s needs the pact CLI", path)
			}
		})
	}
}

// inOrder asserts that each of the commands appears after the one before.
func inOrder(t *testing.T, text string, cmds ...string) {
	t.Helper()
	last := -1
	for _, c := range cmds {
		i := strings.Index(text, c)
		require.GreaterOrEqual(t, i, 0, "%q is missing from:\n%s", c, text)
		assert.Greater(t, i, last, "%q comes after %q", c, cmds)
		last = i
	}
}

func TestGitHubPipelinesRunStagesInOrder(t *testing.T) {
	for _, name := range []string{"consumer.yml", "provider.yml"} {
		t.Run(name, func(t *testing.T) {
			doc := loadYAML(t, "../templates/github/"+name)
			jobs := doc["jobs"].(map[string]any)
			assert.Equal(t, "test", jobs["can-i-deploy"].(map[string]any)["needs"])
			assert.Equal(t, "can-i-deploy", jobs["deploy"].(map[string]any)["needs"])
			deploy := strings.Join(commands(jobs["deploy"]), "\n")
			inOrder(t, deploy, "deploy ", "accord record-deployment --pacticipant \"$PACTICIPANT\" --environment production")
			assert.Contains(t, strings.Join(commands(jobs["can-i-deploy"]), "\n"), "accord can-i-deploy --pacticipant \"$PACTICIPANT\" --to-environment production")
			env := doc["env"].(map[string]any)
			for _, v := range []string{"PACT_BROKER_BASE_URL", "PACT_BROKER_TOKEN", "GIT_BRANCH", "PACTICIPANT"} {
				assert.Contains(t, env, v)
			}
		})
	}
	consumer := strings.Join(commands(loadYAML(t, "../templates/github/consumer.yml")["jobs"].(map[string]any)["test"]), "\n")
	inOrder(t, consumer, "accord\" setup", "go test ./...", "accord publish")
	provider := strings.Join(commands(loadYAML(t, "../templates/github/provider.yml")["jobs"].(map[string]any)["test"]), "\n")
	inOrder(t, provider, "accord\" setup", "go test -skip '^TestProvider' ./...", "accord verify")
}

func TestWebhookTriggeredWorkflowVerifiesTheChangedPact(t *testing.T) {
	doc := loadYAML(t, "../templates/github/contract-requiring-verification.yml")
	on := doc["on"].(map[string]any)["repository_dispatch"].(map[string]any)
	assert.Equal(t, []any{"contract_requiring_verification_published"}, on["types"])
	env := doc["env"].(map[string]any)
	assert.Contains(t, env["PACT_URL"], "client_payload.pact_url")
	assert.Contains(t, strings.Join(commands(doc), "\n"), `accord verify --pact-url "$PACT_URL"`)
}

func TestGitLabStagesInOrder(t *testing.T) {
	consumer := loadYAML(t, "../templates/gitlab/consumer.gitlab-ci.yml")
	assert.Equal(t, []any{"test", "publish", "can-i-deploy", "deploy", "record-deployment"}, consumer["stages"])
	provider := loadYAML(t, "../templates/gitlab/provider.gitlab-ci.yml")
	assert.Equal(t, []any{"test", "can-i-deploy", "deploy", "record-deployment"}, provider["stages"])
	for _, doc := range []map[string]any{consumer, provider} {
		for _, job := range []string{"test", "can-i-deploy", "deploy", "record-deployment"} {
			assert.Equal(t, job, doc[job].(map[string]any)["stage"])
		}
		test := doc["test"].(map[string]any)
		assert.NotNil(t, test["services"], "testcontainers needs a Docker engine (dind)")
		assert.Equal(t, "tcp://docker:2375", test["variables"].(map[string]any)["DOCKER_HOST"])
	}
	for _, job := range []string{"test", "can-i-deploy", "deploy", "record-deployment"} {
		rules := provider[job].(map[string]any)["rules"].([]any)
		assert.Equal(t, map[string]any{"if": "$PACT_URL", "when": "never"}, rules[0],
			"%s does not run in a webhook-triggered pipeline", job)
	}
	inOrder(t, strings.Join(commands(provider["test"]), "\n"), "accord setup", "go test -skip", "accord verify")
	assert.Equal(t, []any{map[string]any{"if": "$PACT_URL"}}, provider["verify-changed-pact"].(map[string]any)["rules"])
	assert.Contains(t, strings.Join(commands(provider["verify-changed-pact"]), "\n"), `accord verify --pact-url "$PACT_URL"`)
}
