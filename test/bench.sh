#!/usr/bin/env bash
# test/bench.sh: safeidx benchmark on the demo city, on a throw-away PostgreSQL 15 cluster.
#
#   bash test/bench.sh [SCALE]      SCALE: city (default) or small (quick, for development)
#
# Root, or a user with sudo (it re-runs itself through sudo).  Installs what is
# missing, builds and installs the extension, starts a cluster (test/lib/cluster.sh),
# generates the demo city (test/demo/city.sql, demo.generate(SCALE, 42), timed) in a
# database "safeidx_bench", then times the queries of test/bench/queries.sql: each
# query runs once to warm up, then SAFEIDX_BENCH_RUNS (default 3) rounds run every
# query once more; the median of EXPLAIN (ANALYZE, TIMING OFF)'s execution time is
# reported, with max_parallel_workers_per_gather = 2 (the default) and = 0 (serial).  Fails unless
# the plain-SQL and safeidx street rates agree to 1e-9 (relative).
#
# Then the engine phase (test/bench/engine.sql): loads the example schemes
# (test/demo/schemes.sql) and measures, once each (they write), a whole
# safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01'), its cell step alone
# (safeidx.build_cells over the 2024-2025 cells it reads, timed after the
# rebuild; the results step is the difference), the rebuild's result rows
# copied alone (what writing them costs), safeidx.refresh('wuchang') with no
# change, after 1,000 new police incidents in 50 communities, after a late
# correction (500 incidents of 2025-09 deleted, 500 inserted), after a
# revision of 50 communities' 2025 residents and after one day of new rows
# (a day of incidents, every community) -- the refreshes after new rows and
# late corrections over SAFEIDX_BENCH_RUNS rounds, the median -- and a
# rebuild of 'zhuhai' for 2025-12 and for 2025
# (daily + monthly); next to two baselines timed like the queries above
# (median of SAFEIDX_BENCH_RUNS at 2 and 0 workers per gather): the floor
# (one scan of each table grouped by community and local day), count(*) of
# each table the scheme reads over 2024-2025 (raw scan), and the cell step
# written by hand, one GROUP BY per source (plain SQL).  Each step is given
# as a ratio to the serial raw scan and plain SQL of its scheme.
#
# Prints the query table and the engine table, then both in Markdown.  The
# cluster is stopped and removed at the end.
#
# Environment: SAFEIDX_BENCH_RUNS (timed runs per query, default 3),
#   SAFEIDX_BENCH_TUNE=0 (keep the cluster's stock shared_buffers and work_mem),
#   SAFEIDX_BENCH_EXTSTATS=0 (no extended statistics on the incidents' grouping),
#   SAFEIDX_BENCH_PLANS=1 (print the plan of each query's last run),
#   SAFEIDX_BENCH_ENGINE=0 (no engine phase), =wuchang (without Zhuhai),
#   SAFEIDX_BENCH_FDW=1 (the postgres_fdw phase, test/bench/fdw.sql: the police
#   table copied to a second local cluster, test/lib/cluster.sh's extra
#   cluster "police" with safeidx installed; the police sources' cell step
#   over 2024-2025 by month on the local table, over postgres_fdw with
#   safeidx.local_period shipped and with the built-in width_bucket, median of
#   SAFEIDX_BENCH_RUNS runs after a warm-up; rows a fetch without push-down
#   would move against the cells moved; doc/deployments.md).

set -euo pipefail

case ${1:-} in
    -h|--help)
        sed -n '2,45s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
esac
scale=${1:-city}
if [[ $scale != city && $scale != small ]]; then
    echo "usage: bash test/bench.sh [city|small]" >&2
    exit 2
fi
runs=${SAFEIDX_BENCH_RUNS:-3}
if [[ ! $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: SAFEIDX_BENCH_RUNS must be a positive integer, not '$runs'" >&2
    exit 2
fi
tune=${SAFEIDX_BENCH_TUNE:-1}
extstats=${SAFEIDX_BENCH_EXTSTATS:-1}
show_plans=${SAFEIDX_BENCH_PLANS:-0}
engine=${SAFEIDX_BENCH_ENGINE:-1}
if [[ $engine != 0 && $engine != 1 && $engine != wuchang ]]; then
    echo "bench: SAFEIDX_BENCH_ENGINE must be 1, 0 or wuchang, not '$engine'" >&2
    exit 2
fi

# Settings of the throw-away cluster for the timed part (after generation, which
# runs on the stock settings of test/lib/cluster.sh, as test/demo.sh city does).
# shared_buffers is large enough that the incident table (about 1.3 GB at city
# scale) stays below a quarter of it, so that sequential scans use the buffer
# pool and not a 256 kB ring re-read from the OS page cache.
bench_settings=(
    "shared_buffers = '8GB'"
    "work_mem = '256MB'"
)

work=
# shellcheck disable=SC2317  # invoked indirectly, through $SAFEIDX_ON_ABORT
_bench_on_abort() {
    [[ -z $work ]] || rm -rf -- "$work"
    echo "bench: aborted (status $1)" >&2
}
# shellcheck disable=SC2034  # read by test/lib/cluster.sh
SAFEIDX_ON_ABORT=_bench_on_abort

# shellcheck source=test/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
# Now in the repo root, with PGHOST, PGPORT and PGUSER pointing at the cluster.

db=safeidx_bench
work=$(mktemp -d /tmp/safeidx-bench.XXXXXX)   # removed below, or by _bench_on_abort

# Microseconds since the epoch (bash 5).
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }
# Milliseconds with one decimal from a microsecond difference.
fmt_ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

bpsql() { safeidx_psql -d "$db" "$@"; }

say "database $db"
safeidx_psql -q -d postgres -c "CREATE DATABASE $db"
bpsql -q -c 'CREATE EXTENSION safeidx'

say "loading test/demo/city.sql"
bpsql -q -f test/demo/city.sql

say "demo.generate('$scale', 42)"
t0=$(now_us)
gen_summary=$(bpsql -At -v scale="$scale" <<'SQL'
SELECT demo.generate(:'scale', 42);
SQL
)
t1=$(now_us)
gen_s=$(awk -v u="$((t1 - t0))" 'BEGIN { printf "%.1f", u / 1e6 }')
echo "$gen_summary"
if [[ $scale == city ]]; then
    if awk -v s="$gen_s" 'BEGIN { exit !(s < 300) }'; then
        gen_verdict="under 5 minutes: yes"
    else
        gen_verdict="under 5 minutes: NO"
    fi
else
    gen_verdict="small scale"
fi
say "generation took $gen_s s ($gen_verdict)"

if [[ $tune == 1 ]]; then
    say "bench settings: ${bench_settings[*]} (ALTER SYSTEM, restart)"
    for s in "${bench_settings[@]}"; do
        bpsql -q -c "ALTER SYSTEM SET ${s%% =*} = ${s#*= }"
    done
    if ! (cd "$SAFEIDX_TMP" && runuser -u "$SAFEIDX_OS_USER" -- \
            "$SAFEIDX_PGBIN/pg_ctl" restart -D "$SAFEIDX_PGDATA" -l "$SAFEIDX_LOG" \
            -m fast -w -t 120) >/dev/null 2>&1; then
        tail -n 20 "$SAFEIDX_LOG" >&2 || true
        die "the server did not restart with the bench settings"
    fi
else
    say "bench settings: stock (SAFEIDX_BENCH_TUNE=0)"
fi

# Without statistics on the expression, the planner guesses ~15.7 million
# (community, local month) groups among the ~20 million incidents at city scale
# (there are ~116,000), and then never chooses partial (parallel) aggregation:
# the rate queries ran serially even with 2 workers per gather.  An ndistinct
# statistics object on the grouping fixes the estimate.
if [[ $extstats == 1 ]]; then
    say "CREATE STATISTICS demo.police_incident_community_month (ndistinct) on the grouping"
    bpsql -q -c "CREATE STATISTICS demo.police_incident_community_month (ndistinct)
        ON community_code, (date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai'))
        FROM demo.police_incident"
else
    say "no extended statistics (SAFEIDX_BENCH_EXTSTATS=0)"
fi

say "VACUUM ANALYZE"
bpsql -q -c 'VACUUM ANALYZE'

say "row counts"
bpsql -P footer=off <<'SQL'
SELECT 'demo.region (communities)' AS "table", count(*) AS "rows" FROM demo.region WHERE level = 'community'
UNION ALL SELECT 'demo.region (streets/towns)', count(*) FROM demo.region WHERE level = 'street'
UNION ALL SELECT 'demo.region (districts)', count(*) FROM demo.region WHERE level = 'district'
UNION ALL SELECT 'demo.population', count(*) FROM demo.population
UNION ALL SELECT 'demo.police_incident', count(*) FROM demo.police_incident
UNION ALL SELECT 'demo.police_incident: ' || pg_size_pretty(pg_table_size('demo.police_incident')), NULL;
SQL

say "loading test/bench/queries.sql; materializing the community-month summaries"
bpsql -q -f test/bench/queries.sql
t0=$(now_us)
bpsql -q -c 'REFRESH MATERIALIZED VIEW bench.community_month'
t1=$(now_us)
refresh_ms=$(fmt_ms $((t1 - t0)))
t0=$(now_us)
bpsql -q -c 'REFRESH MATERIALIZED VIEW bench.community_month_plain'
t1=$(now_us)
refresh_plain_ms=$(fmt_ms $((t1 - t0)))
bpsql -q -c 'VACUUM ANALYZE bench.community_month, bench.community_month_plain'
read -r cm_rows street_months district_months < <(bpsql -At -F ' ' -c "
    SELECT (SELECT count(*) FROM bench.community_month),
           (SELECT count(*) FROM bench.q4_street_rollup),
           (SELECT count(*) FROM bench.q4_district_rollup)")
echo "community-month summaries: $cm_rows rows (REFRESH $refresh_ms ms; plain counterpart $refresh_plain_ms ms)"
echo "street-months: $street_months, district-months: $district_months"

# ---- correctness ------------------------------------------------------------
say "checking that the queries give the same rates (relative difference <= 1e-9)"
check_failed=0
check() {   # label view_a view_b key
    local n unmatched null_mismatch max_rel
    IFS='|' read -r n unmatched null_mismatch max_rel < <(bpsql -At -c \
        "SELECT n, unmatched, null_mismatch, coalesce(max_rel::text, 'NULL') FROM bench.compare('$2', '$3', '$4')")
    local ok=1
    if [[ $n -eq 0 || $unmatched -ne 0 || $null_mismatch -ne 0 || $max_rel == NULL ]] \
       || ! awk -v r="$max_rel" 'BEGIN { exit !(r <= 1e-9) }'; then
        ok=0
        check_failed=1
    fi
    printf '  %-46s %s rows, %s unmatched, %s NULL mismatches, max relative difference %s: %s\n' \
        "$1" "$n" "$unmatched" "$null_mismatch" "$max_rel" "$( ((ok)) && echo ok || echo FAILED)"
}
check "2 plain SQL = 3 safeidx (street-month)" bench.q2_plain_sql bench.q3_safeidx street_code
check "3 safeidx = 4 roll-up (street-month)" bench.q3_safeidx bench.q4_street_rollup street_code
check "plain SQL = 4 roll-up (district-month)" bench.check_district_plain bench.q4_district_rollup district_code
check "2 plain SQL = 4p plain roll-up (street-month)" bench.q2_plain_sql bench.q4p_street_plain_rollup street_code
[[ $(bpsql -Atc "SELECT count(*) FROM (SELECT * FROM bench.q6_local_period EXCEPT ALL SELECT * FROM bench.q6_date_trunc
                                              UNION ALL
                                              (SELECT * FROM bench.q6_date_trunc EXCEPT ALL SELECT * FROM bench.q6_local_period)) x") == 0 ]] \
    || { echo "check: 6 local_period() and date_trunc(AT TIME ZONE) group differently" >&2; check_failed=1; }
[[ $check_failed -eq 0 ]] || die "the rates differ (see above): no benchmark"

# ---- timing -----------------------------------------------------------------
# id|label|view: the rows of the result table.
queries=(
    "1|raw scan: count(*)|bench.q1_raw_scan"
    "1h|heap scan: count(code), count(reported_at)|bench.q1h_heap_scan"
    "2|plain SQL: street-month rate|bench.q2_plain_sql"
    "3|safeidx: rate(rate_agg()) street-month|bench.q3_safeidx"
    "4a|safeidx roll-up: street-month from summaries|bench.q4_street_rollup"
    "4b|safeidx roll-up: district-month from summaries|bench.q4_district_rollup"
    "4p|plain SQL roll-up: street-month from stored sums|bench.q4p_street_plain_rollup"
    "5a|raw: rate_agg(1, 0) per community-month|bench.q5_rate_agg_raw"
    "5b|raw: count(*) per community-month|bench.q5_count_raw"
    "6a|raw: count(*) per community and local_period() month|bench.q6_local_period"
    "6b|raw: count(*) per community and date_trunc(AT TIME ZONE)::date month|bench.q6_date_trunc"
)

declare -A median workers_launched scan_node
# Times every query with a given max_parallel_workers_per_gather, in one session:
# one warm-up run of each, then $runs rounds that run each query once, so that
# a slow spell of the machine is spread over all queries alike.
time_all() {   # gather_workers
    local w=$1 i q id label view out times
    {
        echo "SET max_parallel_workers_per_gather = $w;"
        for ((i = 0; i <= runs; i++)); do
            for q in "${queries[@]}"; do
                IFS='|' read -r id label view <<<"$q"
                printf '\\echo @@ %s %s\n' "$id" "$i"
                echo "EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM $view;"
            done
        done
    } >"$work/q$w.sql"
    out=$(bpsql -q -At -f "$work/q$w.sql")
    for q in "${queries[@]}"; do
        IFS='|' read -r id label view <<<"$q"
        # the output of each run of this query: "run time" lines
        mapfile -t times < <(awk -v id="$id" '
            /^@@ / { cur = ($2 == id) ? $3 : -1; next }
            cur > 0 && /^Execution Time:/ { print $3 }' <<<"$out")
        [[ ${#times[@]} -eq $runs ]] || { echo "$out" >&2; die "missing execution times for $view"; }
        median[$id,$w]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END {
            printf "%.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
        # the plan of the last run
        plan=$(awk -v id="$id" -v last="$runs" '
            /^@@ / { on = ($2 == id && $3 == last); next }
            on' <<<"$out")
        workers_launched[$id,$w]=$(sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' <<<"$plan" | sort -n | tail -n 1)
        workers_launched[$id,$w]=${workers_launched[$id,$w]:-0}
        # how the incident table (else the first table) is read
        scan_node[$id,$w]=$(grep -oE '(Parallel )?(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)( using [a-z_]+)? on [a-z_]+' \
                            <<<"$plan" | awk '/ on police_incident$/ { print; found = 1; exit }
                                              NR == 1 { first = $0 } END { if (!found) print first }')
        printf '  %-4s %-30s workers %s (launched %s), %s: runs %s ms, median %s ms\n' \
            "$id" "$view" "$w" "${workers_launched[$id,$w]}" "${scan_node[$id,$w]}" "${times[*]}" "${median[$id,$w]}"
        if [[ $show_plans == 1 ]]; then
            awk '{ print "        " $0 }' <<<"$plan"
        fi
    done
}

for w in 2 0; do
    say "timing with max_parallel_workers_per_gather = $w: 1 warm-up + $runs interleaved rounds"
    time_all "$w"
done

# ---- engine -----------------------------------------------------------------
# Counted before the engine phase, which inserts 1,000 incidents.
incident_rows=$(bpsql -At -c 'SELECT count(*) FROM demo.police_incident')
engine_rows=()
if [[ $engine != 0 ]]; then
    say "engine phase (test/bench/engine.sql): example schemes, baselines ($runs runs), rebuild, refresh"
    t0=$(now_us)
    SAFEIDX_BENCH_MEMFILE=$work/memory.tsv bpsql -q -At -v runs="$runs" \
        -v zhuhai="$([[ $engine == wuchang ]] && echo 0 || echo 1)" -f test/bench/engine.sql
    t1=$(now_us)
    touch "$work/memory.tsv.stop"
    sleep 0.1
    [[ -s $work/memory.tsv ]] || die "the engine phase sampled no backend memory"
    bpsql -q -c "\\copy bench.memory_sample FROM '$work/memory.tsv'"
    engine_s=$(awk -v u="$((t1 - t0))" 'BEGIN { printf "%.1f", u / 1e6 }')
    say "engine phase took $engine_s s"
    mapfile -t engine_rows < <(bpsql -At -F '|' -c "
        SELECT id, label, workers, runs, round(ms::numeric, 1),
               coalesce(round(x_raw::numeric, 2)::text, '-'), coalesce(round(x_plain::numeric, 2)::text, '-'),
               coalesce(round(x_raw2::numeric, 2)::text, '-'), coalesce(round(x_plain2::numeric, 2)::text, '-'),
               coalesce(round(peak_mb::numeric, 1)::text, '-'), coalesce(round(x_floor::numeric, 2)::text, '-')
          FROM bench.engine_result")
    [[ ${#engine_rows[@]} -gt 0 ]] || die "the engine phase left no results"
    today=$(bpsql -At -c "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")
    engine_note="e1/e2 (z1/z2): sums over the tables (sources) of the median of $runs runs after 1 warm-up, \
EXPLAIN (ANALYZE, TIMING OFF) execution time, as above; engine steps: one run each (they write), \
clock_timestamp() around the call, at the default 2 workers per gather (the cells' INSERT ... SELECT runs serially); \
cell step: build_cells alone, into an emptied cell table, after the rebuild; results step: rebuild minus cell step; \
e4: the first refresh after the rebuild (no month after the departments' declared data, 2025-12; today $today); \
e0/z0: the floor, one scan of each table grouped by community and local day (count(*)); \
ed1-ed4: dashboard queries, median of $((runs + 4)) runs after a warm-up; \
ratios to the serial (0 workers) raw scan and plain SQL of the same scheme; peak MB: the backend's largest \
private memory (RssAnon, sampled every 20 ms) during the step, parallel workers not included; whole phase $engine_s s"
fi

# ---- postgres_fdw (issue 13) ------------------------------------------------------
fdw_rows=()
if [[ ${SAFEIDX_BENCH_FDW:-0} == 1 ]]; then
    say "postgres_fdw phase: the police table on a second cluster"
    safeidx_start_extra_cluster police
    pp=${SAFEIDX_EXTRA_PORT[police]}
    ppsql() { safeidx_psql -q -h 127.0.0.1 -p "$pp" -U postgres "$@"; }
    ppsql -d postgres -c "CREATE DATABASE police"
    ppsql -d police -c "CREATE EXTENSION safeidx" -c "CREATE SCHEMA dept" \
          -c "CREATE TABLE dept.police_incident (id bigint NOT NULL, reported_at timestamptz NOT NULL,
                  community_code text, category text NOT NULL, is_criminal boolean NOT NULL)"
    bpsql -q -c "COPY demo.police_incident TO STDOUT" | ppsql -d police -c "COPY dept.police_incident FROM STDIN"
    ppsql -d police -c "CREATE INDEX ON dept.police_incident (reported_at)" -c "VACUUM ANALYZE dept.police_incident"
    t0=$(now_us)
    mapfile -t fdw_rows < <(bpsql -q -At -F '|' -v pp="$pp" -v runs="$runs" -f test/bench/fdw.sql)
    t1=$(now_us)
    fdw_s=$(awk -v u="$((t1 - t0))" 'BEGIN { printf "%.1f", u / 1e6 }')
    [[ ${#fdw_rows[@]} -gt 0 ]] || die "the postgres_fdw phase left no results"
    say "postgres_fdw phase took $fdw_s s"
fi

# ---- result -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

rows=()
for w in 2 0; do
    for q in "${queries[@]}"; do
        IFS='|' read -r id label view <<<"$q"
        rows+=("$id|$label|$w|${workers_launched[$id,$w]}|${median[$id,$w]}|$(ratio "${median[$id,$w]}" "${median[1,$w]}")|$(ratio "${median[$id,$w]}" "${median[2,$w]}")")
    done
done

pg_version=$(bpsql -At -c 'SHOW server_version')
settings=$(bpsql -At -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
    FROM unnest(ARRAY['shared_buffers', 'work_mem', 'jit', 'max_parallel_workers']) AS name")
cpus=$(nproc)
mem=$(awk '/^MemTotal:/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
context="police_incident $incident_rows rows, \
$cm_rows community-months, $street_months street-months; PostgreSQL $pg_version, $cpus CPUs, $mem; \
$settings; extended statistics on the grouping: $( ((extstats)) && echo yes || echo no); \
median of $runs runs after 1 warm-up, EXPLAIN (ANALYZE, TIMING OFF) execution time"

echo
echo "==== safeidx bench, scale $scale: $context"
echo "generation: demo.generate('$scale', 42) took $gen_s s ($gen_verdict)"
echo "materializing the community-month summaries (4, once): $refresh_ms ms (plain counterpart $refresh_plain_ms ms)"
echo
printf '%-4s %-50s %7s %9s %11s %10s %11s\n' id query workers launched "median ms" "x raw scan" "x plain SQL"
for r in "${rows[@]}"; do
    IFS='|' read -r id label w launched ms xr xp <<<"$r"
    printf '%-4s %-50s %7s %9s %11s %10s %11s\n' "$id" "$label" "$w" "$launched" "$ms" "$xr" "$xp"
done
for w in 2 0; do
    echo "roll-up vs recomputing from the raw table (workers $w): 4a/3 = $(ratio "${median[4a,$w]}" "${median[3,$w]}"), 4b/3 = $(ratio "${median[4b,$w]}" "${median[3,$w]}"); transition function: 5a/5b = $(ratio "${median[5a,$w]}" "${median[5b,$w]}")"
done

if [[ ${#engine_rows[@]} -gt 0 ]]; then
    echo
    echo "==== engine, scale $scale: $engine_note"
    echo
    printf '%-4s %-66s %7s %4s %11s %8s %10s %11s %8s\n' id step workers runs ms "x floor" "x raw scan" "x plain SQL" "peak MB"
    for r in "${engine_rows[@]}"; do
        IFS='|' read -r id label w n ms xr xp xr2 xp2 mb xf <<<"$r"
        printf '%-4s %-66s %7s %4s %11s %8s %10s %11s %8s\n' "$id" "$label" "$w" "$n" "$ms" "$xf" "$xr" "$xp" "$mb"
    done
    for r in "${engine_rows[@]}"; do
        IFS='|' read -r id label w n ms xr xp xr2 xp2 mb <<<"$r"
        if [[ $id == e3 || $id == z3 ]]; then
            echo "$id against the 2-worker baselines: $xr2 x raw scan, $xp2 x plain SQL"
        fi
    done
    e3_ms= e5_ms=
    for r in "${engine_rows[@]}"; do
        IFS='|' read -r id label w n ms _ <<<"$r"
        [[ $id == e3 ]] && e3_ms=$ms
        [[ $id == e5 && $w == 0 ]] && e5_ms=$ms
    done
    [[ -z $e3_ms || -z $e5_ms ]] ||
        echo "e3 against e5, the plain SQL of every result (serial): $(ratio "$e3_ms" "$e5_ms") x"
fi

if [[ ${#fdw_rows[@]} -gt 0 ]]; then
    echo
    echo "==== postgres_fdw, scale $scale: the cell step of the three police sources, 2024-2025 by month \
(median of $runs runs after 1 warm-up, clock_timestamp() around source_cells(); police table on a second local cluster)"
    echo
    echo "| | cell step | ms | × local | rows read there | rows over the network |"
    echo "|---|---|---:|---:|---:|---:|"
    for r in "${fdw_rows[@]}"; do
        IFS='|' read -r id label ms x scanned moved <<<"$r"
        echo "| $id | $label | $ms | $x | $scanned | $moved |"
    done
fi

echo
echo "---- Markdown ----"
echo
echo "Scale \`$scale\`: $context."
echo "Generation \`demo.generate('$scale', 42)\`: $gen_s s. Materializing the community-month summaries (4): $refresh_ms ms."
echo
echo "| | query | workers per gather | median ms | × raw scan | × plain SQL |"
echo "|---|---|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
    IFS='|' read -r id label w launched ms xr xp <<<"$r"
    echo "| $id | $label | $w | $ms | $xr | $xp |"
done
if [[ ${#engine_rows[@]} -gt 0 ]]; then
    echo
    echo "Engine, scale \`$scale\`: $engine_note."
    echo
    echo "| | step | workers per gather | runs | ms | × floor | × raw scan | × plain SQL | peak MB |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for r in "${engine_rows[@]}"; do
        IFS='|' read -r id label w n ms xr xp xr2 xp2 mb xf <<<"$r"
        echo "| $id | $label | $w | $n | $ms | $xf | $xr | $xp | $mb |"
    done
fi

rm -rf -- "$work"
work=
safeidx_teardown
