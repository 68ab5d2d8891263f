package pactgotest

import (
	"testing"

	"github.com/accord-cdc/accord/broker/brokertest"
)

// TestMain needs no check for libpact_ffi: setup installs it in
// /usr/local/lib or in .tools/lib (then `make` links with an rpath to it),
// and a binary whose library is missing does not start at all — the dynamic
// loader names libpact_ffi.so, and `make setup` installs it.
func TestMain(m *testing.M) { brokertest.Main(m) }
