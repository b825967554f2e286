-- Star ratings and awards (src/governance/star.sql, award.sql) over the demo city: a
-- Zhuhai-style monthly star rating of communities and villages (depth 4) on
-- the Wuchang index of 2025, and a 平安鼎 award of the district and of the
-- streets, compared with an independent computation in plain SQL that reads
-- only the engine's materialized results (safeidx.result, result_node) and
-- demo.region: units and their kind (class) from demo.region, the barring
-- warning recomputed from the leaf score (four-category scored 0), stars by
-- CASE, ranks as 1 + the number of better eligible units of the class, the
-- district and street of a community by its parent links in demo.region,
-- the score as the numeric mean of the 12 monthly indices.  Limits are
-- compared at 9 decimals, as documented.
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(8);

\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
\o

-- a red warning when a community's four-category indicator is in its worst
-- band; two star rules and two award rules
INSERT INTO safeidx.warning_rule (scheme, rule, kind, depth, node, severity)
VALUES ('wuchang', 'comm_four_worst', 'worst_band', 4, 'four_category', 'red');
INSERT INTO safeidx.star_rule (scheme, rule, depth, method, thresholds, min_coverage, exclude_severities)
VALUES ('wuchang', 'zh_star', 4, 'threshold', '{95,90,85,80,70}', 0.9, '{red}');
INSERT INTO safeidx.star_rule (scheme, rule, depth, method, shares, min_coverage, exclude_warning_rules)
VALUES ('wuchang', 'zh_rank', 4, 'rank_share', '{0.1,0.3,0.6}', 0.9, '{comm_four_worst}');
INSERT INTO safeidx.award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_stars,
                                min_star_periods, min_star_share)
VALUES ('wuchang', 'ding', 2, 77, 72, 70, 'wuchang', 'zh_star', 1, 3, 0.3),
       ('wuchang', 'ding_street', 3, 77, 72, 70, 'wuchang', 'zh_star', 2, 2, 0.6);
SET CONSTRAINTS ALL IMMEDIATE;

-- ---- the independent computation --------------------------------------------

-- every community and village per month of 2025, its class, eligibility
CREATE TEMP TABLE s_unit AS
SELECT r.period_start, r.region_code, c.kind AS class, st.code AS street, st.parent_code AS district,
       round(r.index::numeric, 9) AS idx,
       r.index IS NOT NULL AND round(r.coverage::numeric, 9) >= 0.9
       AND NOT EXISTS (SELECT FROM safeidx.result_node n
                        WHERE n.scheme = r.scheme AND n.period = 'month' AND n.period_start = r.period_start
                          AND n.region_code = r.region_code AND n.node = 'four_category' AND n.score = 0) AS eligible
  FROM safeidx.result r
  JOIN demo.region c ON c.code = r.region_code AND c.level = 'community'
  JOIN demo.region st ON st.code = c.parent_code
 WHERE r.scheme = 'wuchang' AND r.period = 'month' AND r.period_start >= '2025-01-01' AND r.period_start < '2026-01-01';

CREATE TEMP TABLE s_expected AS
SELECT 'zh_star' AS rule, u.period_start, u.region_code, u.eligible,
       CASE WHEN NOT u.eligible THEN 0 WHEN u.idx >= 95 THEN 5 WHEN u.idx >= 90 THEN 4 WHEN u.idx >= 85 THEN 3
            WHEN u.idx >= 80 THEN 2 WHEN u.idx >= 70 THEN 1 ELSE 0 END AS stars
  FROM s_unit u
UNION ALL
SELECT 'zh_rank', x.period_start, x.region_code, x.eligible,
       CASE WHEN NOT x.eligible THEN 0 WHEN x.place <= 0.1 * x.n THEN 3 WHEN x.place <= 0.3 * x.n THEN 2
            WHEN x.place <= 0.6 * x.n THEN 1 ELSE 0 END
  FROM (SELECT u.*,
               1 + (SELECT count(*) FROM s_unit v WHERE v.period_start = u.period_start AND v.class = u.class
                       AND v.eligible AND v.idx > u.idx) AS place,
               (SELECT count(*) FROM s_unit v WHERE v.period_start = u.period_start AND v.class = u.class
                   AND v.eligible) AS n
          FROM s_unit u) x;

SELECT set_eq(
    $$SELECT rule, region_code, eligible, stars FROM safeidx.star_rating
       WHERE scheme = 'wuchang' AND rule = 'zh_star' AND period_start = '2025-06-01'$$,
    $$SELECT rule, region_code, eligible, stars FROM s_expected WHERE rule = 'zh_star' AND period_start = '2025-06-01'$$,
    'June 2025: threshold stars of every community and village equal the plain-SQL computation');
SELECT set_eq(
    $$SELECT rule, region_code, eligible, stars FROM safeidx.star_rating
       WHERE scheme = 'wuchang' AND rule = 'zh_rank' AND period_start = '2025-06-01'$$,
    $$SELECT rule, region_code, eligible, stars FROM s_expected WHERE rule = 'zh_rank' AND period_start = '2025-06-01'$$,
    'June 2025: stars by rank share within urban communities and villages separately equal the plain-SQL computation');
SELECT set_eq(
    $$SELECT rule, period_start, region_code, eligible, stars FROM safeidx.star_rating WHERE scheme = 'wuchang'$$,
    $$SELECT rule, period_start, region_code, eligible, stars FROM s_expected$$,
    'every month of 2025: both star rules equal the plain-SQL computation');
SELECT ok((SELECT count(DISTINCT stars) = 6 AND count(*) FILTER (WHERE NOT eligible) > 0
                  AND count(*) FILTER (WHERE eligible AND stars = 0) > 0
             FROM s_expected WHERE rule = 'zh_star' AND period_start = '2025-06-01'),
          'the June comparison is not vacuous: 0 to 5 stars, ineligible units, eligible units below 1 star');
SELECT is((SELECT count(*) FROM safeidx.star_rating
            WHERE scheme = 'wuchang' AND (reason IS NULL) <> (stars > 0)),
          0::bigint, 'a reason is given exactly when a unit holds no star');

-- awards: the mean of the 12 monthly indices of 2025; units below the region
-- holding at least min_stars stars in at least min_star_periods months
CREATE TEMP TABLE s_award AS
WITH per_unit AS (
    SELECT e.region_code, u.street, u.district,
           count(*) FILTER (WHERE e.stars >= 1) AS months_1, count(*) FILTER (WHERE e.stars >= 2) AS months_2
      FROM s_expected e JOIN s_unit u ON u.period_start = e.period_start AND u.region_code = e.region_code
     WHERE e.rule = 'zh_star'
     GROUP BY 1, 2, 3),
share AS (
    SELECT 'ding' AS rule, district AS region_code, count(*) AS units, count(*) FILTER (WHERE months_1 >= 3) AS starred,
           0.3 AS standard
      FROM per_unit GROUP BY district
    UNION ALL
    SELECT 'ding_street', street, count(*), count(*) FILTER (WHERE months_2 >= 2), 0.6
      FROM per_unit GROUP BY street),
score AS (
    SELECT r.region_code, avg(r.index::numeric) AS score, count(r.index) AS months
      FROM safeidx.result r
     WHERE r.scheme = 'wuchang' AND r.period = 'month' AND r.period_start >= '2025-01-01' AND r.period_start < '2026-01-01'
     GROUP BY r.region_code)
SELECT s.rule, s.region_code, round(c.score, 6) AS score, s.units, s.starred,
       CASE WHEN s.starred::numeric / s.units < s.standard OR c.months < 12 THEN NULL
            WHEN round(c.score, 9) >= 77 THEN 'gold' WHEN round(c.score, 9) >= 72 THEN 'silver'
            WHEN round(c.score, 9) >= 70 THEN 'bronze' END AS award
  FROM share s JOIN score c ON c.region_code = s.region_code;

SELECT set_eq(
    $$SELECT rule, region_code, round(score::numeric, 6), star_units::bigint, starred_units::bigint, award
        FROM safeidx.award WHERE scheme = 'wuchang' AND year = 2025$$,
    $$SELECT rule, region_code, score, units, starred, award FROM s_award$$,
    '2025 awards of the district and the streets: score, star units, starred units and award equal the plain-SQL computation');
SELECT ok((SELECT count(*) = 11 AND count(award) > 0 AND count(*) FILTER (WHERE award IS NULL) > 0 FROM s_award),
          'the award comparison is not vacuous: one district and ten streets, some awarded, some not');
SELECT is((SELECT count(*) FROM safeidx.award
            WHERE scheme = 'wuchang' AND year = 2025 AND score_basis <> 'mean of 12 monthly indices'),
          0::bigint, 'a scheme without year results is scored by the mean of its 12 monthly indices');

SELECT * FROM finish();
ROLLBACK;
