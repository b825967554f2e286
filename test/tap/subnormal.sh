#!/usr/bin/env bash
# test/tap/subnormal.sh: summary values holding subnormal floats survive
# every way PostgreSQL moves them (issue 9): text and binary I/O, COPY in
# both formats, pg_dump / pg_restore.
#
# Set-up: database safeidx_sub with safeidx, pgtap and dblink, and the empty
# database safeidx_sub_restore with safeidx; a working directory for the
# files.  The checks, test/tap/subnormal.sql, make the values, copy them out
# and in, and dump and restore their table (pg_dump and pg_restore run from
# the SQL through psql).

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

work=$(mktemp -d /tmp/safeidx-subnormal.XXXXXX)
subnormal_cleanup() { rm -rf -- "$work"; }
TAP_CLEANUP=subnormal_cleanup

tap_createdb safeidx_sub safeidx pgtap dblink \
    || tap_fail_setup "database safeidx_sub with safeidx, pgtap and dblink is created"
tap_createdb safeidx_sub_restore safeidx \
    || tap_fail_setup "database safeidx_sub_restore with safeidx is created"

tap_pgtap safeidx_sub test/tap/subnormal.sql -v work="$work"
