#!/usr/bin/env bash
# test/tap/report.sh: the monthly report of a release, rendered in headless
# Chromium, shows the chart and grade colours the release holds.
#
# Set-up: database safeidx_report_city from test/fixtures/released_city.sql
# (the demo city, Wuchang for 2025, releases 1 and 2 of wuchang_monthly);
# database safeidx_report (pgtap, dblink); test/report/render.sh renders
# release 2 and a negative control and stores what the screenshots show in
# safeidx_report.report_png.  The checks are test/tap/report.sql, which fail
# when a set-up step did not happen.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

work=$(mktemp -d /tmp/safeidx-report.XXXXXX)
report_cleanup() { rm -rf -- "$work"; }
TAP_CLEANUP=report_cleanup

tap_createdb safeidx_report pgtap dblink \
    || tap_fail_setup "database safeidx_report with pgtap and dblink is created"

if tap_createdb safeidx_report_city \
   && tap_psql -d safeidx_report_city -f test/fixtures/released_city.sql >/dev/null; then
    tap_note "release_report -> chromium --headless -> PNG -> safeidx_report.report_png"
    if bash test/report/render.sh safeidx_report_city wuchang_monthly 2 "$work" safeidx_report >&2; then
        tap_note "rendered"
    else
        tap_note "rendering the report failed (the checks will fail)"
    fi
else
    tap_note "could not build database safeidx_report_city (the checks will fail)"
fi

tap_pgtap safeidx_report test/tap/report.sql
