#!/usr/bin/env bash
# test/tap/valgrind_remote.sh: the short version of
# test/reliability/valgrind_remote.sh: safeidx's remote paths (foreign-table
# sources on a second cluster, watermarks, compare_cells, reference bindings,
# a server down) and 60 fuzz inputs of the CSV loader and local_period's spec,
# on a cluster of its own run under valgrind memcheck; no error may have
# safeidx.so in its stack.  See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/valgrind_remote.sh"
