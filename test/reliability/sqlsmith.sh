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

# The remote paths (REL_SQLSMITH_REMOTE, default 1): a departments' server
# (test/lib/cluster.sh's safeidx_start_extra_cluster; remote_setup.sql: the
# same demo city, small/42, in its database police, with safeidx) holds the
# police incidents; in smith, demo.police_incident becomes a postgres_fdw
# foreign table there (server police, extensions 'safeidx'; a user mapping
# for PUBLIC as police_reader, so that smith reads it too), the police
# sources get watermark id, a foreign table remote.population is bound in
# place for the residents (reference_binding, sync_reference), and Wuchang
# is refreshed over it.  sqlsmith then meets foreign tables, the remote
# functions (source_plan, source_changes, poll_changes, compare_cells,
# sync_reference, reference_*_rows, csv_rows and the CSV loader,
# local_period(at, spec)) and a scheme whose cells come over the network.
# The departments' server's log is searched for crashes too.
remote_ok=0
if [[ $setup_ok == 1 && ${REL_SQLSMITH_REMOTE:-1} == 1 ]]; then
    rel_note "set-up: the departments' server"
    if safeidx_start_extra_cluster police >&2; then
        PP=${SAFEIDX_EXTRA_PORT[police]}
        printf '%s\n' "host all postgres 127.0.0.1/32 trust" "host all all 127.0.0.1/32 scram-sha-256" \
            >"${SAFEIDX_EXTRA_PGDATA[police]}/pg_hba.conf"
        if rel_psql -h 127.0.0.1 -p "$PP" -U postgres -d postgres -c "SELECT pg_reload_conf()" >/dev/null \
           && rel_psql -h 127.0.0.1 -p "$PP" -U postgres -d postgres -v repo="$PWD" \
                       -f test/reliability/remote_setup.sql >"$REL_OUT/remote_setup.out" 2>&1 \
           && rel_psql -d smith -v pp="$PP" >&2 <<'SQL'; then remote_ok=1; fi
SET client_min_messages = warning;
CREATE EXTENSION postgres_fdw;
CREATE SERVER police FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police', extensions 'safeidx');
CREATE USER MAPPING FOR postgres SERVER police OPTIONS (user 'postgres');
CREATE USER MAPPING FOR PUBLIC SERVER police OPTIONS (user 'police_reader', password 'reader-pw');
-- the same rows (the same city, seed 42), now on the departments' server
DROP TABLE demo.police_incident;
CREATE FOREIGN TABLE demo.police_incident (id bigint NOT NULL, reported_at timestamptz NOT NULL, community_code text,
                                           category text NOT NULL, is_criminal boolean NOT NULL)
    SERVER police OPTIONS (schema_name 'demo', table_name 'police_incident');
CREATE SCHEMA remote;
IMPORT FOREIGN SCHEMA demo LIMIT TO (population, region) FROM SERVER police INTO remote;
UPDATE safeidx.source SET watermark_column = 'id' WHERE relation = 'demo.police_incident';
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds) VALUES
    ('remote_resident', 'population', 'remote.population',
     '{"region_code": "region_code", "year": "year", "persons": "resident"}', '{resident}');
SELECT count(*) FROM safeidx.sync_reference();
INSERT INTO demo.police_incident VALUES (90000001, '2025-02-10 09:00+08', '420106001001', 'burglary', true);
SELECT count(*) FROM safeidx.refresh('wuchang');
GRANT USAGE ON SCHEMA remote TO smith;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA demo, remote TO smith;
ALTER ROLE smith SET search_path = public, safeidx, demo, remote;
SQL
    fi
    rel_ok $((1 - remote_ok)) "set-up: police incidents on a departments' server (postgres_fdw, watermark), residents bound in place"
fi

target="host=$PGHOST port=$PGPORT dbname=smith user=smith"
# the functions of the remote paths and of the CSV loader (counted apart)
remote_fns='safeidx\\.(source_plan|source_cells|source_changes|source_shipping|source_servers|poll_changes|compare_cells|mark_changed|sync_reference|reference_[a-z_]*|binding_[a-z_]*|csv_[a-z_]*|check_regions_csv|load_regions_csv|check_population_csv|load_population_csv|local_period)\\('
rem_queries=0
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
    read -r n f r < <(sqlsmith --target="$target" --exclude-catalog --seed="$seed" \
                             --max-queries="$round" --verbose --dump-all-queries \
                             2>"$REL_OUT/sqlsmith-$seed.err" \
                    | awk -v remote_fns="$remote_fns" 'BEGIN { RS = ";\n" }
                           /safeidx\.[a-z_0-9]+\(/ { f++ }
                           $0 ~ remote_fns { r++ }
                           END { print NR, f + 0, r + 0 }')
    set -e
    done_n=$(sed -n 's/^queries: \([0-9][0-9]*\).*/\1/p' "$REL_OUT/sqlsmith-$seed.err" | tail -n 1)
    rounds=$((rounds + 1))
    queries=$((queries + ${done_n:-0}))
    fn_queries=$((fn_queries + ${f:-0}))
    rem_queries=$((rem_queries + ${r:-0}))
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
remote_crashes=0
if [[ $remote_ok == 1 ]]; then
    remote_log=$(dirname "${SAFEIDX_EXTRA_PGDATA[police]}")/server.log
    remote_crashes=$(grep -cE 'was terminated by (signal|exception)|PANIC:' "$remote_log" || true)
    cp "$remote_log" "$REL_OUT/remote-server.log" 2>/dev/null || true
fi
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
rel_figure queries_calling_remote_or_csv_functions "$rem_queries"
rel_figure errors "$errors"
rel_figure errors_by_sqlstate_class "${by_class:-none}"
rel_figure crashes "$crashes"
rel_figure postmaster_restarts "$restarts"
cp "$SAFEIDX_LOG" "$REL_OUT/server.log" 2>/dev/null || true

rel_ok "$([[ $queries -ge $((round / 2)) ]] && echo 0 || echo 1)" "sqlsmith ran its queries ($queries in $rounds rounds, $fn_queries calling safeidx functions, $rem_queries of them remote or CSV ones)"
rel_figure remote_server_crashes "$remote_crashes"
rel_ok "$([[ $crashes -eq 0 ]] && echo 0 || echo 1)" "no backend crashed ($crashes crash lines in the server's log)"
if [[ $remote_ok == 1 ]]; then
    rel_ok "$([[ $remote_crashes -eq 0 ]] && echo 0 || echo 1)" "no backend of the departments' server crashed ($remote_crashes)"
fi
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
