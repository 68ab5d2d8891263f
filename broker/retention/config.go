package retention

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Config is the clean-up configuration, as the official Docker image's
// PACT_BROKER_DATABASE_CLEAN_* variables set it.
type Config struct {
	// Enabled runs the clean on Schedule inside the broker.
	Enabled bool
	// ScheduleSpec is the cron expression as configured; Schedule is it parsed.
	ScheduleSpec string
	Schedule     cron.Schedule
	// Keep says which versions to keep; Plan adds the guards it always
	// applies (deployed, released and supported, main-branch heads).
	Keep []Selector
	// DeletionLimit bounds how many versions, and how many rows of each
	// kind of overwritten data, one run deletes.
	DeletionLimit int
	// OverwrittenMaxAge is how long superseded verification results and
	// triggered-webhook logs are kept.
	OverwrittenMaxAge time.Duration
	// DryRun reports what a run would delete and deletes nothing.
	DryRun bool
}

// The official image's defaults (its Dockerfile and CleanIncremental).
const (
	DefaultSchedule      = "15 2 * * *"
	DefaultDeletionLimit = 500
	DefaultMaxAgeDays    = 7
)

// DefaultKeep is the official broker's default keep selectors: the latest
// version of each tag and branch and of each application, whatever is
// deployed or released, and everything younger than 90 days.
func DefaultKeep() []Selector {
	ninety := 90
	return []Selector{
		{Tag: Match{Any: true}, Latest: true},
		{Branch: Match{Any: true}, Latest: true},
		{Latest: true},
		{Deployed: true},
		{Released: true},
		{MaxAgeDays: &ninety},
	}
}

// ConfigFromEnv reads the PACT_BROKER_DATABASE_CLEAN_* variables. Any value
// it cannot read exactly is an error naming the variable: the broker must
// not start and delete data under a configuration it misreads.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{DeletionLimit: DefaultDeletionLimit, OverwrittenMaxAge: DefaultMaxAgeDays * 24 * time.Hour, Keep: DefaultKeep()}
	var err error
	if c.Enabled, err = envBool(getenv, "PACT_BROKER_DATABASE_CLEAN_ENABLED"); err != nil {
		return Config{}, err
	}
	if c.DryRun, err = envBool(getenv, "PACT_BROKER_DATABASE_CLEAN_DRY_RUN"); err != nil {
		return Config{}, err
	}
	c.ScheduleSpec = strings.TrimSpace(getenv("PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE"))
	if c.ScheduleSpec == "" {
		c.ScheduleSpec = DefaultSchedule
	}
	if c.Schedule, err = ParseSchedule(c.ScheduleSpec); err != nil {
		return Config{}, fmt.Errorf("PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE: %w", err)
	}
	if v := getenv("PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT=%q: use a whole number of at least 1 (default %d)", v, DefaultDeletionLimit)
		}
		c.DeletionLimit = n
	}
	if v := getenv("PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE=%q: use a whole number of days, 0 or more (default %d)", v, DefaultMaxAgeDays)
		}
		c.OverwrittenMaxAge = time.Duration(n) * 24 * time.Hour
	}
	if v := getenv("PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS"); strings.TrimSpace(v) != "" {
		if c.Keep, err = ParseSelectors([]byte(v)); err != nil {
			return Config{}, fmt.Errorf("PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS: %w", err)
		}
	}
	return c, nil
}

func envBool(getenv func(string) string, key string) (bool, error) {
	switch v := getenv(key); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: use true or false", key, v)
	}
}

// ParseSchedule reads a standard 5-field cron expression (minute hour
// day-of-month month day-of-week) or a descriptor like @daily, in UTC
// unless it starts with CRON_TZ=.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("cron expression %q: %v; use 5 fields, minute hour day-of-month month day-of-week, like %q", spec, err, DefaultSchedule)
	}
	return s, nil
}

// Match is a tag or branch criterion: any (true) or one name.
type Match struct {
	Any  bool
	Name string
}

func (m Match) set() bool { return m.Any || m.Name != "" }

// Selector is one keep selector: a version is kept when it matches every
// criterion set. Latest narrows the matches to the newest per application
// (per application and tag for {"tag": true}; the branch heads with a
// branch or mainBranch).
type Selector struct {
	Pacticipant string
	Latest      bool
	Tag         Match
	Branch      Match
	MainBranch  bool
	// Environment keeps versions currently deployed or supported there.
	Environment string
	// MaxAgeDays keeps versions created on or after the start of the day
	// that many days ago (nil: no age criterion).
	MaxAgeDays *int
	// Deployed keeps versions currently deployed anywhere; Released,
	// versions released and still supported anywhere.
	Deployed bool
	Released bool
	// Source is the selector as configured, for logs and dry runs.
	Source string
}

// selectorKeys maps the official broker's keys, in snake_case or
// camelCase, to the field they set (Ruby snake-cases keys before reading).
var selectorKeys = map[string]string{
	"pacticipant": "pacticipant", "pacticipant_name": "pacticipant", "pacticipantname": "pacticipant",
	"latest": "latest", "tag": "tag", "branch": "branch",
	"main_branch": "main_branch", "mainbranch": "main_branch",
	"environment": "environment", "environment_name": "environment", "environmentname": "environment",
	"max_age": "max_age", "maxage": "max_age",
	"deployed": "deployed", "released": "released",
}

// ParseSelectors reads a JSON list of keep selectors, like
// [{"branch": true, "latest": true}, {"max_age": 90}]. An unknown key, a
// value of the wrong type or an empty list is an error naming it.
func ParseSelectors(data []byte) ([]Selector, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON list of selectors (%v); write it like [{\"branch\": true, \"latest\": true}, {\"max_age\": 90}]", err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("the list is empty, which would keep nothing; list the versions to keep, like [{\"branch\": true, \"latest\": true}, {\"max_age\": 90}]")
	}
	out := make([]Selector, 0, len(raw))
	for i, r := range raw {
		s, err := parseSelector(r)
		if err != nil {
			return nil, fmt.Errorf("selector %d %s: %w", i+1, compact(r), err)
		}
		out = append(out, s)
	}
	return out, nil
}

func compact(r json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, r) != nil {
		return string(r)
	}
	return b.String()
}

func parseSelector(r json.RawMessage) (Selector, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r, &m); err != nil || m == nil {
		return Selector{}, fmt.Errorf("is not a JSON object")
	}
	s := Selector{Source: compact(r)}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]string{}
	for _, k := range keys {
		v := m[k]
		field, ok := selectorKeys[strings.ToLower(k)]
		if !ok {
			return Selector{}, fmt.Errorf("unknown key %q; keep selectors use pacticipant, latest, tag, branch, mainBranch, environment, max_age, deployed and released", k)
		}
		if other, dup := seen[field]; dup {
			return Selector{}, fmt.Errorf("keys %q and %q say the same thing; keep one", other, k)
		}
		seen[field] = k
		var err error
		switch field {
		case "pacticipant":
			s.Pacticipant, err = nonEmptyString(v)
		case "environment":
			s.Environment, err = nonEmptyString(v)
		case "latest":
			s.Latest, err = boolean(v)
		case "main_branch":
			s.MainBranch, err = boolean(v)
		case "deployed":
			s.Deployed, err = boolean(v)
		case "released":
			s.Released, err = boolean(v)
		case "tag":
			s.Tag, err = match(v)
		case "branch":
			s.Branch, err = match(v)
		case "max_age":
			var n int
			if json.Unmarshal(v, &n) != nil || n < 0 {
				err = fmt.Errorf("is %s; use a whole number of days, 0 or more", v)
			}
			s.MaxAgeDays = &n
		}
		if err != nil {
			return Selector{}, fmt.Errorf("%q %w", k, err)
		}
	}
	if s.Branch.set() && s.MainBranch {
		return Selector{}, fmt.Errorf("branch and mainBranch both choose branches; use one")
	}
	return s, nil
}

func boolean(v json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		return false, fmt.Errorf("is %s; use true or false", v)
	}
	return b, nil
}

func nonEmptyString(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil || s == "" {
		return "", fmt.Errorf("is %s; use a name in quotes", v)
	}
	return s, nil
}

func match(v json.RawMessage) (Match, error) {
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return Match{Any: b}, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil && s != "" {
		return Match{Name: s}, nil
	}
	return Match{}, fmt.Errorf("is %s; use true (any) or a name in quotes", v)
}

// String is the selector as configured.
func (s Selector) String() string { return s.Source }
