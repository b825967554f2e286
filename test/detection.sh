#!/usr/bin/env bash
# test/detection.sh: how well each warning method finds the demo city's hotspots (issue 12).
#
#   bash test/detection.sh [SCALE] [SEED]     SCALE: city (default) or small; SEED: 42
#
# A measurement, not a test (check.sh does not run it).  Root, or a user with sudo.
# Builds and installs the extension, starts a throw-away cluster (test/lib/cluster.sh),
# generates the demo city with demo.generate(SCALE, SEED, hotspots => 'detection')
# (burglary doubled for 6 months from a random month in 4 (small) or 16 (city) small,
# medium and large communities each; ground truth in demo.hotspot and demo.truth), runs
# test/detection/detect.sql (every method at several settings) and prints, per method:
# every setting; the best setting at <= 1 false alarm per 1,000 community-months; the
# setting with the fewest false alarms that detects at least the hotspots the official
# ratio rule (ratio > 1.2) detects; then the same in Markdown for doc/detection.md.
# test/detection/engine.sql then puts the same questions to the engine: schemes written
# as data (one leaf, burglary per 10,000, Wuchang-style, without and with significance-
# aware scoring; and the demo's Wuchang scheme as is) rebuilt, their red grades, two reds
# running, significance states and alarm rules (warning view) measured alike; it checks
# the engine's flags against the plain SQL of the same rule and times the alarm path.
# test/detection/measure.sql computes the measures of every method.

set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
scale=${1:-city}
seed=${2:-42}
if [[ $scale != city && $scale != small ]] || [[ ! $seed =~ ^[0-9]+$ ]]; then
    echo "usage: bash test/detection.sh [city|small] [SEED]" >&2
    exit 2
fi
# shellcheck disable=SC2034  # read by test/lib/cluster.sh
SAFEIDX_PG_CRON=0
# shellcheck source=test/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

db=safeidx_detection
dpsql() { safeidx_psql -d "$db" "$@"; }
safeidx_psql -q -d postgres -c "CREATE DATABASE $db"
dpsql -q -c 'CREATE EXTENSION safeidx'
dpsql -q -f test/demo/city.sql
say "demo.generate('$scale', $seed, 'detection')"
dpsql -At -c "SELECT demo.generate('$scale', $seed, 'detection')"
say "test/detection/detect.sql (plain SQL)"
t0=$SECONDS
dpsql -q -f test/detection/detect.sql
say "plain-SQL methods ran in $((SECONDS - t0)) s"
say "test/detection/engine.sql (the engine: schemes rebuilt, grades, significance, warnings)"
t0=$SECONDS
dpsql -q -f test/detection/engine.sql
say "engine methods ran in $((SECONDS - t0)) s"
dpsql -q -f test/detection/measure.sql

say "the engine's cost (ms; compute_alarms and the warning view: the best of 5 runs)"
dpsql -P footer=off -c "SELECT scheme, step, round(ms::numeric, 1) AS ms, n AS \"results / alarms / rows\" FROM det.build ORDER BY scheme = 'wuchang', step LIKE 'rebuild%' DESC, scheme, step"
say "checks: the engine's flags against the plain SQL of the same rule (every month)"
dpsql -P footer=off -c "SELECT engine, setting, engine_flags, plain_flags, engine_only, plain_only FROM det.check ORDER BY engine, setting"
dpsql -P footer=off -c "SELECT * FROM det.check_red ORDER BY code, mi"
say "the engine's significance flags outside hotspots: communities, true / engine's expected count"
dpsql -P footer=off -c "SELECT alpha, false_alarms, communities, round(mean_truth_over_expected::numeric, 2) AS mean_truth_over_expected,
       round(median_truth_over_expected::numeric, 2) AS median, round(all_mean_truth_over_expected::numeric, 2) AS \"mean over every community-month\"
  FROM det.check_sig ORDER BY alpha DESC"

say "every method and setting"
dpsql -P footer=off -c "
SELECT method, setting, detected || '/' || hotspots AS detected, within_a_month AS \"<=1 month\",
       round(mean_delay::numeric, 2) AS mean_delay, round(mean_delay_censored::numeric, 2) AS \"delay (undetected = window)\",
       round(fa_per_1000::numeric, 1) AS fa_per_1000
  FROM det.result ORDER BY method, setting"

# the two operating points of each method
dpsql -q -c "
CREATE VIEW det.pick AS
WITH official AS (SELECT detected FROM det.result WHERE method = 'ratio rule (ratio > x)' AND setting = 1.2),
low_fa AS (
    SELECT DISTINCT ON (method) 'at <= 1 false alarm / 1,000' AS point, *
      FROM det.result WHERE fa_per_1000 <= 1
     ORDER BY method, detected DESC, mean_delay_censored, setting),
same_detection AS (
    SELECT DISTINCT ON (method) 'at the ratio rule detection' AS point, r.*
      FROM det.result r, official o WHERE r.detected >= o.detected
     ORDER BY method, fa_per_1000, setting)
SELECT * FROM low_fa UNION ALL SELECT * FROM same_detection"

md() {
    dpsql -At -F ' | ' -c "
    SELECT '| ' || method, setting, detected || '/' || hotspots, within_a_month, coalesce(round(mean_delay::numeric, 2)::text, '-'),
           round(mean_delay_censored::numeric, 2), round(fa_per_1000::numeric, 1) || ' |'
      FROM det.pick WHERE point = '$1' ORDER BY method"
}
oracle=$(dpsql -At -c "SELECT round(mean_delay_censored::numeric, 2) || ' (' || round(mean_delay::numeric, 2) || ' among detected, ' || detected || '/' || hotspots || ')' FROM det.pick WHERE point LIKE 'at <=%' AND method LIKE 'oracle%'")
ratio=$(dpsql -At -c "SELECT detected || '/' || hotspots || ' hotspots, ' || round(fa_per_1000::numeric, 1) || ' false alarms / 1,000' FROM det.result WHERE method = 'ratio rule (ratio > x)' AND setting = 1.2")
echo
echo "---- Markdown ----"
echo
echo "\`bash test/detection.sh $scale $seed\`: $(dpsql -At -c "SELECT count(*) FROM det.hot") hotspots, $(dpsql -At -c "SELECT count(*) FROM det.cm WHERE mi >= 12") community-months evaluated."
echo "Official ratio rule (> 1.2): $ratio. Oracle CUSUM at <= 1 false alarm / 1,000: mean delay $oracle."
echo
echo "At <= 1 false alarm per 1,000 community-months (the setting detecting most, then fastest):"
echo
echo "| method | setting | detected | within a month | mean delay (detected) | mean delay (undetected = window) | false alarms / 1,000 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
md 'at <= 1 false alarm / 1,000'
echo
echo "At the ratio rule's detection (at least as many hotspots detected; the setting with the fewest false alarms):"
echo
echo "| method | setting | detected | within a month | mean delay (detected) | mean delay (undetected = window) | false alarms / 1,000 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
md 'at the ratio rule detection'
safeidx_teardown
