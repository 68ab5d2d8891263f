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

// makeTargets lists the targets the repository's Makefile defines.
func makeTargets(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(b), -1) {
		targets = append(targets, m[1])
	}
	return targets
}

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

func TestTemplatesParseAndUseTargetsThatExist(t *testing.T) {
	targets := makeTargets(t)
	paths, _ := filepath.Glob("../templates/github/*.yml")
	paths = append(paths, "../templates/gitlab/.gitlab-ci.yml")
	require.Len(t, paths, 4, "three GitHub workflows and one GitLab pipeline")
	makeCall := regexp.MustCompile(`\bmake ([a-z][a-z0-9-]*)`)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc := loadYAML(t, path)
			cmds := commands(doc)
			require.NotEmpty(t, cmds)
			used := 0
			for _, c := range cmds {
				for _, m := range makeCall.FindAllStringSubmatch(c, -1) {
					used++
					assert.Contains(t, targets, m[1], "%s runs `make %s`, which the Makefile does not define", path, m[1])
				}
			}
			assert.NotZero(t, used, "the template drives the pipeline through make targets")
		})
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
			assert.Less(t, strings.Index(deploy, "deploy "), strings.Index(deploy, "make record-deployment"),
				"the deployment is recorded after it happens")
			env := doc["env"].(map[string]any)
			for _, v := range []string{"PACT_BROKER_BASE_URL", "PACT_BROKER_TOKEN", "GIT_COMMIT", "GIT_BRANCH", "PACTICIPANT"} {
				assert.Contains(t, env, v)
			}
		})
	}
	consumer := strings.Join(commands(loadYAML(t, "../templates/github/consumer.yml")["jobs"].(map[string]any)["test"]), "\n")
	assert.Less(t, strings.Index(consumer, "make test"), strings.Index(consumer, "make publish"), "pacts are published after the tests wrote them")
}

func TestWebhookTriggeredWorkflowVerifiesTheChangedPact(t *testing.T) {
	doc := loadYAML(t, "../templates/github/contract-requiring-verification.yml")
	on := doc["on"].(map[string]any)["repository_dispatch"].(map[string]any)
	assert.Equal(t, []any{"contract_requiring_verification_published"}, on["types"])
	env := doc["env"].(map[string]any)
	assert.Contains(t, env["PACT_URL"], "client_payload.pact_url")
	assert.Contains(t, strings.Join(commands(doc), "\n"), "make verify-pact")
}

func TestGitLabStagesInOrder(t *testing.T) {
	doc := loadYAML(t, "../templates/gitlab/.gitlab-ci.yml")
	assert.Equal(t, []any{"test", "publish", "can-i-deploy", "deploy", "record-deployment"}, doc["stages"])
	for _, job := range []string{"test", "publish", "can-i-deploy", "deploy", "record-deployment"} {
		j := doc[job].(map[string]any)
		assert.Equal(t, job, j["stage"])
		rules := j["rules"].([]any)
		assert.Equal(t, map[string]any{"if": "$PACT_URL", "when": "never"}, rules[0],
			"%s does not run in a webhook-triggered pipeline", job)
		if job != "deploy" {
			assert.Contains(t, strings.Join(commands(j), "\n"), "make ", job)
		}
	}
	assert.Equal(t, "make setup", doc["publish"].(map[string]any)["script"].([]any)[0], "publish needs the pact CLI that setup installs")
	assert.NotNil(t, doc["default"].(map[string]any)["services"], "testcontainers needs a Docker engine (dind)")
}
