#!/usr/bin/env bash
# test/tap/security_roles.sh: what each kind of role may read and run (issue
# 9), connecting as each role.
#
# Set-up: the LOGIN roles tap_safeidx_mx_admin, _analyst, _official, _public,
# _dept and _nothing (made afresh, with no privilege, dropped at exit);
# database safeidx_mx from test/fixtures/released_city.sql (the demo city,
# the example schemes and governance rules, Wuchang 2025 built, releases 1
# and 2, the warning notices), plus pgtap and dblink.  The checks,
# test/tap/security_roles.sql, give the roles their access with
# grant_access() alone and compare, through dblink connections made as each
# role, what it reads and runs with the documented model (the roles of
# src/catalogue/roles.sql, the accesses of grant_access()).

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

for what in admin analyst official public dept nothing; do
    tap_createrole "tap_safeidx_mx_$what" || tap_fail_setup "role tap_safeidx_mx_$what is created"
done
tap_createdb safeidx_mx \
    || tap_fail_setup "database safeidx_mx is created"
tap_psql -d safeidx_mx -f test/fixtures/released_city.sql >/dev/null \
    || tap_fail_setup "the released demo city is loaded into safeidx_mx"
tap_psql -d safeidx_mx -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION dblink' >&2 \
    || tap_fail_setup "pgtap and dblink are created in safeidx_mx"

tap_pgtap safeidx_mx test/tap/security_roles.sql
