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

PACT_FFI_VERSION=0.4.28
PACT_CORE_NPM=@pact-foundation/pact-core-linux-x64-glibc@18.1.0
PACT_CLI_VERSION=18.1.2
PACT_CLI_NPM=@pact-foundation/pact-cli-linux-x64@$PACT_CLI_VERSION
DEFAULT_PG_IMAGE=postgres:16-alpine
LOCAL_PG_IMAGE=accord-local/postgres:15-bookworm

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

# --- Docker ---------------------------------------------------------------------
step "Docker engine (testcontainers starts PostgreSQL and the broker image in it)"
if timeout 20 docker info >/dev/null 2>&1; then
	info "running: $(docker version --format 'server {{.Server.Version}}' 2>/dev/null)"
else
	if timeout 20 docker info 2>&1 | grep -qi "permission denied"; then
		die "Docker runs, but this user may not use its socket" \
			"add yourself to the docker group (sudo usermod -aG docker \$USER, then log in again), or run as root"
	fi
	if ! is_root || ! command -v apt-get >/dev/null; then
		die "no Docker engine answers on this machine" \
			"start Docker (Docker Desktop on macOS; 'sudo systemctl start docker' on Linux)," \
			"or run 'make setup' as root on Debian/Ubuntu so it can install docker.io and start dockerd."
	fi
	command -v dockerd >/dev/null || apt_install docker.io
	info "starting dockerd --ip-masq=false in the background (log: .tools/log/dockerd.log)"
	# setsid: dockerd must outlive this script and the make that called it.
	setsid nohup dockerd --ip-masq=false >"$TOOLS/log/dockerd.log" 2>&1 </dev/null &
	dockerd_pid=$!
	deadline=$((SECONDS + 60))
	until timeout 5 docker info >/dev/null 2>&1; do
		if ! kill -0 "$dockerd_pid" 2>/dev/null; then
			tail -5 "$TOOLS/log/dockerd.log" >&2
			die "dockerd exited at start (its last lines are above)" \
				"inside a container it needs --privileged; elsewhere see $TOOLS/log/dockerd.log"
		fi
		[ "$SECONDS" -lt "$deadline" ] || die "dockerd did not answer within 60 s" "see $TOOLS/log/dockerd.log"
		sleep 1
	done
	INSTALLED+=("dockerd started")
	info "running: $(docker version --format 'server {{.Server.Version}}')"
fi

# --- libpact_ffi ------------------------------------------------------------------
step "libpact_ffi $PACT_FFI_VERSION (the Rust core that pact-go v2.4.2 links through cgo)"
if is_root || [ -w /usr/local/lib ]; then
	FFI_DIR=/usr/local/lib # where pact-go's cgo flags look, so plain `go test` works too
else
	FFI_DIR=$TOOLS/lib
fi
mkdir -p "$FFI_DIR"
ffi_probe() { # prints the version the library reports, or nothing
	local probe=$TOOLS/bin/pactffi-version
	if [ ! -x "$probe" ] || [ "$ROOT/ci/pactffi_version.c" -nt "$probe" ]; then
		command -v cc >/dev/null || apt_install gcc libc6-dev
		cc -O1 -o "$probe" "$ROOT/ci/pactffi_version.c" -ldl
	fi
	"$probe" "$1" 2>/dev/null || true
}
have=
[ -f "$FFI_DIR/libpact_ffi.so" ] && have=$(ffi_probe "$FFI_DIR/libpact_ffi.so")
if [ "$have" = "$PACT_FFI_VERSION" ]; then
	info "present: $FFI_DIR/libpact_ffi.so reports $have"
else
	[ -n "$have" ] && info "found version $have in $FFI_DIR, pact-go v2.4.2 needs $PACT_FFI_VERSION: replacing it"
	# pact-go's own installer downloads from GitHub; the same build ships in the npm package.
	npm_extract "$PACT_CORE_NPM" prebuilds/linux-x64/libpact_ffi.so "$FFI_DIR/libpact_ffi.so"
	have=$(ffi_probe "$FFI_DIR/libpact_ffi.so")
	[ "$have" = "$PACT_FFI_VERSION" ] ||
		die "installed libpact_ffi reports '$have', expected $PACT_FFI_VERSION" "remove $FFI_DIR/libpact_ffi.so and report this"
	command -v ldconfig >/dev/null && is_root && ldconfig
	INSTALLED+=("libpact_ffi $have")
	info "installed: $FFI_DIR/libpact_ffi.so reports $have"
fi

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

# --- PostgreSQL image -------------------------------------------------------------------
step "PostgreSQL image for testcontainers"
image_present() { docker image inspect "$1" >/dev/null 2>&1; }
PG_IMAGE=${ACCORD_POSTGRES_IMAGE:-}
if [ -n "$PG_IMAGE" ]; then
	image_present "$PG_IMAGE" || timeout 60 docker pull -q "$PG_IMAGE" >/dev/null 2>&1 ||
		die "ACCORD_POSTGRES_IMAGE=$PG_IMAGE is neither local nor pullable" "unset it to use $DEFAULT_PG_IMAGE or the local build"
	info "using ACCORD_POSTGRES_IMAGE=$PG_IMAGE"
elif image_present "$DEFAULT_PG_IMAGE"; then
	PG_IMAGE=$DEFAULT_PG_IMAGE
	info "present: $PG_IMAGE"
elif image_present "$LOCAL_PG_IMAGE" && [ "$(docker image inspect -f '{{index .Config.Labels "accord.recipe"}}' "$LOCAL_PG_IMAGE")" = "$(cat "$ROOT"/ci/postgres-image/build.sh "$ROOT"/ci/postgres-image/docker-entrypoint.sh | sha256sum | cut -c1-16)" ]; then
	PG_IMAGE=$LOCAL_PG_IMAGE
	info "present: $PG_IMAGE (local build from Debian packages; $DEFAULT_PG_IMAGE is not on this machine)"
elif info "trying docker pull $DEFAULT_PG_IMAGE (30 s at most)" && timeout 30 docker pull -q "$DEFAULT_PG_IMAGE" >/dev/null 2>&1; then
	PG_IMAGE=$DEFAULT_PG_IMAGE
	INSTALLED+=("$PG_IMAGE pulled")
else
	image_present "$LOCAL_PG_IMAGE" && info "$LOCAL_PG_IMAGE is out of date with ci/postgres-image: rebuilding"
	command -v debootstrap >/dev/null || apt_install debootstrap
	info "no registry answered: building $LOCAL_PG_IMAGE from Debian's postgresql-15 (once per machine, about 2 minutes)"
	"$ROOT/ci/postgres-image/build.sh" "$LOCAL_PG_IMAGE" || die "building $LOCAL_PG_IMAGE failed" "see the output above"
	PG_IMAGE=$LOCAL_PG_IMAGE
	INSTALLED+=("$PG_IMAGE built")
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
	printf '\033[32msetup: ready, nothing to install (%ss): docker, libpact_ffi %s, pact %s, %s\033[0m\n' "$took" "$PACT_FFI_VERSION" "$PACT_CLI_VERSION" "$PG_IMAGE"
else
	printf '\033[32msetup: ready in %ss; did: %s\033[0m\n' "$took" "$(
		IFS=,
		echo "${INSTALLED[*]}"
	)"
fi
