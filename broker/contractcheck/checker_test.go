package contractcheck_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "broker.sqlite3"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), pg.Database(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

const ordersYAML = `openapi: 3.0.3
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
`

// httpPact is a V3 pact with one GET /orders/1 expecting body.
func httpPact(consumer, body string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"orders"},"interactions":[{"description":"get order 1","request":{"method":"GET","path":"/orders/1"},
"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":%s}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, consumer, body))
}

func publishPact(t *testing.T, s *sqlstore.Store, consumer, version, branch string, pact []byte) broker.PublishResult {
	t.Helper()
	res, err := s.PublishContracts(context.Background(), broker.PublishRequest{Pacticipant: consumer, Version: version, Branch: branch,
		Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: "orders", Content: pact}}})
	require.NoError(t, err)
	return res
}

func publishContract(t *testing.T, s *sqlstore.Store, version string, self *broker.SelfVerification) broker.ProviderContract {
	t.Helper()
	c, err := s.PublishProviderContract(context.Background(), broker.ProviderContractRequest{Provider: "orders", Version: version, Branch: "main",
		Specification: "oas", ContentType: "application/yaml", Content: []byte(ordersYAML), SelfVerification: self})
	require.NoError(t, err)
	return c
}

// countingStore counts the pacts the checker reads, which it does only to
// check them.
type countingStore struct {
	*sqlstore.Store
	reads atomic.Int32
}

func (c *countingStore) GetPact(ctx context.Context, ref broker.PactRef) (broker.Pact, error) {
	c.reads.Add(1)
	return c.Store.GetPact(ctx, ref)
}

func runAll(t *testing.T, c *contractcheck.Checker) {
	t.Helper()
	for {
		n, err := c.RunOnce(context.Background())
		require.NoError(t, err)
		if n == 0 {
			return
		}
	}
}

func latest(t *testing.T, s *sqlstore.Store, consumer, sha string) (broker.Verification, contractcheck.TestResults) {
	t.Helper()
	v, err := s.LatestVerification(context.Background(), consumer, "orders", sha)
	require.NoError(t, err, "no verification of %s's pact", consumer)
	var tr contractcheck.TestResults
	require.NoError(t, json.Unmarshal(v.TestResults, &tr))
	require.JSONEq(t, string(broker.ContractCheckedBy), string(v.VerifiedBy))
	return v, tr
}

func TestContractChecks(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlstore.Store{"SQLite": newSQLite, "Postgres": newPostgres} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			cs := &countingStore{Store: s}
			chk := contractcheck.New(cs, nil)
			web := publishPact(t, s, "web", "1", "main", httpPact("web", `{"id":1,"total":9.5}`)).Pacts[0].Pact
			mobile := publishPact(t, s, "mobile", "1", "main", httpPact("mobile", `{"id":1,"currency":"EUR"}`)).Pacts[0].Pact

			publishContract(t, s, "1", &broker.SelfVerification{Success: true, Verifier: "schemathesis"})
			runAll(t, chk)
			v, tr := latest(t, s, "web", web.SHA)
			require.True(t, v.Success, tr.Summary)
			require.Equal(t, "1", v.ProviderVersion)
			v, tr = latest(t, s, "mobile", mobile.SHA)
			require.False(t, v.Success)
			require.Len(t, tr.Reasons, 1)
			require.Contains(t, tr.Reasons[0], `"get order 1": response.body.$.currency:`)
			checks, err := s.ContractCheckResults(context.Background(), "orders", "1")
			require.NoError(t, err)
			require.Len(t, checks, 2)
			require.Equal(t, "mobile", checks[0].Consumer)
			require.False(t, checks[0].Success)
			facts := s.MatrixFacts()
			mv, err := facts.Verifications(context.Background(), matrix.VerificationQuery{Contents: []matrix.Content{{Consumer: "mobile", Provider: "orders", SHA: mobile.SHA}}})
			require.NoError(t, err)
			require.Len(t, mv, 1)
			require.Contains(t, mv[0].Summary, `provider contract check: "get order 1": response.body.$.currency`)
			require.EqualValues(t, 2, cs.reads.Load(), "each pact read once to be checked")

			// The same contract for a new provider version: results copied, nothing re-checked.
			publishContract(t, s, "2", &broker.SelfVerification{Success: true, Verifier: "schemathesis"})
			runAll(t, chk)
			v, _ = latest(t, s, "web", web.SHA)
			require.Equal(t, "2", v.ProviderVersion)
			require.True(t, v.Success)
			require.EqualValues(t, 2, cs.reads.Load(), "equal content is not checked again")

			// A new pact from one consumer: only it is checked.
			web2 := publishPact(t, s, "web", "2", "main", httpPact("web", `{"id":1,"note":"x"}`)).Pacts[0].Pact
			runAll(t, chk)
			require.EqualValues(t, 3, cs.reads.Load(), "only the changed pact is checked")
			v, tr = latest(t, s, "web", web2.SHA)
			require.False(t, v.Success)
			require.Contains(t, strings.Join(tr.Reasons, "\n"), "response.body.$.note")

			// Republishing a consumer version changes nothing.
			publishPact(t, s, "web", "2", "main", httpPact("web", `{"id":1,"note":"x"}`))
			runAll(t, chk)
			require.EqualValues(t, 3, cs.reads.Load())

			// Republishing the provider's contract unchanged changes nothing.
			publishContract(t, s, "2", &broker.SelfVerification{Success: true, Verifier: "schemathesis"})
			runAll(t, chk)
			require.EqualValues(t, 3, cs.reads.Load(), "an unchanged contract is not checked again")

			// A changed contract (it now declares note): each selected pact
			// (each consumer's newest: web 2 and mobile 1) is checked once.
			changed := strings.Replace(ordersYAML, "total: {type: number}", "total: {type: number}\n                  note: {type: string}", 1)
			require.NotEqual(t, ordersYAML, changed)
			for range 2 {
				_, err := s.PublishProviderContract(context.Background(), broker.ProviderContractRequest{Provider: "orders", Version: "3", Branch: "main",
					Specification: "oas", ContentType: "application/yaml", Content: []byte(changed), SelfVerification: &broker.SelfVerification{Success: true}})
				require.NoError(t, err)
				runAll(t, chk)
				require.EqualValues(t, 5, cs.reads.Load(), "the changed contract is checked against both pacts, and once only")
			}
			v, _ = latest(t, s, "web", web2.SHA)
			require.Equal(t, "3", v.ProviderVersion)
			require.True(t, v.Success, "web 2's note is declared now")
		})
	}
}

func TestFailedSelfVerificationFailsEveryResult(t *testing.T) {
	s := newSQLite(t)
	web := publishPact(t, s, "web", "1", "main", httpPact("web", `{"id":1}`)).Pacts[0].Pact
	publishContract(t, s, "1", &broker.SelfVerification{Success: false, Verifier: "dredd"})
	runAll(t, contractcheck.New(s, nil))
	v, tr := latest(t, s, "web", web.SHA)
	require.False(t, v.Success)
	require.Equal(t, "compatible", string(tr.Compatibility.Status))
	require.Contains(t, tr.Summary, "self-verification")
}

func TestNoSelfVerificationIsSaid(t *testing.T) {
	s := newSQLite(t)
	web := publishPact(t, s, "web", "1", "main", httpPact("web", `{"id":1}`)).Pacts[0].Pact
	publishContract(t, s, "1", nil)
	runAll(t, contractcheck.New(s, nil))
	v, tr := latest(t, s, "web", web.SHA)
	require.True(t, v.Success)
	require.Contains(t, tr.Summary, "reported no self-verification")
}

// A broker that stops between the publication and the check loses nothing:
// the check waits in the database for the next broker (SQLite and
// PostgreSQL).
func TestRestartBetweenPublishAndCheck(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"SQLite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3") },
		"Postgres": func(t *testing.T) string { return pg.Database(t) },
	} {
		t.Run(name, func(t *testing.T) { testRestartBetweenPublishAndCheck(t, url(t)) })
	}
}

func testRestartBetweenPublishAndCheck(t *testing.T, path string) {
	s1, err := sqlstore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	web := publishPact(t, s1, "web", "1", "main", httpPact("web", `{"id":1}`)).Pacts[0].Pact
	publishContract(t, s1, "1", &broker.SelfVerification{Success: true})
	// A checker claims the check and dies before recording anything.
	claimed, err := s1.ClaimContractChecks(context.Background(), "dead-broker", 0, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	require.NoError(t, s1.Close())

	s2, err := sqlstore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s2.Close() })
	runAll(t, contractcheck.New(s2, nil))
	v, _ := latest(t, s2, "web", web.SHA)
	require.True(t, v.Success)

	// The dead checker's late result is refused: its lease was taken over.
	held, err := s2.FinishContractCheck(context.Background(), "dead-broker", claimed[0], nil)
	require.NoError(t, err)
	require.False(t, held)
}

// TestReplayDecides: a provider that runs some pacts and is checked against
// its contract for others (the demo's orders: notifier's message pact run,
// gateway's HTTP pact checked). A pact its version already verified by
// running it is not checked: the check of a message pact cannot be made,
// and recorded after the replay it would have replaced a pass by a failure
// in the matrix. Pacts it did not run are checked as usual.
func TestReplayDecides(t *testing.T) {
	s := newSQLite(t)
	ctx := context.Background()
	web := publishPact(t, s, "web", "1", "main", httpPact("web", `{"id":1}`)).Pacts[0].Pact
	notifier := publishPact(t, s, "notifier", "1", "main", []byte(`{"consumer":{"name":"notifier"},"provider":{"name":"orders"},
"messages":[{"description":"an order placed","contents":{"id":1}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)).Pacts[0].Pact
	_, err := s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "notifier", Provider: "orders", SHA: notifier.SHA, ProviderVersion: "1", Success: true})
	require.NoError(t, err)

	publishContract(t, s, "1", &broker.SelfVerification{Success: true})
	runAll(t, contractcheck.New(s, nil))
	v, err := s.LatestVerification(ctx, "notifier", "orders", notifier.SHA)
	require.NoError(t, err)
	require.True(t, v.Success, "the replay still decides")
	require.NotContains(t, string(v.VerifiedBy), "provider contract check")
	w, tr := latest(t, s, "web", web.SHA)
	require.True(t, w.Success, tr.Summary)

	// Another provider version that did not run it: the check is made,
	// and says the message cannot be checked.
	publishContract(t, s, "2", &broker.SelfVerification{Success: true})
	runAll(t, contractcheck.New(s, nil))
	v, tr = latest(t, s, "notifier", notifier.SHA)
	require.Equal(t, "2", v.ProviderVersion)
	require.False(t, v.Success)
	require.Contains(t, tr.Summary, "cannot be checked")
}
