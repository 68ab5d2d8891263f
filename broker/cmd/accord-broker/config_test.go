package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The official broker's operational settings, read as it reads them.
func TestOperationalSettings(t *testing.T) {
	m := NewMain(io.Discard)
	require.NoError(t, m.ParseFlags(nil, env(map[string]string{
		"PACT_BROKER_BASE_URL":                              "https://broker.example.com/",
		"PACT_BROKER_BASE_URLS":                             "http://pact-broker:9292 https://broker.example.com",
		"PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION": "true",
		"PACT_BROKER_PUBLIC_HEARTBEAT":                      "true",
		"PACT_BROKER_DATABASE_MAX_CONNECTIONS":              "7",
		"PACT_BROKER_DATABASE_STATEMENT_TIMEOUT":            "2.5",
		"PACT_BROKER_DATABASE_CLEAN_ENABLED":                "true",
		"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS": `[{"max_age": 30}]`,
	})))
	assert.Equal(t, []string{"http://pact-broker:9292", "https://broker.example.com"}, m.BaseURLs, "BASE_URLS first, BASE_URL after, no duplicates")
	assert.Equal(t, "http://pact-broker:9292", m.BaseURL)
	assert.True(t, m.AllowDangerousContractModification)
	assert.True(t, m.PublicHeartbeat)
	assert.Equal(t, 7, m.MaxConnections)
	assert.Equal(t, 2500*time.Millisecond, m.StatementTimeout)
	assert.True(t, m.Retention.Enabled)
	require.Len(t, m.Retention.Keep, 1)

	m = NewMain(io.Discard)
	require.NoError(t, m.ParseFlags(nil, env(nil)))
	assert.False(t, m.AllowDangerousContractModification, "changing a published pact is refused by default")
	assert.False(t, m.PublicHeartbeat)
	assert.Equal(t, 15*time.Second, m.StatementTimeout, "the official default")
	assert.False(t, m.Retention.Enabled)
	assert.Empty(t, m.BaseURLs)
}

func TestOperationalSettingsRefused(t *testing.T) {
	for key, value := range map[string]string{
		"PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS": `[{"maxAge": 30, "colour": "blue"}]`,
		"PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE":          "every night",
		"PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION": "yes",
		"PACT_BROKER_PUBLIC_HEARTBEAT":                      "1",
		"PACT_BROKER_DATABASE_MAX_CONNECTIONS":              "0",
		"PACT_BROKER_DATABASE_STATEMENT_TIMEOUT":            "soon",
		"PACT_BROKER_BASE_URLS":                             "broker.example.com",
		"PACT_BROKER_LOG_FORMAT":                            "xml",
	} {
		t.Run(key, func(t *testing.T) {
			err := NewMain(io.Discard).ParseFlags(nil, env(map[string]string{key: value}))
			require.Error(t, err)
			name := strings.TrimPrefix(key, "PACT_BROKER_")
			if key == "PACT_BROKER_BASE_URLS" || key == "PACT_BROKER_LOG_FORMAT" {
				name = value
			}
			assert.Contains(t, err.Error(), name, "the error names what to fix")
		})
	}
}

func TestLogFormat(t *testing.T) {
	var out bytes.Buffer
	m := NewMain(&out)
	require.NoError(t, m.ParseFlags(nil, env(map[string]string{"PACT_BROKER_LOG_FORMAT": "logfmt"})))
	m.Log.Info("request", "route", "GET /pacticipants/{pacticipant}", "status", 200)
	assert.Regexp(t, `^time=\S+ level=INFO msg=request route="GET /pacticipants/\{pacticipant\}" status=200\n$`, out.String())
	out.Reset()
	m = NewMain(&out)
	require.NoError(t, m.ParseFlags([]string{"--log-format", "json"}, env(nil)))
	m.Log.Info("request")
	assert.Contains(t, out.String(), `"msg":"request"`)
}

func TestStatementTimeoutGoesToPostgresOnly(t *testing.T) {
	assert.Equal(t, "postgres://u:p@db/b?sslmode=disable&statement_timeout=2500", withStatementTimeout("postgres://u:p@db/b?sslmode=disable", 2500*time.Millisecond))
	assert.Equal(t, "postgres://db/b?statement_timeout=100", withStatementTimeout("postgres://db/b?statement_timeout=100", time.Second), "an explicit one wins")
	assert.Equal(t, "sqlite:b.sqlite3", withStatementTimeout("sqlite:b.sqlite3", time.Second))
}
