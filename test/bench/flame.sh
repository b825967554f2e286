#!/usr/bin/env bash
# test/bench/flame.sh: a flame graph of one statement's backend, by perf.
#
#   bash test/bench/flame.sh DATABASE "SQL" OUT.svg
#
# Connects with the usual PG* variables, runs SQL once to warm up, then again
# while `perf record -g` samples the backend at 2,000 Hz, and renders the
# call chains with test/bench/flame.py into OUT.svg (the 25 heaviest frames by
# inclusive share are printed too).  Needs perf (Debian: linux-perf) and the
# rights to profile the backend (root, or kernel.perf_event_paranoid <= 1).
# Frames of a stripped postgres show as addresses; safeidx.so keeps its
# symbols.  Example (doc/benchmark.md): the results kernel computing
# Wuchang's twelve months of 2025 on the city-scale demo,
#   bash test/bench/flame.sh safeidx_bench \
#     "SELECT safeidx.compute_results('wuchang', 'month', ARRAY(SELECT generate_series('2025-01-01'::date, '2025-12-01', '1 month')::date))" \
#     kernel.svg
set -euo pipefail
if [[ $# -ne 3 ]]; then
    sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
db=$1 sql=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v perf >/dev/null || { echo "flame.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "$sql" >/dev/null
# the statement runs in a session that first reports its backend's pid
psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 \
     -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(1)" -c "$sql" >"$work/out" 2>"$work/err" &
client=$!
for _ in $(seq 200); do [[ -s $work/out ]] && break; sleep 0.02; done
pid=$(head -n 1 "$work/out")
[[ $pid =~ ^[0-9]+$ ]] || { echo "flame.sh: no backend pid" >&2; cat "$work/err" >&2; exit 1; }
perf record -F 2000 -g -p "$pid" -o "$work/perf.data" >/dev/null 2>&1 &
recorder=$!
wait "$client" || { cat "$work/err" >&2; kill -INT "$recorder"; exit 1; }
kill -INT "$recorder"
wait "$recorder" || true
perf script -i "$work/perf.data" 2>/dev/null | python3 "$here/flame.py" "safeidx: $sql" >"$out"
echo "flame.sh: $out"
