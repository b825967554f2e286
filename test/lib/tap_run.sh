#!/usr/bin/env bash
# test/lib/tap_run.sh: runs one TAP test file of safeidx and prints its TAP.
#
#   bash test/lib/tap_run.sh FILE
#
# test/check.sh runs every test through it (prove --exec), from the repo root,
# with PGHOST, PGPORT and PGUSER pointing at the test cluster.  By kind:
#   *.sql  a pgTAP file (test/pgtap/): database "tap_<file name>" is created from
#          the template $SAFEIDX_TAP_TEMPLATE (default safeidx_tap_template,
#          the shared fixture described in test/check.sh), the file runs
#          there through psql as pg_prove would run it, and the database is
#          dropped afterwards (kept with SAFEIDX_KEEP_DBS=1);
#   *.sh   a shell test (test/tap/): run with bash; it sets up what it needs.
# A test that runs longer than $SAFEIDX_TAP_TIMEOUT seconds (default 900) is
# stopped and fails.
#
# With SAFEIDX_TAP_LOG set to a directory, the TAP, the test's stderr and its
# exit status are also written there as <name>.tap, <name>.err and <name>.rc
# (<name>: the file's path with / replaced by __), for check.sh to count;
# stderr then goes only to the log, so that parallel tests do not interleave
# their complaints on the terminal.
set -uo pipefail

file=${1:?usage: tap_run.sh FILE}
template=${SAFEIDX_TAP_TEMPLATE:-safeidx_tap_template}
timeout_s=${SAFEIDX_TAP_TIMEOUT:-900}
name=${file//\//__}

run_sql() {
    local db base
    base=$(basename "$file" .sql)
    db="tap_${base}"
    if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
            -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
            -c "CREATE DATABASE \"$db\" TEMPLATE \"$template\"" >&2; then
        echo "1..1"
        echo "not ok 1 - database $db could be created from template $template"
        return 1
    fi
    local rc=0
    timeout --kill-after=10 "$timeout_s" \
        psql -X --no-align --quiet --tuples-only --pset pager=off -v ON_ERROR_STOP=1 \
             -d "$db" -f "$file" || rc=$?
    if [[ $rc -eq 124 ]]; then
        echo "tap_run: $file stopped after ${timeout_s} s" >&2
    fi
    if [[ ${SAFEIDX_KEEP_DBS:-0} != 1 ]]; then
        psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >&2 \
            || echo "tap_run: could not drop database $db" >&2
    fi
    return "$rc"
}

run_sh() {
    local rc=0
    timeout --kill-after=10 "$timeout_s" bash "$file" || rc=$?
    if [[ $rc -eq 124 ]]; then
        echo "tap_run: $file stopped after ${timeout_s} s" >&2
    fi
    return "$rc"
}

run() {
    case $file in
        *.sql) run_sql ;;
        *.sh)  run_sh ;;
        *)     echo "1..1"; echo "not ok 1 - $file is a test of a known kind (.sql or .sh)"; return 1 ;;
    esac
}

if [[ -n ${SAFEIDX_TAP_LOG:-} ]]; then
    run 2>"$SAFEIDX_TAP_LOG/$name.err" | tee "$SAFEIDX_TAP_LOG/$name.tap"
    rc=${PIPESTATUS[0]}
    echo "$rc" >"$SAFEIDX_TAP_LOG/$name.rc"
    exit "$rc"
else
    run
fi
