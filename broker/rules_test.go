package broker_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
)

func TestContentSHA(t *testing.T) {
	parse := func(s string) broker.PactDocument {
		d, err := broker.ParsePact([]byte(s))
		require.NoError(t, err)
		return d
	}
	a := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"x","b":1,"a":2},{"description":"y"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	b := parse(`{"provider":{"name":"B"},"consumer":{"name":"Other"},"interactions":[{"description":"y"},{"a":2,"b":1,"description":"x","_id":"zzz"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	c := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"y"}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	d := parse(`{"consumer":{"name":"A"},"provider":{"name":"B"},"interactions":[{"description":"x","b":1,"a":2},{"description":"y"}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	assert.Equal(t, a.ContentSHA(), b.ContentSHA(), "key order, interaction order, names and _ids do not matter")
	assert.NotEqual(t, a.ContentSHA(), c.ContentSHA())
	assert.NotEqual(t, a.ContentSHA(), d.ContentSHA(), "the specification version matters")
	assert.Len(t, a.ContentSHA(), 40)
	stored := parse(string(a.WithIDs()))
	assert.Equal(t, a.ContentSHA(), stored.ContentSHA())
	assert.True(t, strings.Contains(string(a.WithIDs()), `"_id":"`))
	_, err := broker.ParsePact([]byte(`[1]`))
	assert.Equal(t, broker.Invalid, broker.ErrorCode(err))
}

// TestUnavailable: failures to reach the database are Unavailable (a 503
// the clients retry), whatever driver reports them; statement errors are
// not.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name string
		err  error
		want broker.Code
	}{
		{"connection refused", fmt.Errorf("list pacticipants: %w", refused), broker.Unavailable},
		{"reset", fmt.Errorf("query: %w", syscall.ECONNRESET), broker.Unavailable},
		{"bad connection", fmt.Errorf("query: %w", driver.ErrBadConn), broker.Unavailable},
		{"admin shutdown", sqlState("57P01"), broker.Unavailable},
		{"connection failure", sqlState("08006"), broker.Unavailable},
		{"syntax error", sqlState("42601"), ""},
		{"unique violation", sqlState("23505"), ""},
		{"plain", errors.New("boom"), ""},
		{"domain error wins", broker.Errorf(broker.NotFound, "no"), broker.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, broker.ErrorCode(c.err)) })
	}
}

type sqlState string

func (s sqlState) Error() string    { return "SQLSTATE " + string(s) }
func (s sqlState) SQLState() string { return string(s) }
