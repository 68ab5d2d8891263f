package webhook

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config holds the webhook settings; the zero value means the Pact
// Broker's defaults (see ConfigFromEnv).
type Config struct {
	// RetrySchedule is the wait before each retry; a delivery is attempted
	// at most len(RetrySchedule)+1 times. Nil means 10s 60s 120s 300s 600s
	// 1200s; an empty non-nil slice means no retries.
	RetrySchedule []time.Duration
	// SuccessCodes are the response statuses that complete a delivery
	// (default 200-206).
	SuccessCodes []int
	// Schemes, Hosts and Methods are the allow-lists. Nil Schemes means
	// https only, nil Methods means POST only, nil Hosts means any host.
	// Hosts entries are host names, "*.domain" wildcards, IP addresses,
	// CIDR ranges or /regular expressions/.
	Schemes []string
	Hosts   []string
	Methods []string
	// Timeout bounds one attempt, connection to last byte (default 15s).
	Timeout time.Duration
	// PollInterval is how often an idle dispatcher looks for due
	// deliveries (default 1s).
	PollInterval time.Duration
	// Workers is how many deliveries a dispatcher sends at once (default 4).
	Workers int
	// UserAgent is sent with every request (default "Pact Broker").
	UserAgent string
	// BaseURL is the broker URL used in template parameters when the
	// triggering request's URL is unknown.
	BaseURL string
}

// DefaultRetrySchedule is the Pact Broker's default, in seconds.
const DefaultRetrySchedule = "10 60 120 300 600 1200"

func defaultSchedule() []time.Duration {
	d, _ := parseSeconds(DefaultRetrySchedule)
	return d
}

// WithDefaults fills unset fields with the defaults.
func (c Config) WithDefaults() Config {
	if c.RetrySchedule == nil {
		c.RetrySchedule = defaultSchedule()
	}
	if c.SuccessCodes == nil {
		c.SuccessCodes = []int{200, 201, 202, 203, 204, 205, 206}
	}
	if c.Schemes == nil {
		c.Schemes = []string{"https"}
	}
	if c.Methods == nil {
		c.Methods = []string{"POST"}
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.UserAgent == "" {
		c.UserAgent = "Pact Broker"
	}
	return c
}

// MaxAttempts is how many times a delivery is tried before it fails.
func (c Config) MaxAttempts() int { return len(c.WithDefaults().RetrySchedule) + 1 }

// ConfigFromEnv reads the Pact Broker's webhook settings:
// PACT_BROKER_WEBHOOK_RETRY_SCHEDULE (seconds, "10 60 120 300 600 1200"),
// PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS ("200 201 202 203 204 205 206"),
// PACT_BROKER_WEBHOOK_SCHEME_WHITELIST ("https"),
// PACT_BROKER_WEBHOOK_HOST_WHITELIST (empty: any host),
// PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST ("POST"), PACT_BROKER_USER_AGENT,
// and Accord's PACT_BROKER_WEBHOOK_TIMEOUT and
// PACT_BROKER_WEBHOOK_POLL_INTERVAL (seconds). Lists are separated by
// spaces or commas.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var c Config
	var err error
	if v := getenv("PACT_BROKER_WEBHOOK_RETRY_SCHEDULE"); v != "" {
		if c.RetrySchedule, err = parseSeconds(v); err != nil {
			return c, fmt.Errorf("PACT_BROKER_WEBHOOK_RETRY_SCHEDULE: %w; give the seconds to wait before each retry, like %q", err, DefaultRetrySchedule)
		}
	}
	if v := getenv("PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS"); v != "" {
		for _, f := range fields(v) {
			n, err := strconv.Atoi(f)
			if err != nil || n < 100 || n > 599 {
				return c, fmt.Errorf("PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS: %q is not an HTTP status; list statuses like \"200 201 202\"", f)
			}
			c.SuccessCodes = append(c.SuccessCodes, n)
		}
	}
	list := func(key string) []string {
		if v := getenv(key); v != "" {
			return fields(v)
		}
		return nil
	}
	c.Schemes = list("PACT_BROKER_WEBHOOK_SCHEME_WHITELIST")
	c.Hosts = list("PACT_BROKER_WEBHOOK_HOST_WHITELIST")
	c.Methods = list("PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST")
	c.UserAgent = getenv("PACT_BROKER_USER_AGENT")
	for key, dst := range map[string]*time.Duration{"PACT_BROKER_WEBHOOK_TIMEOUT": &c.Timeout, "PACT_BROKER_WEBHOOK_POLL_INTERVAL": &c.PollInterval} {
		if v := getenv(key); v != "" {
			d, err := parseSeconds(v)
			if err != nil || len(d) != 1 || d[0] <= 0 {
				return c, fmt.Errorf("%s=%q: give a positive number of seconds", key, v)
			}
			*dst = d[0]
		}
	}
	for _, h := range c.Hosts {
		if err := checkHostEntry(h); err != nil {
			return c, fmt.Errorf("PACT_BROKER_WEBHOOK_HOST_WHITELIST: %w", err)
		}
	}
	return c, nil
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
}

// parseSeconds reads a list of (possibly fractional) seconds.
func parseSeconds(s string) ([]time.Duration, error) {
	out := []time.Duration{}
	for _, f := range fields(s) {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a number of seconds", f)
		}
		out = append(out, time.Duration(n*float64(time.Second)))
	}
	return out, nil
}
