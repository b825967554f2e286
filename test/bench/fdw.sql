-- test/bench/fdw.sql: the postgres_fdw phase of test/bench.sh (SAFEIDX_BENCH_FDW=1).
-- The police table is on a second cluster (port :pp, database police, with
-- safeidx); the police sources' cell step over 2024-2025 by month is timed
-- on the local table, over postgres_fdw with safeidx.local_period shipped
-- (server police lists safeidx in "extensions") and with the built-in
-- width_bucket (server police_builtin does not): median of :runs runs
-- after a warm-up.  Rows read there: the rows of the period the sources'
-- filters keep (what a fetch without push-down would move); rows over the
-- network: the groups the remote GROUP BY returns (region code and month).
-- Prints id|label|ms|x local|rows read|rows moved.
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER police FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police', extensions 'safeidx');
CREATE SERVER police_builtin FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police');
CREATE USER MAPPING FOR CURRENT_USER SERVER police OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER police_builtin OPTIONS (user 'postgres');
CREATE FOREIGN TABLE demo.police_remote (id bigint NOT NULL, reported_at timestamptz NOT NULL, community_code text,
                                         category text NOT NULL, is_criminal boolean NOT NULL)
    SERVER police OPTIONS (schema_name 'dept', table_name 'police_incident');
CREATE FOREIGN TABLE demo.police_remote_builtin (id bigint NOT NULL, reported_at timestamptz NOT NULL, community_code text,
                                                 category text NOT NULL, is_criminal boolean NOT NULL)
    SERVER police_builtin OPTIONS (schema_name 'dept', table_name 'police_incident');
ANALYZE demo.police_remote, demo.police_remote_builtin;
-- the police sources of test/demo/schemes.sql, on each relation
INSERT INTO safeidx.source (source, relation, region_column, time_column, filter)
SELECT 'bench_' || s.source || x.suffix, x.rel, 'community_code', 'reported_at', s.filter
  FROM (VALUES ('police_four_category', $$category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud')$$),
               ('police_criminal', 'is_criminal'),
               ('police_telecom_fraud', $$category = 'telecom_fraud'$$)) s(source, filter),
       (VALUES ('', 'demo.police_incident'), ('_fdw', 'demo.police_remote'),
               ('_fdwb', 'demo.police_remote_builtin')) x(suffix, rel);

SELECT set_config('bench.runs', :'runs', false) \gset
CREATE TEMP TABLE fdw_timing (id text, label text, ms float8);
DO $$
DECLARE
    v record;
    t timestamptz;
    n bigint;
BEGIN
    FOR v IN SELECT * FROM (VALUES
        (1, 'f1', 'local table (local_period per row)', ''),
        (2, 'f2', 'postgres_fdw, safeidx.local_period shipped', '_fdw'),
        (3, 'f3', 'postgres_fdw, built-in width_bucket shipped', '_fdwb')) x(ord, id, label, suffix) ORDER BY ord LOOP
        FOR i IN 0 .. current_setting('bench.runs')::int LOOP
            t := clock_timestamp();
            SELECT count(*) INTO n
              FROM safeidx.source_cells((SELECT array_agg(s.source || v.suffix) FROM safeidx.source s
                                          WHERE s.relation = 'demo.police_incident' AND s.source LIKE 'bench\_%'),
                                        'month', '2024-01-01', '2026-01-01', 'Asia/Shanghai');
            IF i > 0 THEN       -- run 0 warms up
                INSERT INTO fdw_timing VALUES (v.id, v.label, extract(epoch FROM clock_timestamp() - t) * 1000);
            END IF;
        END LOOP;
    END LOOP;
END $$;
\pset format unaligned
\pset tuples_only on
WITH med AS (
    SELECT id, min(label) AS label, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM fdw_timing GROUP BY id),
rows_read AS (
    SELECT count(*) AS n FROM demo.police_incident
     WHERE reported_at >= '2024-01-01 00:00+08' AND reported_at < '2026-01-01 00:00+08'
       AND (category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud', 'telecom_fraud') OR is_criminal)),
groups AS (
    SELECT count(DISTINCT (c.region_code, c.period_start)) AS n
      FROM safeidx.source_cells((SELECT array_agg(s.source) FROM safeidx.source s
                                  WHERE s.relation = 'demo.police_incident' AND s.source LIKE 'bench\_%'),
                                'month', '2024-01-01', '2026-01-01', 'Asia/Shanghai') c)
SELECT m.id, m.label, round(m.ms::numeric, 1), round((m.ms / (SELECT ms FROM med WHERE id = 'f1'))::numeric, 2),
       (SELECT n FROM rows_read), CASE WHEN m.id = 'f1' THEN '-' ELSE (SELECT n FROM groups)::text END
  FROM med m ORDER BY m.id;
