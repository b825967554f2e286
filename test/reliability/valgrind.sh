#!/usr/bin/env bash
# test/reliability/valgrind.sh: the pg_regress suite against a server run
# under Valgrind's memcheck; no error may have safeidx.so in its stack.
#
#   sudo bash test/reliability/valgrind.sh [FILE...]   # default: every sql/*.sql
#
# (test/tap/valgrind.sh runs the kernel's files: rate scoring groupstats
# weighted summary_io grade.)
#
# The cluster of its own is started through a wrapper that pg_ctl runs instead
# of postgres (test/lib/cluster.sh, SAFEIDX_PG_WRAPPER):
#   valgrind --tool=memcheck --trace-children=yes --leak-check=no
#            --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END
#            --log-file=$REL_OUT/valgrind/%p.log ... postgres ARGS
# so the postmaster and every process it forks (backends, parallel workers,
# autovacuum...) run under memcheck, each with its log.  Errors are read from
# the logs, not through --error-exitcode (which would make a backend with an
# error exit with a failure code, and the postmaster restart every process).
# pg_regress (the PGXS one, output under $REL_OUT/regress*) runs the files,
# in two runs at once (REL_VALGRIND_STREAMS), each in a database of its own.
#
# Pass: the files pass under valgrind, and no error reported between the
# markers has safeidx.so in its stack.  Errors whose stack does not reach
# safeidx.so (PostgreSQL or libc: no suppression file is used, so that the
# classification by stack decides, not a list we would have to keep) are
# counted and kept apart, in $REL_OUT/other-errors.txt; ours in safeidx-errors.txt.
#
# Debian's server is not built with USE_VALGRIND: palloc'd chunks are not
# marked to memcheck, so an overrun inside a memory context's block, a read
# of freed context memory or of an uninitialised palloc chunk goes unseen;
# see doc/reliability.md for what is still caught.

SAFEIDX_PG_CRON=0
SAFEIDX_PG_START_TIMEOUT=300
SAFEIDX_PG_CONF="max_parallel_workers = 2
autovacuum = off
log_line_prefix = '%m [%p] %e '
jit = off"
rel_before_cluster() {
    mkdir -p "$REL_OUT/valgrind"
    chmod 0777 "$REL_OUT/valgrind"
    SAFEIDX_PG_WRAPPER="valgrind --tool=memcheck --trace-children=yes --leak-check=no --num-callers=40"
    SAFEIDX_PG_WRAPPER+=" --error-limit=no --read-var-info=no --time-stamp=yes ${REL_VALGRIND_OPTS:-}"
    SAFEIDX_PG_WRAPPER+=" --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END"
    SAFEIDX_PG_WRAPPER+=" --log-file=$REL_OUT/valgrind/%p.log"
    rel_figure valgrind "$(valgrind --version) $SAFEIDX_PG_WRAPPER"
}
# shellcheck source=test/reliability/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $# -gt 0 ]]; then
    files=("$@")
elif [[ $REL_SHORT == 1 ]]; then
    files=(rate scoring groupstats weighted summary_io grade)
else
    mapfile -t files < <(find sql -maxdepth 1 -name '*.sql' -printf '%f\n' | sed 's/\.sql$//' | LC_ALL=C sort)
fi
rel_figure files "${#files[@]}: ${files[*]}"

# The files are dealt round-robin to $REL_VALGRIND_STREAMS pg_regress runs
# (default 2) that run at once, each in a database of its own
# (contrib_regression_N; every file resets the extension in its database).
streams=${REL_VALGRIND_STREAMS:-2}
pg_regress=$("$SAFEIDX_PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress
start=$SECONDS
pids=()
for ((k = 1; k <= streams; k++)); do
    mine=()
    for ((i = k - 1; i < ${#files[@]}; i += streams)); do mine+=("${files[i]}"); done
    [[ ${#mine[@]} -gt 0 ]] || continue
    "$pg_regress" --inputdir=. --outputdir="$REL_OUT/regress$k" --bindir="$SAFEIDX_PGBIN" \
        --host="$PGHOST" --port="$PGPORT" --user="$PGUSER" --dbname="contrib_regression_$k" \
        "${mine[@]}" >"$REL_OUT/regress$k.out" 2>&1 &
    pids+=($!)
done
regress_rc=0
for p in "${pids[@]}"; do wait "$p" || regress_rc=1; done
rel_figure regress_duration_s "$((SECONDS - start))"
cat "$REL_OUT"/regress*.out >&2
for d in "$REL_OUT"/regress*/regression.diffs; do
    [[ -s $d ]] && cat "$d" >&2
done
# one line per test: "test NAME ... ok" (PG 15) or "ok N - NAME" (PG 16+)
ran=$(cat "$REL_OUT"/regress*.out | grep -cE '^(test|ok|not ok) ' || true)
ok=$(cat "$REL_OUT"/regress*.out | grep -cE '^(test .* \.\.\. ok|ok [0-9])' || true)
summary="$ok of ${#files[@]} files passed ($ran ran, in $streams streams)"
rel_figure regress "$summary"
rel_ok "$([[ $regress_rc -eq 0 && $ok -eq ${#files[@]} ]] && echo 0 || echo 1)" "pg_regress under valgrind: $summary"

# Stop the server, so that every process has written its whole log.
safeidx_teardown
logs=("$REL_OUT"/valgrind/*.log)
rel_figure processes_under_valgrind "${#logs[@]}"
# Each error between the markers; those whose stack names safeidx.so are ours.
awk -v ours="$REL_OUT/safeidx-errors.txt" -v other="$REL_OUT/other-errors.txt" '
    /VALGRINDERROR-BEGIN/ { inerr = 1; buf = FILENAME "\n"; next }
    /VALGRINDERROR-END/ {
        inerr = 0
        if (buf ~ /safeidx\.so/) { print buf > ours; n_ours++ } else { print buf > other; n_other++ }
        next }
    inerr { sub(/^==[0-9]+== ([0-9:.]+ )?/, ""); buf = buf $0 "\n" }
    END { printf "%d %d\n", n_ours, n_other > "/dev/stderr" }' "${logs[@]}" 2>"$REL_OUT/counts.txt" </dev/null
read -r ours other <"$REL_OUT/counts.txt"
summaries=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "${logs[@]}" | awk '{ s += $1 } END { print s + 0 }')
rel_figure errors_in_safeidx "$ours"
rel_figure errors_elsewhere "$other"
rel_figure valgrind_error_summary_total "$summaries"
if [[ $ours -ne 0 ]]; then
    rel_note "valgrind errors with safeidx.so in their stack ($REL_OUT/safeidx-errors.txt):"
    head -n 200 "$REL_OUT/safeidx-errors.txt" >&2
fi
if [[ $other -ne 0 ]]; then
    rel_note "valgrind errors outside safeidx (not counted against it; $REL_OUT/other-errors.txt), first ones:"
    head -n 60 "$REL_OUT/other-errors.txt" >&2
fi
rel_ok "$([[ ${#logs[@]} -gt 1 && -e ${logs[0]} ]] && echo 0 || echo 1)" "the server's processes ran under valgrind (${#logs[@]} logs)"
rel_ok "$([[ $ours -eq 0 ]] && echo 0 || echo 1)" "no valgrind error with safeidx.so in its stack ($ours; $other elsewhere)"
rel_done
