#!/usr/bin/env bash
# test/bench/sample_memory.sh PID FILE: every 20 ms, appends "microseconds
# since the epoch<TAB>RssAnon in kB" of process PID (a backend: its private
# memory, shared buffers excluded) to FILE, until the process ends or FILE.stop
# exists.  Started in the background by test/bench/engine.sql.
pid=$1
out=$2
while [[ ! -e $out.stop ]]; do
    kb=
    while read -r key value _; do
        [[ $key == RssAnon: ]] && kb=$value
    done < "/proc/$pid/status" 2>/dev/null || break
    [[ -n $kb ]] || break
    printf '%s\t%s\n' "${EPOCHREALTIME/./}" "$kb" >> "$out"
    sleep 0.02
done
