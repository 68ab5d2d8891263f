package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// The official pact CLI publishes provider contracts (bi-directional
// contract testing) to the broker as the command runs it, the checker
// started by Run checks every consumer pact against them in the
// background, and can-i-deploy answers with the results.

// ordersOAS is the provider contract: two operations with closed response
// and request schemas.
const ordersOAS = `openapi: 3.0.3
info: {title: Orders, version: "1"}
paths:
  /orders/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: an order
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: integer}
                  total: {type: number}
        "404": {description: no such order}
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [items]
              properties:
                items: {type: array, items: {type: string}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
`

// ordersOASJSON is the same document as JSON, as --content-type
// application/json publishes it.
const ordersOASJSON = `{"openapi":"3.0.3","info":{"title":"Orders","version":"2"},"paths":{"/orders/{id}":{"get":{
"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
"responses":{"200":{"description":"an order","content":{"application/json":{"schema":{"type":"object","properties":{"id":{"type":"integer"},"total":{"type":"number"}}}}}}}}}}}`

// interaction is one HTTP interaction of a V3 pact.
func interaction(desc, method, path, reqBody string, status int, respBody string) string {
	req := fmt.Sprintf(`{"method":%q,"path":%q`, method, path)
	if reqBody != "" {
		req += `,"headers":{"Content-Type":"application/json"},"body":` + reqBody
	}
	resp := fmt.Sprintf(`{"status":%d`, status)
	if respBody != "" {
		resp += `,"headers":{"Content-Type":"application/json"},"body":` + respBody
	}
	return fmt.Sprintf(`{"description":%q,"request":%s},"response":%s}}`, desc, req, resp)
}

func writeOrdersPact(t *testing.T, dir, consumer string, interactions ...string) string {
	t.Helper()
	body := fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"orders"},"interactions":[`, consumer)
	for i, it := range interactions {
		if i > 0 {
			body += ","
		}
		body += it
	}
	body += `],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	require.True(t, json.Valid([]byte(body)), body)
	p := filepath.Join(dir, consumer+"-orders.json")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func pactCLI(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", ".tools", "bin", "pact")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the official pact CLI is missing at %s: run `make setup` (it installs pact 18.1.2): %v", p, err)
	}
	return p
}

// pact runs the official CLI against the broker at url.
func pact(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(pactCLI(t), append(args, "--broker-base-url", url)...)
	cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "PACT_BROKER_HTTP_RETRIES=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func startBroker(t *testing.T, db string) *Main {
	t.Helper()
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", db}, env(nil)))
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	return m
}

func TestProviderContractsWithTheOfficialCLI(t *testing.T) {
	dir := t.TempDir()
	m := startBroker(t, "sqlite://"+filepath.Join(dir, "b.sqlite3"))
	url := m.URL()

	getOrder := interaction("get order 1", "GET", "/orders/1", "", 200, `{"id":1,"total":9.5}`)
	consumers := map[string]string{
		"web":      writeOrdersPact(t, dir, "web", getOrder, interaction("create an order", "POST", "/orders", `{"items":["book"]}`, 201, `{"id":7}`)),
		"mobile":   writeOrdersPact(t, dir, "mobile", interaction("get order with currency", "GET", "/orders/1", "", 200, `{"id":1,"currency":"EUR"}`)),
		"admin":    writeOrdersPact(t, dir, "admin", interaction("list customers", "GET", "/customers", "", 200, `[]`)),
		"checkout": writeOrdersPact(t, dir, "checkout", interaction("create an order with one item", "POST", "/orders", `{"items":"book"}`, 201, `{"id":7}`)),
	}
	for _, file := range consumers {
		out, err := pact(t, url, "broker", "publish", file, "--consumer-app-version", "1", "--branch", "main")
		require.NoError(t, err, out)
	}
	oas := filepath.Join(dir, "openapi.yaml")
	require.NoError(t, os.WriteFile(oas, []byte(ordersOAS), 0o644))
	results := filepath.Join(dir, "results.txt")
	require.NoError(t, os.WriteFile(results, []byte("42 tests, 0 failures"), 0o644))

	out, err := pact(t, url, "pactflow", "publish-provider-contract", oas, "--provider", "orders", "--provider-app-version", "1", "--branch", "main",
		"--tag", "v1", "--content-type", "application/yaml", "--verification-success", "--verification-results", results,
		"--verification-results-content-type", "text/plain", "--verification-results-format", "text", "--verifier", "schemathesis", "--verifier-version", "3.0")
	require.NoError(t, err, out)
	assert.Contains(t, out, "Provider contract for orders version 1 published.")

	canIDeploy := func(consumer, providerVersion string) (string, error) {
		return pact(t, url, "broker", "can-i-deploy", "--pacticipant", consumer, "--version", "1", "--pacticipant", "orders", "--version", providerVersion,
			"--retry-while-unknown", "20", "--retry-interval", "0.2")
	}
	out, err = canIDeploy("web", "1")
	require.NoError(t, err, "a compatible consumer can deploy:\n%s", out)
	assert.Contains(t, out, "Computer says yes")

	for consumer, why := range map[string]string{
		"mobile":   `"get order with currency": response.body.$.currency`,
		"admin":    `"list customers": request.path`,
		"checkout": `"create an order with one item": request.body.$.items`,
	} {
		out, err := canIDeploy(consumer, "1")
		require.Error(t, err, "%s is incompatible:\n%s", consumer, out)
		assert.Contains(t, out, "Computer says no", consumer)
		assert.Contains(t, out, why, consumer)
	}

	// The resources the CLI's links and the UI lead to.
	var contract struct {
		SHA       string `json:"sha"`
		Content   string `json:"content"`
		SelfVerif struct {
			Success  bool
			Verifier string
		} `json:"selfVerificationResults"`
		Embedded struct {
			Compatibility []struct {
				Consumer string
				Success  bool
				Reasons  []string
			}
		} `json:"_embedded"`
	}
	getJSON(t, url+"/provider-contracts/provider/orders/version/1", &contract)
	assert.Equal(t, ordersOAS, contract.Content)
	assert.Equal(t, broker.ContractSHA([]byte(ordersOAS)), contract.SHA)
	assert.True(t, contract.SelfVerif.Success)
	assert.Equal(t, "schemathesis", contract.SelfVerif.Verifier)
	require.Len(t, contract.Embedded.Compatibility, 4)
	var self struct {
		Success bool
		Content string
	}
	getJSON(t, url+"/provider-contracts/provider/orders/version/1/self-verification", &self)
	assert.Equal(t, "42 tests, 0 failures", self.Content)

	// A JSON document whose self-verification failed: every result fails,
	// compatible or not, and says why.
	oasJSON := filepath.Join(dir, "openapi.json")
	require.NoError(t, os.WriteFile(oasJSON, []byte(ordersOASJSON), 0o644))
	out, err = pact(t, url, "pactflow", "publish-provider-contract", oasJSON, "--provider", "orders", "-a", "2", "--branch", "main",
		"--content-type", "application/json", "--no-verification-success", "--verifier", "dredd")
	require.NoError(t, err, out)
	assert.Contains(t, out, "self-verification failed")
	out, err = canIDeploy("web", "2")
	require.Error(t, err, out)
	assert.Contains(t, out, "self-verification against its contract failed")

	// A document that is not OpenAPI is refused and nothing is stored.
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: not an api\n"), 0o644))
	out, err = pact(t, url, "pactflow", "publish-provider-contract", bad, "--provider", "orders", "-a", "3", "--content-type", "application/yaml")
	require.Error(t, err, out)
	assert.Contains(t, out, "not an OpenAPI document")
	res, err := http.Get(url + "/provider-contracts/provider/orders/version/3")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/hal+json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", url, b)
	require.NoError(t, json.Unmarshal(b, v), "%s", b)
}

// TestContractCheckQueuedBeforeAStartIsMade: a broker that stopped between
// a publication and its check leaves the check in the database; the next
// broker makes it without any new publication waking it.
func TestContractCheckQueuedBeforeAStartIsMade(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite://" + filepath.Join(dir, "b.sqlite3")
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, db, nil)
	require.NoError(t, err)
	pactJSON, err := os.ReadFile(writeOrdersPact(t, dir, "web", interaction("get order 1", "GET", "/orders/1", "", 200, `{"id":1}`)))
	require.NoError(t, err)
	_, err = s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "web", Version: "1", Branch: "main",
		Contracts: []broker.Contract{{ConsumerName: "web", ProviderName: "orders", Content: pactJSON}}})
	require.NoError(t, err)
	_, err = s.PublishProviderContract(ctx, broker.ProviderContractRequest{Provider: "orders", Version: "1", Branch: "main",
		Specification: "oas", ContentType: "application/yaml", Content: []byte(ordersOAS), SelfVerification: &broker.SelfVerification{Success: true}})
	require.NoError(t, err)
	require.NoError(t, s.Close()) // the broker stops before checking

	m := startBroker(t, db)
	var contract struct {
		Embedded struct {
			Compatibility []struct {
				Consumer string
				Success  bool
			}
		} `json:"_embedded"`
	}
	pollUntil(t, "the restarted broker checks the queued contract", func() bool {
		getJSON(t, m.URL()+"/provider-contracts/provider/orders/latest", &contract)
		return len(contract.Embedded.Compatibility) == 1
	})
	assert.True(t, contract.Embedded.Compatibility[0].Success)
}

// TestIncompatibleFeatureBranchPactIsPending: an incompatible pact from a
// consumer's feature branch does not fail the provider's deployability
// until it has once been compatible with a contract from the provider's
// main branch; the consumer version itself is told no throughout.
func TestIncompatibleFeatureBranchPactIsPending(t *testing.T) {
	dir := t.TempDir()
	m := startBroker(t, "sqlite://"+filepath.Join(dir, "b.sqlite3"))
	url := m.URL()
	publish := func(version, branch, body string) {
		t.Helper()
		file := writeOrdersPact(t, t.TempDir(), "web", interaction("get order 1", "GET", "/orders/1", "", 200, body))
		out, err := pact(t, url, "broker", "publish", file, "--consumer-app-version", version, "--branch", branch)
		require.NoError(t, err, out)
	}
	contract := func(version, doc string) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "openapi.yaml")
		require.NoError(t, os.WriteFile(file, []byte(doc), 0o644))
		out, err := pact(t, url, "pactflow", "publish-provider-contract", file, "--provider", "orders", "-a", version, "--branch", "main",
			"--content-type", "application/yaml", "--verification-success", "--verifier", "test")
		require.NoError(t, err, out)
	}
	canIDeploy := func(args ...string) (string, error) {
		return pact(t, url, append([]string{"broker", "can-i-deploy", "--retry-while-unknown", "20", "--retry-interval", "0.2"}, args...)...)
	}
	publish("1", "main", `{"id":1}`)
	contract("1", ordersOAS)

	// web 2 on feat-x expects a field orders does not declare.
	publish("2", "feat-x", `{"id":1,"currency":"EUR"}`)
	out, err := canIDeploy("--pacticipant", "web", "--version", "2", "--pacticipant", "orders", "--version", "1")
	require.Error(t, err, "the consumer's own question: no\n%s", out)
	assert.Contains(t, out, "response.body.$.currency")
	out, err = canIDeploy("--pacticipant", "orders", "--version", "1")
	require.NoError(t, err, "a pending incompatible pact does not hold the provider back:\n%s", out)
	assert.Contains(t, out, "still pending")

	// web 3 on feat-y relies on total, which contract 1 declares: compatible
	// on main once, so no longer pending ...
	publish("3", "feat-y", `{"id":1,"total":2.5}`)
	out, err = canIDeploy("--pacticipant", "web", "--version", "3", "--pacticipant", "orders", "--version", "1")
	require.NoError(t, err, out)
	// ... and a main-branch contract that drops total now fails the provider.
	withoutTotal := strings.Replace(ordersOAS, "                  total: {type: number}\n", "", 1)
	require.NotEqual(t, ordersOAS, withoutTotal)
	contract("2", withoutTotal)
	out, err = canIDeploy("--pacticipant", "orders", "--version", "2")
	require.Error(t, err, "once compatible on main, an incompatibility counts:\n%s", out)
	assert.Contains(t, out, "response.body.$.total")
}
