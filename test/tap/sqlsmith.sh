#!/usr/bin/env bash
# test/tap/sqlsmith.sh: the short version of test/reliability/sqlsmith.sh
# (about 10 seconds of sqlsmith queries against safeidx on a cluster of its
# own; no backend may crash).  See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/sqlsmith.sh"
