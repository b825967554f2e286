#!/usr/bin/env bash
# test/reliability/valgrind_remote.sh: safeidx's remote paths (sources that
# are postgres_fdw foreign tables, watermarks, compare_cells, reference
# bindings, the CSV loader, local_period's jsonb spec) run by a server under
# Valgrind's memcheck; no error may have safeidx.so in its stack.
#
#   sudo bash test/reliability/valgrind_remote.sh [FUZZ_COUNT]   # default 1000
#
# (test/tap/valgrind_remote.sh: the same with 60 fuzz inputs, and the
# departments' server not under valgrind.)
#
# Two clusters of its own: the main one run under memcheck as in
# valgrind.sh (every process, its log in $REL_OUT/valgrind/), and a
# departments' server (test/lib/cluster.sh's safeidx_start_extra_cluster:
# remote_setup.sql, the demo city in database police with safeidx, fire
# alarms with a last-modified column in database fire without it), run
# under memcheck too in the long version (it runs the local_period(at, spec)
# that postgres_fdw ships).  On the main cluster, test/reliability/remote.sql:
#   setup  foreign servers and tables (IMPORT FOREIGN SCHEMA), the example
#          schemes over them, watermarks, a source owner with a user mapping
#          of its own, regions and population bound in place (sync_reference);
#   build  rebuild of Wuchang (February 2025; the long version January-
#          February, and Zhuhai for a week):
#          every source read over postgres_fdw, shipped as
#          safeidx.local_period (police) or width_bucket (fire);
#   run    source_plan, source_shipping, source_cells, reference rows; remote
#          inserts (a late row), an update, a delete; poll_changes, refresh,
#          compare_cells, mark_changed, a remote population change; errors:
#          unknown source, binding and scheme, a zone that is none, the
#          owner's remote role without SELECT (42501);
#   down   the departments' server stopped: refresh, sync_reference and
#          compare_cells fail (08001, the source and server named);
#   after  the server back: poll_changes (the long version: refresh)
#          completes, compare_cells finds nothing.
# Then the fuzz inputs of fuzz.py (seed 7: CSV text valid and random,
# loader files good and bad, local_period specs) through fuzz.sql, under
# memcheck too, compared by fuzz.py as in fuzz.sh.
#
# Pass: every phase ends as expected (the errors expected, with their
# SQLSTATEs, none of class XX), the fuzz inputs as expected, and no valgrind
# error has safeidx.so in its stack (the others, PostgreSQL's and libc's,
# are counted and kept apart in $REL_OUT/other-errors.txt, as valgrind.sh
# does).

SAFEIDX_PG_CRON=0
SAFEIDX_PG_START_TIMEOUT=300
SAFEIDX_PG_CONF="max_parallel_workers = 2
autovacuum = off
log_line_prefix = '%m [%p] %e '
jit = off
max_parallel_workers_per_gather = 0"
rel_before_cluster() {
    SAFEIDX_PG_WRAPPER=$(rel_valgrind_wrapper "$REL_OUT/valgrind")
    rel_figure valgrind "$(valgrind --version) $SAFEIDX_PG_WRAPPER"
}
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $REL_SHORT == 1 ]]; then
    fuzz_count=${REL_FUZZ_COUNT:-40}
    remote_under_valgrind=${REL_VALGRIND_REMOTE:-0}
    long=off
    random_loaders=16
else
    fuzz_count=${1:-1000}
    remote_under_valgrind=${REL_VALGRIND_REMOTE:-1}
    long=on
    random_loaders=2147483647
fi
rel_figure remote_under_valgrind "$remote_under_valgrind"
start=$SECONDS
# the assertions test statuses themselves: a failing step is reported, not
# the end of the script
set +e

# ---- the parsers' fuzz inputs, under valgrind ------------------------------------
# (in the background, beside the remote paths: its own database, its own
# connections; its status in $REL_OUT/fuzz/rc)
run_fuzz() {
    local t=$SECONDS dir=$REL_OUT/fuzz fuzz_rc=0
    python3 test/reliability/fuzz.py gen 7 "$fuzz_count" "$dir"
    rel_psql -d postgres -c "CREATE DATABASE fuzz" >&2
    rel_psql -d fuzz >&2 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION safeidx;
CREATE SCHEMA fuzz;
CREATE TABLE fuzz.csv_in (id int PRIMARY KEY, kind text, content text);
CREATE TABLE fuzz.loader_in (id int PRIMARY KEY, kind text, content text);
CREATE TABLE fuzz.spec_in (id int PRIMARY KEY, spec text);
SQL
    for t_ in csv loader spec; do rel_psql -d fuzz -c "COPY fuzz.${t_}_in FROM STDIN" <"$dir/$t_.copy"; done
    rel_psql -At -d fuzz -v huge=20000 -v random_loaders="$random_loaders" -f test/reliability/fuzz.sql >"$dir/checks.txt" 2>&1 || fuzz_rc=1
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || rows::text || E'\t' || state FROM fuzz.csv_out ORDER BY id" >"$dir/csv.out"
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || res::text || E'\t' || state FROM fuzz.loader_out ORDER BY id" >"$dir/loader.out"
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || to_jsonb(coalesce(res::text, message))::text || E'\t' || state FROM fuzz.spec_out ORDER BY id" >"$dir/spec.out"
    python3 test/reliability/fuzz.py compare "$dir" >"$dir/compare.txt" 2>&1 || fuzz_rc=1
    grep -Eq '^check: (spec_differing_from_date_trunc|spec_one_query_differing|random_csv_loader_internal_errors) = [1-9]|^check: huge_[a-z_]+ = (false|$)' \
        "$dir/checks.txt" && fuzz_rc=1
    [[ $(grep -c '^check: ' "$dir/checks.txt") -eq 8 ]] || fuzz_rc=1
    rel_figure fuzz_s "$((SECONDS - t))"
    rel_figure fuzz "$(grep -E 'figure: (csv_inputs|loader_files|spec_inputs) ' "$dir/compare.txt" | sed 's/figure: //' | tr '\n' ';')"
    echo "$fuzz_rc" >"$dir/rc"
}

mkdir -p "$REL_OUT/fuzz"
run_fuzz >"$REL_OUT/fuzz/run.out" 2>&1 &
fuzz_pid=$!

# ---- the departments' server -------------------------------------------------
main_wrapper=$SAFEIDX_PG_WRAPPER
[[ $remote_under_valgrind == 1 ]] || SAFEIDX_PG_WRAPPER=
safeidx_start_extra_cluster police >&2 || { rel_ok 1 "the departments' server starts"; rel_done; exit 1; }
SAFEIDX_PG_WRAPPER=$main_wrapper
PP=${SAFEIDX_EXTRA_PORT[police]}
printf '%s\n' "host all postgres 127.0.0.1/32 trust" "host all all 127.0.0.1/32 scram-sha-256" \
    >"${SAFEIDX_EXTRA_PGDATA[police]}/pg_hba.conf"
remote() { rel_psql -h 127.0.0.1 -p "$PP" -U postgres "$@"; }
remote -d postgres -c "SELECT pg_reload_conf()" >/dev/null
setup_ok=0
if remote -d postgres -v repo="$PWD" -f test/reliability/remote_setup.sql >"$REL_OUT/remote_setup.out" 2>&1 \
   && remote -d police -c "COPY (SELECT id, alarm_at, community_code, cause, is_false_alarm FROM demo.fire_alarm) TO STDOUT" \
      | remote -d fire -c "COPY dept.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm) FROM STDIN" \
   && remote -d fire -c "ANALYZE" >/dev/null; then
    setup_ok=1
fi
rel_figure remote_setup_s "$((SECONDS - start))"
rel_ok $((1 - setup_ok)) "the departments' server: the demo city (police, with safeidx), fire alarms (fire, without)"

# ---- the remote paths on the main cluster, under valgrind ----------------------
rel_psql -d postgres -c "CREATE ROLE rel_police_dept" -c "CREATE DATABASE remote" >&2
# The phases run in one session (a new backend under valgrind spends half a
# minute warming up: code translated, caches filled, PL/pgSQL compiled); the
# departments' server is stopped and started again from inside it (\!).
printf '%s\n' "runuser -u $SAFEIDX_OS_USER -- $SAFEIDX_PGBIN/pg_ctl stop -D ${SAFEIDX_EXTRA_PGDATA[police]} -m fast -w -t 60 >/dev/null" \
    >"$REL_OUT/remote-stop.sh"
printf '%s\n' "cd / && runuser -u $SAFEIDX_OS_USER -- $SAFEIDX_PGBIN/pg_ctl start -D ${SAFEIDX_EXTRA_PGDATA[police]} -l $(dirname "${SAFEIDX_EXTRA_PGDATA[police]}")/server.log -o '-p $PP' -w -t 300 >/dev/null" \
    >"$REL_OUT/remote-start.sh"
t=$SECONDS
rel_psql -d remote -v pp="$PP" -v repo="$PWD" -v dept=rel_police_dept -v long="$long" >"$REL_OUT/phases.out" 2>&1 <<SQL
\timing on
\set phase setup
\i test/reliability/remote.sql
\set phase build
\i test/reliability/remote.sql
\set phase run
\i test/reliability/remote.sql
\! bash $REL_OUT/remote-stop.sh
\set phase down
\i test/reliability/remote.sql
\! bash $REL_OUT/remote-start.sh
\set phase after
\i test/reliability/remote.sql
SQL
rel_figure phases_s "$((SECONDS - t))"
# the statements that took longest (psql's \timing)
grep -B3 '^Time: [0-9]\{4,\}' "$REL_OUT/phases.out" | grep -v '^--$' | cut -c1-160 >"$REL_OUT/slow-statements.txt" || true
for p_ in setup build run down after; do  # each phase's output in phase-NAME.out
    awk -v p="$p_" '$0 == "phase: " p { on = 1 } on { print } $0 == "phase done: " p { on = 0 }' \
        "$REL_OUT/phases.out" >"$REL_OUT/phase-$p_.out"
done
phase() {  # phase NAME: 0 when it ran to its end
    grep -qx "phase done: $1" "$REL_OUT/phase-$1.out"
}
expected() {  # expected NAME: the SQLSTATEs of the expected errors, one line
    sed -n 's/^expected error: //p' "$REL_OUT/phase-$1.out" | tr '\n' ' ' | sed 's/ $//'
}
phase setup; st=$?
rel_ok $st "setup: foreign servers and tables, the example schemes over them, bindings synchronized"
[[ $st -eq 0 ]] || tail -n 20 "$REL_OUT/phases.out" >&2
phase build; st=$?
rel_ok $st "rebuild over postgres_fdw (safeidx.local_period shipped to police, width_bucket to fire)"
[[ $st -eq 0 ]] || tail -n 20 "$REL_OUT/phases.out" >&2
phase run; st=$?
got=$(expected run)
rel_figure run_expected_errors "$got"
[[ $st -eq 0 && $got == "22023 42704 42704 42704 42501 42501" ]]
rel_ok $? "watermarks, poll_changes, refresh, compare_cells, mark_changed, sync_reference; errors 22023 42704 42704 42704 42501 42501 ($got)"
[[ $got == "22023 42704 42704 42704 42501 42501" ]] || tail -n 30 "$REL_OUT/phase-run.out" >&2
phase down; st=$?
got=$(expected down)
rel_figure down_expected_errors "$got"
[[ $st -eq 0 && $got == "08001 08001 08001" ]] \
    && grep -q 'source "[a-z_]*" (foreign table [a-z_]* on server "\(police\|fire\)") could not be read' "$REL_OUT/phase-down.out"
rel_ok $? "the departments' server down: refresh, sync_reference, compare_cells refused (08001, source and server named) ($got)"
phase after; st=$?
differing=$(sed -n 's/^ *differing cells: \([0-9]*\)$/\1/p' "$REL_OUT/phase-after.out")
if [[ $long == on ]]; then
    [[ $st -eq 0 && $differing == 0 ]]
    rel_ok $? "the server back: refresh completes, compare_cells finds no differing cell ($differing)"
else
    [[ $st -eq 0 && $differing -ge 1 ]]
    rel_ok $? "the server back: poll_changes completes, compare_cells finds the cells of the row not refreshed yet ($differing)"
fi
[[ $st -eq 0 ]] || tail -n 20 "$REL_OUT/phase-after.out" >&2

wait "$fuzz_pid"
cat "$REL_OUT/fuzz/run.out" "$REL_OUT/fuzz/checks.txt" "$REL_OUT/fuzz/compare.txt" >&2
rel_ok "$(cat "$REL_OUT/fuzz/rc" 2>/dev/null || echo 1)" "the parsers' fuzz inputs under valgrind ($fuzz_count CSV inputs, $((fuzz_count / 4 > 4 ? fuzz_count / 4 : 4)) loader files, $fuzz_count specs) as expected"

crashes=$(rel_crashes)
rel_figure crashes "$crashes"
rel_figure duration_s "$((SECONDS - start))"
rel_ok "$([[ $crashes -eq 0 && $(rel_restarts) -eq 0 ]] && echo 0 || echo 1)" "no backend crashed ($crashes crash lines in the server's log)"

# Stop both servers, so that every process has written its whole log.
safeidx_teardown
rel_valgrind_errors "$REL_OUT/valgrind"
rel_figure processes_under_valgrind "$rel_vg_logs"
rel_figure errors_in_safeidx "$rel_vg_ours"
rel_figure errors_elsewhere "$rel_vg_other"
if [[ $rel_vg_ours -ne 0 ]]; then
    rel_note "valgrind errors with safeidx.so in their stack ($REL_OUT/safeidx-errors.txt):"
    head -n 200 "$REL_OUT/safeidx-errors.txt" >&2
fi
rel_ok "$([[ $rel_vg_logs -gt 1 ]] && echo 0 || echo 1)" "the server's processes ran under valgrind ($rel_vg_logs logs)"
rel_ok "$([[ $rel_vg_ours -eq 0 ]] && echo 0 || echo 1)" "no valgrind error with safeidx.so in its stack ($rel_vg_ours; $rel_vg_other elsewhere)"
rel_done
