-- pg_cron runs a scheduled safeidx.refresh() (run by test/tap/cron_refresh.sh
-- in its database safeidx_cron_tap, which has pgtap and dblink).
--
-- In a database of its own, safeidx_cron (committed state), this builds a
-- one-region scheme, inserts a departmental row, which the change-capture
-- trigger logs, and schedules
--   SELECT * FROM safeidx.refresh('cronfix')
-- every minute with cron.schedule_in_database ('* * * * *': pg_cron 1.4 has
-- no finer grain).  It checks the job, then waits, polling once a second,
-- until a run succeeded, a run failed, or 30 s have passed after the second
-- minute boundary since the scheduling (a run normally comes at the first
-- one; the second is slack for a busy machine), and checks that pg_cron ran
-- the refresh and that it took the row in; then the job and the database
-- are removed.  When no run came, the diagnostics show what pg_cron knew.  test/check.sh starts this test first,
-- so that the other tests run during the wait.
--
-- pg_cron keeps cron.* in database postgres (cron.database_name, set by
-- test/lib/cluster.sh); both databases are reached through dblink
-- (test/lib/dblink.sql), whose statements commit on their own.

\i test/lib/dblink.sql

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

\o /dev/null
SELECT dblink_exec(pg_temp.conn('postgres'), 'DROP DATABASE IF EXISTS safeidx_cron WITH (FORCE)');
SELECT dblink_exec(pg_temp.conn('postgres'), 'CREATE DATABASE safeidx_cron');
-- One region, one count indicator scored by goalposts 0 .. 10 (lower is
-- better): no call this month -> index 100; one call -> 100 x (1 - 1/10) = 90.
SELECT dblink_exec(pg_temp.conn('safeidx_cron'), $sql$
    CREATE EXTENSION safeidx;
    CREATE TABLE public.call (at timestamptz NOT NULL, code text);
    INSERT INTO safeidx.region (code, name_zh, kind) VALUES ('r1', '测试区', 'district');
    -- the hotline's feed is live: delivered through today (a quiet month so
    -- far is complete so far, so the month in progress is scored, provisional)
    INSERT INTO safeidx.source (source, relation, region_column, time_column, delivered_from, delivered_through)
    VALUES ('calls', 'public.call', 'code', 'at', '2020-01-01', (now() AT TIME ZONE 'Asia/Shanghai')::date);
    INSERT INTO safeidx.scheme (scheme, name_zh) VALUES ('cronfix', '定时');
    INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('cronfix', 'v1', '2020-01-01');
    INSERT INTO safeidx.indicator (scheme, version, node, name_zh, weight, direction, sources, measure,
                                   scoring, scoring_params)
    VALUES ('cronfix', 'v1', 'calls', '警情', 100, 'negative', '{calls}', 'count',
            'goalposts', '{"minimum": 0, "maximum": 10}');
$sql$);
SELECT * FROM dblink(pg_temp.conn('safeidx_cron'),
    $$SELECT sum(results) FROM safeidx.rebuild('cronfix', date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date)$$)
    AS t(results numeric);
SELECT dblink_exec(pg_temp.conn('safeidx_cron'), $$INSERT INTO public.call VALUES (now(), 'r1')$$);
-- The state before the refresh, read before the job exists (so that its
-- first run cannot come first).
CREATE TEMP TABLE before_refresh AS
SELECT (SELECT index FROM dblink(pg_temp.conn('safeidx_cron'),
                                 $$SELECT index FROM safeidx.index_result WHERE scheme = 'cronfix'$$)
                      AS r(index float8)) AS index,
       (SELECT n FROM dblink(pg_temp.conn('safeidx_cron'),
                             $$SELECT count(*) FROM safeidx.change_log WHERE scheme = 'cronfix'$$)
                  AS c(n bigint)) AS logged;
CREATE TEMP TABLE scheduled AS SELECT clock_timestamp() AS at;
SELECT jobid AS cron_jobid
  FROM dblink(pg_temp.conn('postgres'),
              format('SELECT cron.schedule_in_database(%L, %L, %L, %L)',
                     'safeidx_refresh', '* * * * *',
                     $$SELECT * FROM safeidx.refresh('cronfix')$$, 'safeidx_cron'))
       AS t(jobid bigint) \gset
\o

BEGIN;
SELECT plan(17);

-- ---- the job ------------------------------------------------------------------
SELECT ok(EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'),
          'the pg_cron scheduler is running (shared_preload_libraries)');

CREATE TEMP TABLE job AS
SELECT * FROM dblink(pg_temp.conn('postgres'),
    $$SELECT jobid, schedule, command, database, username, active
        FROM cron.job WHERE jobname = 'safeidx_refresh'$$)
    AS j(jobid bigint, schedule text, command text, database text, username text, active boolean);

SELECT is((SELECT count(*) FROM job), 1::bigint, 'cron.job holds one job named safeidx_refresh');
SELECT is((SELECT jobid FROM job), :cron_jobid::bigint, 'with the id cron.schedule_in_database returned');
SELECT is((SELECT database FROM job), 'safeidx_cron', 'it runs in database safeidx_cron');
SELECT is((SELECT command FROM job), $$SELECT * FROM safeidx.refresh('cronfix')$$, 'its command refreshes the scheme');
SELECT is((SELECT schedule FROM job), '* * * * *', 'every minute');
SELECT ok((SELECT active FROM job), 'and is active');

SELECT is((SELECT index FROM before_refresh), 100::float8, 'before the refresh: no call, index 100');
SELECT is((SELECT logged FROM before_refresh), 1::bigint, 'the new call is in the change log');

-- ---- the wait -----------------------------------------------------------------
-- pg_cron 1.4's scheduler learns of a new job from the invalidation its
-- trigger on cron.job sends; when the other tests' DDL overflows the shared
-- invalidation queue, the scheduler gets a cache reset instead, which 1.4
-- does not take as a change of cron.job, and the job is not seen until
-- cron.job changes again.  So while no run has started, the job is touched
-- (an UPDATE of cron.job that changes nothing fires that trigger) every 20
-- seconds.
SELECT clock_timestamp() AS wait_began \gset
\o /dev/null
DO $$
DECLARE
    deadline timestamptz := date_trunc('minute', (SELECT at FROM scheduled)) + interval '2 minutes 30 seconds';
    touched  timestamptz := clock_timestamp();
BEGIN
    LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_temp.runs() WHERE status IN ('succeeded', 'failed'));
        EXIT WHEN clock_timestamp() >= deadline;
        IF clock_timestamp() - touched > interval '20 seconds' AND NOT EXISTS (SELECT 1 FROM pg_temp.runs()) THEN
            PERFORM dblink_exec(pg_temp.conn('postgres'),
                                $q$UPDATE cron.job SET active = true WHERE jobname = 'safeidx_refresh'$q$);
            touched := clock_timestamp();
        END IF;
        PERFORM pg_sleep(1);
    END LOOP;
END
$$;
\o

SELECT diag(format('waited %s s for pg_cron; %s',
                   round(extract(epoch FROM clock_timestamp() - :'wait_began'::timestamptz)::numeric, 1),
                   coalesce('its first run began '
                            || round(extract(epoch FROM
                                   (SELECT min(start_time) FROM pg_temp.runs()) - (SELECT at FROM scheduled))::numeric, 1)
                            || ' s after the scheduling',
                            'safeidx_refresh has not run')));
-- What pg_cron knew, when no run finished.
SELECT diag(format(E'no finished run of safeidx_refresh at %s; its runs: %s\n'
                   'pg_cron processes: %s',
                   clock_timestamp(),
                   coalesce((SELECT string_agg(format('%s (started %s: %s)', status, start_time, return_message), '; ')
                               FROM pg_temp.runs()), 'none'),
                   coalesce((SELECT string_agg(format('%s pid %s %s wait %s:%s since %s', backend_type, pid, state,
                                                      wait_event_type, wait_event, state_change), '; ')
                               FROM pg_stat_activity WHERE backend_type ~ 'cron'), 'none')))
 WHERE NOT EXISTS (SELECT FROM pg_temp.runs() WHERE status IN ('succeeded', 'failed'));

-- ---- the run ------------------------------------------------------------------
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
