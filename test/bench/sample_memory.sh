#!/usr/bin/env bash
# test/bench/sample_memory.sh PID FILE: every 20 ms, appends "microseconds
# since the epoch<TAB>RssAnon in kB" of process PID (a backend: its private
# memory, shared buffers excluded) to FILE, until the process ends or FILE.stop
# exists.  Started in the background by test/bench/engine.sql.
pid=$1
out=$2
while [[ ! -e $out.stop && -r /proc/$pid/status ]]; do
    kb=
    while read -r key value _; do
        if [[ $key == RssAnon: ]]; then kb=$value; fi
    done < "/proc/$pid/status"
    [[ -n $kb ]] || break
    printf '%s\t%s\n' "${EPOCHREALTIME/./}" "$kb" >> "$out"
    sleep 0.02
done
