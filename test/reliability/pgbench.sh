#!/usr/bin/env bash
# test/reliability/pgbench.sh: departmental writers, a scheduled refresh and
# dashboard readers at once (pgbench); no client may fail, and after a last
# refresh the cells, results and result nodes equal those of a rebuild.
#
#   sudo bash test/reliability/pgbench.sh [SECONDS [WRITERS [READERS]]]   # default 300 6 4
#
# (test/tap/pgbench.sh runs it for 6 seconds with 3 writers and 2 readers.)
#
# Set-up, on a cluster of its own: database load with safeidx, the demo city
# (small, seed 42), the example schemes, test/reliability/snapshot.sql, and
# Wuchang rebuilt from January 2025 to today.  Then three pgbench runs at
# once, for SECONDS each (scripts in test/reliability/pgbench/):
#   writers  (WRITERS clients, 50 transactions a second each): insert.sql @5 (new police incidents and fire
#            alarms, one in four late, up to 700 days back), update.sql @3
#            (incidents moved to another community and back a few days,
#            categories flipped in and out of a source's filter, complaints'
#            key-sector flag), delete.sql @2 (incidents, fire alarms,
#            mediations);
#   refresh  (2 clients): refresh.sql, safeidx.refresh('wuchang'), then half
#            a second's pause (two schedulers: the second waits for the
#            scheme's advisory lock while the first refreshes);
#   readers  (READERS clients): ranking.sql (a month's street ranking from
#            index_result), history.sql (one street's indicators month by
#            month from indicator_result), warnings.sql (a month's warnings).
# Every run has --max-tries=10: a transaction that fails with a
# serialization failure or a deadlock is retried, as an application would;
# pgbench counts the retries (none are expected: a writer changes one row by
# its key, refresh() takes an advisory lock per scheme and never locks a
# departmental row, readers take no locks that conflict) and the
# transactions that failed after 10 tries.  Any other error aborts the client
# and makes pgbench exit non-zero.
#
# Pass: every pgbench run exits 0 with no failed transaction; after the runs a
# last refresh leaves the change log empty; a copy of the database (CREATE
# DATABASE ... TEMPLATE) rebuilt over the same range (built_range) has the
# same built range, cells, results and result nodes, compared through
# snapshot.sql's views (float sums rounded to 12 significant digits as in
# test/pgtap/07_refresh.sql: rel.fl(), one line to make bit-exact).  A
# difference is printed as a diff of the two sides' rows.

SAFEIDX_PG_CRON=0
SAFEIDX_PG_CONF="log_line_prefix = '%m [%p] %e %a '
deadlock_timeout = 100ms"
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $REL_SHORT == 1 ]]; then
    seconds=${REL_SECONDS:-6} writers=3 readers=2
else
    seconds=${1:-300} writers=${2:-6} readers=${3:-4}
fi
dir=test/reliability/pgbench

rel_note "set-up: database load"
setup_ok=0
if rel_demo_db load && rel_psql -d load >/dev/null <<'SQL'; then setup_ok=1; fi
SET client_min_messages = warning;
\i test/reliability/snapshot.sql
CREATE SEQUENCE rel.new_id START 200000000;
CREATE TABLE rel.communities AS
SELECT array_agg(code ORDER BY code) AS codes FROM demo.region WHERE level = 'community';
SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01');
SQL
rel_ok $((1 - setup_ok)) "set-up: database load with the demo city and Wuchang built from 2025-01 to today"
before=$(rel_psql -d load -Atc "SELECT sum(n_tup_ins) || ' ' || sum(n_tup_upd) || ' ' || sum(n_tup_del) FROM pg_stat_user_tables WHERE schemaname = 'demo'")

run_pgbench() {   # NAME CLIENTS RATE SCRIPT...  (RATE: transactions per second in all, 0: as fast as it goes)
    local name=$1 clients=$2 rate=$3
    shift 3
    local args=() s
    for s in "$@"; do args+=(-f "$dir/$s"); done
    PGAPPNAME=$name pgbench -n -T "$seconds" -c "$clients" -j "$clients" --max-tries=10 --failures-detailed \
        ${rate:+--rate=$rate} "${args[@]}" load >"$REL_OUT/pgbench-$name.out" 2>&1
    echo $? >"$REL_OUT/pgbench-$name.rc"
}
rel_note "pgbench: $writers writers, 2 refresh, $readers readers for $seconds s"
start=$SECONDS
run_pgbench writers "$writers" "$((writers * 50))" insert.sql@5 update.sql@3 delete.sql@2 &
run_pgbench refresh 2 "" refresh.sql &
run_pgbench readers "$readers" "" ranking.sql history.sql warnings.sql &
wait
rel_figure duration_s "$((SECONDS - start))"

field() {   # FILE PATTERN: the first number after the pattern
    sed -n "s/^$2 *\\([0-9][0-9]*\\).*/\\1/p" "$1" | head -n 1
}
total_failed=0
for name in writers refresh readers; do
    out=$REL_OUT/pgbench-$name.out
    rc=$(cat "$REL_OUT/pgbench-$name.rc")
    tx=$(field "$out" 'number of transactions actually processed:')
    failed=$(field "$out" 'number of failed transactions:')
    retried=$(field "$out" 'number of transactions retried:')
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -n 1)
    clients=$(field "$out" 'number of clients:')
    rel_figure "$name" "clients ${clients:-?}, transactions ${tx:-?}, tps ${tps:-?}, failed ${failed:-?}, retried ${retried:-0}, exit $rc"
    if [[ $rc -ne 0 || ${failed:-x} != 0 ]]; then
        rel_note "pgbench $name:"
        cat "$out" >&2
    fi
    total_failed=$((total_failed + ${failed:-1}))
    rel_ok "$([[ $rc -eq 0 && ${failed:-x} == 0 && ${tx:-0} -gt 0 ]] && echo 0 || echo 1)" \
        "pgbench $name: ${tx:-no} transactions, none failed, exit 0 (retried: ${retried:-0})"
done
after=$(rel_psql -d load -Atc "SELECT sum(n_tup_ins) || ' ' || sum(n_tup_upd) || ' ' || sum(n_tup_del) FROM pg_stat_user_tables WHERE schemaname = 'demo'")
read -r i0 u0 d0 <<<"$before"
read -r i1 u1 d1 <<<"$after"
rel_figure departmental_rows "inserted $((i1 - i0)), updated $((u1 - u0)), deleted $((d1 - d0))"
rel_figure refreshes "$(rel_psql -d load -Atc "SELECT count(*) || ' (changes consumed ' || sum(changes) || ', cells ' || sum(cells) || ', results ' || sum(results) || ')' FROM safeidx.refresh_log WHERE kind = 'refresh'")"
errors=$(grep -cE ' (writers|refresh|readers) (ERROR|FATAL):' "$SAFEIDX_LOG" || true)
rel_figure server_log_errors "$errors"
[[ $errors -eq 0 ]] || grep -E ' (writers|refresh|readers) (ERROR|FATAL):' "$SAFEIDX_LOG" | head -n 20 >&2

# The last refresh, then the comparison with a rebuild in a copy.
rel_psql -d load -Atc "SELECT sum(results) FROM safeidx.refresh('wuchang')" >/dev/null
rel_ok "$(rel_psql -d load -Atc "SELECT count(*) = 0 FROM safeidx.change_log WHERE scheme = 'wuchang'")" "the last refresh consumed Wuchang's change log"
rel_psql -d postgres -c "CREATE DATABASE load_rebuild TEMPLATE load" >&2
rel_psql -d load_rebuild -Atc "SELECT count(*) FROM safeidx.built_range b, safeidx.rebuild(b.scheme, b.results_from, b.results_to) WHERE b.scheme = 'wuchang'" >/dev/null
for v in built_range cell result result_node; do
    a=$(rel_psql -d load -Atc "SELECT rel.digest('$v', \$\$scheme = 'wuchang'\$\$)")
    b=$(rel_psql -d load_rebuild -Atc "SELECT rel.digest('$v', \$\$scheme = 'wuchang'\$\$)")
    if [[ $a != "$b" ]]; then
        rel_note "$v differs: refresh $a, rebuild $b; the rows that differ (< refresh, > rebuild):"
        rel_psql -d load -Atc "SELECT t::text FROM rel.$v t WHERE scheme = 'wuchang' ORDER BY 1" >"$REL_OUT/$v.refresh"
        rel_psql -d load_rebuild -Atc "SELECT t::text FROM rel.$v t WHERE scheme = 'wuchang' ORDER BY 1" >"$REL_OUT/$v.rebuild"
        diff "$REL_OUT/$v.refresh" "$REL_OUT/$v.rebuild" | head -n 40 >&2 || true
    fi
    rel_figure "compare_$v" "refresh $a; rebuild $b"
    rel_ok "$([[ $a == "$b" && -n $a ]] && echo 0 || echo 1)" "after the load, $v after refresh = $v of a rebuild (${a:-nothing})"
done
# Informational (not an assertion): are the rounded float columns equal bit
# for bit too?  (the later issue makes that the comparison: rel.fl())
bits() {
    rel_psql -d "$1" -Atc "SELECT md5(string_agg(concat_ws('|', period, period_start, region_code, float8send(index), float8send(coverage)), E'\n' ORDER BY period, period_start, region_code)) FROM safeidx.result WHERE scheme = 'wuchang'" \
                   -c "SELECT md5(string_agg(concat_ws('|', period, period_start, region_code, node, float8send(score), float8send(points)), E'\n' ORDER BY period, period_start, region_code, node)) FROM safeidx.result_node WHERE scheme = 'wuchang'"
}
rel_figure bit_exact_index_coverage_score_points "$([[ $(bits load) == "$(bits load_rebuild)" ]] && echo 'equal bit for bit' || echo 'differ in the last bits (equal rounded to 12 digits)')"
rel_done
