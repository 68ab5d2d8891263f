package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunLoadsThenReuses(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "small.sqlite3")
	args := []string{"-db", db, "-pacticipants", "12", "-versions", "240", "-verifications", "900", "-decisions", "5", "-explain"}
	if err := run(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	// A loaded database is reused, not loaded twice.
	if err := run(context.Background(), args); err != nil {
		t.Fatal(err)
	}
}

func TestRunNeedsADatabase(t *testing.T) {
	err := run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "-db is required") {
		t.Fatalf("run without -db = %v, want an error saying -db is required", err)
	}
}
