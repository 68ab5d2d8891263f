package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
)

// BenchmarkEdge measures what every request pays at the HTTP edge (auth,
// routing, the request-text check, error rendering) on requests whose
// handlers do little: the index, a pacticipant read, a branch name sent
// with an unencoded "/", and a path with no route.
func BenchmarkEdge(b *testing.B) {
	s := brokertest.NewStore(b, "sqlite")
	_, err := s.CreatePacticipant(context.Background(), "Bench", broker.PacticipantUpdate{})
	require.NoError(b, err)
	api := brokertest.API(s, httpapi.Config{BaseURL: "http://broker", Auth: httpedge.Auth{Username: "rw", Password: "pw"}})
	for _, c := range []struct {
		name, path string
		want       int
	}{
		{"index", "/", http.StatusOK},
		{"pacticipant", "/pacticipants/Bench", http.StatusOK},
		{"slashed branch", "/pacticipants/Bench/branches/feat/x/versions/1", http.StatusNotFound},
		{"no route", "/no/such/resource", http.StatusNotFound},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, c.path, nil)
				r.SetBasicAuth("rw", "pw")
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, r)
				if rec.Code != c.want {
					b.Fatalf("GET %s: %d %s", c.path, rec.Code, rec.Body)
				}
			}
		})
	}
}
