-- test/reliability/remote.sql: the remote paths of safeidx, for the checks
-- that run them under valgrind (valgrind_remote.sh) or with sqlsmith
-- (sqlsmith.sh); doc/reliability.md.  Run in a database of the main cluster,
-- the departments' server made by remote_setup.sql.  psql variables: pp (the
-- departments' server's port), repo (the repository's root), dept (a role
-- to own the police sources), long (on: the long version: the example
-- scheme Wuchang, built for January and February 2025, and Zhuhai, a daily
-- scheme, built for a week and refreshed, its baselines making it the
-- longest part; the last phase refreshes; off: a small scheme remote_check,
-- police and fire incidents against the same month a year before, built for
-- February 2025), phase:
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
--   build   rebuilds (remote_check; or Wuchang and Zhuhai);
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
-- The phases may run in one session (valgrind_remote.sh: \set phase, \i),
-- which spares a backend's warm-up under valgrind; each begins with a line
-- "phase: NAME" and, unless an unexpected error stopped psql, ends with
-- "phase done: NAME".
-- Writes go to the foreign tables themselves (the superuser's mapping may
-- write).  The statements expected to fail run with ON_ERROR_STOP off and
-- print "expected error: SQLSTATE" lines (psql's LAST_ERROR_SQLSTATE).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT :'phase' = 'setup' AS p_setup, :'phase' = 'build' AS p_build, :'phase' = 'run' AS p_run,
       :'phase' = 'down' AS p_down, :'phase' = 'after' AS p_after \gset
SELECT :'long' = 'on' AS long_run, CASE WHEN :'long' = 'on' THEN 'wuchang' ELSE 'remote_check' END AS scheme \gset
\echo phase: :phase

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
-- a small scheme for the short version: two indicators, each against the
-- same month of the year before (police over the police server, fire over
-- the fire database)
INSERT INTO safeidx.scheme (scheme, name_zh, name_en, periods, grade_scale)
VALUES ('remote_check', '远程检查', 'remote check', '{month}', 'wuchang');
INSERT INTO safeidx.scheme_version (scheme, version, valid_from) VALUES ('remote_check', '1', '2024-01-01');
INSERT INTO safeidx.indicator (scheme, version, node, name_zh, name_en, weight, direction, sources, measure,
                               scoring, scoring_params, baseline, baseline_of, baseline_depth) VALUES
    ('remote_check', '1', 'criminal', '违法犯罪警情', 'criminal incidents', 50, 'negative', '{police_criminal}', 'count',
     'ratio_band', '{"middle": "step", "middle_share": 0.8}', 'same_period_last_year', 'self', NULL),
    ('remote_check', '1', 'fire', '火灾警情', 'fire alarms', 50, 'negative', '{fire_alarm}', 'count',
     'ratio_band', '{"middle": "step", "middle_share": 0.8}', 'same_period_last_year', 'self', NULL);
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
\if :long_run
SELECT count(*) AS wuchang_results FROM safeidx.rebuild('wuchang', '2025-01-01', '2025-03-01');
SELECT count(*) AS zhuhai_results FROM safeidx.rebuild('zhuhai', '2025-02-01', '2025-02-08');
\else
SELECT count(*) AS remote_check_results FROM safeidx.rebuild('remote_check', '2025-02-01', '2025-03-01');
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
SELECT count(*) AS polled FROM safeidx.poll_changes(:'scheme');
SELECT safeidx.compare_cells(:'scheme', '2025-01-01', '2025-03-01') AS differing_cells;
SELECT safeidx.mark_changed('police_criminal', '2025-01-01', '2025-02-01');
SELECT count(*) AS refreshed FROM safeidx.refresh(:'scheme');
SELECT high FROM safeidx.source_watermark WHERE source = 'police_criminal';
SELECT * FROM safeidx.sync_reference('police_resident');
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
SELECT count(*) FROM safeidx.refresh(:'scheme');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.source_changes('police_criminal');
\echo expected error: :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1
ALTER USER MAPPING FOR :"dept" SERVER police OPTIONS (SET user 'police_reader', SET password 'reader-pw');
SELECT count(*) AS refreshed FROM safeidx.refresh(:'scheme');
INSERT INTO demo.police_incident VALUES (90000005, '2025-02-13 08:00+08', '420106003001', 'other_theft', true);
\endif

\if :p_down
\set ON_ERROR_STOP 0
SELECT count(*) FROM safeidx.refresh(:'scheme');
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT * FROM safeidx.sync_reference();
\echo expected error: :LAST_ERROR_SQLSTATE
SELECT safeidx.compare_cells(:'scheme', '2025-01-01', '2025-03-01');
\echo expected error: :LAST_ERROR_SQLSTATE
\endif

\if :p_after
\if :long_run
SELECT count(*) AS refreshed FROM safeidx.refresh(:'scheme');
\else
SELECT count(*) AS polled FROM safeidx.poll_changes(:'scheme');
\endif
-- (the long version refreshed: none; the short one polled the row inserted
-- last, not refreshed yet: its cells)
SELECT 'differing cells: ' || safeidx.compare_cells(:'scheme', '2025-01-01', '2025-03-01');
\endif
\echo phase done: :phase
