#!/usr/bin/env bash
# test/tap/fuzz.sh: the short version of test/reliability/fuzz.sh (one seed of
# 600 CSV inputs, 150 loader files and 600 local_period specs, fields of a
# million characters, the peak memory of csv_rows over many empty lines, on a
# cluster of its own).  See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/fuzz.sh"
