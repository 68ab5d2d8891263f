package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// panickyPacticipants panics on every call, as a bug in a store would.
type panickyPacticipants struct{ broker.Pacticipants }

// TestAPanicIsA500WithAReference: a bug answers 500 with a reference that
// is logged with the stack, instead of dropping the connection (which the
// clients retry as a network failure, the pact CLI 8 times).
func TestAPanicIsA500WithAReference(t *testing.T) {
	var logs bytes.Buffer
	base := brokertest.ServeServices(t, httpapi.Services{Pacticipants: panickyPacticipants{}}, httpapi.Config{Log: newLogger(&logs)})
	resp, err := http.Get(base + "/pacticipants")
	require.NoError(t, err, "the connection must not be dropped")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	var body struct {
		Error struct {
			Reference string `json:"reference"`
		} `json:"error"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.NotEmpty(t, body.Error.Reference)
	assert.Contains(t, logs.String(), body.Error.Reference, "the reference leads to the log")
	assert.Contains(t, logs.String(), "panic", "the log says what happened")
}
