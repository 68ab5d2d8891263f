#!/usr/bin/env bash
# ci/demo.sh — the contract-testing story in one run (make demo; make demo-stop).
#
# A broker with its embedded SQLite on 127.0.0.1:9292 and a tiny CI runner on
# 127.0.0.1:9393 (which the broker's webhook calls) run in the background;
# pids and logs are in .demo/. Every stage says what it does; a failure says
# which stage and what to do next.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${ACCORD_DEMO_DIR:-$ROOT/.demo}
BROKER_ADDR=${ACCORD_DEMO_BROKER_ADDR:-127.0.0.1:9292}
RUNNER_ADDR=${ACCORD_DEMO_RUNNER_ADDR:-127.0.0.1:9393}
export PACT_BROKER_BASE_URL=http://$BROKER_ADDR
SERVICES=(users orders notifier gateway) # in deployment order: providers before their consumers
PROVIDERS=(users orders)

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
STAGE=startup
STAGE_N=0
stage() {
	STAGE_N=$((STAGE_N + 1))
	STAGE=$1
	printf '\n\033[1m[%d/10] %s\033[0m\n' "$STAGE_N" "$2"
}
fail() {
	printf '\n\033[31mdemo failed in stage "%s": %s\033[0m\n' "$STAGE" "$1" >&2
	printf '    logs: %s/broker.log, %s/runner.log; stop everything with: make demo-stop\n' "$DEMO" "$DEMO" >&2
	exit 1
}
trap 'fail "a command exited with an error (see above)"' ERR

stop_pid() { # stop_pid NAME — stop the process in .demo/NAME.pid, if running
	local f=$DEMO/$1.pid
	[ -f "$f" ] || return 0
	local pid
	pid=$(cat "$f")
	if kill -0 "$pid" 2>/dev/null; then
		# setsid made it a process-group leader: stop its builds with it.
		kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 -- "-$pid" 2>/dev/null || true
		echo "    stopped $1 (pid $pid)"
	fi
	rm -f "$f"
}

if [ "${1:-}" = stop ]; then
	stop_pid runner
	stop_pid broker
	echo "demo: stopped"
	exit 0
fi

wait_http() { # wait_http URL SECONDS
	for _ in $(seq 1 $(($2 * 10))); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

mkdir -p "$DEMO/bin"
VERSION=$(git rev-parse --short=12 HEAD 2>/dev/null || echo dev)
FEATURE_VERSION=$VERSION-loyalty
export ACCORD_VERSION=$VERSION ACCORD_BRANCH=main

# --- 1 ------------------------------------------------------------------------------
stage broker "start the broker (embedded SQLite) on $BROKER_ADDR and the CI runner on $RUNNER_ADDR"
stop_pid runner
stop_pid broker
if curl -fsS -o /dev/null "$PACT_BROKER_BASE_URL/" 2>/dev/null; then
	fail "something else already answers on $BROKER_ADDR; stop it, or set ACCORD_DEMO_BROKER_ADDR"
fi
go build -o "$DEMO/bin/accord-broker" ./broker/cmd/accord-broker
go build -o "$DEMO/bin/accord" ./ci/cmd/accord
rm -f "$DEMO"/broker.sqlite3*
PACT_BROKER_WEBHOOK_SCHEME_WHITELIST="http https" PACT_BROKER_WEBHOOK_HOST_WHITELIST="127.0.0.1" \
	PACT_BROKER_WEBHOOK_RETRY_SCHEDULE="1 2 5 10" \
	setsid nohup "$DEMO/bin/accord-broker" --addr "$BROKER_ADDR" --db "sqlite://$DEMO/broker.sqlite3" \
	>"$DEMO/broker.log" 2>&1 </dev/null &
echo $! >"$DEMO/broker.pid"
setsid nohup "$DEMO/bin/accord" runner "$RUNNER_ADDR" >"$DEMO/runner.log" 2>&1 </dev/null &
echo $! >"$DEMO/runner.pid"
wait_http "$PACT_BROKER_BASE_URL/" 30 || fail "the broker did not answer within 30 s; see $DEMO/broker.log"
wait_http "http://$RUNNER_ADDR/builds" 10 || fail "the runner did not answer within 10 s; see $DEMO/runner.log"
echo "    broker $PACT_BROKER_BASE_URL (pid $(cat "$DEMO/broker.pid")), runner http://$RUNNER_ADDR (pid $(cat "$DEMO/runner.pid"))"

# --- 2 ------------------------------------------------------------------------------
stage consumers "consumers record what they need: gateway -> users, orders; orders -> users; notifier <- orders events"
go test -count=1 -run '^TestConsumer' ./consumers/... ./providers/... ||
	fail "a consumer test failed; run it alone: go test -v -run TestConsumer ./consumers/..."
echo "    $(ls contracts/pacts/*.json | wc -l) pacts: $(cd contracts/pacts && ls *.json | tr '\n' ' ')"

# --- 3 ------------------------------------------------------------------------------
stage publish "publish the pacts as version $VERSION on branch main"
"$DEMO/bin/accord" publish >"$DEMO/publish.log" 2>&1 || { cat "$DEMO/publish.log"; fail "publishing failed"; }
grep -E '^(publishing| +.* -> .*: published)' "$DEMO/publish.log" | sed 's/^/    /' || true

# --- 4 ------------------------------------------------------------------------------
stage webhook "create the production environment and the webhook that triggers provider verification"
"$DEMO/bin/accord" create-environment --name production --display-name Production --production | sed 's/^/    /'
body='{"event":"${pactbroker.eventName}","pactUrl":"${pactbroker.pactUrl}","provider":"${pactbroker.providerName}","providerVersion":"${pactbroker.providerVersionNumber}","providerBranch":"${pactbroker.providerVersionBranch}","consumer":"${pactbroker.consumerName}","consumerVersion":"${pactbroker.consumerVersionNumber}"}'
pact broker create-webhook "http://$RUNNER_ADDR/builds" --request POST --header 'Content-Type: application/json' \
	--data "$body" --contract-requiring-verification-published --description "verify changed pacts (demo CI runner)" >"$DEMO/webhook.json"
echo "    webhook $(grep -o '"uuid":"[^"]*"' "$DEMO/webhook.json" | cut -d'"' -f4): contract_requiring_verification_published -> POST http://$RUNNER_ADDR/builds"

# --- 5 ------------------------------------------------------------------------------
stage provider-contract "bi-directional: orders publishes its OpenAPI document and its own test against it; the broker checks gateway's pact against the document"
# The self-verification is orders' normal API test: contracts.OpenAPI checks
# every response the real handler gives against openapi.yaml.
self=0
go test -count=1 -v -run '^TestOrdersAPI$' ./providers/orders/ >"$DEMO/orders-self-verification.log" 2>&1 || self=$?
echo "    orders $VERSION: TestOrdersAPI checked every response against providers/orders/openapi.yaml: $([ "$self" -eq 0 ] && echo passed || echo "FAILED (exit $self)")"
# The official pact CLI publishes it, as it would to PactFlow.
pact pactflow publish-provider-contract providers/orders/openapi.yaml --provider orders --provider-app-version "$VERSION" \
	--branch main --content-type application/yaml --verification-exit-code "$self" \
	--verification-results "$DEMO/orders-self-verification.log" --verification-results-content-type text/plain \
	--verification-results-format text --verifier "go test" >"$DEMO/publish-contract.log" 2>&1 ||
	{ cat "$DEMO/publish-contract.log"; fail "publishing orders' provider contract failed"; }
[ "$self" -eq 0 ] || { tail -30 "$DEMO/orders-self-verification.log"; fail "orders' responses do not fit its OpenAPI document (log: $DEMO/orders-self-verification.log)"; }
sed 's/^/    /' "$DEMO/publish-contract.log"
# The broker checks the consumer pacts in the background, within milliseconds.
results=$PACT_BROKER_BASE_URL/provider-contracts/provider/orders/version/$VERSION/cross-contract-verification-results
check=
for _ in $(seq 1 100); do
	check=$(curl -fsS -H 'Accept: application/hal+json' "$results" | grep -oE '"consumer":"gateway","pactSha":"[0-9a-f]+","pending":(true|false),"reasons":[^}]*"success":(true|false),"summary":"[^"]*"' || true)
	[ -n "$check" ] && break
	sleep 0.1
done
[ -n "$check" ] || fail "the broker did not check gateway's pact against orders' contract within 10 s; see $DEMO/broker.log"
echo "$check" | grep -q '"success":true' ||
	{ echo "$check"; fail "gateway's pact is not compatible with orders' OpenAPI document (above; UI: $PACT_BROKER_BASE_URL/provider-contracts/provider/orders/version/$VERSION)"; }
bold "    gateway $VERSION -> orders $VERSION: compatible by provider contract ($(echo "$check" | sed 's/.*"summary":"\([^"]*\)".*/\1/'))"
echo "    orders does not replay gateway's pact: the broker's check is the verification can-i-deploy uses"
echo "    notifier's message pact cannot be described by OpenAPI: orders verifies it by running it (next stage)"
echo "    UI: $PACT_BROKER_BASE_URL/provider-contracts/provider/orders/version/$VERSION"

# --- 6 ------------------------------------------------------------------------------
stage verify "each provider verifies the broker's pacts against its real PostgreSQL and publishes the results"
for p in "${PROVIDERS[@]}"; do
	pact_url= which=
	if [ "$p" = orders ]; then
		# gateway -> orders was checked against the contract (stage 5);
		# orders runs notifier's message pact only.
		pact_url=$PACT_BROKER_BASE_URL/pacts/provider/orders/consumer/notifier/version/$VERSION
		which=" (notifier's pact)"
	fi
	CI=true "$DEMO/bin/accord" verify -v ${pact_url:+--pact-url "$pact_url"} "./providers/$p/" >"$DEMO/verify-$p.log" 2>&1 ||
		{ tail -40 "$DEMO/verify-$p.log"; fail "$p does not honour its pacts (full log: $DEMO/verify-$p.log)"; }
	echo "    $p $VERSION: $(grep -cE 'returns a response which|generates a message which' "$DEMO/verify-$p.log" || true) interactions verified$which, results published"
	coverage=$(grep -o 'routes covered by consumer contracts: .*' "$DEMO/verify-$p.log" | head -1 || true)
	if [ -n "$coverage" ]; then
		curl -fsS -o /dev/null -H 'Accept: application/hal+json' "$PACT_BROKER_BASE_URL/pacticipants/$p/versions/$VERSION/route-coverage" ||
			fail "$p printed its route coverage but the broker has none for $p $VERSION (see $DEMO/verify-$p.log)"
		curl -fsS -H 'Accept: application/hal+json' "$PACT_BROKER_BASE_URL/pacticipants/$p/versions/$VERSION" | grep -q '"accord:route-coverage"' ||
			fail "the broker's version $p $VERSION does not link the route coverage it published"
		echo "    $p $VERSION: $coverage (published: $PACT_BROKER_BASE_URL/field-usage/provider/$p)"
	fi
done
# What a provider team asks before changing a field: who uses it? (exit 0 removable, 1 in use)
for loc in 'response.body.$.email' 'response.body.$.nickname'; do
	code=0
	out=$("$DEMO/bin/accord" can-i-remove-field --provider users --method GET --path '/users/{id}' --location "$loc" 2>&1) || code=$?
	[ "$code" -le 1 ] || { echo "$out"; fail "accord can-i-remove-field could not ask the broker about $loc"; }
	echo "    can-i-remove-field users GET /users/{id} $loc: exit $code, $(tail -1 <<<"$out")$(grep '^used by' <<<"$out" | sed 's/^/; /' | tr -d '\n')"
done

# --- 7 ------------------------------------------------------------------------------
stage deploy "can-i-deploy, then record-deployment to production, for every service"
for s in "${SERVICES[@]}"; do
	"$DEMO/bin/accord" can-i-deploy --pacticipant "$s" --version "$VERSION" --to-environment production \
		--retry-while-unknown 6 --retry-interval 2 >"$DEMO/can-i-deploy-$s.log" 2>&1 ||
		{ cat "$DEMO/can-i-deploy-$s.log"; fail "$s $VERSION may not go to production"; }
	"$DEMO/bin/accord" record-deployment --pacticipant "$s" --version "$VERSION" --environment production >/dev/null
	echo "    $s $VERSION: deployable, deployed to production"
done

# --- 8 ------------------------------------------------------------------------------
stage feature "gateway, on branch feat/loyalty, starts to need users' loyaltyTier, which users does not have"
rm -rf "$DEMO/pacts-feature"
ACCORD_DEMO_FEATURE=loyalty ACCORD_PACT_DIR="$DEMO/pacts-feature" \
	go test -count=1 -run '^TestConsumerUsers$' ./consumers/gateway/ >"$DEMO/feature-consumer.log" 2>&1 ||
	{ tail -30 "$DEMO/feature-consumer.log"; fail "the gateway's feature-branch consumer test failed"; }
count_builds() { curl -fsS "http://$RUNNER_ADDR/builds" | grep -o '"id":' | wc -l || true; }
builds_before=$(count_builds)
ACCORD_VERSION=$FEATURE_VERSION ACCORD_BRANCH=feat/loyalty "$DEMO/bin/accord" publish "$DEMO/pacts-feature" \
	>"$DEMO/publish-feature.log" 2>&1 || { cat "$DEMO/publish-feature.log"; fail "publishing the feature pact failed"; }
grep -E '^(publishing| +.* -> .*: published)' "$DEMO/publish-feature.log" | sed 's/^/    /' || true

# --- 9 ------------------------------------------------------------------------------
stage webhook-build "the broker's webhook triggers users' verification of the changed pact (pending: users stays green)"
finished=
for _ in $(seq 1 600); do
	builds=$(curl -fsS "http://$RUNNER_ADDR/builds")
	total=$(echo "$builds" | grep -o '"id":' | wc -l || true)
	running=$(echo "$builds" | grep -o '"status":"running"' | wc -l || true)
	if [ "$total" -gt "$builds_before" ] && [ "$running" -eq 0 ]; then
		finished=1
		break
	fi
	sleep 0.5
done
[ -n "$finished" ] || fail "no webhook-triggered build finished within 5 minutes; see $DEMO/runner.log and $DEMO/broker.log"
echo "$builds" | tr '{' '\n' | grep -o '"status":"[a-z]*"' | sort | uniq -c | sed 's/^/    builds: /'
grep -E '^(--- build|\s+1\.1\)|.*(Pending|pending|WIP))' "$DEMO/runner.log" | head -12 | sed 's/^/    /' || true
if echo "$builds" | grep -q '"status":"failed"'; then
	fail "a webhook-triggered verification failed the provider's build; a changed pact should be pending"
fi

# --- 10 ------------------------------------------------------------------------------
stage can-i-deploy "can gateway $FEATURE_VERSION (feat/loyalty) go to production?"
answer=0
"$DEMO/bin/accord" can-i-deploy --pacticipant gateway --version "$FEATURE_VERSION" --to-environment production >"$DEMO/can-i-deploy-feature.log" 2>&1 || answer=$?
sed 's/^/    /' "$DEMO/can-i-deploy-feature.log"
[ "$answer" -ne 0 ] || fail "can-i-deploy said yes to a pact that users has never satisfied"
[ "$answer" -eq 1 ] && grep -q "^no: gateway" "$DEMO/can-i-deploy-feature.log" ||
	fail "can-i-deploy did not answer (exit $answer, output above): is the broker still up? see $DEMO/broker.log"
bold "    => NO: gateway $FEATURE_VERSION must not go to production until users provides loyaltyTier."

echo
bold "Summary (production):"
"$DEMO/bin/accord" status production | sed 's/^/  /'
echo
bold "Broker UI: $PACT_BROKER_BASE_URL  (make demo-stop stops the broker and the runner)"
