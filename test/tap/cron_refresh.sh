#!/usr/bin/env bash
# test/tap/cron_refresh.sh: pg_cron schedules safeidx.refresh() and runs it.
#
# Set-up: database safeidx_cron_tap with pgtap and dblink; the checks are
# test/tap/cron_refresh.sql, which makes database safeidx_cron, schedules the
# job safeidx_refresh there, waits for its first run (pg_cron 1.4 runs jobs on
# minute boundaries: normally under a minute, at most 2.5 minutes) and removes
# both.  The cluster must preload pg_cron with cron.database_name = 'postgres'
# (test/lib/cluster.sh).
# Whatever happens, the job is unscheduled and the databases dropped at exit.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

cron_cleanup() {
    tap_psql -d postgres -At -c \
        "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'safeidx_refresh'" >/dev/null 2>&1 || true
}
TAP_CLEANUP=cron_cleanup
tap_register_db safeidx_cron

tap_createdb safeidx_cron_tap pgtap dblink \
    || tap_fail_setup "database safeidx_cron_tap with pgtap and dblink is created"
tap_pgtap safeidx_cron_tap test/tap/cron_refresh.sql
