-- The Zhuhai-style example (test/demo/schemes.sql): a daily barometer and a
-- monthly check-up of three police themes on the blue/yellow/orange/red
-- scale.  Every street's December 2025 index, by month and by day, equals an
-- independent plain-SQL computation that uses no safeidx function: local
-- days from to_char(), the district baseline as last year's events divided
-- by (days or months of 2024) x residents, the linear middle band written
-- out as CASE.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(6);
\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('zhuhai', '2025-12-01', '2026-01-01');
\o

CREATE TEMP TABLE z_event AS
SELECT community_code AS code, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS ymd, 'public_order' AS theme
  FROM demo.police_incident WHERE is_criminal
UNION ALL
SELECT community_code, to_char(alarm_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), 'fire_safety'
  FROM demo.fire_alarm WHERE NOT is_false_alarm
UNION ALL
SELECT community_code, to_char(occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), 'traffic'
  FROM demo.traffic_accident;

CREATE TEMP TABLE z_theme (theme, weight) AS VALUES ('public_order', 40.0), ('fire_safety', 30.0), ('traffic', 30.0);

-- communities with their street and residents in 2024 and 2025 (NULL: no figure)
CREATE TEMP TABLE z_community AS
SELECT c.code, c.parent_code AS street,
       (SELECT resident FROM demo.population p WHERE p.region_code = c.code AND p.year = 2024) AS r2024,
       (SELECT resident FROM demo.population p WHERE p.region_code = c.code AND p.year = 2025) AS r2025
  FROM demo.region c WHERE c.level = 'community';

-- district baselines per 10,000: per day of 2024 (366 days) and per month
CREATE TEMP TABLE z_baseline AS
SELECT t.theme,
       (SELECT count(*) FROM z_event e JOIN z_community c ON c.code = e.code AND c.r2024 IS NOT NULL
         WHERE e.theme = t.theme AND e.ymd LIKE '2024-%') * 10000.0
       / (SELECT sum(r2024) FROM z_community) AS per_year
  FROM z_theme t;

-- the periods: December 2025 as a month ('2025-12') and its 31 days
CREATE TEMP TABLE z_period AS
SELECT 'month' AS period, '2025-12' AS prefix, 12.0 AS per_year_periods
UNION ALL
SELECT 'day', to_char(d, 'YYYY-MM-DD'), 366.0
  FROM generate_series(date '2025-12-01', date '2025-12-31', interval '1 day') d;

CREATE TEMP TABLE z_street AS
WITH counted AS (       -- December events of communities with a 2025 figure, per street
    SELECT 'day' AS period, e.ymd AS prefix, c.street, e.theme, count(*) AS n
      FROM z_event e JOIN z_community c ON c.code = e.code AND c.r2025 IS NOT NULL
     WHERE e.ymd LIKE '2025-12-%' GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT 'month', left(e.ymd, 7), c.street, e.theme, count(*)
      FROM z_event e JOIN z_community c ON c.code = e.code AND c.r2025 IS NOT NULL
     WHERE e.ymd LIKE '2025-12-%' GROUP BY 1, 2, 3, 4),
valued AS (
    SELECT p.period, p.prefix, s.street, t.theme, t.weight,
           coalesce(n.n, 0) * 10000.0 / (SELECT sum(r2025) FROM z_community c WHERE c.street = s.street) AS v,
           b.per_year / p.per_year_periods AS base
      FROM z_period p CROSS JOIN (SELECT DISTINCT street FROM z_community) s CROSS JOIN z_theme t
      JOIN z_baseline b ON b.theme = t.theme
      LEFT JOIN counted n ON n.period = p.period AND n.prefix = p.prefix AND n.street = s.street AND n.theme = t.theme),
scored AS (
    SELECT *, CASE WHEN v / base < 0.8 THEN 1.0 WHEN v / base > 1.2 THEN 0.0
                   ELSE (1.2 - v / base) / 0.4 END AS score
      FROM valued)
SELECT period, prefix, street, sum(weight * score) / sum(weight) * 100 AS idx
  FROM scored GROUP BY period, prefix, street;

SELECT is((SELECT count(*) FROM z_street WHERE period = 'day'), 310::bigint, '10 streets x 31 days computed independently');
SELECT is((SELECT count(*) FROM safeidx.index_result WHERE scheme = 'zhuhai' AND period = 'day'),
          (SELECT count(*) * 31 FROM demo.region), 'every region has a daily result on every day of December');
SELECT is((SELECT count(*) FROM z_street z
             JOIN safeidx.index_result r
               ON r.scheme = 'zhuhai' AND r.period = z.period AND r.region_code = z.street
              AND to_char(r.period_start, CASE z.period WHEN 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM' END) = z.prefix
            WHERE abs(r.index_unrounded - z.idx) < 1e-9 AND r.index = round(z.idx, 2)::float8), 320::bigint,
          'every street''s monthly index and its 31 daily ones equal the independent computation (unrounded within 1e-9, published with 2 decimals exactly)');
SELECT set_eq($$SELECT DISTINCT colour FROM safeidx.index_result WHERE scheme = 'zhuhai' AND index IS NOT NULL$$,
              $$SELECT colour FROM safeidx.grade_band WHERE scale = 'zhuhai'
                  AND level IN (SELECT DISTINCT grade_level FROM safeidx.result WHERE scheme = 'zhuhai')$$,
              'colours come from the Zhuhai scale');
SELECT ok((SELECT count(DISTINCT grade_level) FROM safeidx.result WHERE scheme = 'zhuhai' AND period = 'day') >= 3,
          'daily grades use several bands of the scale');
SELECT set_eq($$SELECT region_code FROM safeidx.warning WHERE scheme = 'zhuhai' AND rule = 'traffic_red'$$,
              $$SELECT region_code FROM safeidx.indicator_result
                 WHERE scheme = 'zhuhai' AND node = 'traffic' AND period = 'month' AND score = 0
                   AND region_code IN (SELECT code FROM demo.region WHERE level = 'street')$$,
              'a red traffic warning for exactly the streets whose traffic theme scored 0 in the month');

SELECT * FROM finish();
ROLLBACK;
