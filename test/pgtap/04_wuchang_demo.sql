-- The demo's Wuchang 1.0 index (test/demo/wuchang_v1.sql, built on the
-- safeidx kernel) equals an independent computation in plain SQL that uses
-- no safeidx function: months cut by to_char() instead of date_trunc(),
-- the district baseline as (yearly events / 12) / residents instead of a
-- rate over person-months, and band scoring written out as CASE.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(5);

\o /dev/null
\i test/demo/wuchang_v1.sql
\o

CREATE TEMP TABLE params AS
SELECT to_char(m, 'YYYY-MM') AS this_month,
       to_char(m - interval '1 year', 'YYYY-MM') AS same_month_last_year,
       extract(year FROM m)::int AS this_year,
       extract(year FROM m)::int - 1 AS last_year
  FROM (SELECT value::date AS m FROM demo.meta WHERE key = 'last_month') x;

CREATE TEMP TABLE independent_events AS
SELECT community_code AS code, to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS ym, 'four_category' AS ind
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
  FROM demo.fire_alarm;

-- Communities with their residents this year and last year.
CREATE TEMP TABLE independent_community AS
SELECT c.code, c.parent_code AS street, now_pop.resident AS resident, last_pop.resident AS resident_last
  FROM demo.region c
  CROSS JOIN params
  LEFT JOIN demo.population now_pop ON now_pop.region_code = c.code AND now_pop.year = params.this_year
  LEFT JOIN demo.population last_pop ON last_pop.region_code = c.code AND last_pop.year = params.last_year
 WHERE c.level = 'community';

CREATE TEMP TABLE independent_street AS
WITH w(ind, weight, positive) AS (VALUES
    ('four_category', 30.0, false), ('criminal_yoy', 20.0, false), ('key_complaints', 15.0, false),
    ('mediation', 15.0, true), ('fire', 20.0, false)),
street_now AS (          -- this month, communities with a figure for this year
    SELECT c.street, w.ind,
           (SELECT count(*) FROM independent_events e, params p
             WHERE e.ind = w.ind AND e.ym = p.this_month
               AND e.code IN (SELECT code FROM independent_community x
                               WHERE x.street = c.street AND x.resident IS NOT NULL)) AS events,
           sum(c.resident) AS residents
      FROM independent_community c CROSS JOIN w GROUP BY c.street, w.ind),
street_before AS (       -- same month last year, communities with last year's figure
    SELECT c.street,
           (SELECT count(*) FROM independent_events e, params p
             WHERE e.ind = 'criminal_yoy' AND e.ym = p.same_month_last_year
               AND e.code IN (SELECT code FROM independent_community x
                               WHERE x.street = c.street AND x.resident_last IS NOT NULL)) AS events
      FROM independent_community c GROUP BY c.street),
district_last_year AS (  -- (events of last year / 12) / residents * 10000
    SELECT w.ind,
           (SELECT count(*) FROM independent_events e, params p
             WHERE e.ind = w.ind AND e.ym LIKE p.last_year || '-%'
               AND e.code IN (SELECT code FROM independent_community WHERE resident_last IS NOT NULL))
           / 12.0 / (SELECT sum(resident_last) FROM independent_community) * 10000 AS monthly_rate
      FROM w),
valued AS (
    SELECT n.street, w.weight, w.positive,
           CASE WHEN n.ind = 'criminal_yoy' THEN n.events ELSE n.events * 10000.0 / n.residents END AS v,
           CASE WHEN n.ind = 'criminal_yoy' THEN b.events ELSE d.monthly_rate END AS base
      FROM street_now n JOIN w USING (ind) JOIN district_last_year d USING (ind)
      JOIN street_before b USING (street)),
ratioed AS (
    SELECT street, weight, positive,
           CASE WHEN base = 0 THEN CASE WHEN v = 0 THEN 1.0 END ELSE v / base END AS r,
           base = 0 AND v > 0 AS infinite
      FROM valued)
SELECT street,
       sum(weight * CASE
             WHEN infinite THEN CASE WHEN positive THEN 1 ELSE 0 END
             WHEN NOT positive AND r < 0.8 THEN 1
             WHEN NOT positive AND r > 1.2 THEN 0
             WHEN positive AND r > 1.2 THEN 1
             WHEN positive AND r < 0.8 THEN 0
             ELSE 0.8 END) AS index
  FROM ratioed GROUP BY street;

SELECT is((SELECT count(*) FROM independent_street), (SELECT count(*) FROM street_index),
          'same streets');
SELECT is((SELECT count(*) FROM independent_street i JOIN street_index s USING (street)
            WHERE abs(i.index - s.index) <= 1e-9),
          (SELECT count(*) FROM independent_street),
          'every street index equals the independent computation');
SELECT is((SELECT count(*) FROM independent_street i JOIN street_index s USING (street)
            WHERE (safeidx.grade(s.index)).label_zh =
                  CASE WHEN i.index >= 90 THEN '优秀' WHEN i.index >= 80 THEN '平安'
                       WHEN i.index >= 70 THEN '一般' ELSE '预警' END),
          (SELECT count(*) FROM independent_street),
          'every grade equals the Wuchang bands 90 / 80 / 70');
SELECT ok((SELECT bool_and(index BETWEEN 0 AND 100) FROM street_index), 'indices lie in [0, 100]');
SELECT ok((SELECT count(DISTINCT round(index::numeric, 6)) > 3 FROM street_index), 'the ranking separates streets');

SELECT * FROM finish();
ROLLBACK;
