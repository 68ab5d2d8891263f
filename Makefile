# Accord — see README.md. `make test` and `make demo` each run `make setup` first.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Every test run gets these (README.md, "Environment", says why). A CI job
# whose Docker engine is elsewhere (GitLab's docker:dind) sets the override.
export TESTCONTAINERS_HOST_OVERRIDE ?= 127.0.0.1
export TESTCONTAINERS_RYUK_DISABLED := true
export PACT_DO_NOT_TRACK := true

# The PostgreSQL image: the one the user names in ACCORD_POSTGRES_IMAGE, else
# the one ci/setup.sh resolved (written to .tools/env.mk with where
# libpact_ffi lives).
ifeq ($(origin USER_POSTGRES_IMAGE),undefined)
USER_POSTGRES_IMAGE := $(ACCORD_POSTGRES_IMAGE)
endif
export USER_POSTGRES_IMAGE
-include .tools/env.mk
ifeq ($(strip $(USER_POSTGRES_IMAGE)),)
ACCORD_POSTGRES_IMAGE := $(ACCORD_SETUP_POSTGRES_IMAGE)
else
ACCORD_POSTGRES_IMAGE := $(USER_POSTGRES_IMAGE)
endif
export ACCORD_POSTGRES_IMAGE
export PATH := $(CURDIR)/.tools/bin:$(PATH)
ifneq ($(PACT_FFI_DIR),)
ifneq ($(PACT_FFI_DIR),/usr/local/lib)
export CGO_LDFLAGS := -L$(PACT_FFI_DIR) -Wl,-rpath,$(PACT_FFI_DIR)
export LD_LIBRARY_PATH := $(PACT_FFI_DIR):$(LD_LIBRARY_PATH)
endif
endif

GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: help setup env test test-run fuzz reliability bench bench-stop demo demo-run demo-stop fmt vet publish verify verify-pact can-i-deploy record-deployment

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## install what tests and the demo need (idempotent)
	@ACCORD_POSTGRES_IMAGE="$(USER_POSTGRES_IMAGE)" bash ci/setup.sh

env: ## print the environment make test uses, for running go test by hand: eval "$$(make -s env)"
	@echo "export TESTCONTAINERS_HOST_OVERRIDE=$(TESTCONTAINERS_HOST_OVERRIDE) TESTCONTAINERS_RYUK_DISABLED=true PACT_DO_NOT_TRACK=true"
	@echo "export PATH=$(CURDIR)/.tools/bin:\$$PATH"
	@$(if $(strip $(ACCORD_POSTGRES_IMAGE)),echo "export ACCORD_POSTGRES_IMAGE=$(ACCORD_POSTGRES_IMAGE)",true)

test: setup ## run every test: consumers first (they write the pacts), then providers, broker, library
	@bash ci/sweep-containers.sh run $(MAKE) --no-print-directory test-run

# make test checks the pacts the consumer tests just wrote; verification
# against a broker is `make verify`.
test-run: export PACT_BROKER_BASE_URL :=
test-run: export PACT_URL :=
test-run:
	@echo "==> consumer contract tests (write contracts/pacts/*.json)"
	go test $(GO_TEST_FLAGS) -v -run '^TestConsumer' ./consumers/... ./providers/...
	@echo "==> provider verification and service tests"
	go test $(GO_TEST_FLAGS) -v -skip '^TestConsumer' ./providers/... ./consumers/...
	@echo "==> library, broker and pipeline tests"
	go test $(GO_TEST_FLAGS) $$(go list ./... | grep -v -e /providers/ -e /consumers/)
	@$(MAKE) --no-print-directory fuzz

# Each fuzz target of a decoder of untrusted input runs for FUZZTIME (its
# committed corpus under testdata/fuzz runs in every plain go test too).
FUZZTIME ?= 3s
FUZZ_TARGETS := ./broker:FuzzParsePact ./broker:FuzzSelectors ./broker/rackquery:FuzzParse \
	./broker/rackquery:FuzzDecodeMetadata ./broker/webhook:FuzzBuild ./broker/matrix:FuzzDecide ./broker/httpapi:FuzzHTTP ./broker/ui:FuzzRenderPact \
	./broker/openapi:FuzzParse ./broker/fieldusage:FuzzParseLocation ./broker/fieldusage:FuzzIndexPact

fuzz: ## run every fuzz target for FUZZTIME (default 3s) each
	@echo "==> fuzz targets, $(FUZZTIME) each"
	@FUZZTIME=$(FUZZTIME) bash ci/fuzz.sh $(FUZZ_TARGETS)

# The long attack (docs/reliability.md): more publishers, kills, outages and
# race rounds than make test's short version; loopback only, bounded.
reliability: setup ## the long reliability attack on real broker processes (about 10 minutes)
	@bash ci/sweep-containers.sh run go test -count=1 -timeout 30m -v -run . ./broker/reliability -reliability.long

# The load table of docs/performance.md (ci/bench.sh): a real broker at the
# large scale, on SQLite and PostgreSQL; loopback only, bounded. The first
# run loads the databases (minutes); later runs reuse them.
bench: setup ## the load table of docs/performance.md on SQLite and PostgreSQL (a few minutes once loaded)
	@bash ci/bench.sh

bench-stop: ## remove what make bench keeps (.bench/, the accord-bench-pg container)
	-docker rm -f accord-bench-pg
	rm -rf .bench

demo: setup ## run the contract-testing story end to end
	@$(MAKE) --no-print-directory demo-run

demo-run:
	@bash ci/sweep-containers.sh run bash ci/demo.sh

demo-stop: ## stop what make demo started
	@bash ci/demo.sh stop

# --- the contract pipeline (docs/pipeline.md); the broker is $$PACT_BROKER_BASE_URL ---
ACCORD := go run ./ci/cmd/accord
ENVIRONMENT ?= production

publish: ## publish contracts/pacts as this commit (version = git SHA, branch = git branch)
	@$(ACCORD) publish

verify: ## verify [PROVIDER=users|orders]: local pact files, or the broker's when PACT_BROKER_BASE_URL is set
	@$(ACCORD) verify -v $(if $(PROVIDER),./providers/$(PROVIDER)/)

verify-pact: ## verify the provider of one pact: PACT_URL=... (the webhook-triggered build)
	@test -n "$(PACT_URL)" || { echo "usage: make verify-pact PACT_URL=http://broker/pacts/..."; exit 2; }
	@$(ACCORD) verify -v --pact-url "$(PACT_URL)"

can-i-deploy: ## can PACTICIPANT=x [VERSION=v] go to ENVIRONMENT (default production)? waits while unknown
	@test -n "$(PACTICIPANT)" || { echo "usage: make can-i-deploy PACTICIPANT=x [VERSION=v] [ENVIRONMENT=production]"; exit 2; }
	@$(ACCORD) can-i-deploy --pacticipant $(PACTICIPANT) --version "$(VERSION)" --to-environment $(ENVIRONMENT) --retry-while-unknown 12 --retry-interval 5

record-deployment: ## record that PACTICIPANT=x [VERSION=v] now runs in ENVIRONMENT
	@test -n "$(PACTICIPANT)" || { echo "usage: make record-deployment PACTICIPANT=x [VERSION=v] [ENVIRONMENT=production]"; exit 2; }
	@$(ACCORD) record-deployment --pacticipant $(PACTICIPANT) --version "$(VERSION)" --environment $(ENVIRONMENT)

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet every package
	go vet ./...
