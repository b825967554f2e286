#!/usr/bin/env bash
# test/reliability/sqlsmith.sh: random queries (sqlsmith) against a database
# with safeidx, the small demo city and built example schemes; no backend may
# crash.
#
#   sudo bash test/reliability/sqlsmith.sh [MINUTES]    # default 10
#
# (test/tap/sqlsmith.sh runs it for about 10 seconds within test/check.sh.)
#
# Set-up, on a cluster of its own: database smith with safeidx, the demo city
# (small, seed 42), the example schemes and governance rules, Wuchang rebuilt
# for January-March 2025, Zhuhai for the first week of March 2025, release 1
# of series wuchang_monthly (March 2025) and the warning notices of March.
# sqlsmith connects as role smith, who is not a superuser (so that it cannot
# signal the server's processes, write files or change settings), may read
# and write every table of schemas safeidx and demo, and has
# search_path = public, safeidx, demo and statement_timeout = 1s.  sqlsmith
# generates queries over every table, view, function and aggregate it finds
# (safeidx's included; --exclude-catalog leaves out the system catalogs'
# tables, not their functions) and rolls each one back.
#
# It runs sqlsmith in rounds of a fixed number of queries, seeds 1, 2, ...,
# until the time is up.  Pass: no server process died of a signal or an
# exception, no PANIC, the postmaster never reinitialized, and the server
# still answers.  Ordinary errors are expected; they are counted by SQLSTATE
# class from the server's log (log_line_prefix has %e).  The query a crashed
# backend ran is in the log ("Failed process was running", whole:
# track_activity_query_size = 64kB); each is kept as $REL_OUT/crash-N.sql.
# Figures: queries, queries calling a safeidx function, errors by class,
# crashes.

SAFEIDX_PG_CRON=0
SAFEIDX_PG_CONF="log_line_prefix = '%m [%p] %e %u '
log_min_error_statement = panic
track_activity_query_size = 65536
max_parallel_workers_per_gather = 2"
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $REL_SHORT == 1 ]]; then
    seconds=${REL_SECONDS:-10}
    round=250
else
    seconds=$(( ${1:-10} * 60 ))
    round=5000
fi
rel_figure duration_planned_s "$seconds"

rel_note "set-up: database smith"
setup_ok=0
if rel_demo_db smith && rel_psql -d smith >/dev/null <<'SQL'; then setup_ok=1; fi
SET client_min_messages = warning;
SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2025-04-01');
SELECT count(*) FROM safeidx.rebuild('zhuhai', '2025-03-01', '2025-03-08');
SELECT number FROM safeidx.publish_release('wuchang_monthly', '2025-03-01');
SELECT count(*) FROM safeidx.issue_notices('wuchang', '2025-03-01', '2025-04-05');
CREATE ROLE smith LOGIN NOSUPERUSER;
GRANT USAGE ON SCHEMA safeidx, demo TO smith;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA safeidx, demo TO smith;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA safeidx, demo TO smith;
ALTER ROLE smith SET search_path = public, safeidx, demo;
ALTER ROLE smith SET statement_timeout = '1s';
ALTER ROLE smith SET lock_timeout = '1s';
SQL
rel_ok $((1 - setup_ok)) "set-up: database smith with the demo city, built schemes, a release and notices"

target="host=$PGHOST port=$PGPORT dbname=smith user=smith"
queries=0
fn_queries=0
rounds=0
start=$SECONDS
seed=0
while ((setup_ok == 1 && (rounds == 0 || SECONDS - start < seconds))); do
    seed=$((seed + 1))
    # sqlsmith prints the queries it runs on stdout (counted here: all, and
    # those naming a safeidx function) and its report on stderr, ending with
    # "queries: N".
    set +e
    read -r n f < <(sqlsmith --target="$target" --exclude-catalog --seed="$seed" \
                             --max-queries="$round" --verbose --dump-all-queries \
                             2>"$REL_OUT/sqlsmith-$seed.err" \
                    | awk 'BEGIN { RS = ";\n" } /safeidx\.[a-z_0-9]+\(/ { f++ } END { print NR, f + 0 }')
    set -e
    done_n=$(sed -n 's/^queries: \([0-9][0-9]*\).*/\1/p' "$REL_OUT/sqlsmith-$seed.err" | tail -n 1)
    rounds=$((rounds + 1))
    queries=$((queries + ${done_n:-0}))
    fn_queries=$((fn_queries + ${f:-0}))
    rel_note "round $rounds (seed $seed): ${done_n:-?} queries (${n:-?} generated, ${f:-?} calling safeidx functions), $((SECONDS - start)) s"
    if [[ -z $done_n ]]; then
        rel_note "sqlsmith stopped early; its last lines:"
        tail -n 5 "$REL_OUT/sqlsmith-$seed.err" >&2
        rel_wait_ready 120 || break
    fi
    [[ $REL_SHORT == 1 ]] || rm -f "$REL_OUT/sqlsmith-$seed.err"
done
elapsed=$((SECONDS - start))

crashes=$(rel_crashes)
restarts=$(rel_restarts)
# the queries of crashed backends
# (the query goes on over the log's next lines, up to the next prefixed line)
awk -v out="$REL_OUT" '
    cap && /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { close(f); cap = 0 }
    /Failed process was running:/ {
        n++; f = out "/crash-" n ".sql"; cap = 1
        sub(/.*Failed process was running: /, ""); print > f; next }
    cap { print > f }' "$SAFEIDX_LOG"
errors=$(awk '$6 == "smith" && $7 == "ERROR:" { n++ } END { print n + 0 }' "$SAFEIDX_LOG")
by_class=$(awk '$6 == "smith" && $7 == "ERROR:" { c[substr($5, 1, 2)]++ }
                END { for (k in c) printf "%s %d\n", k, c[k] }' "$SAFEIDX_LOG" | sort -k2,2nr | awk '{ printf "%s%s:%s", sep, $1, $2; sep = " " }')
# internal errors (class XX) may be bugs even when nothing crashed: listed
awk '$6 == "smith" && $5 ~ /^XX/ { $1 = $2 = $3 = $4 = $6 = ""; sub(/^ +/, ""); print }' "$SAFEIDX_LOG" \
    | sort | uniq -c | sort -rn >"$REL_OUT/internal-errors.txt"
if [[ -s $REL_OUT/internal-errors.txt ]]; then
    rel_note "internal errors (SQLSTATE class XX), by message:"
    cat "$REL_OUT/internal-errors.txt" >&2
fi
rel_figure rounds "$rounds"
rel_figure duration_s "$elapsed"
rel_figure queries "$queries"
rel_figure queries_calling_safeidx_functions "$fn_queries"
rel_figure errors "$errors"
rel_figure errors_by_sqlstate_class "${by_class:-none}"
rel_figure crashes "$crashes"
rel_figure postmaster_restarts "$restarts"
cp "$SAFEIDX_LOG" "$REL_OUT/server.log" 2>/dev/null || true

rel_ok "$([[ $queries -ge $((round / 2)) ]] && echo 0 || echo 1)" "sqlsmith ran its queries ($queries in $rounds rounds, $fn_queries calling safeidx functions)"
rel_ok "$([[ $crashes -eq 0 ]] && echo 0 || echo 1)" "no backend crashed ($crashes crash lines in the server's log)"
if [[ $crashes -ne 0 ]]; then
    for f in "$REL_OUT"/crash-*.sql; do
        [[ -e $f ]] || continue
        rel_note "a crashed backend was running ($f):"
        cat "$f" >&2
    done
fi
rel_ok "$([[ $restarts -eq 0 ]] && echo 0 || echo 1)" "the postmaster never reinitialized"
rel_ok "$(rel_wait_ready 60 && echo 0 || echo 1)" "the server still answers"
rel_done
