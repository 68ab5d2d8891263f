package contracts

import (
	"bytes"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/logutils"
	"github.com/pact-foundation/pact-go/v2/consumer"
	pactlog "github.com/pact-foundation/pact-go/v2/log"
	"github.com/pact-foundation/pact-go/v2/matchers"
)

// freshPacts remembers which pact files this test binary has started anew.
var freshPacts sync.Map

// NewHTTPPact returns a pact-go V4 HTTP mock provider for the pair, set up the
// way every Accord consumer test uses it: the mock server listens on
// 127.0.0.1, the pact is written to PactDir as "<consumer>-<provider>.json",
// and pact-go logs at $PACT_LOG_LEVEL (WARN when unset).
//
// The first call for a pair in a test binary removes the pair's old pact
// file, so interactions deleted from the tests do not linger in it; later
// calls in the same binary add to it.
func NewHTTPPact(t testing.TB, consumerName, providerName string) *consumer.V4HTTPMockProvider {
	t.Helper()
	dir := pactDirFor(t, consumerName, providerName)
	p, err := consumer.NewV4Pact(consumer.MockHTTPProviderConfig{
		Consumer: consumerName,
		Provider: providerName,
		PactDir:  dir,
		LogDir:   filepath.Join(dir, ".logs"),
		Host:     "127.0.0.1",
	})
	if err != nil {
		t.Fatalf("contracts: start the pact mock provider for %s -> %s: %v\n"+
			"(is libpact_ffi 0.4.28 installed? `accord doctor` checks, `accord setup` installs it)", consumerName, providerName, err)
	}
	return p
}

// pactDirFor prepares the pact folder and starts the pair's file anew once
// per test binary.
func pactDirFor(t testing.TB, consumerName, providerName string) string {
	t.Helper()
	configureLogging()
	dir, err := PactDir()
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("contracts: create the pact folder: %v", err)
	}
	file := filepath.Join(dir, PactFileName(consumerName, providerName))
	if _, loaded := freshPacts.LoadOrStore(file, true); !loaded {
		if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
			t.Fatalf("contracts: remove the previous pact %s: %v", file, err)
		}
	}
	return dir
}

// PactFileName is the file name pact-go gives the pact between two services.
func PactFileName(consumerName, providerName string) string {
	return consumerName + "-" + providerName + ".json"
}

var logOnce sync.Once

func configureLogging() {
	logOnce.Do(func() {
		level := strings.ToUpper(os.Getenv("PACT_LOG_LEVEL"))
		if level == "" {
			level = "WARN"
		}
		_ = pactlog.SetLogLevel(logutils.LogLevel(level))
		// pact-go 2.4.2 never records that it set the FFI's logger, so every
		// mock server after the first tries again and logs this failure. It is
		// harmless; keep it out of every consumer test's output.
		log.SetOutput(dropLines{next: log.Writer(), drop: []byte("failed to log to stdout: can't set logger")})
	})
}

// dropLines forwards what is written to it, except lines containing drop.
type dropLines struct {
	next io.Writer
	drop []byte
}

func (d dropLines) Write(p []byte) (int, error) {
	if bytes.Contains(p, d.drop) {
		return len(p), nil
	}
	return d.next.Write(p)
}

// RFC3339Pattern matches the timestamps Go's encoding/json writes
// (RFC 3339 with optional fractional seconds). pact-go's Timestamp matcher
// uses a look-ahead that the Rust verifier's regex engine rejects, so
// contracts use this instead.
const RFC3339Pattern = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`

// UTCTimestampFormat is the pact (Java DateTimeFormatter) pattern of an
// RFC 3339 UTC timestamp with whole seconds, "2024-05-01T09:30:00Z".
const UTCTimestampFormat = "yyyy-MM-dd'T'HH:mm:ssX"

// Timestamp matches a date-time in UTCTimestampFormat with the pact
// date-time matcher (the provider's value is parsed, not pattern-matched),
// and has the mock server generate a current one.
func Timestamp(example string) matchers.Matcher {
	return matchers.DateTimeGenerated(example, UTCTimestampFormat)
}
