#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the store tests on 127.0.0.1 and print its URL on stdout.
#
# Idempotent: installs Debian's `postgresql` package only when its binaries are missing (running
# `apt-get update` only when the package lists do not know it), creates the cluster `planner_test`
# once, starts it when it is down, creates the role and database once. Needs root on Debian.
# The cluster is for tests only: fsync is off and it listens on loopback only.
#   PLANNER_PG_PORT   port (default 54329)
set -euo pipefail

PORT="${PLANNER_PG_PORT:-54329}"
CLUSTER=planner_test
ROLE=planner
PASSWORD=planner
DATABASE=planner
SOCKETS=/var/run/postgresql

log() { echo "postgres.sh: $*" >&2; }

have_server() {
  command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

install_server() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed, and installing it needs root on Debian (apt-get)"
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache policy postgresql 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    log "apt-get update (the package lists do not know postgresql yet)"
    apt-get update -qq >&2
  fi
  log "installing postgresql from Debian's packages"
  if ! apt-get install -y -qq --no-install-recommends postgresql >&2; then
    log "install failed with the current package lists; updating them and retrying"
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
}

have_server || install_server
have_server || { log "no PostgreSQL server binaries after installing"; exit 1; }

VERSION="$(basename "$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n 1 | xargs dirname | xargs dirname)")"
install -d -o postgres -g postgres -m 2775 "$SOCKETS"

if ! pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "$VERSION/$CLUSTER"; then
  log "creating cluster $VERSION/$CLUSTER on port $PORT"
  pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" \
    -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
# Settings in the cluster's conf.d (read after postgresql.conf): loopback only, no fsync (tests).
install -d -o postgres -g postgres "/etc/postgresql/$VERSION/$CLUSTER/conf.d"
cat >"/etc/postgresql/$VERSION/$CLUSTER/conf.d/planner-tests.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF

if ! pg_ctlcluster "$VERSION" "$CLUSTER" status >/dev/null 2>&1; then
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { log "server on 127.0.0.1:$PORT does not answer"; exit 1; }

psql_admin() { runuser -u postgres -- psql -X -q -h "$SOCKETS" -p "$PORT" -v ON_ERROR_STOP=1 "$@"; }
psql_admin -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END \$\$;" >&2
if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
  psql_admin -d postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
fi

echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
