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
#   b) pgTAP: pg_prove over $SAFEIDX_PGTAP_DIR/*.sql (default test/pgtap), in
#      name order, in a database "safeidx_tap" holding pgtap, safeidx, the demo
#      city (test/demo/city.sql, demo.generate('small', 42)) and dblink (the
#      pg_cron files reach cron.*, which lives in database postgres, through
#      it), counted in assertions.  00_cron_schedule.sql schedules a
#      once-a-minute pg_cron job and 99_cron_ran.sql waits for its run, so the
#      files in between hide part of that wait.
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

# ---- pg_dump round trip --------------------------------------------------------
# A database with the demo city, the example schemes and governance rules, a
# user grade scale, built results, two releases and warning notices is dumped (custom format) and restored into another database;
# test/pgtap/12_dump_restore.sql compares the two (and fails if this did not
# happen).
say "pg_dump round trip: safeidx_dump -> pg_dump -> pg_restore -> safeidx_restore"
if safeidx_psql -q -d postgres -c 'CREATE DATABASE safeidx_dump' \
   && safeidx_psql -q -d safeidx_dump <<SQL
CREATE EXTENSION safeidx;
\i $demo_city
SELECT demo.generate('small', 42);
BEGIN;
\i test/demo/schemes.sql
\i test/demo/governance.sql
INSERT INTO safeidx.grade_scale VALUES ('three', 'a user scale');
INSERT INTO safeidx.grade_band VALUES ('three', 1, 85, '好', 'good', '#1565C0'), ('three', 2, 60, '中', 'fair', '#F9A825'),
                                      ('three', 3, NULL, '差', 'poor', '#C62828');
COMMIT;
SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
SELECT number FROM safeidx.publish_release('wuchang_monthly', '2025-11-01');
SELECT number FROM safeidx.publish_release('wuchang_monthly', '2025-12-01');
SELECT count(*) FROM generate_series(date '2025-01-01', date '2025-12-01', interval '1 month') m,
                     LATERAL safeidx.issue_notices('wuchang', m::date, (m + interval '1 month 4 days')::date);
SELECT safeidx.acknowledge_notice(min(id), 'received') FROM safeidx.notice;
SQL
then
    if pg_dump -Fc -d safeidx_dump -f "$work/safeidx_dump.pgdump" \
       && safeidx_psql -q -d postgres -c 'CREATE DATABASE safeidx_restore' \
       && pg_restore --exit-on-error -d safeidx_restore "$work/safeidx_dump.pgdump"; then
        say "pg_dump round trip: restored"
    else
        echo "check: pg_dump or pg_restore failed (12_dump_restore.sql will fail)" >&2
    fi
else
    echo "check: could not set up database safeidx_dump (12_dump_restore.sql will fail)" >&2
fi

# ---- report rendering ------------------------------------------------------------
# safeidx.release_report() of release 2 of series wuchang_monthly in database
# safeidx_dump (above), rendered in headless Chromium to PNG with a negative
# control (red changed to #C62829), the screenshots decoded into table
# report_png of database safeidx_report (test/report/render.sh);
# test/pgtap/15_report.sql checks them (and fails if this did not happen).
say "report: release_report -> chromium --headless -> PNG -> safeidx_report"
if bash test/report/render.sh safeidx_dump wuchang_monthly 2 "$work"; then
    say "report: rendered"
else
    echo "check: rendering the report failed (15_report.sql will fail)" >&2
fi

# ---- b) pgTAP ----------------------------------------------------------------
tap_ran=0
tap_passed=0
tap_failed=0

shopt -s nullglob
tap_files=("$pgtap_dir"/*.sql)
shopt -u nullglob

if [[ ${#tap_files[@]} -eq 0 ]]; then
    say "pgTAP: no files in $pgtap_dir/*.sql, skipped"
    tap_ran=1
else
    say "pgTAP: database safeidx_tap with pgtap, safeidx, the demo city and dblink"
    if safeidx_psql -q -d postgres -c 'CREATE DATABASE safeidx_tap' \
       && safeidx_psql -q -d safeidx_tap <<SQL
CREATE EXTENSION pgtap;
CREATE EXTENSION safeidx;
CREATE EXTENSION dblink;
\i $demo_city
SELECT demo.generate('small', 42);
SQL
    then
        say "pgTAP: pg_prove -v -d safeidx_tap ${tap_files[*]}"
        set +e
        pg_prove -v -d safeidx_tap "${tap_files[@]}" 2>&1 | tee "$work/tap.out"
        tap_rc=${PIPESTATUS[0]}
        set -e
        tap_ran=1

        ok=$(grep -cE '^[[:space:]]*ok [0-9]' "$work/tap.out" || true)
        not_ok_todo=$(grep -E '^[[:space:]]*not ok [0-9]' "$work/tap.out" \
                      | grep -ciE '#[[:space:]]*(todo|skip)' || true)
        not_ok=$(grep -cE '^[[:space:]]*not ok [0-9]' "$work/tap.out" || true)
        tap_passed=$((ok + not_ok_todo))
        tap_failed=$((not_ok - not_ok_todo))
        if [[ $tap_rc -ne 0 ]]; then
            # Files that failed without a failing assertion (died, wrong plan):
            # one failure each.  prove's summary lists every failing file as
            #   <file> (Wstat: W [(exited N)] Tests: T Failed: F)
            died=$(grep -cE '\(Wstat: .*Tests: [0-9]+ Failed: 0\)' "$work/tap.out" || true)
            tap_failed=$((tap_failed + died))
            if [[ $tap_failed -eq 0 ]]; then
                echo "check: pg_prove exited $tap_rc without a failing assertion; counted as 1 failure" >&2
                tap_failed=1
            fi
        fi
    else
        echo "check: could not set up database safeidx_tap (see above); pgTAP counted as 1 failure" >&2
        tap_failed=1
    fi
fi
say "pgTAP: $tap_passed passed, $tap_failed failed"
passed=$((passed + tap_passed))
failed=$((failed + tap_failed))

# ---- summary -----------------------------------------------------------------
rm -rf -- "$work"
work=
safeidx_teardown
summary_done=1
echo "$passed passed, $failed failed"
if [[ $failed -eq 0 && $regress_ran -eq 1 && $tap_ran -eq 1 ]]; then
    exit 0
fi
exit 1
