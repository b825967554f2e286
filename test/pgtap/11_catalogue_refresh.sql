-- Population figures and region boundaries change results without changing
-- any departmental row: refresh() picks them up (the catalogue tables log
-- results-only changes) and then equals a full rebuild.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(7);
SET CONSTRAINTS ALL IMMEDIATE;
\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01');
\o

-- the community without a 2025 figure, and one community that moves from
-- its street to another street on 1 July 2025
SELECT '420106004005' AS missing,
       (SELECT min(code) FROM demo.region WHERE level = 'community' AND parent_code = '420106001000') AS mover,
       '420106002000' AS new_street \gset

INSERT INTO safeidx.population (region_code, period, period_start, kind, persons)
VALUES (:'missing', 'year', '2025-01-01', 'resident', 4000);
UPDATE safeidx.population SET persons = persons * 2
 WHERE region_code = :'mover' AND period_start = '2025-01-01' AND kind = 'resident';
UPDATE safeidx.region SET valid_to = '2025-07-01' WHERE code = :'mover';
INSERT INTO safeidx.region (code, valid_from, parent_code, name_zh, kind)
SELECT code, '2025-07-01', :'new_street', name_zh, kind FROM safeidx.region WHERE code = :'mover';

SELECT ok((SELECT bool_and(results_only) AND count(*) = 6 FROM safeidx.change_log WHERE scheme = 'wuchang'),
          'the four catalogue statements logged six results-only changes (an update logs old and new rows)');
\o /dev/null
SELECT * FROM safeidx.refresh('wuchang');
\o
SELECT is((SELECT count(*) FROM safeidx.change_log WHERE scheme = 'wuchang'), 0::bigint, 'the refresh consumed them');

SELECT is((SELECT missing_units FROM safeidx.result WHERE scheme = 'wuchang' AND period_start = '2025-03-01'
              AND region_code = '420106004000'), 0, 'the street of the community that got its figure misses no unit');
SELECT is((SELECT parent_code FROM safeidx.result WHERE scheme = 'wuchang' AND period_start = '2025-07-01'
              AND region_code = :'mover'), :'new_street', 'from July the moved community is under its new street');
SELECT is((SELECT parent_code FROM safeidx.result WHERE scheme = 'wuchang' AND period_start = '2025-06-01'
              AND region_code = :'mover'), '420106001000', 'in June it is still under its old street');

CREATE TEMP TABLE refreshed_result AS
SELECT scheme, period, period_start, region_code, version, parent_code, depth, round(index::numeric, 9) AS index,
       round(coverage::numeric, 12) AS coverage, grade_level, rank_siblings, rank_level, residents, missing_units
  FROM safeidx.result WHERE scheme = 'wuchang';
CREATE TEMP TABLE refreshed_node AS
SELECT scheme, period, period_start, region_code, node, events, counted_events, residents, value, baseline,
       round(score::numeric, 12) AS score
  FROM safeidx.result_node WHERE scheme = 'wuchang';
SELECT results_from AS r_from, results_to AS r_to FROM safeidx.built_range WHERE scheme = 'wuchang' \gset
\o /dev/null
SELECT * FROM safeidx.rebuild('wuchang', :'r_from', :'r_to');
\o
SELECT set_eq('SELECT * FROM refreshed_result',
              $$SELECT scheme, period, period_start, region_code, version, parent_code, depth, round(index::numeric, 9) AS index,
                       round(coverage::numeric, 12) AS coverage, grade_level, rank_siblings, rank_level, residents, missing_units
                  FROM safeidx.result WHERE scheme = 'wuchang'$$,
              'region results after the refresh equal a rebuild');
SELECT set_eq('SELECT * FROM refreshed_node',
              $$SELECT scheme, period, period_start, region_code, node, events, counted_events, residents, value, baseline,
                       round(score::numeric, 12)
                  FROM safeidx.result_node WHERE scheme = 'wuchang'$$,
              'indicator results after the refresh equal a rebuild');

SELECT * FROM finish();
ROLLBACK;
