-- Wuchang scheme 1.0 (see doc/reference.md): the monthly safety index of
-- every street of the demo city for its latest month, computed with the
-- safeidx kernel in plain SQL over the departments' own tables (schema demo).
--
-- Indicators and weights (the sources give the indicators, not the weights;
-- these are the demo's):
--   four_category  30  burglary + e-bike theft + other theft + fraud per 10,000
--   criminal_yoy   20  illegal and criminal incidents against the same month
--                      last year (rise/fall)
--   key_complaints 15  complaints in key sectors per 10,000
--   mediation      15  successful mediations per 10,000 (higher is better)
--   fire           20  fire alarms per 10,000
-- Each per-10,000 indicator is scored by its ratio to the previous year's
-- district-wide average monthly rate per 10,000 (ratio < 0.8 all points,
-- > 1.2 none, 80% in between (优 / 良 / 差); mirrored for mediation); criminal_yoy by the
-- ratio of this month's count to the same month last year.  The index is the
-- sum of the points (0-100), graded on the Wuchang scale.
-- Months are cut in Asia/Shanghai; residents are the year's 常住 figures.

\set ON_ERROR_STOP 1
SELECT value::date AS month FROM demo.meta WHERE key = 'last_month' \gset

CREATE TEMP TABLE indicator (name text PRIMARY KEY, weight float8, higher_is_better boolean, label text);
INSERT INTO indicator VALUES
    ('four_category', 30, false, '四类警情万人发案'),
    ('criminal_yoy',  20, false, '违法犯罪警情同比'),
    ('key_complaints',15, false, '重点行业万人投诉'),
    ('mediation',     15, true,  '万人调解成功数'),
    ('fire',          20, false, '万人火灾警情');

-- Months used: the 12 months of last year (baseline) and this month.
CREATE TEMP TABLE period AS
SELECT m::date AS month
  FROM generate_series(date_trunc('year', :'month'::date) - interval '1 year',
                       date_trunc('year', :'month'::date) - interval '1 month', interval '1 month') m
UNION SELECT :'month'::date;

-- Events per community, local month and indicator: one pass over each table.
CREATE TEMP TABLE community_events AS
WITH bounds AS (
    SELECT (min(month)::timestamp AT TIME ZONE 'Asia/Shanghai') AS t0,
           ((max(month) + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai') AS t1
      FROM period),
rows AS (
    SELECT p.community_code, p.reported_at AS at, v.name
      FROM demo.police_incident p, bounds,
           LATERAL (VALUES ('four_category', p.category IN ('burglary', 'ebike_theft', 'other_theft', 'fraud')),
                           ('criminal_yoy', p.is_criminal)) v(name, hit)
     WHERE v.hit AND p.reported_at >= t0 AND p.reported_at < t1
    UNION ALL
    SELECT community_code, received_at, 'key_complaints' FROM demo.complaint, bounds
     WHERE is_key_sector AND received_at >= t0 AND received_at < t1
    UNION ALL
    SELECT community_code, opened_at, 'mediation' FROM demo.mediation, bounds
     WHERE outcome = 'success' AND opened_at >= t0 AND opened_at < t1
    UNION ALL
    SELECT community_code, alarm_at, 'fire' FROM demo.fire_alarm, bounds
     WHERE alarm_at >= t0 AND alarm_at < t1)
SELECT community_code, date_trunc('month', at AT TIME ZONE 'Asia/Shanghai')::date AS month,
       name, count(*) AS events
  FROM rows GROUP BY 1, 2, 3;

-- Every community x month x indicator, with its events (0 when none) and
-- residents of that year (NULL where the statistics bureau has no figure).
CREATE TEMP TABLE community_month AS
SELECT c.code AS community, c.parent_code AS street, p.month, i.name AS indicator,
       coalesce(e.events, 0) AS events, pop.resident
  FROM demo.region c CROSS JOIN period p CROSS JOIN indicator i
  LEFT JOIN community_events e ON e.community_code = c.code AND e.month = p.month AND e.name = i.name
  LEFT JOIN demo.population pop ON pop.region_code = c.code AND pop.year = extract(year FROM p.month)
 WHERE c.level = 'community';

-- Street summaries for this month and the same month last year; the
-- district baseline is the rate over all community-months of last year,
-- which is the average monthly rate (events over 12 months of residents).
CREATE TEMP TABLE street_indicator AS
WITH this_month AS (
    SELECT street, indicator, safeidx.rate_agg(events, resident) AS s
      FROM community_month WHERE month = :'month'::date GROUP BY 1, 2),
last_year_month AS (
    SELECT street, indicator, safeidx.rate_agg(events, resident) AS s
      FROM community_month WHERE month = (:'month'::date - interval '1 year')::date GROUP BY 1, 2),
baseline AS (
    SELECT indicator, safeidx.rate(safeidx.rate_agg(events, resident)) AS rate
      FROM community_month WHERE month < date_trunc('year', :'month'::date) GROUP BY 1)
SELECT t.street, t.indicator, i.weight, t.s,
       CASE WHEN t.indicator = 'criminal_yoy' THEN safeidx.events(t.s)
            ELSE safeidx.rate(t.s) END AS value,
       CASE WHEN t.indicator = 'criminal_yoy' THEN safeidx.events(l.s)
            ELSE b.rate END AS baseline,
       safeidx.score_ratio_band(
           CASE WHEN t.indicator = 'criminal_yoy' THEN safeidx.events(t.s) ELSE safeidx.rate(t.s) END,
           CASE WHEN t.indicator = 'criminal_yoy' THEN safeidx.events(l.s) ELSE b.rate END,
           1, higher_is_better => i.higher_is_better, middle => 'step', middle_share => 0.8) AS score
  FROM this_month t
  JOIN indicator i ON i.name = t.indicator
  JOIN last_year_month l USING (street, indicator)
  JOIN baseline b USING (indicator);

CREATE TEMP TABLE street_index AS
SELECT street, safeidx.weighted_sum(safeidx.index_agg(score, weight)) AS index,
       safeidx.coverage(safeidx.index_agg(score, weight)) AS coverage
  FROM street_indicator GROUP BY street;

\qecho
\qecho '武昌 平安指数 1.0 — demo city, month' :month
\qecho
SELECT rank() OVER (ORDER BY x.index DESC) AS "排名 rank",
       r.code AS "code", r.name_zh AS "街道 street",
       round(x.index::numeric, 1) AS "指数 index",
       g.label_zh || ' ' || g.label_en AS "等级 grade", g.colour AS "colour",
       round(fc.value::numeric, 2) AS "四类警情/万人",
       '[' || round(safeidx.rate_lower(fc.s)::numeric, 2) || ', '
           || round(safeidx.rate_upper(fc.s)::numeric, 2) || ']' AS "95% CI"
  FROM street_index x
  JOIN demo.region r ON r.code = x.street
  JOIN street_indicator fc ON fc.street = x.street AND fc.indicator = 'four_category'
  CROSS JOIN LATERAL safeidx.grade(x.index, 'wuchang') g
 ORDER BY x.index DESC, r.code;

SELECT count(*) FILTER (WHERE resident IS NULL) / count(DISTINCT indicator) AS "community-months without a population figure (left out)"
  FROM community_month WHERE month = :'month'::date;

SELECT e.name AS indicator, sum(e.events) AS "rows with an unknown community code (not counted)"
  FROM community_events e
 WHERE e.month = :'month'::date
   AND NOT EXISTS (SELECT FROM demo.region r WHERE r.code = e.community_code AND r.level = 'community')
 GROUP BY 1 ORDER BY 1;
