package webhook_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/webhook"
)

// sink is a loopback HTTP server that counts what reaches it.
type sink struct {
	hits atomic.Int64
	port string
}

func newSink(t *testing.T, ip string, h http.HandlerFunc) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	require.NoError(t, err, "listen on %s (Linux routes all of 127.0.0.0/8 to loopback)", ip)
	s := &sink{}
	_, s.port, _ = net.SplitHostPort(ln.Addr().String())
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if h != nil {
			h(w, r)
		}
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return s
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := f[strings.TrimSuffix(host, ".")]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func hook(u string) broker.Webhook {
	return broker.Webhook{UUID: "ssrfssrfssrfssrf", Request: broker.WebhookRequest{Method: "POST", URL: u}}
}

// TestSSRFAllowListBypasses: with only 127.0.0.2 allowed, no spelling of
// another address reaches the sink on 127.0.0.1 — numeric, octal, hex,
// short, IPv4-mapped IPv6, userinfo, trailing dots, fragments, a redirect
// from the allowed host, or a name that resolves there — while the allowed
// host itself is reached (so the test can fail).
func TestSSRFAllowListBypasses(t *testing.T) {
	victim := newSink(t, "127.0.0.1", nil)
	var redirects atomic.Int64
	allowed := newSink(t, "127.0.0.2", func(w http.ResponseWriter, r *http.Request) {
		redirects.Add(1)
		http.Redirect(w, r, "http://127.0.0.1:"+victim.port+"/stolen", http.StatusFound)
	})
	p := victim.port
	res := fakeResolver{
		"localhost":      {netip.MustParseAddr("127.0.0.1")},
		"evil.ci.test":   {netip.MustParseAddr("127.0.0.1")},
		"mapped.ci.test": {netip.MustParseAddr("::ffff:127.0.0.1")},
		"meta.ci.test":   {netip.MustParseAddr("169.254.169.254")},
		"ci.test":        {netip.MustParseAddr("127.0.0.2")},
	}
	bypasses := []string{
		"http://127.0.0.1:%s/", "http://2130706433:%s/", "http://0x7f000001:%s/", "http://0177.0.0.1:%s/", "http://0x7f.0.0.1:%s/",
		"http://127.1:%s/", "http://127.0.1:%s/", "http://017700000001:%s/", "http://[::ffff:127.0.0.1]:%s/", "http://[::ffff:7f00:1]:%s/",
		"http://[0:0:0:0:0:ffff:127.0.0.1]:%s/", "http://[::1]:%s/", "http://[::127.0.0.1]:%s/", "http://0.0.0.0:%s/", "http://0:%s/",
		"http://127.0.0.2@127.0.0.1:%s/", "http://127.0.0.2:x@127.0.0.1:%s/", "http://127.0.0.2%%40@127.0.0.1:%s/",
		"http://127.0.0.1.:%s/", "http://127.0.0.2.:%s/", "http://localhost:%s/", "http://localhost.:%s/",
		"http://127.0.0.1:%s#@127.0.0.2/", "http://127.0.0.1:%s?@127.0.0.2/", "http://127.0.0.1%%2509:%s/",
		"http://evil.ci.test:%s/", "http://mapped.ci.test:%s/", "http://meta.ci.test:%s/",
		"http://127.0.0.2:" + allowed.port + "/redirect?to=%s",
	}
	for _, allow := range [][]string{{"127.0.0.2"}, {"127.0.0.2/32"}, {"127.0.0.2", "*.ci.test"}, {"/^127\\.0\\.0\\.2$/", "/\\.ci\\.test$/"}} {
		exec := webhook.Executor{Config: webhook.Config{Schemes: []string{"http"}, Hosts: allow}, Resolver: res}
		for _, form := range bypasses {
			u := form
			if strings.Contains(form, "%s") {
				u = fmt.Sprintf(form, p)
			}
			r := exec.Execute(context.Background(), hook(u), broker.WebhookContext{}, "http://broker.test")
			assert.False(t, r.Success && !strings.Contains(u, "redirect"), "allow %v: %s succeeded", allow, u)
		}
		assert.Zero(t, victim.hits.Load(), "allow %v: a request reached 127.0.0.1", allow)
		before := allowed.hits.Load()
		r := exec.Execute(context.Background(), hook("http://127.0.0.2:"+allowed.port+"/"), broker.WebhookContext{}, "http://broker.test")
		assert.Equal(t, 302, r.Status, "allow %v: the allowed host answers: %v", allow, r.Err)
		assert.Equal(t, before+1, allowed.hits.Load(), "allow %v: the allowed host was not reached", allow)
	}
	assert.NotZero(t, redirects.Load(), "the redirect case never ran")
}

// TestSSRFDialChecksResolvedAddress: a name the allow-list names exactly
// may resolve anywhere; a name matched by a wildcard may not resolve to
// loopback unless an address entry allows it; and when a name resolves to
// several addresses, only the allowed ones are dialled.
func TestSSRFDialChecksResolvedAddress(t *testing.T) {
	victim := newSink(t, "127.0.0.1", nil)
	ok := newSink(t, "127.0.0.2", nil)
	res := fakeResolver{
		"ci.test":       {netip.MustParseAddr("127.0.0.1")},
		"build.ci.test": {netip.MustParseAddr("127.0.0.1")},
		"two.ci.test":   {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")},
	}
	run := func(allow []string, u string) webhook.Result {
		exec := webhook.Executor{Config: webhook.Config{Schemes: []string{"http"}, Hosts: allow}, Resolver: res}
		return exec.Execute(context.Background(), hook(u), broker.WebhookContext{}, "http://broker.test")
	}

	r := run([]string{"ci.test"}, "http://ci.test:"+victim.port+"/")
	assert.True(t, r.Success, "an exactly named host is trusted with its address: %v", r.Err)
	assert.Equal(t, int64(1), victim.hits.Load())

	r = run([]string{"*.ci.test"}, "http://build.ci.test:"+victim.port+"/")
	assert.False(t, r.Success)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "does not permit")
	assert.Equal(t, int64(1), victim.hits.Load(), "a wildcard name resolving to loopback was dialled")

	r = run([]string{"*.ci.test", "127.0.0.0/8"}, "http://build.ci.test:"+victim.port+"/")
	assert.True(t, r.Success, "loopback allowed by a range: %v", r.Err)
	assert.Equal(t, int64(2), victim.hits.Load())

	r = run([]string{"*.ci.test", "127.0.0.2"}, "http://two.ci.test:"+ok.port+"/")
	assert.True(t, r.Success, "the allowed address of two: %v", r.Err)
	assert.Equal(t, int64(1), ok.hits.Load())
	assert.Equal(t, int64(2), victim.hits.Load())
}
