#!/usr/bin/env bash
# Starts the throwaway services the scale-out tests need: redis-server and a PostgreSQL cluster, both on loopback,
# both living in one state directory. Idempotent: a service that already answers is left running.
#
#   .ci/services.sh          start (installs redis-server / postgresql with apt-get only if missing)
#   .ci/services.sh stop     stop both and keep the state directory
#   .ci/services.sh env      print the env file's path
#
# Writes "$EVIDENCE_SERVICES_DIR/env" (default /tmp/evidence-services/env, copied to build/services.env) with
#   EVIDENCE_TEST_REDIS_URL=redis://127.0.0.1:<port>/0
#   EVIDENCE_TEST_POSTGRES_URL=postgresql+psycopg://evidence@127.0.0.1:<port>/evidence
# in KEY=VALUE form: `set -a; . build/services.env; set +a` in a shell; tests/conftest_services.py reads the
# variables from the environment, else from that file.
# The cluster uses trust authentication on 127.0.0.1 only; it is for tests, never for data anyone keeps.
set -euo pipefail

STATE_DIR="${EVIDENCE_SERVICES_DIR:-/tmp/evidence-services}"
REDIS_PORT="${EVIDENCE_SERVICES_REDIS_PORT:-16379}"
PG_PORT="${EVIDENCE_SERVICES_PG_PORT:-15432}"
PG_USER=evidence   # database role (superuser of the throwaway cluster)
PG_DB=evidence
ENV_FILE="$STATE_DIR/env"
# A copy inside the repository for `make test` (build/ is ignored by git).
REPO_ENV_FILE="$(cd "$(dirname "$0")/.." && pwd)/build/services.env"

log() { printf 'services: %s\n' "$*" >&2; }

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        log "cannot install $* (not root); install it and run again"; exit 1
    fi
    log "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------- PostgreSQL binaries (PATH, then Debian's layout)
pg_bindir() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"; return
    fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
    return 1
}

# The server refuses to run as root: run it as the `postgres` account if there is one, else a system user we create.
pg_os_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; return; fi
    if ! id evidence-pg >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin evidence-pg
    fi
    echo evidence-pg
}

as_pg() {  # as_pg USER CMD...
    local user="$1"; shift
    if [ "$(id -un)" = "$user" ]; then "$@"; return; fi
    if command -v runuser >/dev/null 2>&1; then runuser -u "$user" -- "$@"
    else su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"; fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
pg_up() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

start_redis() {
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    mkdir -p "$STATE_DIR/redis"
    if redis_up; then log "redis already answers on 127.0.0.1:$REDIS_PORT"; return; fi
    # No persistence: the broker's contents are throwaway in tests.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$STATE_DIR/redis/redis.pid" --logfile "$STATE_DIR/redis/redis.log" \
        --dir "$STATE_DIR/redis" --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do redis_up && break; sleep 0.1; done
    redis_up || { log "redis did not start; see $STATE_DIR/redis/redis.log"; tail -n 20 "$STATE_DIR/redis/redis.log" >&2; exit 1; }
    log "started redis-server on 127.0.0.1:$REDIS_PORT (pid $(cat "$STATE_DIR/redis/redis.pid"))"
}

start_postgres() {
    PGBIN="$(pg_bindir || true)"
    if [ -z "$PGBIN" ]; then apt_install postgresql; PGBIN="$(pg_bindir)"; fi
    local user data sock
    user="$(pg_os_user)"
    data="$STATE_DIR/pg/data"; sock="$STATE_DIR/pg/sock"
    mkdir -p "$STATE_DIR/pg" "$sock"
    chown "$user" "$STATE_DIR/pg" "$sock"
    chmod 755 "$STATE_DIR" "$STATE_DIR/pg" 2>/dev/null || true
    if pg_up; then
        log "postgres already answers on 127.0.0.1:$PG_PORT"
    else
        if [ ! -s "$data/PG_VERSION" ]; then
            rm -rf "$data"; mkdir -p "$data"; chown "$user" "$data"; chmod 700 "$data"
            as_pg "$user" "$PGBIN/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
                || as_pg "$user" "$PGBIN/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >/dev/null
        fi
        # fsync off and small buffers: a throwaway cluster that starts in a second and does not wear the disk.
        as_pg "$user" "$PGBIN/pg_ctl" -D "$data" -l "$STATE_DIR/pg/postgres.log" -w -t 30 start \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
            || { log "postgres did not start; see $STATE_DIR/pg/postgres.log"; tail -n 20 "$STATE_DIR/pg/postgres.log" >&2; exit 1; }
        log "started postgres $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data $data, user $user)"
    fi
    if ! "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" | grep -q 1; then
        "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
    fi
}

stop_all() {
    PGBIN="$(pg_bindir || true)"
    if [ -f "$STATE_DIR/redis/redis.pid" ] && kill -0 "$(cat "$STATE_DIR/redis/redis.pid")" 2>/dev/null; then
        kill "$(cat "$STATE_DIR/redis/redis.pid")"; log "stopped redis"
    fi
    if [ -n "$PGBIN" ] && [ -s "$STATE_DIR/pg/data/postmaster.pid" ]; then
        as_pg "$(stat -c %U "$STATE_DIR/pg/data")" "$PGBIN/pg_ctl" -D "$STATE_DIR/pg/data" -m fast -w stop >/dev/null \
            && log "stopped postgres"
    fi
    rm -f "$ENV_FILE" "$REPO_ENV_FILE"
}

case "${1:-start}" in
    start)
        mkdir -p "$STATE_DIR"
        start_redis
        start_postgres
        {
            echo "EVIDENCE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
            echo "EVIDENCE_TEST_POSTGRES_URL=postgresql+psycopg://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
        } >"$ENV_FILE.tmp"
        mv "$ENV_FILE.tmp" "$ENV_FILE"
        mkdir -p "$(dirname "$REPO_ENV_FILE")" && cp "$ENV_FILE" "$REPO_ENV_FILE"
        log "wrote $ENV_FILE and $REPO_ENV_FILE:"
        sed 's/^/services:   /' "$ENV_FILE" >&2
        ;;
    stop) stop_all ;;
    env) echo "$ENV_FILE" ;;
    *) echo "usage: $0 [start|stop|env]" >&2; exit 2 ;;
esac
