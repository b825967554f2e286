-- The engine (safeidx.rebuild) on the Wuchang example (test/demo/schemes.sql):
-- Wuchang 1.0 for every region at every depth (city, district, streets,
-- communities) and every month 2025-01..2025-06 equals an independent
-- computation in plain SQL that uses no safeidx function, type or table
-- except to read the engine's results for comparison.  It reads demo.*
-- directly and differs from the engine in method where it can: months from
-- to_char() on local time instead of date_trunc(); the hierarchy from a
-- recursive walk of demo.region; residents and counted events in closed form
-- over (region, descendant) pairs instead of a bottom-up pass; the district
-- baseline as (events of 2024 / 12) / residents instead of a rate over
-- person-months; exact numeric arithmetic; band scoring written out as
-- CASE; ranks as 1 + the number of better regions.  Then a rebuild through
-- 2025 gives version 2.0 (seven indicators) from 2025-07 and leaves 2025-06
-- as it was.
--
-- Semantics reproduced (the engine's documented behaviour):
--   events(R)    rows coded to R or below it in the month (NULL and unknown
--                codes ignored);
--   residents(R) R's own figure for the month's year, else the sum over its
--                children with non-NULL residents, NULL when none;
--   counted(R)   events(R) when R has its own figure; else, when residents(R)
--                is not NULL, the counted events of its children with
--                residents plus the rows coded to R itself; else 0;
--   rates        counted / residents * 10000, NULL when residents is NULL or
--                0; baseline: the district's (depth 2; the city's for the
--                city) average monthly rate of 2024;
--   criminal_yoy events(R) against events(R) in the same month of 2024;
--   scores       r = value / baseline (baseline 0: 1 if value 0, else +inf);
--                negative r < 0.8 -> 1, r > 1.2 -> 0, else 0.8; positive the
--                other way round; NULL value or baseline: unscored;
--   index        100 * weighted mean of the scored; coverage = weight scored
--                / 100; no index unless every indicator is scored (coverage
--                1, the default minimum coverage); published with 2 decimals
--                (the default), grade 90 / 80 / 70 and rank() among siblings
--                and within the depth by the published index, descending.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(24);

\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2025-07-01');
\o

-- ---- the independent computation --------------------------------------------

-- x and y differ: one NULL and not the other, or further apart than 1e-9
-- (infinities equal themselves)
CREATE FUNCTION pg_temp.differ(x numeric, y numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x IS NULL OR y IS NULL THEN x IS DISTINCT FROM y
                WHEN x = y THEN false
                ELSE NOT abs(x - y) < 1e-9 END;
$$;

-- the indicators of Wuchang 1.0
CREATE TEMP TABLE w_ind (ind, weight, positive, is_rate) AS VALUES
    ('four_category',  30::numeric, false, true),
    ('criminal_yoy',   20::numeric, false, false),
    ('key_complaints', 15::numeric, false, true),
    ('mediation',      15::numeric, true,  true),
    ('fire',           20::numeric, false, true);

-- the hierarchy: depth and path of codes from the top, walking down
CREATE TEMP TABLE w_region AS
WITH RECURSIVE walk (code, parent_code, depth, path) AS (
    SELECT code, parent_code, 1, ARRAY[code] FROM demo.region WHERE parent_code IS NULL
    UNION ALL
    SELECT r.code, r.parent_code, w.depth + 1, w.path || r.code
      FROM walk w JOIN demo.region r ON r.parent_code = w.code)
SELECT code, parent_code, depth, path, path[least(depth, 2)] AS district FROM walk;

-- months: those asked for (2025-01..06) and those the baselines read (2024)
CREATE TEMP TABLE w_month AS
SELECT to_char(m, 'YYYY-MM') AS ym, to_char(m, 'YYYY')::int AS yr,
       to_char(m - interval '1 year', 'YYYY-MM') AS ym_last_year,
       m >= timestamp '2025-01-01' AS asked
  FROM generate_series(timestamp '2024-01-01', timestamp '2025-06-01', interval '1 month') m;

-- departmental rows of the indicators' filters, per local month, coded to a region
CREATE TEMP TABLE w_direct AS
SELECT e.code, e.ym, e.ind, count(*)::numeric AS n
  FROM (SELECT community_code AS code, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS ym,
               'four_category' AS ind
          FROM demo.police_incident WHERE category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud')
        UNION ALL
        SELECT community_code, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'criminal_yoy'
          FROM demo.police_incident WHERE is_criminal
        UNION ALL
        SELECT community_code, to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'key_complaints'
          FROM demo.complaint WHERE is_key_sector
        UNION ALL
        SELECT community_code, to_char(opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'mediation'
          FROM demo.mediation WHERE outcome = 'success'
        UNION ALL
        SELECT community_code, to_char(alarm_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'fire'
          FROM demo.fire_alarm) e
 WHERE e.code IN (SELECT code FROM w_region)
 GROUP BY 1, 2, 3;

-- own population figures (only communities have one in the demo)
CREATE TEMP TABLE w_own AS
SELECT region_code AS code, year AS yr, resident::numeric AS persons FROM demo.population;

-- residents(R) per year: the figures nearest below R (R's own, else those of
-- descendants with no figure between R and them); NULL when there is none
CREATE TEMP TABLE w_residents AS
SELECT a.code, y.yr, sum(o.persons) AS residents
  FROM w_region a
 CROSS JOIN (VALUES (2024), (2025)) y (yr)
  JOIN w_region x ON a.code = ANY (x.path)
  LEFT JOIN w_own o
         ON o.code = x.code AND o.yr = y.yr
        AND NOT EXISTS (SELECT FROM w_own f
                         WHERE f.yr = y.yr AND f.code = ANY (x.path[a.depth : x.depth - 1]))
 GROUP BY a.code, y.yr;

-- (R, X at or below R): the rows coded to X are counted at R when X has
-- residents, or a region from R down to X has its own figure
CREATE TEMP TABLE w_pair AS
SELECT a.code AS anc, x.code, y.yr,
       rx.residents IS NOT NULL
       OR EXISTS (SELECT FROM w_own f WHERE f.yr = y.yr AND f.code = ANY (x.path[a.depth : x.depth])) AS counts
  FROM w_region a
 CROSS JOIN (VALUES (2024), (2025)) y (yr)
  JOIN w_region x ON a.code = ANY (x.path)
  JOIN w_residents rx ON rx.code = x.code AND rx.yr = y.yr;

-- events and counted events per region, month and indicator
CREATE TEMP TABLE w_measure AS
WITH summed AS (
    SELECT p.anc AS code, d.ym, d.ind, sum(d.n) AS events, sum(d.n) FILTER (WHERE p.counts) AS counted
      FROM w_pair p
      JOIN w_month m ON m.yr = p.yr
      JOIN w_direct d ON d.code = p.code AND d.ym = m.ym
     GROUP BY 1, 2, 3)
SELECT r.code, m.ym, m.yr, i.ind, coalesce(s.events, 0) AS events, coalesce(s.counted, 0) AS counted,
       res.residents
  FROM w_region r CROSS JOIN w_month m CROSS JOIN w_ind i
  JOIN w_residents res ON res.code = r.code AND res.yr = m.yr
  LEFT JOIN summed s ON s.code = r.code AND s.ym = m.ym AND s.ind = i.ind;

-- rate baselines: the district's average monthly rate of 2024,
-- (counted events of 2024 / 12) / residents of 2024 * 10000
CREATE TEMP TABLE w_rate_baseline AS
SELECT d.code AS district, d.ind,
       sum(d.counted) / 12 / nullif(max(d.residents), 0) * 10000 AS baseline
  FROM w_measure d
 WHERE d.ym LIKE '2024-%'
 GROUP BY 1, 2;

CREATE TEMP TABLE w_indicator AS
WITH valued AS (
    SELECT r.code, m.ym, i.ind, i.weight, i.positive, x.events, x.counted, x.residents,
           CASE WHEN NOT i.is_rate THEN x.events
                WHEN x.residents > 0 THEN x.counted * 10000 / x.residents END AS value,
           CASE WHEN NOT i.is_rate THEN ly.events ELSE b.baseline END AS baseline
      FROM w_region r
      JOIN w_month m ON m.asked
     CROSS JOIN w_ind i
      JOIN w_measure x ON x.code = r.code AND x.ym = m.ym AND x.ind = i.ind
      JOIN w_measure ly ON ly.code = r.code AND ly.ym = m.ym_last_year AND ly.ind = i.ind
      JOIN w_rate_baseline b ON b.district = r.district AND b.ind = i.ind),
ratioed AS (
    SELECT v.*,
           CASE WHEN v.value IS NULL OR v.baseline IS NULL THEN NULL
                WHEN v.baseline = 0 THEN CASE WHEN v.value = 0 THEN 1 ELSE 'Infinity'::numeric END
                ELSE v.value / v.baseline END AS ratio
      FROM valued v)
SELECT r.*,
       CASE WHEN r.ratio IS NULL THEN NULL
            WHEN NOT r.positive AND r.ratio < 0.8 THEN 1
            WHEN NOT r.positive AND r.ratio > 1.2 THEN 0
            WHEN r.positive AND r.ratio > 1.2 THEN 1
            WHEN r.positive AND r.ratio < 0.8 THEN 0
            ELSE 0.8 END AS score
  FROM ratioed r;

CREATE TEMP TABLE w_index AS
SELECT x.*, round(x.idx_unrounded, 2) AS idx
  FROM (SELECT r.code, r.parent_code, r.depth, i.ym, i.residents,
               CASE WHEN count(*) FILTER (WHERE i.score IS NULL) = 0
                    THEN 100 * sum(i.score * i.weight) / sum(i.weight) END AS idx_unrounded,
               coalesce(sum(i.weight) FILTER (WHERE i.score IS NOT NULL), 0) / 100 AS coverage
          FROM w_indicator i JOIN w_region r ON r.code = i.code
         GROUP BY r.code, r.parent_code, r.depth, i.ym, i.residents) x;

CREATE TEMP TABLE w_result AS
SELECT w.*,
       CASE WHEN w.idx IS NULL THEN NULL WHEN w.idx >= 90 THEN 1 WHEN w.idx >= 80 THEN 2
            WHEN w.idx >= 70 THEN 3 ELSE 4 END AS grade_level,
       -- rank(): 1 + the regions of the group with a higher published index
       CASE WHEN w.idx IS NOT NULL THEN
           1 + (SELECT count(*) FROM w_index s
                 WHERE s.ym = w.ym AND s.parent_code IS NOT DISTINCT FROM w.parent_code
                   AND s.idx > w.idx) END AS rank_siblings,
       CASE WHEN w.idx IS NOT NULL THEN
           1 + (SELECT count(*) FROM w_index s
                 WHERE s.ym = w.ym AND s.depth = w.depth AND s.idx > w.idx) END AS rank_level
  FROM w_index w;

-- ---- the engine's results ---------------------------------------------------

CREATE TEMP TABLE e_result AS
SELECT to_char(period_start, 'YYYY-MM') AS ym, region_code AS code, version, index::numeric AS idx,
       index_unrounded::numeric AS idx_unrounded, grade_level, rank_siblings, rank_level, coverage::numeric AS coverage, residents::numeric AS residents
  FROM safeidx.index_result WHERE scheme = 'wuchang' AND period = 'month';

CREATE TEMP TABLE e_indicator AS
SELECT to_char(period_start, 'YYYY-MM') AS ym, region_code AS code, node AS ind,
       events::numeric AS events, counted_events::numeric AS counted, residents::numeric AS residents,
       value::numeric AS value, baseline::numeric AS baseline, ratio::numeric AS ratio,
       score::numeric AS score
  FROM safeidx.indicator_result WHERE scheme = 'wuchang' AND period = 'month';

-- ---- comparisons ------------------------------------------------------------

SELECT results_eq(
    $$SELECT depth, count(*) FROM w_region GROUP BY depth ORDER BY depth$$,
    $$VALUES (1, 1::bigint), (2, 1::bigint), (3, 10::bigint), (4, 97::bigint)$$,
    'independent side: the hierarchy walks to 109 regions at depths 1 to 4');

SELECT is((SELECT count(*) FROM e_result), 654::bigint, 'the engine gives 654 region-months (6 x 109)');
SELECT is((SELECT count(*) FROM e_indicator), 3270::bigint, 'the engine gives 3270 indicator rows (654 x 5)');

SELECT set_eq(
    $$SELECT ym, version FROM e_result$$,
    $$SELECT to_char(m, 'YYYY-MM'), '1.0' FROM generate_series(date '2025-01-01', date '2025-06-01', interval '1 month') m$$,
    'months 2025-01..06 are computed by version 1.0');

SELECT set_eq(
    $$SELECT ym, code FROM e_result$$,
    $$SELECT ym, code FROM w_result$$,
    'the same regions and months as the independent computation');

SELECT is_empty(
    $$SELECT coalesce(e.ym, w.ym) AS ym, coalesce(e.code, w.code) AS code,
             e.idx_unrounded AS engine, w.idx_unrounded AS independent, e.idx AS engine_published, w.idx AS published
        FROM e_result e FULL JOIN w_result w ON w.ym = e.ym AND w.code = e.code
       WHERE pg_temp.differ(e.idx_unrounded, w.idx_unrounded) OR e.idx IS DISTINCT FROM w.idx ORDER BY 1, 2$$,
    'every index equals the independent computation (unrounded within 1e-9, published to 2 decimals exactly)');

SELECT set_eq(
    $$SELECT ym, code, grade_level FROM e_result$$,
    $$SELECT ym, code, grade_level FROM w_result$$,
    'every grade level equals the Wuchang bands 90 / 80 / 70');

SELECT set_eq(
    $$SELECT ym, code, rank_siblings FROM e_result$$,
    $$SELECT ym, code, rank_siblings::integer FROM w_result$$,
    'every rank among siblings equals the independent one');

SELECT set_eq(
    $$SELECT ym, code, rank_level FROM e_result$$,
    $$SELECT ym, code, rank_level::integer FROM w_result$$,
    'every rank within the level equals the independent one');

SELECT is_empty(
    $$SELECT coalesce(e.ym, w.ym) AS ym, coalesce(e.code, w.code) AS code, e.coverage AS engine, w.coverage AS independent
        FROM e_result e FULL JOIN w_result w ON w.ym = e.ym AND w.code = e.code
       WHERE pg_temp.differ(e.coverage, w.coverage) ORDER BY 1, 2$$,
    'every coverage equals the independent one');

SELECT set_eq(
    $$SELECT ym, code, residents FROM e_result$$,
    $$SELECT ym, code, residents FROM w_result$$,
    'every residents count equals the independent one');

SELECT set_eq(
    $$SELECT ym, code, ind FROM e_indicator$$,
    $$SELECT ym, code, ind FROM w_indicator$$,
    'the same indicators, regions and months as the independent computation');

SELECT set_eq(
    $$SELECT ym, code, ind, events, counted FROM e_indicator$$,
    $$SELECT ym, code, ind, events, counted FROM w_indicator$$,
    'every indicator''s events and counted events equal the independent ones');

SELECT is_empty(
    $$SELECT coalesce(e.ym, w.ym) AS ym, coalesce(e.code, w.code) AS code, coalesce(e.ind, w.ind) AS ind,
             e.value AS engine, w.value AS independent
        FROM e_indicator e FULL JOIN w_indicator w ON w.ym = e.ym AND w.code = e.code AND w.ind = e.ind
       WHERE pg_temp.differ(e.value, w.value) ORDER BY 1, 2, 3$$,
    'every indicator value equals the independent one (within 1e-9)');

SELECT is_empty(
    $$SELECT coalesce(e.ym, w.ym) AS ym, coalesce(e.code, w.code) AS code, coalesce(e.ind, w.ind) AS ind,
             e.baseline AS engine, w.baseline AS independent
        FROM e_indicator e FULL JOIN w_indicator w ON w.ym = e.ym AND w.code = e.code AND w.ind = e.ind
       WHERE pg_temp.differ(e.baseline, w.baseline) ORDER BY 1, 2, 3$$,
    'every indicator baseline equals the independent one (within 1e-9)');

SELECT is_empty(
    $$SELECT coalesce(e.ym, w.ym) AS ym, coalesce(e.code, w.code) AS code, coalesce(e.ind, w.ind) AS ind,
             e.ratio AS engine, w.ratio AS independent
        FROM e_indicator e FULL JOIN w_indicator w ON w.ym = e.ym AND w.code = e.code AND w.ind = e.ind
       WHERE pg_temp.differ(e.ratio, w.ratio) ORDER BY 1, 2, 3$$,
    'every indicator ratio equals the independent one (within 1e-9; Infinity when only the baseline is 0)');

SELECT set_eq(
    $$SELECT ym, code, ind, round(score, 9) FROM e_indicator$$,
    $$SELECT ym, code, ind, round(score, 9) FROM w_indicator$$,
    'every indicator score equals the independent one');

-- the demo's special cases are there (so the comparisons above cover them)
SELECT results_eq(
    $$SELECT count(*) FILTER (WHERE residents IS NULL), count(*) FILTER (WHERE residents = 0),
             count(*) FILTER (WHERE coverage < 1), count(*) FILTER (WHERE idx IS NULL), count(DISTINCT grade_level)
        FROM w_result$$,
    $$VALUES (6::bigint, 6::bigint, 12::bigint, 12::bigint, 4::bigint)$$,
    'independent side: one community without residents and one with 0 each month, both partly scored and so without an index; every grade occurs');

-- ---- through 2025: version 2.0 from 2025-07, 2025-06 unchanged ---------------

CREATE TEMP TABLE before_june AS
SELECT r.*, n.ind AS node, n.events, n.counted, n.value, n.baseline, n.ratio, n.score
  FROM e_result r JOIN e_indicator n USING (ym, code)
 WHERE r.ym = '2025-06';

\o /dev/null
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
\o

-- the engine's results through 2025, read once (result tables filled in this
-- transaction have no statistics, and the views' nested loops over 7848
-- result nodes take seconds: hash joins take milliseconds)
SET LOCAL enable_nestloop = off;
CREATE TEMP TABLE e2_result AS
SELECT to_char(period_start, 'YYYY-MM') AS ym, region_code AS code, version, index::numeric AS idx,
       index_unrounded::numeric AS idx_unrounded, grade_level, rank_siblings, rank_level, coverage::numeric AS coverage, residents::numeric AS residents
  FROM safeidx.index_result WHERE scheme = 'wuchang' AND period = 'month';
CREATE TEMP TABLE e2_indicator AS
SELECT to_char(period_start, 'YYYY-MM') AS ym, region_code AS code, version, node, weight,
       events::numeric AS events, counted_events::numeric AS counted,
       value::numeric AS value, baseline::numeric AS baseline, ratio::numeric AS ratio, score::numeric AS score
  FROM safeidx.indicator_result WHERE scheme = 'wuchang' AND period = 'month';
RESET enable_nestloop;

SELECT set_eq(
    $$SELECT ym, version, count(*) FROM e2_result GROUP BY 1, 2$$,
    $$SELECT to_char(m, 'YYYY-MM'), CASE WHEN m < '2025-07-01' THEN '1.0' ELSE '2.0' END, 109::bigint
        FROM generate_series(date '2025-01-01', date '2025-12-01', interval '1 month') m$$,
    'through 2025: 109 regions a month, version 1.0 to 2025-06 and 2.0 from 2025-07');

SELECT set_eq(
    $$SELECT ym, code, version, count(*), sum(weight) FROM e2_indicator WHERE ym >= '2025-07' GROUP BY 1, 2, 3$$,
    $$SELECT to_char(m, 'YYYY-MM'), r.code, '2.0', 7::bigint, 100::float8
        FROM generate_series(date '2025-07-01', date '2025-12-01', interval '1 month') m, demo.region r$$,
    'from 2025-07 every region has the seven indicators of 2.0, weighing 100');

SELECT set_eq(
    $$SELECT DISTINCT node FROM e2_indicator WHERE ym >= '2025-07'$$,
    $$VALUES ('four_category'), ('criminal_yoy'), ('key_complaints'), ('mediation'), ('fire'),
             ('telecom_fraud'), ('worksafety')$$,
    'the seven indicators of 2.0 are the five of 1.0, telecom_fraud and worksafety');

SELECT is((SELECT count(*) FROM e2_indicator WHERE ym < '2025-07' AND version = '1.0'), 3270::bigint,
          'months before 2025-07 keep their five indicators of 1.0');

SELECT is_empty(
    $$WITH after_june AS (
          SELECT r.*, n.node, n.events, n.counted, n.value, n.baseline, n.ratio, n.score
            FROM e2_result r JOIN e2_indicator n USING (ym, code)
           WHERE r.ym = '2025-06')
      SELECT coalesce(a.code, b.code) AS code, coalesce(a.node, b.node) AS node, a AS after_rebuild, b AS before_rebuild
        FROM after_june a FULL JOIN before_june b ON b.code = a.code AND b.node = a.node
       WHERE a.version IS DISTINCT FROM b.version OR a.grade_level IS DISTINCT FROM b.grade_level
          OR a.rank_siblings IS DISTINCT FROM b.rank_siblings OR a.rank_level IS DISTINCT FROM b.rank_level
          OR a.residents IS DISTINCT FROM b.residents OR a.events IS DISTINCT FROM b.events
          OR a.counted IS DISTINCT FROM b.counted
          OR a.idx IS DISTINCT FROM b.idx OR a.idx_unrounded IS DISTINCT FROM b.idx_unrounded
          OR pg_temp.differ(a.coverage, b.coverage)
          OR pg_temp.differ(a.value, b.value) OR pg_temp.differ(a.baseline, b.baseline)
          OR pg_temp.differ(a.ratio, b.ratio) OR pg_temp.differ(a.score, b.score)
       ORDER BY 1, 2$$,
    '2025-06 is unchanged by the rebuild through 2025 (every region, every indicator)');

SELECT is_empty(
    $$SELECT w.code, w.idx AS independent, e.idx AS engine
        FROM w_result w LEFT JOIN e2_result e ON e.ym = w.ym AND e.code = w.code
       WHERE w.ym = '2025-06' AND pg_temp.differ(e.idx, w.idx)$$,
    'after it, 2025-06 still equals the independent computation');

SELECT * FROM finish();
ROLLBACK;
