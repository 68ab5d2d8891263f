package contracts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// PactDir is where pact files are written and read: $ACCORD_PACT_DIR, or
// contracts/pacts under the root of the Go module the test runs in.
func PactDir() (string, error) {
	if dir := os.Getenv("ACCORD_PACT_DIR"); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "contracts", "pacts"), nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory; set ACCORD_PACT_DIR to the folder for pact files")
		}
		dir = parent
	}
}
