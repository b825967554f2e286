#!/usr/bin/env bash
# test/reliability/fuzz.sh: fuzzing of safeidx's parsers of user input:
# csv_rows() and the CSV loaders (check_/load_regions_csv,
# check_/load_population_csv), and the spec of local_period(at, spec jsonb).
#
#   sudo bash test/reliability/fuzz.sh [COUNT [SEEDS [HUGE]]]   # default 20000 5 10000000
#
# (test/tap/fuzz.sh runs one seed of 600 inputs, HUGE 200000.)
#
# For each seed 1..SEEDS, test/reliability/fuzz.py writes COUNT CSV inputs
# (half valid CSV built from known records, half random text of commas,
# quotes, CR, LF, blanks, BOMs, letters), COUNT/4 loader files (regions and
# population, clean or with known bad rows) and COUNT local_period specs
# (random JSON, good and bad, and malformed JSON text), with the answers it
# knows: the generator's own records and Python's csv module's rows (RFC
# 4180 settings) for the CSV, the bad lines of each loader file.
# test/reliability/fuzz.sql runs every input through the functions, each call
# in a subtransaction of its own, keeping rows or the SQLSTATE; fuzz.py
# compare checks them.  fuzz.sql also checks fields of HUGE x 5 characters
# (quoted with HUGE line breaks, unquoted, an unclosed quote), and the
# spec's dates against PostgreSQL's date_trunc(period, at AT TIME ZONE zone).
# Then csv_rows() over 300,000 empty lines must keep the backend's peak memory
# (VmHWM) under 200 MB: it took about 1.5 GB before csv_rows kept the memory
# of one record at a time.
#
# Pass: no crash, no call failing with a SQLSTATE outside the expected
# classes (never XX: csv_rows never fails; the loaders refuse with 22023;
# a spec with 22023, 22P02 / 22P05 for text that is no jsonb), every valid
# CSV input's records equal to the generator's and Python's, every loader
# file as expected, the spec dates equal to date_trunc's.

SAFEIDX_PG_CRON=0
SAFEIDX_PG_CONF="log_line_prefix = '%m [%p] %e '"
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $REL_SHORT == 1 ]]; then
    count=${REL_FUZZ_COUNT:-600}
    seeds=1
    huge=200000
else
    count=${1:-20000}
    seeds=${2:-5}
    huge=${3:-10000000}
fi
rel_figure inputs_per_seed "$count CSV inputs, $((count / 4 > 4 ? count / 4 : 4)) loader files, $count specs; seeds 1-$seeds; huge fields of $((5 * huge)) characters"
rel_psql -d postgres -c "CREATE DATABASE fuzz" >&2
rel_psql -d fuzz -c "SET client_min_messages = warning" -c "CREATE EXTENSION safeidx" >&2

start=$SECONDS
total_bad=0
for ((seed = 1; seed <= seeds; seed++)); do
    dir=$REL_OUT/seed-$seed
    mkdir -p "$dir"
    python3 test/reliability/fuzz.py gen "$seed" "$count" "$dir"
    rel_psql -d fuzz >&2 <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS fuzz CASCADE;
CREATE SCHEMA fuzz;
CREATE TABLE fuzz.csv_in (id int PRIMARY KEY, kind text, content text);
CREATE TABLE fuzz.loader_in (id int PRIMARY KEY, kind text, content text);
CREATE TABLE fuzz.spec_in (id int PRIMARY KEY, spec text);
SQL
    for t in csv loader spec; do
        rel_psql -d fuzz -c "COPY fuzz.${t}_in FROM STDIN" <"$dir/$t.copy"
    done
    if ! rel_psql -At -d fuzz -v huge="$huge" -f test/reliability/fuzz.sql >"$dir/checks.txt" 2>&1; then
        echo "fuzz.sql failed:" >>"$dir/checks.txt"
    fi
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || rows::text || E'\t' || state FROM fuzz.csv_out ORDER BY id" >"$dir/csv.out"
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || res::text || E'\t' || state FROM fuzz.loader_out ORDER BY id" >"$dir/loader.out"
    rel_psql -At -d fuzz -c "SELECT id || E'\t' || to_jsonb(coalesce(res::text, message))::text || E'\t' || state FROM fuzz.spec_out ORDER BY id" >"$dir/spec.out"
    python3 test/reliability/fuzz.py compare "$dir" >"$dir/compare.txt" 2>&1 || true
    cat "$dir/checks.txt" "$dir/compare.txt" >&2
    # every check line must read as a pass
    bad=$(grep -cvE '^(check: (spec_compared_with_date_trunc = .*|spec_differing_from_date_trunc = 0|spec_one_query_differing = 0|random_csv_loader_outcomes = .*|random_csv_loader_internal_errors = 0|huge_[a-z_]+ = true)|figure: .*|disagreements: 0)$' \
              "$dir/checks.txt" "$dir/compare.txt" | awk -F: '{ s += $NF } END { print s + 0 }' || true)
    n_checks=$(grep -c '^check: ' "$dir/checks.txt" || true)
    ((n_checks == 8)) || bad=$((bad + 1))
    total_bad=$((total_bad + bad))
    sed -n 's/^figure: \(.*\) = \(.*\)$/seed_'"$seed"'_\1 = \2/p' "$dir/compare.txt" >>"$REL_OUT/figures.txt"
    sed -n 's/^check: \(.*\) = \(.*\)$/seed_'"$seed"'_\1 = \2/p' "$dir/checks.txt" >>"$REL_OUT/figures.txt"
    rel_note "seed $seed: $bad lines not passing, $((SECONDS - start)) s"
done
rel_figure duration_s "$((SECONDS - start))"
rel_ok "$total_bad" "every input as expected: CSV records equal to the generator's and Python's csv module's, loader files' problems and refusals, no SQLSTATE of class XX, spec dates equal to date_trunc's ($seeds seeds of $count)"

# peak memory of csv_rows() over many empty lines (a leak of one array build
# context per line made 300,000 lines take about 1.5 GB)
out=$(mktemp)
rel_psql -At -d fuzz -c "SELECT count(*) FROM safeidx.csv_rows(repeat(E'\n', 300000))" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(5)" >"$out" &
psql_pid=$!
for ((i = 0; i < 200; i++)); do
    [[ $(wc -l <"$out") -ge 2 ]] && break
    sleep 0.1
done
backend=$(sed -n 2p "$out")
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$backend/status" 2>/dev/null || echo 999999999)
wait "$psql_pid" || true
rows=$(sed -n 1p "$out")
rm -f "$out"
rel_figure csv_rows_300000_empty_lines_peak_kb "$hwm_kb"
rel_ok "$([[ $rows == 0 && $hwm_kb -lt 204800 ]] && echo 0 || echo 1)" "csv_rows over 300,000 empty lines: no record, the backend's peak memory ${hwm_kb} kB (< 200 MB)"

crashes=$(rel_crashes)
rel_figure crashes "$crashes"
rel_ok "$([[ $crashes -eq 0 && $(rel_restarts) -eq 0 ]] && echo 0 || echo 1)" "no backend crashed ($crashes crash lines in the server's log)"
rel_done
