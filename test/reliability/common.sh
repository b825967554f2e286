# shellcheck shell=bash
# test/reliability/common.sh: what the reliability checks share
# (doc/reliability.md).
#
# Sourced, never run, by test/reliability/<check>.sh.  Each check runs in one
# of two ways:
#   long:  sudo bash test/reliability/<check>.sh [ARGS]
#          test/lib/cluster.sh does everything test/check.sh's set-up does
#          (packages, build, install) and starts a cluster of the check's own
#          (with the settings the check put in SAFEIDX_PG_* before sourcing
#          this file); its traps stop and remove it at the end.
#   short: test/tap/<check>.sh, run by test/check.sh, sets REL_SHORT=1 and
#          runs the same script.  test/check.sh has installed the packages
#          and the extension; the check still starts a cluster of its own
#          (cluster.sh's safeidx_start_cluster; stopped and removed at exit,
#          however it ends), because it crashes it, runs it under valgrind,
#          reads its log or loads it.
# Either way the check prints TAP on stdout (rel_ok; rel_done prints the plan
# at the end) and what it does on stderr.  Its figures are lines
# "figure: NAME = VALUE" on stderr, also written to $REL_OUT/figures.txt.
#
# $REL_OUT: a directory for what the check keeps (logs, reproductions).  Long
# runs: /tmp/safeidx-reliability/<check>-<time>, kept; short runs: a
# temporary directory removed at exit unless the check failed (then its path
# is printed on stderr).  A check that must prepare something there before
# its cluster starts defines rel_before_cluster before sourcing this file.
#
# Functions:
#   rel_note MSG...      a line on stderr
#   rel_psql ARGS...     psql -X -q -v ON_ERROR_STOP=1 ARGS
#   rel_ok STATUS NAME   an assertion: "ok N - NAME" when STATUS is 0 (or the
#                        word true), else "not ok N - NAME"
#   rel_figure NAME VALUE
#   rel_done             prints the plan; the script's exit status follows
#                        from the assertions
#   rel_demo_db DB       creates DB with safeidx, the small demo city (seed
#                        42), the example schemes and governance rules
#   rel_wait_ready [S]   waits up to S seconds (default 120) until the server
#                        accepts connections and runs queries (after a crash)
#   rel_crashes          the number of server processes that died of a signal
#                        or exception, plus PANICs, in the server's log
#   rel_restarts         the number of times the postmaster reinitialized
#                        (after a crash) in the server's log

set -euo pipefail

REL_CHECK=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
REL_SHORT=${REL_SHORT:-0}

if [[ $REL_SHORT != 1 && $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "ERROR: run as root" >&2; exit 1; }
    _rel_env=()
    while IFS= read -r _rel_name; do
        [[ $_rel_name == SAFEIDX_* || $_rel_name == REL_* ]] && _rel_env+=("$_rel_name=${!_rel_name}")
    done < <(compgen -e)
    exec sudo -- env "${_rel_env[@]}" bash "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@"
fi

_rel_n=0
_rel_failed=0
rel_note() { printf '%s: %s\n' "$REL_CHECK" "$*" >&2; }
rel_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
rel_ok() {
    local st=$1 name=$2
    _rel_n=$((_rel_n + 1))
    if [[ $st == 0 || $st == true || $st == t ]]; then
        echo "ok $_rel_n - $name"
    else
        echo "not ok $_rel_n - $name"
        _rel_failed=$((_rel_failed + 1))
    fi
}
rel_figure() {
    printf 'figure: %s = %s\n' "$1" "$2" >&2
    printf '%s = %s\n' "$1" "$2" >>"$REL_OUT/figures.txt"
}

if [[ $REL_SHORT == 1 ]]; then
    REL_OUT=$(mktemp -d "/tmp/safeidx-$REL_CHECK.XXXXXX")
else
    mkdir -p /tmp/safeidx-reliability
    chmod 0755 /tmp/safeidx-reliability
    REL_OUT=/tmp/safeidx-reliability/$REL_CHECK-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$REL_OUT"
fi
chmod 0755 "$REL_OUT"
rel_note "keeping its files in $REL_OUT"
{
    echo "command: ${REL_COMMAND:-bash test/reliability/$REL_CHECK.sh $*}"
    echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
    echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
} >"$REL_OUT/figures.txt"

rel_done() {
    echo "1..$_rel_n"
    echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC')" >>"$REL_OUT/figures.txt"
    if [[ $REL_SHORT != 1 ]]; then
        echo "---- $REL_OUT/figures.txt ----"
        cat "$REL_OUT/figures.txt"
        echo "$((_rel_n - _rel_failed)) passed, $_rel_failed failed"
    fi
    [[ $_rel_failed -eq 0 && $_rel_n -gt 0 ]]
}

# ---- valgrind (valgrind.sh, valgrind_remote.sh) ----------------------------------
# rel_valgrind_wrapper DIR: the SAFEIDX_PG_WRAPPER that runs a server under
# memcheck, every process with its log in DIR (made writable by the server's
# user).
rel_valgrind_wrapper() {
    local dir=$1
    mkdir -p "$dir"
    chmod 0777 "$dir"
    printf '%s' "valgrind --tool=memcheck --trace-children=yes --leak-check=no --num-callers=40" \
        " --error-limit=no --read-var-info=no --time-stamp=yes ${REL_VALGRIND_OPTS:-}" \
        " --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --log-file=$dir/%p.log"
}

# rel_valgrind_errors DIR: reads the logs of DIR (the servers stopped, so
# that every log is whole): each error between the markers whose stack names
# safeidx.so goes to $REL_OUT/safeidx-errors.txt, the others to
# $REL_OUT/other-errors.txt; sets rel_vg_logs, rel_vg_ours, rel_vg_other.
rel_valgrind_errors() {
    local dir=$1 logs
    logs=("$dir"/*.log)
    rel_vg_logs=${#logs[@]}
    [[ -e ${logs[0]} ]] || rel_vg_logs=0
    awk -v ours="$REL_OUT/safeidx-errors.txt" -v other="$REL_OUT/other-errors.txt" '
        /VALGRINDERROR-BEGIN/ { inerr = 1; buf = FILENAME "\n"; next }
        /VALGRINDERROR-END/ {
            inerr = 0
            if (buf ~ /safeidx\.so/) { print buf > ours; n_ours++ } else { print buf > other; n_other++ }
            next }
        inerr { sub(/^==[0-9]+== ([0-9:.]+ )?/, ""); buf = buf $0 "\n" }
        END { printf "%d %d\n", n_ours, n_other > "/dev/stderr" }' "${logs[@]}" 2>"$REL_OUT/counts.txt" </dev/null || true
    read -r rel_vg_ours rel_vg_other <"$REL_OUT/counts.txt"
}

# the check's own preparation, with $REL_OUT made and before the cluster starts
if declare -F rel_before_cluster >/dev/null; then
    rel_before_cluster
fi

if [[ $REL_SHORT == 1 ]]; then
    # shellcheck source=test/lib/cluster.sh
    SAFEIDX_CLUSTER_FUNCTIONS_ONLY=1 source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
    _rel_short_exit() {
        local rc=$?
        trap - EXIT INT TERM
        safeidx_teardown
        if [[ $rc -eq 0 ]]; then
            rm -rf -- "$REL_OUT"
        else
            rel_note "failed: its files are kept in $REL_OUT"
        fi
        return "$rc"
    }
    trap _rel_short_exit EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    # the cluster's chatter on stderr, TAP alone on stdout
    safeidx_start_cluster >&2
else
    # shellcheck source=test/lib/cluster.sh
    source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"
fi
# Now in the repo root, PGHOST, PGPORT and PGUSER pointing at the cluster.

rel_demo_db() {
    local db=$1
    rel_psql -d postgres -c "CREATE DATABASE \"$db\"" >&2
    rel_psql -d "$db" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION safeidx;
\i test/demo/city.sql
SELECT demo.generate('small', 42);
BEGIN;
\i test/demo/schemes.sql
\i test/demo/governance.sql
COMMIT;
SQL
}

rel_wait_ready() {
    local limit=${1:-120} i
    for ((i = 0; i < limit * 4; i++)); do
        if psql -X -q -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.25
    done
    return 1
}

rel_crashes() {
    grep -cE 'was terminated by (signal|exception)|PANIC:' "$SAFEIDX_LOG" || true
}

rel_restarts() {
    grep -c 'server processes terminated; reinitializing' "$SAFEIDX_LOG" || true
}

