#!/usr/bin/env bash
# test/tap/pgbench.sh: the short version of test/reliability/pgbench.sh (6
# seconds of departmental writers, a scheduled refresh and dashboard readers
# at once on a cluster of its own; no client fails; then refresh = rebuild).
# See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/pgbench.sh"
