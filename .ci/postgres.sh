# Sourced by .ci/run: a throwaway PostgreSQL cluster for the tests.
#
#   start_postgres   initdb in a temp dir, start on a free loopback port as an unprivileged
#                    user, export MAPREDUCE_TEST_POSTGRES_URL; exits non-zero if it cannot
#   stop_postgres    stop the server and delete the cluster (registered on EXIT)

_pg_bin() {
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$found" ] && [ -x "$found/pg_ctl" ]; then
        echo "$found"
    fi
}

_pg_as() {  # run a command as the cluster's owner (the server refuses to run as root)
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    local bin
    bin=$(_pg_bin)
    if [ -z "$bin" ]; then
        echo "initdb/pg_ctl not found: installing PostgreSQL with apt-get" >&2
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
        bin=$(_pg_bin)
        [ -n "$bin" ] || { echo "PostgreSQL is still missing after apt-get install" >&2; return 1; }
    fi
    PG_OWNER=${PG_OWNER:-nobody}
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mapreduce-pg.XXXXXX")
    trap stop_postgres EXIT
    local password port
    password=$(python -c 'import secrets; print(secrets.token_hex(12))')
    port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '%s\n' "$password" >"$PG_DIR/pwfile"
    [ "$(id -u)" = 0 ] && chown -R "$PG_OWNER" "$PG_DIR"
    _pg_as "$bin/initdb" -D "$PG_DIR/data" -U mapreduce --pwfile="$PG_DIR/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; echo "initdb failed" >&2; return 1; }
    rm -f "$PG_DIR/pwfile"
    _pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=100" start \
        >/dev/null || { cat "$PG_DIR/server.log" >&2; echo "PostgreSQL did not start" >&2; return 1; }
    PG_CTL="$bin/pg_ctl"
    export MAPREDUCE_TEST_POSTGRES_URL="postgresql://mapreduce:$password@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
        [ -n "${PG_CTL:-}" ] && _pg_as "$PG_CTL" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
        rm -rf "$PG_DIR"
    fi
}
