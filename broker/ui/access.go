package ui

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Access says who may read the pages. It has the fields of httpapi.Auth, in
// the same order, so the broker's main converts one into the other
// (ui.Access(auth)) and the pages ask for the same credentials as the API.
// With no users and no token configured everyone may read.
type Access struct {
	Username         string
	Password         string
	ReadOnlyUsername string
	ReadOnlyPassword string
	Token            string
	ReadOnlyToken    string
	AllowPublicRead  bool
}

func (a Access) enabled() bool {
	return a.Username != "" || a.ReadOnlyUsername != "" || a.Token != "" || a.ReadOnlyToken != ""
}

// allows reports whether r may read: any valid credential, read-only or
// read/write, or nothing at all when reading is public.
func (a Access) allows(r *http.Request) bool {
	if !a.enabled() || a.AllowPublicRead {
		return true
	}
	eq := func(x, y string) bool { return y != "" && subtle.ConstantTimeCompare([]byte(x), []byte(y)) == 1 }
	if u, pw, ok := r.BasicAuth(); ok {
		return (eq(u, a.Username) && eq(pw, a.Password)) || (eq(u, a.ReadOnlyUsername) && eq(pw, a.ReadOnlyPassword))
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return eq(tok, a.Token) || eq(tok, a.ReadOnlyToken)
	}
	return false
}
