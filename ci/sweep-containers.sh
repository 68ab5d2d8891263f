#!/usr/bin/env bash
# sweep-containers.sh run CMD... — run CMD, then remove every testcontainers
# container that appeared during it and is still there.
#
# Tests terminate their own containers (Ryuk, the reaper, is disabled here), but
# a test binary killed by -timeout or a signal cannot run its cleanups. This
# is the backstop that keeps "nothing outlives make test" true anyway. It
# removes every testcontainers container created while CMD ran, so do not run
# two test runs against one Docker engine at once.
set -uo pipefail
[ "${1:-}" = run ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
shift
list() { docker ps -aq --no-trunc --filter label=org.testcontainers=true 2>/dev/null | sort; }
before=$(list)
# Ctrl-C reaches the whole process group: let the command stop, then sweep,
# since an interrupted test binary is exactly one that skipped its cleanup.
interrupted=
trap 'interrupted=1' INT TERM
"$@"
status=$?
[ -n "$interrupted" ] && status=130
leaked=$(comm -13 <(echo "$before") <(list) | grep . || true)
if [ -n "$leaked" ]; then
	echo "warning: $(echo "$leaked" | wc -l) container(s) outlived their test; removing them:" >&2
	docker ps -a --filter label=org.testcontainers=true --format '    {{.ID}} {{.Image}} {{.Status}}' | grep -F -f <(echo "$leaked" | cut -c1-12) >&2 || true
	echo "$leaked" | xargs docker rm -f -v >/dev/null
fi
exit $status
