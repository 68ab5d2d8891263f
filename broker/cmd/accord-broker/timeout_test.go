package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStalledConnectionsAreClosed: a client that stops sending a body, or
// keeps a connection open without using it, does not hold the connection
// (and its goroutine) for ever. Short timeouts stand in for the defaults.
func TestStalledConnectionsAreClosed(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")}, env(nil)))
	m.ReadTimeout, m.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	require.NoError(t, m.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Close(ctx)
	})
	addr := strings.TrimPrefix(m.URL(), "http://")

	// closedWithin reads until the server closes the connection; the
	// deadline fails the test if it never does.
	closedWithin := func(t *testing.T, c net.Conn, r *bufio.Reader) {
		t.Helper()
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err := io.Copy(io.Discard, r) // nil at EOF: the server closed it
		assert.False(t, isTimeout(err), "the server kept the stalled connection open")
	}

	t.Run("body never sent", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		_, err = io.WriteString(c, "POST /pacticipants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		require.NoError(t, err)
		r := bufio.NewReader(c)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		resp, err := http.ReadResponse(r, nil)
		if err == nil { // the server may answer the cut-off body before closing
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.GreaterOrEqual(t, resp.StatusCode, 400)
			closedWithin(t, c, r)
			return
		}
		assert.False(t, isTimeout(err), "the server kept the stalled request open: %v", err)
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		_, err = io.WriteString(c, "GET /diagnostic/status/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		r := bufio.NewReader(c)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		closedWithin(t, c, r)
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
