#!/usr/bin/env bash
# test/check.sh: safeidx's tests, run on a throw-away PostgreSQL 15 cluster.
#
#   bash test/check.sh
#
# Root, or a user with sudo (it re-runs itself through sudo).  Installs what is
# missing, builds and installs the extension, starts a cluster (test/lib/cluster.sh),
# then runs
#   a) pg_regress: make installcheck (the REGRESS list of the Makefile), counted
#      in test files;
#   b) the TAP tests, counted in assertions, all in one run of prove
#      (-j $SAFEIDX_TAP_JOBS, default: the number of CPUs plus one, because the
#      pg_cron test mostly waits), each through test/lib/tap_run.sh:
#      - test/tap/*.sh ($SAFEIDX_TAP_DIR): shell tests, each of which makes
#        its own databases on this cluster (PGHOST, PGPORT and PGUSER are
#        exported), prints TAP and removes what it made: cron_refresh (pg_cron
#        runs a scheduled refresh; started first, so that its wait for the
#        next minute overlaps the other tests), dump_restore (pg_dump /
#        pg_restore round trip), report (the release report rendered in
#        headless Chromium), upgrade (ALTER EXTENSION safeidx UPDATE from
#        0.1.0 against a fresh install), security_escalation,
#        security_roles and security_release (with LOGIN roles of their
#        own, dropped at exit), subnormal, and the short versions of the
#        reliability checks (test/reliability/, doc/reliability.md:
#        sqlsmith, valgrind, pgbench, kill9), each on a cluster of its own.
#        Their companion files test/tap/*.sql are not run on their own;
#      - test/pgtap/*.sql ($SAFEIDX_PGTAP_DIR): pgTAP files, each alone in a
#        fresh database "tap_<file name>" created from one template, so that
#        no file sees what another did.  The template, safeidx_tap_template,
#        is the shared fixture, and holds only:
#          the extensions pgtap, safeidx and dblink, and
#          the demo city: test/demo/city.sql, SELECT demo.generate('small', 42).
#        A file that needs more (e.g. test/demo/schemes.sql) loads it itself.
#      SAFEIDX_TESTS="file ..." runs only the TAP files named (pg_regress
#      still runs).
#    Every test's TAP and stderr are printed after the run; a file counts its
#    ok and not ok lines (TODO and SKIP count as passed), plus one failure
#    when it planned another number of tests than it ran, printed no plan,
#    bailed out or exited non-zero without a failing assertion.
# The last line printed is "N passed, N failed"; the exit status is 0 only when
# nothing failed and both suites ran.

set -euo pipefail

passed=0
failed=0
summary_done=0
work=

# Run by cluster.sh's traps when the script ends any other way (set-up failure,
# set -e, Ctrl-C): the summary still comes last, with the abort as one failure.
# shellcheck disable=SC2317  # invoked indirectly, through $SAFEIDX_ON_ABORT
_check_on_abort() {
    [[ -z $work ]] || rm -rf -- "$work"
    if [[ $summary_done -eq 0 ]]; then
        echo "check: aborted (status $1) before the tests finished" >&2
        echo "$passed passed, $((failed + 1)) failed"
        summary_done=1
    fi
}
SAFEIDX_ON_ABORT=_check_on_abort

# shellcheck source=test/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
# Now in the repo root, with PGHOST, PGPORT and PGUSER pointing at the cluster.

pgtap_dir=${SAFEIDX_PGTAP_DIR:-test/pgtap}
tap_dir=${SAFEIDX_TAP_DIR:-test/tap}
tap_template=safeidx_tap_template
demo_city=test/demo/city.sql
work=$(mktemp -d /tmp/safeidx-check.XXXXXX)   # removed below, or by _check_on_abort

# ---- a) pg_regress -----------------------------------------------------------
regress_ran=0
regress_passed=0
regress_failed=0

say "pg_regress: make installcheck"
set +e
safeidx_as_invoker make installcheck PG_CONFIG="$SAFEIDX_PG_CONFIG" 2>&1 | tee "$work/regress.out"
regress_rc=${PIPESTATUS[0]}
set -e

# PG15 prints " All N tests passed. " or " M of N tests failed. " (with variants
# for ignored tests); PG16+ prefix the same lines with "# ".
line=$(grep -E '^[#[:space:]]*(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests (passed|failed))' \
        "$work/regress.out" | tail -n 1 || true)
if [[ $line =~ All\ ([0-9]+)\ tests\ passed ]]; then
    regress_passed=${BASH_REMATCH[1]}
    regress_ran=1
elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed,\ ([0-9]+)\ of\ these\ failures\ ignored ]]; then
    regress_failed=$((BASH_REMATCH[1] - BASH_REMATCH[3]))
    regress_passed=$((BASH_REMATCH[2] - BASH_REMATCH[1]))
    regress_ran=1
elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed ]]; then
    regress_failed=${BASH_REMATCH[1]}
    regress_passed=$((BASH_REMATCH[2] - BASH_REMATCH[1]))
    regress_ran=1
elif [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ passed ]]; then
    # "M of N tests passed, K failed test(s) ignored."
    regress_passed=${BASH_REMATCH[1]}
    regress_ran=1
fi
if [[ $regress_ran -eq 0 ]]; then
    echo "check: pg_regress printed no result line (exit $regress_rc); counted as 1 failure" >&2
    regress_failed=1
elif [[ $regress_rc -ne 0 && $regress_failed -eq 0 ]]; then
    echo "check: make installcheck exited $regress_rc although its tests passed; counted as 1 failure" >&2
    regress_failed=1
fi
if [[ $regress_rc -ne 0 ]]; then
    diffs=$(sed -n 's/.*can be viewed in the file "\(.*\)"\.$/\1/p' "$work/regress.out" | tail -n 1)
    diffs=${diffs:-regression.diffs}
    if [[ -s $diffs ]]; then
        echo "---- $diffs ----"
        cat "$diffs"
        echo "---- end of $diffs ----"
    fi
    # A test without an expected file stops pg_regress before any diff is
    # written: show what the test printed instead.
    for out in results/*.out; do
        [[ -e $out && ! -e expected/$(basename "$out") ]] || continue
        echo "---- expected/$(basename "$out") is missing; $out holds: ----"
        cat "$out"
        echo "---- end of $out ----"
    done
fi
say "pg_regress: $regress_passed passed, $regress_failed failed"
passed=$((passed + regress_passed))
failed=$((failed + regress_failed))

# ---- b) TAP tests -------------------------------------------------------------
tap_ran=0
tap_passed=0
tap_failed=0

if [[ -n ${SAFEIDX_TESTS:-} ]]; then
    read -r -a tap_tests <<<"$SAFEIDX_TESTS"
else
    shopt -s nullglob
    tap_tests=("$tap_dir"/*.sh "$pgtap_dir"/*.sql)
    shopt -u nullglob
fi

# The shared fixture of the pgTAP files, made once and copied for each file.
# No connection is allowed to it afterwards, so that nothing changes it and
# CREATE DATABASE ... TEMPLATE never finds it in use.
make_template() {
    safeidx_psql -q -d postgres -c "CREATE DATABASE $tap_template" || return 1
    safeidx_psql -q -d "$tap_template" >/dev/null <<SQL || return 1
CREATE EXTENSION pgtap;
CREATE EXTENSION safeidx;
CREATE EXTENSION dblink;
\i $demo_city
SELECT demo.generate('small', 42);
SQL
    safeidx_psql -q -d postgres \
        -c "ALTER DATABASE $tap_template WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
}

# Adds the counts of one test's TAP ($1: the file, $2: its log name) to
# tap_passed and tap_failed.
count_tap() {
    local test=$1 name=$2 tap rc ok not_ok not_ok_todo plan seen
    tap="$work/tap/$name.tap"
    rc=$(cat "$work/tap/$name.rc" 2>/dev/null || echo missing)
    if [[ $rc == missing || ! -e $tap ]]; then
        echo "check: $test did not run; counted as 1 failure" >&2
        tap_failed=$((tap_failed + 1))
        return
    fi
    ok=$(grep -cE '^ok [0-9]' "$tap" || true)
    not_ok=$(grep -cE '^not ok [0-9]' "$tap" || true)
    not_ok_todo=$(grep -E '^not ok [0-9]' "$tap" | grep -ciE '#[[:space:]]*(todo|skip)' || true)
    tap_passed=$((tap_passed + ok + not_ok_todo))
    tap_failed=$((tap_failed + not_ok - not_ok_todo))
    seen=$((ok + not_ok))
    plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tap" | head -n 1)
    if grep -q '^Bail out!' "$tap"; then
        echo "check: $test bailed out; counted as 1 failure" >&2
        tap_failed=$((tap_failed + 1))
    elif [[ -z $plan ]]; then
        echo "check: $test printed no plan (exit $rc); counted as 1 failure" >&2
        tap_failed=$((tap_failed + 1))
    elif [[ $plan -ne $seen ]]; then
        echo "check: $test planned $plan tests and ran $seen (exit $rc); counted as 1 failure" >&2
        tap_failed=$((tap_failed + 1))
    elif [[ $rc -ne 0 && $((not_ok - not_ok_todo)) -eq 0 ]]; then
        echo "check: $test exited $rc without a failing assertion; counted as 1 failure" >&2
        tap_failed=$((tap_failed + 1))
    fi
}

if [[ ${#tap_tests[@]} -eq 0 ]]; then
    say "TAP: no tests in $tap_dir/*.sh or $pgtap_dir/*.sql, skipped"
    tap_ran=1
else
    has_sql=0
    for t in "${tap_tests[@]}"; do
        [[ $t == *.sql ]] && has_sql=1
    done
    if [[ $has_sql -eq 1 ]]; then
        say "TAP: template database $tap_template: pgtap, safeidx, dblink, the demo city (small, 42)"
        if ! make_template; then
            # Each pgTAP file then fails on its own (tap_run.sh cannot copy it).
            echo "check: could not make the template database $tap_template (see above)" >&2
        fi
    fi
    jobs=${SAFEIDX_TAP_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
    mkdir -p "$work/tap"
    say "TAP: prove -j $jobs over ${#tap_tests[@]} files (test/lib/tap_run.sh each)"
    set +e
    SAFEIDX_TAP_LOG="$work/tap" SAFEIDX_TAP_TEMPLATE=$tap_template \
        prove -j "$jobs" --timer --exec "bash test/lib/tap_run.sh" "${tap_tests[@]}" 2>&1 \
        | tee "$work/prove.out"
    prove_rc=${PIPESTATUS[0]}
    set -e
    tap_ran=1

    for t in "${tap_tests[@]}"; do
        name=${t//\//__}
        echo "---- $t ----"
        cat "$work/tap/$name.tap" 2>/dev/null || echo "(no output)"
        if [[ -s $work/tap/$name.err ]]; then
            echo "---- $t: stderr ----"
            cat "$work/tap/$name.err"
        fi
        count_tap "$t" "$name"
    done
    echo "---- end of the TAP tests ----"
    if [[ $prove_rc -ne 0 && $tap_failed -eq 0 ]]; then
        echo "check: prove exited $prove_rc although every test passed; counted as 1 failure" >&2
        tap_failed=1
    fi
fi
say "TAP: $tap_passed passed, $tap_failed failed"
passed=$((passed + tap_passed))
failed=$((failed + tap_failed))

# ---- summary -----------------------------------------------------------------
if [[ $failed -ne 0 && -s ${SAFEIDX_LOG:-} ]]; then
    echo "---- the server's log: pg_cron's lines, then the last 100 lines ($SAFEIDX_LOG) ----"
    grep -i 'cron' "$SAFEIDX_LOG" | tail -n 40 || true
    echo "----"
    tail -n 100 "$SAFEIDX_LOG"
    echo "---- end of the server's log ----"
fi
rm -rf -- "$work"
work=
safeidx_teardown
summary_done=1
echo "$passed passed, $failed failed"
if [[ $failed -eq 0 && $regress_ran -eq 1 && $tap_ran -eq 1 ]]; then
    exit 0
fi
exit 1
