#!/bin/sh
# Entrypoint with the official postgres image's contract (see build.sh).
set -eu

if [ "${1:-postgres}" != postgres ]; then
	exec "$@"
fi
[ $# -gt 0 ] && shift

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
		echo "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
		echo "       set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections" >&2
		exit 1
	fi
	pwfile=$(mktemp)
	printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
	chown postgres "$pwfile"
	as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
		${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
	rm -f "$pwfile"
	auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	# Temporary server on the unix socket only, as the official image does.
	as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start
	export PGHOST=/var/run/postgresql PGUSER="$POSTGRES_USER" PGPASSWORD="${POSTGRES_PASSWORD:-}"
	if [ "$POSTGRES_DB" != postgres ]; then
		as_postgres psql -v ON_ERROR_STOP=1 --no-psqlrc -q -d postgres \
			-c "CREATE DATABASE \"$POSTGRES_DB\"" 
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh) echo "running $f"; . "$f" ;;
		*.sql) echo "running $f"; as_postgres psql -v ON_ERROR_STOP=1 --no-psqlrc -q -d "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) echo "running $f"; gunzip -c "$f" | as_postgres psql -v ON_ERROR_STOP=1 --no-psqlrc -q -d "$POSTGRES_DB" ;;
		*) echo "ignoring $f" ;;
		esac
	done
	as_postgres pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGHOST PGUSER PGPASSWORD
	echo "PostgreSQL init process complete; ready for start up."
fi

# The official image stops with SIGINT (fast shutdown). `docker import` cannot
# set STOPSIGNAL, and a background job of sh starts with SIGINT ignored, so
# docker's SIGTERM becomes a fast shutdown through pg_ctl: a smart shutdown
# would wait for every client to disconnect.
as_postgres postgres -D "$PGDATA" -c listen_addresses='*' "$@" &
pid=$!
trap 'as_postgres pg_ctl -D "$PGDATA" -m fast -W stop >/dev/null' TERM INT
status=0
while kill -0 "$pid" 2>/dev/null; do
	# wait returns early (>128) when a trapped signal arrives; then wait again.
	wait "$pid" && status=0 || status=$?
done
exit "$status"
