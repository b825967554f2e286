#!/usr/bin/env bash
# test/reliability/kill9.sh: kill -9 of the backend running rebuild(),
# refresh() or publish_release(), at several moments; after the postmaster's
# crash recovery the results are entirely those before the statement or
# entirely those after it, and the database still works.
#
#   sudo bash test/reliability/kill9.sh [ROUNDS]    # default 5
#
# (test/tap/kill9.sh runs three kill points: rebuild while it waits to log
# itself, its results all written; refresh at half its time; publish_release
# while it waits to write its indicator rows.)
#
# Set-up, on a cluster of its own, one template database per operation (its
# state before the statement), from database prep (safeidx, the demo city
# small/42, the example schemes and governance rules, snapshot.sql):
#   kill9_rebuild   Wuchang built for January-June 2025;
#                   operation: rebuild('wuchang', '2025-01-01', '2026-01-01')
#   kill9_refresh   Wuchang built for 2025, then departmental rows inserted
#                   (now, in December 2025 and late, in 2024), moved and
#                   deleted, so that the change log is not empty;
#                   operation: refresh('wuchang') (which computes no
#                   month after the departments' declared deliveries,
#                   December 2025)
#   kill9_publish   that refresh done, release 1 (November 2025) of series
#                   wuchang_monthly published;
#                   operation: publish_release('wuchang_monthly', '2025-12-01')
# For each operation: "before" = rel.snapshot() of the template (count and md5
# of the ordered rows of cell, result, result_node, built_range, refresh_log,
# change_log, release, release_result, release_indicator; snapshot.sql);
# "after" = the snapshot of a copy in which the statement ran to completion
# (its duration T measured: the shorter of two runs in the long version).  Then, for each kill point, a fresh copy of the
# template; the statement is started (psql, application_name kill9_op), its
# backend found in pg_stat_activity, and killed with SIGKILL:
#   at:F       F x T after its query_start (early 0.1, mid 0.5, late 0.9; a
#              long run also tries random fractions);
#   lock:WHAT  while it waits for a lock another session holds, which stops
#              it at a known point: the scheme's advisory lock (before
#              anything), SHARE on built_range (rebuild: its cells and
#              results deleted and the new cells written; refresh: its change
#              log consumed and cells rewritten), SHARE on refresh_log (after
#              every result, before logging the build), the series' advisory
#              lock, SHARE on release_indicator (release_result written),
#              SHARE on release (both frozen row sets written).
# The postmaster then terminates every backend and reinitializes (the test
# waits for "reinitializing" and for connections to be accepted again).
# Outcome: "old" when every snapshot equals before, "new" when every one
# equals after, "MIXED" otherwise (a failure; the views that differ are
# listed).  Then refresh('wuchang') must succeed in that database.

SAFEIDX_PG_CRON=0
SAFEIDX_PG_CONF="restart_after_crash = on
log_line_prefix = '%m [%p] %e %a '"
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

rounds=${1:-5}

declare -A op_sql=(
    [rebuild]="SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01')"
    [refresh]="SELECT * FROM safeidx.refresh('wuchang')"
    [publish]="SELECT number FROM safeidx.publish_release('wuchang_monthly', '2025-12-01')"
)
declare -A lock_sql=(
    [scheme_lock]="SELECT pg_advisory_lock(hashtext('safeidx refresh wuchang'))"
    [built_range]="LOCK safeidx.built_range IN SHARE MODE"
    [refresh_log]="LOCK safeidx.refresh_log IN SHARE MODE"
    [series_lock]="SELECT pg_advisory_lock(hashtext('safeidx release wuchang_monthly'))"
    [release_indicator]="LOCK safeidx.release_indicator IN SHARE MODE"
    [release]="LOCK safeidx.release IN SHARE MODE"
)
if [[ $REL_SHORT == 1 ]]; then
    points=(rebuild:lock:refresh_log refresh:at:0.5 publish:lock:release_indicator)
else
    points=()
    for ((r = 1; r <= rounds; r++)); do
        for op in rebuild refresh publish; do
            case $op in
                rebuild) locks=(scheme_lock built_range refresh_log) ;;
                refresh) locks=(scheme_lock built_range refresh_log) ;;
                publish) locks=(series_lock release_indicator release) ;;
            esac
            if [[ $r -eq 1 ]]; then
                points+=("$op:at:0.1" "$op:at:0.5" "$op:at:0.9")
                for l in "${locks[@]}"; do points+=("$op:lock:$l"); done
            else
                points+=("$op:at:0.$((RANDOM % 9 + 1))$((RANDOM % 10))")
            fi
        done
    done
fi

# ---- set-up -------------------------------------------------------------------
rel_note "set-up: templates kill9_rebuild, kill9_refresh, kill9_publish"
setup_ok=0
if rel_demo_db prep \
   && rel_psql -d prep -f test/reliability/snapshot.sql >/dev/null \
   && rel_psql -d prep -Atc "SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2025-07-01')" >/dev/null \
   && rel_psql -d postgres -c "CREATE DATABASE kill9_rebuild TEMPLATE prep" \
   && rel_psql -d prep >/dev/null <<'SQL' \
   && rel_psql -d postgres -c "CREATE DATABASE kill9_refresh TEMPLATE prep" \
   && rel_psql -d prep -Atc "SELECT count(*) FROM safeidx.refresh('wuchang')" \
                       -c "SELECT number FROM safeidx.publish_release('wuchang_monthly', '2025-11-01')" >/dev/null \
   && rel_psql -d postgres -c "CREATE DATABASE kill9_publish TEMPLATE prep"; then setup_ok=1; fi
SET client_min_messages = warning;
SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
SELECT setseed(0.9);
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT 300000000 + g,
       CASE g % 3 WHEN 0 THEN now() - random() * interval '1 day'
                  WHEN 1 THEN timestamptz '2025-12-01 00:00+08' + random() * interval '30 days'
                  ELSE timestamptz '2024-01-01 00:00+08' + random() * interval '365 days' END,
       (SELECT code FROM demo.region WHERE level = 'community' ORDER BY code OFFSET g % 97 LIMIT 1),
       'burglary', true
  FROM generate_series(1, 300) g;
UPDATE demo.police_incident SET reported_at = reported_at - interval '3 days' WHERE id % 997 = 0;
DELETE FROM demo.fire_alarm WHERE id % 101 = 0;
SQL
rel_ok $((1 - setup_ok)) "set-up: the three templates (states before rebuild, refresh and publish_release)"
[[ $setup_ok -eq 1 ]] || { rel_done; exit 1; }

snapshot() {   # DB -> "name digest" lines
    rel_psql -d "$1" -At -F ' ' -c "SELECT name, digest FROM rel.snapshot()"
}
# the number of lines in the server's log matching a pattern
log_count() { grep -c "$1" "$SAFEIDX_LOG" || true; }

declare -A before after duration
for op in rebuild refresh publish; do
    before[$op]=$(snapshot "kill9_$op")
    # T: the shortest of one run (short version) or two (long version), so
    # that the late fractions fall before the end
    duration[$op]=
    for ((k = 0; k < (REL_SHORT == 1 ? 1 : 2); k++)); do
        rel_psql -d postgres -c "DROP DATABASE IF EXISTS kill9_work WITH (FORCE)" -c "CREATE DATABASE kill9_work TEMPLATE kill9_$op" >&2
        t0=$(date +%s.%N)
        rel_psql -d kill9_work -c "${op_sql[$op]}" >/dev/null
        t1=$(date +%s.%N)
        duration[$op]=$(awk -v a="$t0" -v b="$t1" -v d="${duration[$op]}" 'BEGIN { t = b - a; if (d != "" && d < t) t = d; printf "%.3f", t }')
    done
    after[$op]=$(snapshot kill9_work)
    rel_figure "duration_$op" "${duration[$op]} s"
    if [[ ${before[$op]} == "${after[$op]}" ]]; then
        rel_note "$op: the snapshots before and after are the same; old and new cannot be told apart"
    fi
    rel_ok "$([[ ${before[$op]} != "${after[$op]}" ]] && echo 0 || echo 1)" "$op run to completion in ${duration[$op]} s, and changes what the snapshot covers"
done

# ---- kill points ---------------------------------------------------------------
old=0 new=0 mixed=0 kills=0
for point in "${points[@]}"; do
    IFS=: read -r op how arg <<<"$point"
    if [[ $how == at ]]; then label="at $arg x T"; else label="waiting for lock $arg"; fi
    rel_psql -d postgres -c "DROP DATABASE IF EXISTS kill9_work WITH (FORCE)" -c "CREATE DATABASE kill9_work TEMPLATE kill9_$op" >&2
    restarts0=$(log_count 'server processes terminated; reinitializing')
    ready0=$(log_count 'database system is ready to accept connections')
    blocker=
    if [[ $how == lock ]]; then
        PGAPPNAME=kill9_blocker psql -X -q -d kill9_work -c "BEGIN" -c "${lock_sql[$arg]}" -c "SELECT pg_sleep(600)" \
            >/dev/null 2>&1 &
        blocker=$!
        for ((i = 0; i < 500; i++)); do
            [[ -n $(psql -X -Atd postgres -c "SELECT 1 FROM pg_stat_activity WHERE application_name = 'kill9_blocker' AND query LIKE '%pg_sleep%'") ]] && break
            sleep 0.01
        done
    fi
    PGAPPNAME=kill9_op psql -X -q -d kill9_work -c "${op_sql[$op]}" >"$REL_OUT/op.out" 2>&1 &
    client=$!
    pid=
    for ((i = 0; i < 1000; i++)); do
        pid=$(psql -X -Atd postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'kill9_op' AND state = 'active'")
        [[ -n $pid ]] && break
        sleep 0.005
    done
    what="not found (the statement had ended)"
    killed=0
    if [[ -n $pid ]]; then
        if [[ $how == at ]]; then
            # sleep until F x T after the statement started
            wait_s=$(psql -X -Atd postgres -c "SELECT greatest(0, $arg * ${duration[$op]} - extract(epoch FROM clock_timestamp() - query_start)) FROM pg_stat_activity WHERE pid = $pid")
            sleep "${wait_s:-0}"
        else
            for ((i = 0; i < 2000; i++)); do
                [[ $(psql -X -Atd postgres -c "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $pid") == Lock ]] && break
                sleep 0.01
            done
        fi
        what=$(psql -X -Atd postgres -c "SELECT state || ', ' || round(extract(epoch FROM clock_timestamp() - query_start)::numeric, 3) || ' s after its start' || coalesce(', waiting on ' || wait_event_type || ' ' || wait_event, '') FROM pg_stat_activity WHERE pid = $pid AND state = 'active'")
        if [[ -n $what ]] && kill -KILL "$pid" 2>/dev/null; then
            killed=1
        else
            what="the statement had ended before the kill point"
        fi
    fi
    wait "$client" || true
    [[ -z $blocker ]] || { kill "$blocker" 2>/dev/null || true; wait "$blocker" 2>/dev/null || true; }
    # the crash restart: every backend terminated, then connections accepted again
    t0=$SECONDS
    for ((i = 0; killed && i < 1200; i++)); do
        (( $(log_count 'server processes terminated; reinitializing') > restarts0 )) \
            && (( $(log_count 'database system is ready to accept connections') > ready0 )) && break
        sleep 0.05
    done
    kills=$((kills + killed))
    restarted=$(( $(log_count 'server processes terminated; reinitializing') > restarts0 ))
    rel_wait_ready 120 || true
    recovery=$((SECONDS - t0))
    snap=$(snapshot kill9_work)
    if [[ $snap == "${before[$op]}" ]]; then
        outcome=old; old=$((old + 1))
    elif [[ $snap == "${after[$op]}" ]]; then
        outcome=new; new=$((new + 1))
    else
        outcome=MIXED; mixed=$((mixed + 1))
        rel_note "$point: neither before nor after; the snapshots (before / after / now):"
        paste -d '\n' <(echo "${before[$op]}") <(echo "${after[$op]}") <(echo "$snap") | sed 's/^/    /' >&2
    fi
    works=$(PGOPTIONS='-c client_min_messages=warning' \
            rel_psql -d kill9_work -Atc "SELECT count(*) > 0 FROM safeidx.refresh('wuchang')" 2>&1 || true)
    rel_figure "kill $point" "pid ${pid:-none} $([[ $killed -eq 1 ]] && echo killed || echo 'not killed') ($what); postmaster restarted: $([[ $restarted -eq 1 ]] && echo yes || echo no), ready again after ${recovery} s; outcome $outcome; refresh afterwards: $works"
    # a statement that ended before its kill point must have committed ("new")
    rel_ok "$([[ $outcome != MIXED && ( $killed -eq 1 || $outcome == new ) ]] && echo 0 || echo 1)" \
        "kill -9 of $op $label ($what): $outcome"
    rel_ok "$([[ $works == t ]] && echo 0 || echo 1)" "after the kill of $op $label, refresh('wuchang') succeeds"
done
rel_figure kill_points "${#points[@]} ($kills killed): old $old, new $new, mixed $mixed"
rel_figure crashes_in_log "$(rel_crashes) (each kill -9 is one)"
rel_done
