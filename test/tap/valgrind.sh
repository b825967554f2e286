#!/usr/bin/env bash
# test/tap/valgrind.sh: the short version of test/reliability/valgrind.sh: the
# kernel's pg_regress files (rate scoring groupstats weighted summary_io grade)
# against a cluster of its own run under valgrind memcheck; no error may have
# safeidx.so in its stack.  See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/valgrind.sh"
