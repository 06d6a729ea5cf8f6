#!/usr/bin/env bash
# Load test on a real server: gunicorn (several workers) on 127.0.0.1 over a throwaway PostgreSQL
# with LOADTEST_PEOPLE people, driven by Locust (headless, LOADTEST_USERS logged-in users for
# LOADTEST_SECONDS; loadtest/locustfile.py), then the figures are read back from Locust's CSV and
# the invariants are checked in the database. Exits non-zero on any 5xx, unexpected answer,
# invariant violation or a list-page p95 over the target. See loadtest/README.md.
#
#   bash loadtest/run.sh                                   # 100k people, 8 users, 60 s
#   LOADTEST_PEOPLE=20000 LOADTEST_SECONDS=30 bash loadtest/run.sh
#
# Everything it starts (PostgreSQL in a temp dir, gunicorn) is stopped and removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

VENV="${VENV:-.venv}"
PY="${PY:-$VENV/bin/python}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${PG_PORT:-5432}"   # only names the socket file inside our private dir: no clash possible
PEOPLE="${LOADTEST_PEOPLE:-100000}"
USERS="${LOADTEST_USERS:-8}"
SPAWN_RATE="${LOADTEST_SPAWN_RATE:-4}"   # users started per second
SECONDS_TO_RUN="${LOADTEST_SECONDS:-60}"
THINK_MS="${LOADTEST_THINK_MS:-250}"
CORES="$(nproc 2>/dev/null || echo 2)"
WORKERS="${LOADTEST_WORKERS:-$((2 * CORES))}"
RESULTS="${LOADTEST_RESULTS:-loadtest/results.json}"
CSV_PREFIX="${RESULTS%.json}"   # Locust's loadtest/results_stats.csv, _failures.csv, _exceptions.csv
# On a shared machine, e.g. LOADTEST_NICE=-5 gives the server, database and Locust priority over
# other work (negative values need root), so the figures come closer to a machine of their own.
NICE="${LOADTEST_NICE:-}"
PASSWORD="loadtest-$RANDOM$RANDOM"

if [ "$SECONDS_TO_RUN" -gt 300 ] 2>/dev/null; then
    echo "LOADTEST_SECONDS=$SECONDS_TO_RUN is over the 300 s limit; running 300 s"
    SECONDS_TO_RUN=300
fi

section() { printf '\n========== %s ==========\n' "$*"; }

NICE_CMD=()
[ -n "$NICE" ] && NICE_CMD=(nice -n "$NICE")
niced() {
    ${NICE_CMD[@]+"${NICE_CMD[@]}"} "$@"
}

as_postgres() {
    # PostgreSQL refuses to run as root; run its tools as the postgres OS user.
    if [ "$(id -u)" = 0 ]; then
        (cd / && niced runuser -u postgres -- "$@")
    else
        niced "$@"
    fi
}

[ -x "$PY" ] || { echo "error: $PY not found; run 'make install' first (or set PY=/path/to/python)" >&2; exit 1; }
"$PY" -c 'import gunicorn' 2>/dev/null || {
    echo "error: gunicorn is not installed in $VENV; run '$PY -m pip install -e .' (it is a dependency)" >&2
    exit 1
}
"$PY" -c 'import locust' 2>/dev/null || {
    echo "error: Locust is not installed in $VENV; run '$PY -m pip install -e \".[load]\"' (or make loadtest)" >&2
    exit 1
}
[ -x "$PG_BIN/initdb" ] || { echo "error: PostgreSQL binaries not found in $PG_BIN (set PG_BIN)" >&2; exit 1; }

# --- PostgreSQL (throwaway, like .ci/run) ---------------------------------------------------------
section "PostgreSQL 15 (throwaway)"
WORK_DIR="$(mktemp -d /tmp/loadtest.XXXXXX)"
PG_DATA="$WORK_DIR/data"
PG_STARTED=0
GUNICORN_PID=""

stop_gunicorn() {
    # The master's pid as gunicorn wrote it, else the one we started; TERM stops its workers too.
    local pid="$GUNICORN_PID"
    [ -s "$WORK_DIR/gunicorn.pid" ] && pid="$(cat "$WORK_DIR/gunicorn.pid")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "Stopping gunicorn"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    GUNICORN_PID=""
}

cleanup() {
    status=$?
    stop_gunicorn
    if [ "$PG_STARTED" = 1 ]; then
        echo "Stopping PostgreSQL"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$WORK_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] && chown postgres: "$WORK_DIR"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=postgres --encoding=UTF8 --no-locale --no-sync >/dev/null
PG_STARTED=1
# Durability off (a throwaway database); statements slower than 100 ms are logged for the report.
if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK_DIR/postgres.log" -w -t 30 start \
        -o "-k $WORK_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -p $PG_PORT -c max_connections=100 -c log_min_duration_statement=100"; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$WORK_DIR/postgres.log" >&2 || true
    exit 1
fi
as_postgres "$PG_BIN/createdb" -h "$WORK_DIR" -p "$PG_PORT" -U postgres app
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on socket $WORK_DIR"

# --- The app, configured as in production (but plain HTTP on loopback) -----------------------------
export DATABASE_URL="postgres://postgres@${WORK_DIR//\//%2F}:${PG_PORT}/app"
export DJANGO_SETTINGS_MODULE=cloze.settings
export DEBUG=0
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1
export INSECURE_HTTP=1                                  # no SSL redirect / secure cookies over http://127.0.0.1
export CONN_MAX_AGE="${LOADTEST_CONN_MAX_AGE:-60}"      # persistent connections, as recommended for production
export LOG_LEVEL=WARNING
unset TESTING

section "collectstatic, migrate, seed $PEOPLE people"
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" loadtest/seed.py --people "$PEOPLE" --users "$USERS" --password "$PASSWORD" | tail -n 3

# --- gunicorn ---------------------------------------------------------------------------------------
section "gunicorn: $WORKERS workers"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE_URL="http://127.0.0.1:$PORT"
# Not through the niced function: `$!` must be gunicorn's own pid (nice execs it).
${NICE_CMD[@]+"${NICE_CMD[@]}"} "$PY" -m gunicorn cloze.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 60 \
    --error-logfile "$WORK_DIR/gunicorn.log" --capture-output --log-level warning --pid "$WORK_DIR/gunicorn.pid" \
    --access-logfile "$WORK_DIR/access.log" --access-logformat '%(M)s %(m)s %(U)s %(s)s' &
GUNICORN_PID=$!
PG_LOG_OFFSET="$(stat -c %s "$WORK_DIR/postgres.log")"
"$PY" - "$BASE_URL" <<'EOF'
import sys, time, urllib.request
url = sys.argv[1] + "/accounts/login/"
deadline = time.monotonic() + 30
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"gunicorn did not answer {url} within 30 s")
    time.sleep(0.2)
print(f"gunicorn answers on {url}")
EOF

# --- Load -------------------------------------------------------------------------------------------
section "Locust on $BASE_URL: $USERS users for $SECONDS_TO_RUN s"
locust_status=0
rm -f "$RESULTS" "$CSV_PREFIX"_*   # a previous run's figures must not pass for this one's
# Locust's own output (its summary tables, warnings) goes to its log; the report below reads the
# same figures from its CSV files.
LOADTEST_PASSWORD="$PASSWORD" LOADTEST_THINK_MS="$THINK_MS" LOADTEST_ACCOUNTS="$USERS" \
LOADTEST_WATCH="app=$GUNICORN_PID,db=$(head -n 1 "$PG_DATA/postmaster.pid")" \
    niced "$PY" -m locust -f loadtest/locustfile.py --headless --only-summary \
    -u "$USERS" -r "$SPAWN_RATE" --run-time "${SECONDS_TO_RUN}s" --stop-timeout 30s \
    --host "$BASE_URL" --csv "$CSV_PREFIX" >"${CSV_PREFIX}_locust.log" 2>&1 || locust_status=$?
# Exit 1 only says some requests failed (races included): the check below judges them.
if [ ! -s "${CSV_PREFIX}_stats.csv" ] || [ "$locust_status" -gt 1 ]; then
    echo "Locust did not produce results (exit $locust_status); its output and gunicorn's log:" >&2
    tail -n 30 "${CSV_PREFIX}_locust.log" >&2 || true
    tail -n 50 "$WORK_DIR/gunicorn.log" >&2 || true
    exit 1
fi
grep -E "WARNING|ERROR" "${CSV_PREFIX}_locust.log" | head -n 10 || true
echo "Locust's own output and summary: ${CSV_PREFIX}_locust.log"

# Stop the server before checking, so the check sees the final state.
stop_gunicorn

section "Server logs"
errors="$(grep -c -E 'Traceback|ERROR' "$WORK_DIR/gunicorn.log" || true)"
echo "gunicorn: ${errors:-0} error lines"
[ "${errors:-0}" = 0 ] || tail -n 40 "$WORK_DIR/gunicorn.log"
# PostgreSQL statements slower than 100 ms while the load ran (seeding excluded), grouped.
"$PY" - "$WORK_DIR/postgres.log" "$PG_LOG_OFFSET" <<'EOF' || true
import re, sys
from collections import defaultdict
with open(sys.argv[1], errors="replace") as log:
    log.seek(int(sys.argv[2]))
    text = log.read()
slow = defaultdict(list)
for ms, statement in re.findall(r"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*): (.*)", text):
    key = re.sub(r"\d+", "N", statement)
    if key.startswith("SELECT") and " FROM " in key:
        key = "SELECT ..." + key[key.index(" FROM "):]
    slow[key[:220]].append(float(ms))
total = sum(len(v) for v in slow.values())
print(f"PostgreSQL: {total} statements slower than 100 ms during the load")
for statement, times in sorted(slow.items(), key=lambda kv: -len(kv[1]))[:6]:
    print(f"  {len(times):>5} x  max {max(times):7.1f} ms  {statement}")
EOF

# Time spent inside the server (gunicorn's view: from reading the request to the response), against
# the client's latency: the difference is waiting for a free worker and for the CPU.
"$PY" - "$WORK_DIR/access.log" "${CSV_PREFIX}_server_time.json" <<'EOF' || true
import json, math, re, sys
from collections import defaultdict
groups = defaultdict(list)
with open(sys.argv[1]) as log:
    for line in log:
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit():
            groups[f"{parts[1]} {re.sub(r'/[0-9]+/', '/<id>/', parts[2])}"].append(int(parts[0]))
def pct(values, p):
    values = sorted(values)
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else 0
every = [ms for key, values in groups.items() if "/accounts/login/" not in key for ms in values]
summary = {"all but login": {"count": len(every), "p50_ms": pct(every, 50), "p95_ms": pct(every, 95)}}
for key in sorted(groups, key=lambda k: -len(groups[k]))[:8]:
    summary[key] = {"count": len(groups[key]), "p50_ms": pct(groups[key], 50), "p95_ms": pct(groups[key], 95)}
print("Inside the server (gunicorn request time, ms):")
for key, s in summary.items():
    print(f"  {key:34s} n={s['count']:<6} p50 {s['p50_ms']:>5}  p95 {s['p95_ms']:>5}")
with open(sys.argv[2], "w") as handle:
    json.dump(summary, handle, indent=2)
EOF

section "Requests, invariants and targets"
niced "$PY" -m loadtest.check --csv "$CSV_PREFIX" --results "$RESULTS" --people "$PEOPLE"
