#!/usr/bin/env bash
# ci/demo.sh — the contract-testing story in one run (make demo).
#
# Today: the consumers write their pacts and each provider verifies them
# against its real PostgreSQL. The broker stages (publish, webhook-triggered
# verification, can-i-deploy, record-deployment) join as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = stop ]; then
	echo "demo: nothing running"
	exit 0
fi
stage() { printf '\n\033[1m[%s] %s\033[0m\n' "$1" "$2"; }
fail() { printf '\033[31mdemo failed in stage "%s": %s\033[0m\n' "$1" "$2" >&2; exit 1; }

stage 1/2 "consumers record what they need (pact files in contracts/pacts/)"
go test -count=1 -run '^TestConsumer' ./consumers/... ./providers/... || fail consumers "a consumer test failed; run it alone with go test -v -run TestConsumer ./consumers/..."
ls contracts/pacts/*.json | sed 's|^|    |'

stage 2/2 "providers verify those pacts against their real PostgreSQL"
go test -count=1 -v -run '^TestProvider[A-Za-z]*$' ./providers/... | grep -E '^(=== RUN|--- |ok|FAIL|\s+contract_test.go:.*verifying)' ||
	fail providers "a provider does not honour a pact; the report above names the interaction and field"
echo
echo "demo: done. Every pact in contracts/pacts/ is verified by its provider."
