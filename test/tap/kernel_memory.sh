#!/usr/bin/env bash
# test/tap/kernel_memory.sh: the results kernel's memory is bounded by one
# period, not by the number of periods of a call (issue 11).  A daily scheme
# computed over a year must peak at about the memory of a month: each
# period's allocations are freed with it (before 9acd818, SPI returned the
# kernel to its procedure context after each read and write, so a year of
# Zhuhai's days took 1.6 GB at city scale and growing).
#
# Set-up: database safeidx_kmem (pgtap) with the small demo city and its
# schemes, Zhuhai's cells of 2024-2025 built and its 2024 pool stored (one
# day computed first).  Then two fresh sessions compute Zhuhai's days: those
# of January 2025 (31), and every day of 2025 (365); test/bench/sample_memory.sh
# samples each backend's private memory (RssAnon, shared buffers excluded)
# every 20 ms.  The check, test/tap/kernel_memory.sql: the year's peak is at
# most the month's plus 16 MB (with the leak: 118 MB against 14 MB on
# this city), and both computed every region of every day.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

db=safeidx_kmem
work=$(mktemp -d /tmp/safeidx-kmem.XXXXXX)
kmem_cleanup() { touch "$work/month.stop" "$work/year.stop"; rm -rf -- "$work"; }
TAP_CLEANUP=kmem_cleanup

if tap_createdb "$db" pgtap safeidx \
   && tap_psql -d "$db" -f test/demo/city.sql >/dev/null \
   && tap_psql -d "$db" -At -c "SELECT demo.generate('small', 42)" >/dev/null \
   && tap_psql -d "$db" -f test/demo/schemes.sql >/dev/null \
   && tap_psql -d "$db" -c "SELECT safeidx.build_cells('zhuhai', '2024-01-01', '2026-01-01')" \
        -c "SELECT safeidx.compute_results('zhuhai', 'day', '{2025-01-01}')" >/dev/null; then
    tap_note "small city: Zhuhai's cells built, its 2024 pool stored"
else
    tap_note "the set-up failed (the checks will fail)"
fi

# one fresh session computing Zhuhai's days from $2 to $3: its backend's
# peak RssAnon (kB) into $work/$1.peak, the regions computed into $work/$1.n
kernel_peak() {
    local name=$1 from=$2 to=$3 out=$work/$1.out pid
    tap_psql -At -d "$db" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(0.5)" \
        -c "SELECT safeidx.compute_results('zhuhai', 'day',
                ARRAY(SELECT d::date FROM generate_series('$from'::date, '$to', '1 day') d))" >"$out" &
    local client=$!
    for ((i = 0; i < 100; i++)); do
        [[ -s $out ]] && break
        sleep 0.05
    done
    pid=$(head -n 1 "$out")
    bash test/bench/sample_memory.sh "$pid" "$work/$name.samples" &
    local sampler=$!
    wait "$client" || tap_note "the computation of $name failed"
    touch "$work/$name.stop"
    wait "$sampler" || true
    awk -F '\t' 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$work/$name.samples" >"$work/$name.peak"
    tail -n 1 "$out" >"$work/$name.n"
}
kernel_peak month 2025-01-01 2025-01-31
kernel_peak year 2025-01-01 2025-12-31
tap_note "peak RssAnon: 31 days $(cat "$work/month.peak") kB, 365 days $(cat "$work/year.peak") kB"

tap_pgtap "$db" test/tap/kernel_memory.sql \
    -v month_kb="$(cat "$work/month.peak")" -v year_kb="$(cat "$work/year.peak")" \
    -v month_n="$(cat "$work/month.n")" -v year_n="$(cat "$work/year.n")"
