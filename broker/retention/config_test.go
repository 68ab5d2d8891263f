package retention

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnvDefaults(t *testing.T) {
	c, err := ConfigFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Enabled || c.DryRun || c.DeletionLimit != 500 || c.OverwrittenMaxAge != 7*24*time.Hour || c.ScheduleSpec != "15 2 * * *" {
		t.Fatalf("defaults: %+v", c)
	}
	if len(c.Keep) != len(DefaultKeep()) {
		t.Fatalf("keep = %v", c.Keep)
	}
	next := c.Schedule.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 1, 1, 2, 15, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next run %v, want %v", next, want)
	}
}

func TestConfigFromEnvReadsEverything(t *testing.T) {
	c, err := ConfigFromEnv(env(map[string]string{
		"PACT_BROKER_DATABASE_CLEAN_ENABLED":                  "true",
		"PACT_BROKER_DATABASE_CLEAN_DRY_RUN":                  "true",
		"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE":            "*/5 * * * *",
		"PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT":           "20",
		"PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE": "0",
		"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS":   `[{"latest": true, "branch": true}, {"max_age": 90}, {"deployed": true}, {"released": true}, {"pacticipant": "Foo", "tag": "prod"}, {"mainBranch": true}, {"environmentName": "production"}]`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled || !c.DryRun || c.DeletionLimit != 20 || c.OverwrittenMaxAge != 0 || len(c.Keep) != 7 {
		t.Fatalf("config: %+v", c)
	}
	if s := c.Keep[0]; !s.Latest || !s.Branch.Any {
		t.Errorf("selector 1 = %+v", s)
	}
	if s := c.Keep[1]; s.MaxAgeDays == nil || *s.MaxAgeDays != 90 {
		t.Errorf("selector 2 = %+v", s)
	}
	if s := c.Keep[4]; s.Pacticipant != "Foo" || s.Tag.Name != "prod" {
		t.Errorf("selector 5 = %+v", s)
	}
	if s := c.Keep[5]; !s.MainBranch {
		t.Errorf("selector 6 = %+v", s)
	}
	if s := c.Keep[6]; s.Environment != "production" {
		t.Errorf("selector 7 = %+v", s)
	}
}

// Nothing is deleted under a configuration the broker misreads: each of
// these stops it at start with a message naming what is wrong.
func TestConfigFromEnvRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		key, value string
		want       []string
	}{
		"unknown selector key":   {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": 90}, {"lates": true}]`, []string{"KEEP_VERSION_SELECTORS", "selector 2", `unknown key "lates"`}},
		"not a list":             {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `{"max_age": 90}`, []string{"not a JSON list"}},
		"malformed JSON":         {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": 90]`, []string{"not a JSON list"}},
		"empty list":             {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[]`, []string{"empty"}},
		"selector not an object": {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `["latest"]`, []string{"selector 1", "not a JSON object"}},
		"string boolean":         {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"deployed": "false"}]`, []string{`"deployed" is "false"`, "true or false"}},
		"negative age":           {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": -1}]`, []string{`"max_age" is -1`}},
		"fractional age":         {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"maxAge": 1.5}]`, []string{`"maxAge" is 1.5`}},
		"empty tag":              {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"tag": ""}]`, []string{`"tag" is ""`}},
		"both spellings":         {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"max_age": 1, "maxAge": 2}]`, []string{"say the same thing"}},
		"branch and main branch": {"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS", `[{"branch": "x", "mainBranch": true}]`, []string{"use one"}},
		"cron with 4 fields":     {"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE", "15 2 * *", []string{"CRON_SCHEDULE", `"15 2 * *"`, "5 fields"}},
		"cron out of range":      {"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE", "61 2 * * *", []string{"CRON_SCHEDULE"}},
		"cron garbage":           {"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE", "nightly", []string{"CRON_SCHEDULE"}},
		"limit not a number":     {"PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT", "lots", []string{"DELETION_LIMIT", "whole number"}},
		"limit zero":             {"PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT", "0", []string{"DELETION_LIMIT"}},
		"max age not a number":   {"PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE", "7d", []string{"OVERWRITTEN_DATA_MAX_AGE"}},
		"enabled neither":        {"PACT_BROKER_DATABASE_CLEAN_ENABLED", "yes", []string{"CLEAN_ENABLED", "true or false"}},
		"dry run neither":        {"PACT_BROKER_DATABASE_CLEAN_DRY_RUN", "TRUE", []string{"DRY_RUN"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ConfigFromEnv(env(map[string]string{tc.key: tc.value}))
			if err == nil {
				t.Fatalf("%s=%s accepted", tc.key, tc.value)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
