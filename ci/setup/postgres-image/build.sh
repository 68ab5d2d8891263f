#!/usr/bin/env bash
# Build a PostgreSQL image from Debian packages when no registry can be reached.
#
# The image keeps the official postgres image's contract, so tests written for
# postgres:16-alpine run unchanged: POSTGRES_USER / POSTGRES_PASSWORD /
# POSTGRES_DB, scripts in /docker-entrypoint-initdb.d, port 5432, and the
# "database system is ready to accept connections" line logged twice (once by
# the temporary init server, once by the real one).
set -euo pipefail
IMAGE=${1:?usage: build.sh IMAGE}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

command -v debootstrap >/dev/null || { echo "debootstrap is missing: sudo apt-get install -y debootstrap" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "debootstrap and docker import need root: run make setup as root once, or set ACCORD_POSTGRES_IMAGE to a PostgreSQL image you have" >&2; exit 1; }
ROOTFS=$(mktemp -d /var/tmp/accord-pg-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT

echo "    debootstrap bookworm + postgresql-15 into $ROOTFS (about a minute)"
debootstrap --variant=minbase --include=postgresql-15 bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || {
	tail -20 "$ROOTFS.log" >&2
	exit 1
}
rm -f "$ROOTFS.log"

install -m 0755 "$HERE/docker-entrypoint.sh" "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$ROOTFS/docker-entrypoint-initdb.d" "$ROOTFS/var/lib/postgresql/data" "$ROOTFS/var/run/postgresql"
chroot "$ROOTFS" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
# Trim what a database server never reads.
rm -rf "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*

echo "    docker import -> $IMAGE"
tar -C "$ROOTFS" -c . | docker import \
	--change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV PGDATA=/var/lib/postgresql/data' \
	--change 'ENV LANG=C.UTF-8' \
	--change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
	--change 'CMD ["postgres"]' \
	--change 'EXPOSE 5432' \
	--change "LABEL accord.recipe=$(cat "$HERE/build.sh" "$HERE/docker-entrypoint.sh" | sha256sum | cut -c1-16)" \
	--change 'LABEL org.opencontainers.image.description="PostgreSQL 15 from Debian bookworm packages with the official image entrypoint contract, built by accord ci/postgres-image"' \
	- "$IMAGE" >/dev/null
echo "    built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec))"
