-- pg_cron, first half: a scheduled safeidx.refresh().  In a database of its
-- own, safeidx_cron (committed state that the other files must not see),
-- this builds a one-region scheme, schedules
--   SELECT * FROM safeidx.refresh('cronfix')
-- every minute with cron.schedule_in_database, and then inserts a
-- departmental row, which the change-capture trigger logs.  99_cron_ran.sql
-- (run last, so the files in between hide most of the wait for the next
-- minute) checks that pg_cron ran the refresh and that it took the row in.
--
-- pg_cron keeps cron.* in database postgres (cron.database_name, set by
-- test/lib/cluster.sh); both databases are reached through dblink, as the
-- same user on the same server (the cluster trusts local connections).
-- dblink's statements commit on their own, outside this file's transaction.

CREATE FUNCTION pg_temp.conn(db text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s',
                  coalesce(host(inet_server_addr()),
                           split_part(current_setting('unix_socket_directories'), ',', 1)),
                  current_setting('port'), db, current_user)
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
    INSERT INTO safeidx.source (source, relation, region_column, time_column)
    VALUES ('calls', 'public.call', 'code', 'at');
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
CREATE TABLE IF NOT EXISTS public.cron_scheduled (scheduled_at timestamptz);
TRUNCATE public.cron_scheduled;
INSERT INTO public.cron_scheduled VALUES (clock_timestamp());
SELECT jobid AS cron_jobid
  FROM dblink(pg_temp.conn('postgres'),
              format('SELECT cron.schedule_in_database(%L, %L, %L, %L)',
                     'safeidx_refresh', '* * * * *',
                     $$SELECT * FROM safeidx.refresh('cronfix')$$, 'safeidx_cron'))
       AS t(jobid bigint) \gset
SELECT dblink_exec(pg_temp.conn('safeidx_cron'), $$INSERT INTO public.call VALUES (now(), 'r1')$$);
\o

BEGIN;
SELECT plan(9);

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

SELECT is((SELECT index FROM dblink(pg_temp.conn('safeidx_cron'),
                                    $$SELECT index FROM safeidx.index_result WHERE scheme = 'cronfix'$$)
                         AS r(index float8)),
          100::float8, 'before the refresh: no call, index 100');
SELECT is((SELECT n FROM dblink(pg_temp.conn('safeidx_cron'),
                                $$SELECT count(*) FROM safeidx.change_log WHERE scheme = 'cronfix'$$)
                     AS c(n bigint)),
          1::bigint, 'the new call is in the change log');

SELECT * FROM finish();
ROLLBACK;
