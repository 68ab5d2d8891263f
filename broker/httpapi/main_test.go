package httpapi_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/accord-cdc/accord/broker/brokertest"
)

func TestMain(m *testing.M) { brokertest.Main(m) }

// pactCLI returns the path of the official pact CLI installed by `make setup`.
func pactCLI(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin", "pact")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the official pact CLI is missing at %s: run `make setup` (it installs pact 18.1.2): %v", p, err)
	}
	return p
}

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
