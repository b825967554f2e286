# shellcheck shell=bash
# test/lib/tap.sh: what the shell tests under test/tap/ share.
#
# Sourced, never run, by a test/tap/*.sh script.  A shell test does its own
# set-up in databases of its own on the cluster that PGHOST, PGPORT and PGUSER
# point at (test/check.sh exports them; the cluster trusts local
# connections), prints TAP on stdout and its set-up chatter on stderr, and
# removes its databases when it ends, however it ends.
#
# On sourcing: set -euo pipefail, the current directory becomes the repo root,
# and a trap on EXIT drops the databases made with tap_createdb (unless
# SAFEIDX_KEEP_DBS=1, to look at them after a failure).  When PGHOST, PGPORT
# or PGUSER is missing, the script fails as a one-assertion TAP test.
#
# Functions:
#   tap_note MSG...          a line on stderr, prefixed with the script's name.
#   tap_psql ARGS...         psql -X -q -v ON_ERROR_STOP=1 ARGS (output to stderr
#                            unless redirected by the caller).
#   tap_createdb DB [EXT...] drops DB if it exists, creates it, creates the
#                            extensions EXT in it and registers DB for the
#                            EXIT trap; returns non-zero at the first failure
#                            (call it as  tap_createdb ... || tap_fail_setup ...).
#   tap_dropdb DB            drops DB now (WITH (FORCE)).
#   tap_register_db DB       registers DB, made by the test's SQL, for the EXIT
#                            trap.
#   tap_createrole ROLE [OPTION...]
#                            creates the LOGIN role ROLE afresh (dropped first,
#                            should a run that stopped half-way have left it)
#                            with the role options given, and registers it for
#                            the EXIT trap, which drops it after the
#                            databases.  Roles belong to the cluster and the
#                            tests run in parallel: each test names its roles
#                            tap_safeidx_<test>_<what>.  Returns non-zero on
#                            failure (e.g. when a kept database still holds
#                            privileges of ROLE).
#   tap_pgtap DB FILE [PSQL-ARGS...]
#                            runs the pgTAP SQL FILE in DB the way pg_prove
#                            does (unaligned, tuples only, ON_ERROR_STOP):
#                            its TAP goes to stdout; returns psql's status.
#   tap_skip N REASON        prints a plan of N tests that all pass as skipped
#                            ("ok i # SKIP REASON"), and exits 0.
#   tap_fail_setup MSG       prints "1..1" and one failing test named MSG, and
#                            exits 1 (for a set-up that cannot go on).
# Hook: TAP_CLEANUP, the name of a function the EXIT trap runs before it drops
# the databases and roles (e.g. to unschedule a pg_cron job left behind).

set -euo pipefail

TAP_NAME=$(basename "${BASH_SOURCE[1]:-$0}")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

tap_note() { printf '%s: %s\n' "$TAP_NAME" "$*" >&2; }

tap_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

tap_skip() {
    local n=$1 reason=$2 i
    echo "1..$n"
    for ((i = 1; i <= n; i++)); do
        echo "ok $i # SKIP $reason"
    done
    exit 0
}

tap_fail_setup() {
    echo "1..1"
    echo "not ok 1 - $1"
    exit 1
}

if [[ -z ${PGHOST:-} || -z ${PGPORT:-} || -z ${PGUSER:-} ]]; then
    tap_fail_setup "PGHOST, PGPORT and PGUSER point at a test cluster (run through test/check.sh)"
fi

_tap_dbs=()
_tap_roles=()

tap_dropdb() {
    tap_psql -d postgres -c "SET client_min_messages = warning" \
             -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >&2
}

tap_register_db() { _tap_dbs+=("$1"); }

tap_createrole() {
    local role=$1
    shift
    _tap_roles+=("$role")
    tap_psql -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS \"$role\"" \
             -c "CREATE ROLE \"$role\" LOGIN $*" >&2
}

tap_createdb() {
    local db=$1 ext
    shift
    _tap_dbs+=("$db")
    tap_dropdb "$db" || return 1
    tap_psql -d postgres -c "CREATE DATABASE \"$db\"" >&2 || return 1
    for ext in "$@"; do
        tap_psql -d "$db" -c "CREATE EXTENSION \"$ext\"" >&2 || return 1
    done
}

tap_pgtap() {
    local db=$1 file=$2
    shift 2
    psql -X --no-align --quiet --tuples-only --pset pager=off -v ON_ERROR_STOP=1 \
         -d "$db" "$@" -f "$file"
}

_tap_on_exit() {
    local rc=$? db role
    if [[ -n ${TAP_CLEANUP:-} ]]; then
        "$TAP_CLEANUP" || tap_note "clean-up $TAP_CLEANUP failed"
    fi
    if [[ ${SAFEIDX_KEEP_DBS:-0} != 1 ]]; then
        for db in "${_tap_dbs[@]}"; do
            tap_dropdb "$db" 2>/dev/null || tap_note "could not drop database $db"
        done
        # after the databases, which may hold their privileges
        for role in "${_tap_roles[@]}"; do
            tap_psql -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS \"$role\"" \
                2>/dev/null || tap_note "could not drop role $role"
        done
    elif [[ ${#_tap_dbs[@]} -gt 0 || ${#_tap_roles[@]} -gt 0 ]]; then
        tap_note "SAFEIDX_KEEP_DBS=1: kept databases ${_tap_dbs[*]} and roles ${_tap_roles[*]}"
    fi
    return "$rc"
}
trap _tap_on_exit EXIT
