#!/usr/bin/env bash
# test/tap/kill9.sh: the short version of test/reliability/kill9.sh (three
# kill -9 points during rebuild, refresh and publish_release on a cluster of
# its own; after crash recovery the results are entirely old or entirely new,
# and refresh still works).  See doc/reliability.md.
REL_SHORT=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../reliability/kill9.sh"
