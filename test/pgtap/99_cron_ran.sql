-- pg_cron, second half: the job safeidx_refresh that 00_cron_schedule.sql
-- scheduled ('* * * * *': pg_cron 1.4 has no finer grain) has run
-- safeidx.refresh('cronfix') in database safeidx_cron, which took in the
-- call logged there; then the job and the database are removed.
--
-- Waits, polling once a second, until a run succeeded, a run failed, or 75 s
-- have passed since the scheduling (the next minute boundary plus slack).

CREATE FUNCTION pg_temp.conn(db text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s',
                  coalesce(host(inet_server_addr()),
                           split_part(current_setting('unix_socket_directories'), ',', 1)),
                  current_setting('port'), db, current_user)
$$;

-- The runs of safeidx_refresh so far (none when it is not scheduled).
CREATE FUNCTION pg_temp.runs()
RETURNS TABLE (status text, database text, return_message text, start_time timestamptz)
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM dblink(pg_temp.conn('postgres'),
        $q$SELECT d.status, d.database, d.return_message, d.start_time
             FROM cron.job_run_details d JOIN cron.job j USING (jobid)
            WHERE j.jobname = 'safeidx_refresh'$q$)
        AS r(status text, database text, return_message text, start_time timestamptz)
$$;

SELECT clock_timestamp() AS wait_began \gset
-- Outside a transaction block, so each poll sees what the job committed.
DO $$
DECLARE
    deadline timestamptz := coalesce(
        (SELECT max(scheduled_at) FROM public.cron_scheduled) + interval '75 seconds',
        clock_timestamp());
BEGIN
    LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_temp.runs() WHERE status IN ('succeeded', 'failed'));
        EXIT WHEN clock_timestamp() >= deadline;
        PERFORM pg_sleep(1);
    END LOOP;
END
$$;

BEGIN;
SELECT plan(8);

SELECT diag(format('waited %s s here for pg_cron; %s',
                   round(extract(epoch FROM clock_timestamp() - :'wait_began'::timestamptz)::numeric, 1),
                   coalesce('its first run began '
                            || round(extract(epoch FROM
                                   (SELECT min(start_time) FROM pg_temp.runs())
                                   - (SELECT max(scheduled_at) FROM public.cron_scheduled))::numeric, 1)
                            || ' s after the scheduling',
                            'safeidx_refresh has not run')));

SELECT ok(EXISTS (SELECT 1 FROM pg_temp.runs() WHERE status = 'succeeded' AND database = 'safeidx_cron'),
          'cron.job_run_details shows a succeeded run of safeidx_refresh in safeidx_cron');
SELECT is((SELECT string_agg(coalesce(return_message, '(no message)'), '; ')
             FROM pg_temp.runs() WHERE status = 'failed'),
          NULL, 'no run of safeidx_refresh failed');

CREATE TEMP TABLE refreshed AS
SELECT * FROM dblink(pg_temp.conn('safeidx_cron'),
    $$SELECT (SELECT count(*) FROM safeidx.refresh_log WHERE kind = 'refresh' AND changes = 1),
             (SELECT count(*) FROM safeidx.change_log),
             (SELECT index FROM safeidx.index_result
               WHERE scheme = 'cronfix' AND period_start = date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai'))$$)
    AS r(refreshes bigint, pending bigint, index float8);
SELECT is((SELECT refreshes FROM refreshed), 1::bigint, 'refresh_log records the refresh that consumed the one change');
SELECT is((SELECT pending FROM refreshed), 0::bigint, 'the change log is empty');
SELECT is((SELECT index FROM refreshed), 90::float8, 'the month''s index took the call in: 100 x (1 - 1/10) = 90');

SELECT is((SELECT done FROM dblink(pg_temp.conn('postgres'), $$SELECT cron.unschedule('safeidx_refresh')$$)
                             AS u(done boolean)),
          true, 'cron.unschedule(''safeidx_refresh'')');
SELECT is((SELECT n FROM dblink(pg_temp.conn('postgres'),
                                $$SELECT count(*) FROM cron.job WHERE jobname = 'safeidx_refresh'$$)
                         AS c(n bigint)),
          0::bigint, 'safeidx_refresh is gone from cron.job');
SELECT lives_ok($$SELECT dblink_exec(pg_temp.conn('postgres'), 'DROP DATABASE safeidx_cron WITH (FORCE)')$$,
                'database safeidx_cron dropped');

SELECT * FROM finish();
ROLLBACK;
