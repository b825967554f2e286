#!/usr/bin/env bash
# test/tap/upgrade.sh: ALTER EXTENSION safeidx UPDATE from 0.1.0 keeps the
# user's data and gives the same extension as a fresh install.
#
# safeidx ships the frozen install script of 0.1.0 (safeidx--0.1.0.sql) and
# upgrade scripts to the current version, the control file's
# default_version.  This test
#   1. in database safeidx_upgrade_a: CREATE EXTENSION safeidx VERSION
#      '0.1.0' and the user's fixture test/fixtures/upgrade_0.1.0.sql (0.1.0's
#      API only: it must load into 0.1.0 for as long as 0.1.0 is supported);
#   2. runs test/tap/upgrade.sql in database safeidx_upgrade_tap (pgtap,
#      dblink), which checksums the user's data in A, updates the extension
#      to the default version, checks the data again, installs the extension
#      afresh in database safeidx_upgrade_b and compares every object of the
#      extension in A and B (test/tap/upgrade_catalogue.sql), naming each
#      difference; then runs refresh() in A.
# It fails when safeidx--0.1.0.sql is not installed (the frozen script is part
# of the package), and passes as one skipped test only when the default
# version is the starting version itself.
#
# SAFEIDX_UPGRADE_FROM=VERSION starts from another installed version (with a
# fixture that loads into it).

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

from=${SAFEIDX_UPGRADE_FROM:-0.1.0}
fixture=test/fixtures/upgrade_0.1.0.sql

default=$(tap_psql -At -d postgres \
          -c "SELECT default_version FROM pg_available_extensions WHERE name = 'safeidx'") \
    || tap_fail_setup "the server answers which versions of safeidx are available"
[[ -n $default ]] || tap_fail_setup "safeidx is installed on the server (pg_available_extensions)"
installed_from=$(tap_psql -At -d postgres -v from="$from" <<'SQL'
SELECT count(*) FROM pg_available_extension_versions WHERE name = 'safeidx' AND version = :'from';
SQL
) || tap_fail_setup "the server lists the installable versions of safeidx"

if [[ $default == "$from" ]]; then
    tap_skip 1 "safeidx's default version is $from itself: no upgrade to test yet"
fi
if [[ $installed_from -eq 0 ]]; then
    tap_fail_setup "safeidx--$from.sql is installed, to upgrade from to $default"
fi
tap_note "upgrading safeidx $from -> $default"

tap_createdb safeidx_upgrade_tap pgtap dblink \
    || tap_fail_setup "database safeidx_upgrade_tap with pgtap and dblink is created"
tap_createdb safeidx_upgrade_b \
    || tap_fail_setup "database safeidx_upgrade_b is created"
tap_createdb safeidx_upgrade_a \
    || tap_fail_setup "database safeidx_upgrade_a is created"

fixture_status=0
tap_psql -d safeidx_upgrade_a -v from="$from" -f - >/dev/null <<SQL || fixture_status=$?
CREATE EXTENSION safeidx VERSION :'from';
\\i $fixture
SQL
[[ $fixture_status -eq 0 ]] || tap_note "the fixture did not load (psql exit $fixture_status; see above)"

tap_pgtap safeidx_upgrade_tap test/tap/upgrade.sql \
    -v db_a=safeidx_upgrade_a -v db_b=safeidx_upgrade_b \
    -v from_version="$from" -v default_version="$default" -v fixture_status="$fixture_status"
