package loadgen_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
)

// The load harness at a tiny scale, for a couple of seconds: every kind of
// request of the mix is sent and answered without an error, and the report
// has figures for each (so the harness cannot rot between make bench runs).
func TestDriveSmoke(t *testing.T) {
	sc := matrix.Scale{Pacticipants: 30, Versions: 900, Verifications: 3000, ProvidersEach: 3, Seed: 1}
	s := open(t, "sqlite")
	_, err := loadgen.Load(t.Context(), s, matrix.Synthetic(sc))
	require.NoError(t, err)
	base := brokertest.Serve(t, s, httpapi.Config{})
	mix, err := loadgen.ParseMix("can-i-deploy=3,for-verification,publish,verification,get-pact,matrix")
	require.NoError(t, err)
	d := loadgen.Driver{BaseURL: base, Scale: sc, Clients: 4, Duration: 2 * time.Second, MaxRequests: 2000, Mix: mix, Questions: 50, Seed: 1,
		PrimeProviders: true}
	n, err := d.Prime(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 50+23, n, "each question once and each provider (apps 7 to 29) once")
	rep, err := d.Run(t.Context())
	require.NoError(t, err)
	t.Log("\n" + rep.Table())
	for _, k := range loadgen.Kinds {
		st := rep.Get(k)
		assert.Positive(t, st.N, "%s was sent", k)
		assert.Zero(t, st.Errors, "%s errors; first: %s", k, st.FirstError)
		assert.LessOrEqual(t, st.P50, st.Max, k)
	}
	assert.LessOrEqual(t, len(strings.Split(strings.TrimSpace(rep.Table()), "\n")), 2+len(loadgen.Kinds))
}

func TestParseMix(t *testing.T) {
	mix, err := loadgen.ParseMix("can-i-deploy=6, publish")
	require.NoError(t, err)
	assert.Equal(t, map[loadgen.Kind]int{loadgen.CanIDeploy: 6, loadgen.Publish: 1}, mix)
	_, err = loadgen.ParseMix("deploy")
	assert.ErrorContains(t, err, `unknown request kind "deploy"`)
	_, err = loadgen.ParseMix("publish=x")
	assert.ErrorContains(t, err, "weight of publish")
}
