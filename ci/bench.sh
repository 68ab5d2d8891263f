#!/usr/bin/env bash
# make bench: the standard load table of docs/performance.md at the large
# scale (200 applications, 200,000 versions, 1,000,000 results), on SQLite
# and on PostgreSQL, against a real accord-broker process on loopback.
# The databases are loaded once and kept in $BENCH_DIR (SQLite) and in the
# container accord-bench-pg (make bench-stop removes both).
# BENCH_SCALE=10x runs the table at ten times the size (2,000 / 2,000,000 /
# 10,000,000) on PostgreSQL only, in its own database bench10x (the first
# load takes about 5 minutes on 2 cores).
set -euo pipefail
dir=${BENCH_DIR:-$PWD/.bench}
dur=${BENCH_DURATION:-10s}
scale=${BENCH_SCALE:-large}
case "$scale" in
large) pgdb=bench ;;
10x) pgdb=bench10x ;;
*)
	echo "BENCH_SCALE must be large or 10x, got $scale" >&2
	exit 2
	;;
esac
mkdir -p "$dir"
go build -o "$dir/accord-broker" ./broker/cmd/accord-broker
go build -o "$dir/accord-loadgen" ./broker/cmd/accord-loadgen
lg=("$dir/accord-loadgen" -scale "$scale" -decisions 100 -broker "$dir/accord-broker" -table -duration "$dur")

if [ "$scale" = large ]; then
	echo "==> SQLite"
	"${lg[@]}" -db "sqlite://$dir/large.sqlite3" -label SQLite
fi

echo "==> PostgreSQL ($ACCORD_POSTGRES_IMAGE, container accord-bench-pg on 127.0.0.1:55433)"
# The server shares the host's network and listens on loopback only: a
# published port (-p) would put docker-proxy, a userland copy of every
# byte, between the broker and its database (a quarter of a core at 550
# can-i-deploy requests/s), which a broker's real database does not have.
if ! docker inspect accord-bench-pg >/dev/null 2>&1; then
	docker run -d --name accord-bench-pg --network host -e POSTGRES_USER=bench -e POSTGRES_PASSWORD=bench \
		-e POSTGRES_DB=bench "$ACCORD_POSTGRES_IMAGE" postgres -c max_connections=200 \
		-c listen_addresses=127.0.0.1 -c port=55433 >/dev/null
fi
inner=55433 # the port PostgreSQL listens on inside the container
if [ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' accord-bench-pg)" != host ]; then
	inner=5432
	echo "note: accord-bench-pg was made by an older make bench and reaches PostgreSQL through docker-proxy;" \
		"'make bench-stop' removes it (the next run loads the data again)" >&2
fi
docker start accord-bench-pg >/dev/null
for _ in $(seq 60); do
	docker exec accord-bench-pg pg_isready -U bench -d bench -h 127.0.0.1 -p $inner >/dev/null 2>&1 && break
	sleep 1
done
# The database server's CPU time per request, from the container's cgroup
# (v1 or v2), when this machine exposes it.
id=$(docker inspect -f '{{.Id}}' accord-bench-pg)
cg=()
for d in "/sys/fs/cgroup/cpuacct/docker/$id" "/sys/fs/cgroup/system.slice/docker-$id.scope" "/sys/fs/cgroup/docker/$id"; do
	if [ -e "$d/cpuacct.usage" ] || [ -e "$d/cpu.stat" ]; then
		cg=(-db-cgroup "$d")
		break
	fi
done
if [ "$pgdb" != bench ] && [ -z "$(docker exec accord-bench-pg psql -U bench -d bench -p $inner -Atc "SELECT 1 FROM pg_database WHERE datname = '$pgdb'")" ]; then
	docker exec accord-bench-pg psql -U bench -d bench -p $inner -qc "CREATE DATABASE $pgdb" >/dev/null
fi
"${lg[@]}" -db "postgres://bench:bench@127.0.0.1:55433/$pgdb?sslmode=disable" -label "PostgreSQL $scale" "${cg[@]}"
