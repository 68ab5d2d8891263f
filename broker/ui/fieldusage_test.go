package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// usersContract is users' provider contract: it declares a phone nobody reads and a DELETE
// nobody calls.
const usersContract = `{"openapi":"3.0.3","info":{"title":"users","version":"7"},"paths":{
 "/users":{"get":{"parameters":[{"name":"role","in":"query","schema":{"type":"string"}}],"responses":{"200":{"description":"users",
   "content":{"application/json":{"schema":{"type":"object","properties":{"users":{"type":"array","items":{"type":"object",
     "properties":{"id":{"type":"integer"},"name":{"type":"string"},"joined":{"type":"string"}}}}}}}}}}}},
 "/users/{id}":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
   "get":{"responses":{"200":{"description":"a user","content":{"application/json":{"schema":{"type":"object",
     "properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"},"phone":{"type":"string"}}}}}},
     "404":{"description":"no such user"}}},
   "delete":{"responses":{"204":{"description":"deleted"}}}}}}`

// seedFieldUsage gives users what its field-usage page shows: the route coverage its two
// verified versions published (as contracts.VerifyProvider does, through the API) and a
// provider contract.
func seedFieldUsage(t *testing.T, url string, store *sqlstore.Store) {
	t.Helper()
	put := func(version string, coverage map[string][]string) {
		body, err := json.Marshal(coverage)
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPut, url+"/pacticipants/users/versions/"+version+"/route-coverage", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
	}
	put("7.0.0", map[string][]string{
		"routes":     {"GET /users", "GET /users/{id}", "POST /users", "DELETE /users/{id}"},
		"covered":    {"GET /users/{id}"},
		"notCovered": {"GET /users", "POST /users", "DELETE /users/{id}"},
	})
	put("7.0.1", map[string][]string{
		"routes":     {"GET /healthz", "GET /users", "POST /users", "DELETE /users/{id}", "GET /users/{id}"},
		"covered":    {"GET /users", "GET /users/{id}"},
		"notCovered": {"GET /healthz", "POST /users", "DELETE /users/{id}"},
	})
	_, err := store.PublishProviderContract(context.Background(), broker.ProviderContractRequest{Provider: "users", Version: "7.0.2", Branch: "main",
		Specification: "oas", ContentType: "application/json", Content: []byte(usersContract),
		SelfVerification: &broker.SelfVerification{Success: true}})
	require.NoError(t, err)
}
