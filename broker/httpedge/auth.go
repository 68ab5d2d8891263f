package httpedge

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

// Auth configures who may do what: the Pact Broker's basic auth users and
// bearer tokens. With no users and no token configured everyone may do
// everything.
type Auth struct {
	Username         string
	Password         string
	ReadOnlyUsername string
	ReadOnlyPassword string
	// Token is accepted as "Authorization: Bearer <token>" with write access.
	Token string
	// ReadOnlyToken is accepted as a bearer token with read access.
	ReadOnlyToken string
	// AllowPublicRead lets anonymous clients read.
	AllowPublicRead bool
}

// Enabled reports whether any credential is configured.
func (a Auth) Enabled() bool {
	return a.Username != "" || a.ReadOnlyUsername != "" || a.Token != "" || a.ReadOnlyToken != ""
}

// Access is what a route needs from the client.
type Access int

const (
	// Read needs any credential, or none when reading is public.
	Read Access = iota + 1
	// Write needs the read/write user or token.
	Write
	// Public needs nothing: the heartbeat for load balancers, the pages'
	// stylesheet and script.
	Public
	// Badge is Public when badges are public (the Ruby broker's
	// enable_public_badge_access), otherwise Read.
	Badge
)

// identity is who the request's credentials name.
type identity int

const (
	anonymous identity = iota // no credentials, or wrong ones
	reader
	writer
)

func (a Auth) identify(r *http.Request) identity {
	eq := func(x, y string) bool { return y != "" && subtle.ConstantTimeCompare([]byte(x), []byte(y)) == 1 }
	if u, pw, ok := r.BasicAuth(); ok {
		switch {
		case eq(u, a.Username) && subtle.ConstantTimeCompare([]byte(pw), []byte(a.Password)) == 1:
			return writer
		case eq(u, a.ReadOnlyUsername) && subtle.ConstantTimeCompare([]byte(pw), []byte(a.ReadOnlyPassword)) == 1:
			return reader
		}
		return anonymous
	}
	// The scheme is case-insensitive (RFC 9110 11.1): "bearer x" is a token.
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimLeft(tok, " ")
		switch {
		case eq(tok, a.Token):
			return writer
		case eq(tok, a.ReadOnlyToken):
			return reader
		}
	}
	return anonymous
}

// user names the client for the access log: the basic auth user name, or
// which token it sent; never a secret.
func (a Auth) user(r *http.Request, id identity) string {
	if id == anonymous {
		return "anonymous"
	}
	if u, _, ok := r.BasicAuth(); ok {
		return u
	}
	if id == writer {
		return "token"
	}
	return "read-only token"
}

type mayWriteKey struct{}

// MayWrite reports whether the client of a request the Mux routed may
// change things: pages offer delete actions only to those who may.
func MayWrite(r *http.Request) bool {
	ok, _ := r.Context().Value(mayWriteKey{}).(bool)
	return ok
}

var errUnauthenticated = broker.Errorf(broker.Unauthorized, "authentication required: send the broker's basic auth credentials (PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD) or token (PACT_BROKER_TOKEN)")

// authenticate refuses a client that may not even read: it runs before
// routing, so that 404 and 405 are only told to clients that may read.
func (a Auth) authenticate(id identity) error {
	if !a.Enabled() || id != anonymous || a.AllowPublicRead {
		return nil
	}
	return errUnauthenticated
}

// authorize checks the route's access for an authenticated client.
func (a Auth) authorize(r *http.Request, id identity, need Access) error {
	if !a.Enabled() || need != Write || id == writer {
		return nil
	}
	if id == reader {
		return broker.Errorf(broker.Forbidden, "the read-only user may not %s %s; use the read/write credentials", r.Method, r.URL.Path)
	}
	return errUnauthenticated
}
