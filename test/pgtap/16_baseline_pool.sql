-- Stored yearly pools of prior-years baselines (safeidx.baseline_pool,
-- src/engine/results_pool.c): a build stores the pool of each year its
-- periods' baselines read; computing a period later reads the pool instead
-- of rolling up the year's periods again -- shown by deleting that year's
-- cells behind the engine's back: the baselines stay as they were while the
-- pool is there and go once it is not.  A stored pool gives the very bits
-- the roll-up gives; a pool whose definition differs, or whose bytes do not
-- parse, is not read; the pools of the years whose cells, regions or
-- population change are dropped (delete_cells, the catalogue triggers),
-- rebuild drops them all, and they follow their scheme.
--
-- That refresh with pools equals rebuild after late rows in last year (the
-- years pools cover) is 07_refresh.sql's and, for regions and population,
-- 11_catalogue_refresh.sql's.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42).
BEGIN;
SELECT plan(20);
\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
\o

-- every column of a month's results but computed_at, as text (float8 with
-- every digit it needs: equal text, equal bits)
CREATE FUNCTION pg_temp.month_rows(ps date) RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(concat_ws(' ', n.region_code, n.node, n.events, n.counted_events, n.residents, n.value,
                                n.baseline, n.ratio, n.score, n.points, n.status, r.index, r.index_unrounded,
                                r.grade_level, r.rank_siblings, r.rank_level), ', '
                      ORDER BY n.region_code, n.node))
      FROM safeidx.result_node n
      JOIN safeidx.result r USING (scheme, period, period_start, region_code)
     WHERE n.scheme = 'wuchang' AND n.period = 'month' AND n.period_start = ps;
$$;
CREATE FUNCTION pg_temp.no_baseline(ps date) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM safeidx.result_node n
     WHERE n.scheme = 'wuchang' AND n.period = 'month' AND n.period_start = ps AND n.status = 'no_baseline';
$$;
CREATE TEMP TABLE t_before AS SELECT pg_temp.month_rows('2025-12-01') AS rows, pg_temp.no_baseline('2025-12-01') AS nb;
CREATE TEMP TABLE t_pools AS SELECT version, year, pool FROM safeidx.baseline_pool WHERE scheme = 'wuchang';

-- ---- what a build stores -------------------------------------------------------
-- Wuchang's versions 1.0 (2025-01 .. 2025-06) and 2.0 (from 2025-07) both
-- score against the prior year (baseline_years 1): 2024, for each version.
SELECT is((SELECT string_agg(format('%s %s %s', version, period, year), ', ' ORDER BY version, year)
             FROM safeidx.baseline_pool WHERE scheme = 'wuchang'),
          '1.0 month 2024, 2.0 month 2024',
          'rebuild stores the pool of the year each version''s prior-years baselines read');
SELECT ok((SELECT bool_and(definition LIKE 'format 1; month; root -; population resident; %four_category r p police_four_category /%')
             FROM safeidx.baseline_pool WHERE scheme = 'wuchang'),
          'a pool''s definition names the period kind, root, population kind and each leaf''s sources');
SELECT is((SELECT t.nb FROM t_before t), 0::bigint, 'December 2025 has every baseline (the fixture is complete)');

-- ---- a stored pool is read, and gives the same bits --------------------------
SELECT is(safeidx.compute_results('wuchang', 'month', '{2025-12-01}'),
          (SELECT count(*) FROM safeidx.result WHERE scheme = 'wuchang' AND period = 'month' AND period_start = '2025-12-01'),
          'December 2025 recomputed with the stored pool: every region result');
SELECT is(pg_temp.month_rows('2025-12-01'), (SELECT t.rows FROM t_before t),
          'the same bits as the rebuild, which rolled up 2024');
-- January to November 2024's cells gone behind the engine's back (not
-- through delete_cells; December stays for the same-month-last-year
-- baseline of criminal_yoy): only the pool still knows them
CREATE TEMP TABLE t_cells_2024 AS
SELECT * FROM safeidx.cell WHERE scheme = 'wuchang' AND period_start >= '2024-01-01' AND period_start < '2024-12-01';
DELETE FROM safeidx.cell WHERE scheme = 'wuchang' AND period_start >= '2024-01-01' AND period_start < '2024-12-01';
SELECT safeidx.compute_results('wuchang', 'month', '{2025-12-01}');
SELECT is(pg_temp.month_rows('2025-12-01'), (SELECT t.rows FROM t_before t),
          'without those cells, December 2025 is unchanged: its prior-year baselines came from the pool, not the cells');
-- a pool whose definition is not the version's is not read
UPDATE safeidx.baseline_pool SET definition = definition || ' (another)' WHERE scheme = 'wuchang' AND version = '2.0';
SELECT safeidx.compute_results('wuchang', 'month', '{2025-12-01}');
SELECT isnt(pg_temp.month_rows('2025-12-01'), (SELECT t.rows FROM t_before t),
            'a pool with another definition is not read: the baselines are December 2024''s alone');
SELECT is((SELECT definition NOT LIKE '%(another)' FROM safeidx.baseline_pool WHERE scheme = 'wuchang' AND version = '2.0'),
          true, 'and the computation stored the pool it summed (from December alone) in its place');
-- nor one whose bytes do not parse
UPDATE safeidx.baseline_pool SET pool = '\x0100000002'::bytea WHERE scheme = 'wuchang' AND version = '2.0';
INSERT INTO safeidx.cell SELECT * FROM t_cells_2024;
SELECT lives_ok($$SELECT safeidx.compute_results('wuchang', 'month', '{2025-12-01}')$$,
                'a pool that does not parse is not read (no error)');
SELECT is(pg_temp.month_rows('2025-12-01'), (SELECT t.rows FROM t_before t),
          'and the results are the rebuild''s again, rolled up from the cells');
SELECT is((SELECT p.pool = t.pool FROM safeidx.baseline_pool p JOIN t_pools t USING (version, year)
            WHERE p.scheme = 'wuchang' AND p.version = '2.0'),
          true, 'the pool summed from the cells replaced it, byte for byte the one the rebuild stored');

-- ---- what drops pools ------------------------------------------------------------
INSERT INTO safeidx.baseline_pool (scheme, period, version, year, definition, pool)
SELECT scheme, period, version, 2023, definition, pool FROM safeidx.baseline_pool WHERE scheme = 'wuchang';
SELECT safeidx.delete_cells('wuchang', 'month', '2024-03-01', '2024-04-01', '{420106001001}');
SELECT is((SELECT string_agg(format('%s %s', version, year), ', ' ORDER BY version, year)
             FROM safeidx.baseline_pool WHERE scheme = 'wuchang'),
          '1.0 2023, 2.0 2023', 'delete_cells drops the pools of the years it deletes from (2024), no other');
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01') \g /dev/null
SELECT is((SELECT string_agg(format('%s %s', version, year), ', ' ORDER BY version, year)
             FROM safeidx.baseline_pool WHERE scheme = 'wuchang'),
          '1.0 2024, 2.0 2024', 'rebuild drops every pool of its scheme and stores those it sums');
SELECT is(pg_temp.month_rows('2025-12-01'), (SELECT t.rows FROM t_before t), 'rebuild: the same results');
-- population figures of 2025 (no pool) change: 2024's pools stay
UPDATE safeidx.population SET persons = persons + 1 WHERE period_start = '2025-01-01' AND region_code LIKE '420106%';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool WHERE scheme = 'wuchang'), 2::bigint,
          'a population change in 2025 keeps the pools of 2024');
UPDATE safeidx.population SET persons = persons + 1 WHERE period_start = '2024-01-01' AND region_code LIKE '420106%';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool WHERE scheme = 'wuchang'), 0::bigint,
          'a population change in 2024 drops the pools of 2024');
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01') \g /dev/null
-- a region row valid from 2025 on: pools of 2024 stay; one over 2024: dropped
INSERT INTO safeidx.region (code, name_zh, name_en, parent_code, kind, valid_from)
SELECT '420106001099', '测试社区', 'Test community', parent_code, kind, '2025-06-01'
  FROM safeidx.region WHERE code = '420106001001';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool WHERE scheme = 'wuchang'), 2::bigint,
          'a region valid from 2025-06 on keeps the pools of 2024');
UPDATE safeidx.region SET valid_from = '2024-06-01' WHERE code = '420106001099';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool WHERE scheme = 'wuchang'), 0::bigint,
          'moved to 2024-06, it drops them');

-- ---- pools follow their scheme ---------------------------------------------------
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01') \g /dev/null
UPDATE safeidx.scheme SET scheme = 'wuchang_renamed' WHERE scheme = 'wuchang';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool WHERE scheme = 'wuchang_renamed'), 2::bigint,
          'a scheme renamed renames its pools');
DELETE FROM safeidx.scheme WHERE scheme = 'wuchang_renamed';
SELECT is((SELECT count(*) FROM safeidx.baseline_pool), 0::bigint, 'a scheme dropped drops its pools');

SELECT * FROM finish();
ROLLBACK;
