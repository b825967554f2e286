-- test/reliability/remote.sql: the remote paths of safeidx, for the checks
-- that run them under valgrind (valgrind_remote.sh) or with sqlsmith
-- (sqlsmith.sh); doc/reliability.md.  Run in a database of the main cluster,
-- the departments' server made by remote_setup.sql.  psql variables: pp (the
-- departments' server's port), repo (the repository's root), dept (a role
-- to own the police sources), long (on: the long version: Wuchang built for
-- January and February, not February alone; Zhuhai, a daily scheme, built
-- and refreshed too, its baselines making it the longest part; the last
-- phase refreshes), phase:
--   setup   postgres_fdw servers police (extensions 'safeidx': the local
--           period ships as safeidx.local_period(at, spec)) and fire (no
--           safeidx: width_bucket ships); every demo table imported as a
--           foreign table of schema demo (IMPORT FOREIGN SCHEMA), fire_alarm
--           from the fire database with its last-modified column; the
--           example schemes (test/demo/schemes.sql) over them, declared
--           delivered through February 2025 (so that refresh computes no
--           later month); the police sources owned by :dept, whose user
--           mapping reads as police_reader, with watermark id, the fire
--           sources with watermark modified_at; regions and population bound
--           in place to the police server's demo tables (reference_binding)
--           and synchronized (sync_reference);
--   build   rebuilds (Wuchang February 2025, or January-February; Zhuhai a
--           week);
--   run     plans and shipping of the sources, source_cells, reference rows;
--           remote inserts (new and late rows), an update, a delete, a
--           population change; source_changes, poll_changes, compare_cells,
--           mark_changed, then a refresh taking them in, sync_reference; the
--           error paths that need no server down: a zone that is none, an
--           unknown source, binding or scheme, the owner's remote role
--           without SELECT (42501);
--   down    (the departments' server stopped) refresh, which must fail;
--   after   (the server back) poll_changes, or refresh, which must
--           complete; compare_cells.
-- Writes go to the foreign tables themselves (the superuser's mapping may
-- write).  The statements expected to fail run with ON_ERROR_STOP off and
-- print "expected error: SQLSTATE" lines (psql's LAST_ERROR_SQLSTATE).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT :'phase' = 'setup' AS p_setup, :'phase' = 'build' AS p_build, :'phase' = 'run' AS p_run,
       :'phase' = 'down' AS p_down, :'phase' = 'after' AS p_after \gset

\if :p_setup
CREATE EXTENSION safeidx;
CREATE EXTENSION postgres_fdw;
CREATE SERVER police FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police', extensions 'safeidx');
CREATE SERVER fire FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'pp', dbname 'fire');
CREATE USER MAPPING FOR postgres SERVER police OPTIONS (user 'postgres');
CREATE USER MAPPING FOR postgres SERVER fire OPTIONS (user 'postgres');
CREATE USER MAPPING FOR :"dept" SERVER police OPTIONS (user 'police_reader', password 'reader-pw');
CREATE SCHEMA demo;
IMPORT FOREIGN SCHEMA demo FROM SERVER police INTO demo;
DROP FOREIGN TABLE demo.fire_alarm;
CREATE FOREIGN TABLE demo.fire_alarm (id bigint NOT NULL, alarm_at timestamptz NOT NULL, community_code text, cause text NOT NULL,
                                      is_false_alarm boolean NOT NULL, modified_at timestamptz NOT NULL)
    SERVER fire OPTIONS (schema_name 'dept', table_name 'fire_alarm');
GRANT USAGE ON SCHEMA demo TO :"dept";
GRANT SELECT ON demo.police_incident TO :"dept";
GRANT safeidx_department TO :"dept";
BEGIN;
\set schemes :repo '/test/demo/schemes.sql'
\i :schemes
COMMIT;
UPDATE safeidx.source SET delivered_through = '2025-02-28';
UPDATE safeidx.source SET owner = :'dept', watermark_column = 'id' WHERE relation = 'demo.police_incident';
UPDATE safeidx.source SET watermark_column = 'modified_at' WHERE relation = 'demo.fire_alarm';
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds) VALUES
    ('police_regions', 'region', 'demo.region',
     '{"code": "code", "parent_code": "parent_code", "name_zh": "name_zh", "kind": "kind"}',
     (SELECT array_agg(DISTINCT kind) FROM safeidx.region)),
    ('police_resident', 'population', 'demo.population',
     '{"region_code": "region_code", "year": "year", "persons": "resident"}', '{resident}'),
    ('police_registered', 'population', 'demo.population',
     '{"region_code": "region_code", "year": "year", "persons": "registered"}', '{registered}');
SELECT * FROM safeidx.sync_reference();
\endif

\if :p_build
SELECT :'long' = 'on' AS long_run \gset
SELECT count(*) AS wuchang_results
  FROM safeidx.rebuild('wuchang', CASE WHEN :'long' = 'on' THEN date '2025-01-01' ELSE '2025-02-01' END, '2025-03-01');
\if :long_run
SELECT count(*) AS zhuhai_results FROM safeidx.rebuild('zhuhai', '2025-02-01', '2025-02-08');
\endif
\endif

\if :p_run
SELECT count(*) AS plan_lines FROM safeidx.source_plan('{police_criminal,police_four_category,police_telecom_fraud}', 'month', '2025-01-01', '2025-03-01');
SELECT count(*) AS plan_lines FROM safeidx.source_plan('{fire_alarm,fire_real}', 'day', '2025-01-01', '2025-03-01');
SELECT safeidx.source_shipping('demo.police_incident'), safeidx.source_shipping('demo.fire_alarm'),
       safeidx.source_servers('demo.police_incident');
SELECT count(*) AS cells FROM safeidx.source_cells('{police_criminal,police_four_category}', 'month', '2025-01-01', '2025-03-01',
                                                   'Asia/Shanghai', NULL);
SELECT count(*) AS cells FROM safeidx.source_cells('{fire_real}', 'day', '2025-02-01', '2025-02-08', 'Asia/Shanghai',
                                                   '{420106001001,420106002001}');
SELECT count(*) AS region_rows FROM safeidx.reference_region_rows('police_regions');
SELECT count(*) AS population_rows FROM safeidx.reference_population_rows('police_resident');
-- new rows, a late row in January, an update of a fire alarm (modified_at
-- moves), a delete (no watermark sees it: compare_cells does), a population
-- figure changed where it is kept; then one refresh takes them all in
INSERT INTO demo.police_incident VALUES
    (90000001, '2025-02-10 09:00+08', '420106001001', 'burglary', true),
    (90000002, '2025-02-28 23:59:59+08', '420106002001', 'fraud', false),
    (90000003, '2025-01-15 12:00+08', '420106001001', 'ebike_theft', true);
UPDATE demo.fire_alarm SET is_false_alarm = NOT is_false_alarm, modified_at = clock_timestamp()
 WHERE id = (SELECT min(id) FROM demo.fire_alarm WHERE alarm_at >= '2025-02-01');
DELETE FROM demo.police_incident WHERE id = (SELECT min(id) FROM demo.police_incident WHERE reported_at >= '2025-02-01' AND is_criminal);
UPDATE demo.population SET resident = resident + 1000 WHERE region_code = '420106001001' AND year = 2025;
SELECT * FROM safeidx.source_changes('police_criminal') ORDER BY 1, 2 LIMIT 5;
SELECT count(*) AS polled FROM safeidx.poll_changes('wuchang');
SELECT safeidx.compare_cells('wuchang', '2025-01-01', '2025-03-01') AS differing_cells;
SELECT safeidx.mark_changed('police_criminal', '2025-01-01', '2025-02-01');
SELECT count(*) AS refreshed FROM safeidx.refresh('wuchang');
SELECT high FROM safeidx.source_watermark WHERE source = 'police_criminal';
SELECT * FROM safeidx.sync_reference('police_resident');
SELECT :'long' = 'on' AS long_run \gset
\if :long_run
SELECT count(*) AS refreshed FROM safeidx.refresh('zhuhai');
\endif
-- local_period(at, spec) on this side too, and the spec's errors
SELECT safeidx.local_period('2025-01-31 16:30+00', '{"period": "month", "zone": "Asia/Shanghai"}');
\set ON_ERROR_STOP 0
SELECT safeidx.local_period(now(), '{"period": "month", "zone": "Mars/Olympus"}');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.source_changes('nope');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.reference_region_rows('nope');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT safeidx.compare_cells('nope');
\echo expected error: :LAST_ERROR_SQLSTATE
-- the owner's remote role without SELECT: refused, nothing written
\set ON_ERROR_STOP 1
ALTER USER MAPPING FOR :"dept" SERVER police OPTIONS (SET user 'police_nosel', SET password 'nosel-pw');
INSERT INTO demo.police_incident VALUES (90000004, '2025-02-12 08:00+08', '420106003001', 'other_theft', true);
\set ON_ERROR_STOP 0
SELECT count(*) FROM safeidx.refresh('wuchang');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.source_changes('police_criminal');
\echo expected error: :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1
ALTER USER MAPPING FOR :"dept" SERVER police OPTIONS (SET user 'police_reader', SET password 'reader-pw');
SELECT count(*) AS refreshed FROM safeidx.refresh('wuchang');
INSERT INTO demo.police_incident VALUES (90000005, '2025-02-13 08:00+08', '420106003001', 'other_theft', true);
\endif

\if :p_down
\set ON_ERROR_STOP 0
SELECT count(*) FROM safeidx.refresh('wuchang');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.sync_reference();
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT safeidx.compare_cells('wuchang', '2025-01-01', '2025-03-01');
\echo expected error: :LAST_ERROR_SQLSTATE
\endif

\if :p_after
SELECT :'long' = 'on' AS long_run \gset
\if :long_run
SELECT count(*) AS refreshed FROM safeidx.refresh('wuchang');
\else
SELECT count(*) AS polled FROM safeidx.poll_changes('wuchang');
\endif
-- (the long version refreshed: none; the short one polled the row inserted
-- last, not refreshed yet: its cells)
SELECT 'differing cells: ' || safeidx.compare_cells('wuchang', '2025-01-01', '2025-03-01');
\endif
