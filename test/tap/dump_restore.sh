#!/usr/bin/env bash
# test/tap/dump_restore.sh: a pg_dump / pg_restore round trip keeps what
# safeidx holds for its users.
#
# Set-up: database safeidx_dump from test/fixtures/released_city.sql (the demo
# city, example schemes and governance rules, a user grade scale, Wuchang
# results for 2025, two releases, warning notices), dumped with pg_dump -Fc
# and restored with pg_restore --exit-on-error into safeidx_restore; then
# test/tap/dump_restore.sql, run in database safeidx_dump_tap (pgtap, dblink),
# compares the two.  A set-up step that fails is reported on stderr and makes
# the comparisons fail.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

work=$(mktemp -d /tmp/safeidx-dump.XXXXXX)
dump_cleanup() { rm -rf -- "$work"; }
TAP_CLEANUP=dump_cleanup

tap_register_db safeidx_restore
tap_dropdb safeidx_restore
tap_createdb safeidx_dump_tap pgtap dblink \
    || tap_fail_setup "database safeidx_dump_tap with pgtap and dblink is created"

if tap_createdb safeidx_dump \
   && tap_psql -d safeidx_dump -f test/fixtures/released_city.sql >/dev/null; then
    tap_note "safeidx_dump built; pg_dump -Fc, pg_restore into safeidx_restore"
    if pg_dump -Fc -d safeidx_dump -f "$work/safeidx_dump.pgdump" \
       && tap_createdb safeidx_restore \
       && pg_restore --exit-on-error -d safeidx_restore "$work/safeidx_dump.pgdump"; then
        tap_note "restored"
    else
        tap_note "pg_dump or pg_restore failed (the comparisons will fail)"
    fi
else
    tap_note "could not build database safeidx_dump (the comparisons will fail)"
fi

tap_pgtap safeidx_dump_tap test/tap/dump_restore.sql
