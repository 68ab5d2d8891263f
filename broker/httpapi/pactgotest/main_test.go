package pactgotest

import (
	"os"
	"testing"

	"github.com/accord-cdc/accord/broker/brokertest"
)

func TestMain(m *testing.M) {
	if _, err := os.Stat("/usr/local/lib/libpact_ffi.so"); err != nil {
		// The test binary would not have linked without it; say what to do.
		os.Stderr.WriteString("libpact_ffi is missing from /usr/local/lib: run `make setup`\n")
		os.Exit(1)
	}
	brokertest.Main(m)
}
