#!/usr/bin/env bash
# test/tap/security_release.sh: releases are tamper-evident, and the public
# view shows a public role nothing but the latest revisions (issue 9).
#
# Set-up: the LOGIN roles tap_safeidx_rel_admin (an administrator, not a
# superuser) and tap_safeidx_rel_public (a public role), made afresh and
# dropped at exit; database safeidx_rel with safeidx, pgtap and dblink and
# the hand-worked engine fixture, built (test/fixtures/engine.sql,
# engine_build.sql).  The checks, test/tap/security_release.sql, publish the
# releases, tamper with them as the superuser and read public_result as the
# public role (through psql, whose NOTICEs they read).

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

for role in tap_safeidx_rel_admin tap_safeidx_rel_public; do
    tap_createrole "$role" || tap_fail_setup "role $role is created"
done
tap_createdb safeidx_rel safeidx pgtap dblink \
    || tap_fail_setup "database safeidx_rel with safeidx, pgtap and dblink is created"
tap_psql -d safeidx_rel -f test/fixtures/engine.sql -f test/fixtures/engine_build.sql >/dev/null \
    || tap_fail_setup "the engine fixture is loaded and built in safeidx_rel"

tap_pgtap safeidx_rel test/tap/security_release.sql
