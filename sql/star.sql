-- Star ratings (平安星级村居) and district awards (平安鼎) over the engine
-- fixture (test/fixtures/engine.sql; scheme fix: district d, streets s1, s2,
-- communities a, b under s1, c (community) and e (village) under s2), built
-- as sql/engine.sql builds it (test/fixtures/engine_build.sql), with the late
-- theft report of release.sql in fix.event (test/fixtures/late_theft.sql).
-- The fixtures' output is kept out of this file.  Everything this test adds
-- is removed at the end.  Every number below is worked out by hand from the
-- published indices.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\ir test/fixtures/late_theft.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- Scheme fix over the whole of 2025, with explicit dates: the departments
-- declare the rest of 2025 delivered, with nothing in it (their feeds are
-- complete and quiet), so that April to December are complete months;
-- results for the twelve months January to December 2025, one row for each
-- of the 7 regions d, s1, s2, a, b, c, e a month (7 x 12 = 84), cells from
-- 2024 on (the baselines).  The rebuild takes in the late theft.  Nothing
-- below depends on the day the tests run: these are exactly the months
-- computed, whatever today is, and every later query reads 2025 only.
UPDATE source SET delivered_through = '2025-12-31';
SELECT * FROM rebuild('fix', '2025-01-01', '2026-01-01');
-- Scheme fixq (built to March by engine_build.sql) takes the declaration in:
-- the year 2025 is complete now; April to December are computed.
SELECT period, periods, first_period, last_period FROM refresh('fixq') ORDER BY period;

-- The indices used, from expected/engine.out (index, coverage), with the
-- late theft report taken in (it changes d in February only: a and s1 keep
-- 30, d drops to 0; worked out in release.sql):
--        Jan 2025          Feb 2025         Mar 2025
--   a    67.0098  1        30        1      100   0.7
--   b     0       1        50        0.7    100   0.7
--   c   100       0.7       0        1        0   0.7
--   e    30       0.6     100        0.3     50   0.3
--   s1   10       1        30        1      100   0.7
--   s2   82.0098  1         0        1        0   0.7
--   d    15       1         0        1      100   0.7
-- b's February index is 100 x geometric mean of 0.5 and 0.5, which lands at
-- 49.999999999999986: it must count as 50 at a threshold of 50.
-- From April on there is no event but c's fire at 00:00 on 1 April, and the
-- 2025 population figures hold all year, so (fire against the previous
-- month, step 0.5; theft rate 0 -> 1; no mediation):
--   Apr: a, b fire 0/0 -> 0.5: 100 x 0.5^(3/7) = 74.2997 (coverage 0.7);
--        c fire 1/2 -> 1: 100; e fire only, 0/0 -> 0.5: 50 (coverage 0.3)
--        s1 0/0: 74.2997; s2 1/2: 100; d 1/2: 100
--   May: c 0/1 -> 1: 100, s2 0/1: 100, d 0/1: 100; a, b, s1 74.2997; e 50
--   Jun to Dec: every fire 0/0: a, b, c, s1, s2, d 74.2997; e 50
SELECT period_start, region_code, region_kind, round(index::numeric, 4) AS index, coverage
  FROM index_result WHERE scheme = 'fix' AND depth = 3 AND period_start < '2025-07-01'
 ORDER BY period_start, region_code;

-- A warning rule for communities: fire in its worst band (scored 0) is a red
-- warning.  Fire scores: Jan b 1/0 -> 0, e 1/0 -> 0; Feb a 3/2 -> 0;
-- Mar c 2/0 -> 0; none later in 2025 (April c 1/2 = 0.5 -> 1).
INSERT INTO warning_rule (scheme, rule, kind, depth, node, severity, description)
VALUES ('fix', 'fire_red', 'worst_band', 3, 'fire', 'red', 'community fire indicator in its worst band');
SELECT rule, severity, period_start, region_code FROM warning
 WHERE scheme = 'fix' AND rule = 'fire_red' AND period_start < '2026-01-01' ORDER BY period_start, region_code;

-- Four star rules, monthly, on the communities and villages (depth 3):
--   zh        thresholds 95 / 80 / 60 / 50 / 20 for 5 to 1 stars; coverage at
--             least 0.5; barred by any warning of severity red; classes
--             urban = {community}, rural = {village}
--   zh_rank   places 1 -> 2 stars, 2 -> 1 star within each kind (community,
--             village: e is ranked alone)
--   zh_share  the top half of the eligible units of a kind 2 stars, the rest
--             1 star; coverage at least 0.6, index at least 10
--   zh_village villages only (kinds), one star from 40, barred by the
--             warning rule fire_red
BEGIN;
INSERT INTO star_rule (scheme, rule, depth, classes, method, thresholds, min_coverage, exclude_severities)
VALUES ('fix', 'zh', 3, '{"urban": ["community"], "rural": ["village"]}', 'threshold', '{95,80,60,50,20}', 0.5, '{red}');
INSERT INTO star_rule (scheme, rule, depth, method, ranks)
VALUES ('fix', 'zh_rank', 3, 'rank', '{1,2}');
INSERT INTO star_rule (scheme, rule, depth, method, shares, min_coverage, min_index)
VALUES ('fix', 'zh_share', 3, 'rank_share', '{0.5,1}', 0.6, 10);
INSERT INTO star_rule (scheme, rule, kinds, method, thresholds, exclude_warning_rules)
VALUES ('fix', 'zh_village', '{village}', 'threshold', '{40}', '{fire_red}');
COMMIT;

-- zh (thresholds; rank_in_class among the units of the class with an index,
-- eligible_rank among the eligible ones):
--   Jan  a 67.0098 -> 3 stars (>= 60, < 80);  b red warning fire_red -> 0;
--        c 100 (coverage 0.7 >= 0.5) -> 5;  e red warning fire_red -> 0.
--        urban ranks c 1, a 2, b 3 (3 units); eligible c 1, a 2 (2 units)
--   Feb  a red warning -> 0;  b 49.999999999999986 = 50 at 9 decimals -> 2
--        (a tie at the threshold reaches it);  c 0: eligible, below the
--        1-star threshold 20 -> 0;  e coverage 0.3 below 0.5 -> 0.
--        urban ranks b 1, a 2, c 3; eligible b 1, c 2
--   Mar  a, b 100 -> 5 each (ranks 1, 1);  c red warning -> 0 (rank 3);
--        e coverage 0.3 below 0.5 -> 0.  rural: e rank 1 of 1, no eligible unit
SELECT period_start, region_code, class, round(index::numeric, 4) AS index, coverage, rank_in_class, class_units,
       eligible, eligible_rank, eligible_units, stars, reason
  FROM star_rating WHERE rule = 'zh' AND period_start < '2025-04-01' ORDER BY period_start, region_code;

-- zh_rank (class = kind; no eligibility conditions):
--   Jan  community c 1 -> 2, a 2 -> 1, b 3 -> 0;  village e 1 of 1 -> 2
--        (e, 30, would be third of four in one class: 0 stars)
--   Feb  b 1 -> 2, a 2 -> 1, c 3 -> 0;  e -> 2
--   Mar  a and b tie at 100: both rank 1 -> 2 stars; c is rank 3, not 2, so
--        the tie leaves no 1-star place: c -> 0;  e 50 -> 2
SELECT period_start, region_code, class, round(index::numeric, 4) AS index, rank_in_class, eligible_rank,
       eligible_units, stars, reason
  FROM star_rating WHERE rule = 'zh_rank' AND period_start < '2025-04-01' ORDER BY period_start, region_code;

-- zh_share (a unit is in the top share s when eligible_rank <= s x eligible units):
--   Jan  b index 0 below the minimum 10;  a, c eligible (2): c rank 1 <= 0.5 x 2
--        -> 2, a rank 2 <= 1 x 2 -> 1;  e coverage 0.6 = 0.6 is enough:
--        village 1 unit, rank 1 > 0.5 x 1, <= 1 -> 1
--   Feb  c index 0 below 10;  e coverage 0.3 below 0.6;  b 1 -> 2, a 2 -> 1
--   Mar  c below 10; e coverage;  a, b tie at rank 1 <= 1 -> 2 each
SELECT period_start, region_code, class, round(index::numeric, 4) AS index, eligible, eligible_rank, eligible_units,
       stars, reason
  FROM star_rating WHERE rule = 'zh_share' AND period_start < '2025-04-01' ORDER BY period_start, region_code;

-- All of 2025, one digit per month Jan..Dec (April on from the indices above;
-- no red warning after March):
--   zh        a 3 0 5 | Apr-Dec 74.2997 -> 3;  b 0 2 5 | 3 ...;
--             c 5 0 0 | Apr, May 100 -> 5, then 3;  e coverage 0.3 or a
--             warning every month -> 0
--   zh_rank   a 1 1 2 | Apr, May a and b tie behind c (100) at rank 2 -> 1,
--             Jun-Dec a, b, c tie at rank 1 -> 2;  b 0 2 2 | 1 1 2 ...;
--             c 2 0 0 | 2 ...;  e 2 every month
--   zh_share  a, b, c as zh_rank (Apr, May: c rank 1 <= 1.5 -> 2, a, b rank 2
--             <= 3 -> 1; Jun-Dec all rank 1 -> 2);  e 1 in January, then
--             coverage 0.3 -> 0
--   zh_village e only: Jan warning fire_red -> 0, Feb 100 and then 50 -> 1
SELECT rule, region_code, string_agg(stars::text, ' ' ORDER BY period_start) AS stars_2025
  FROM star_rating WHERE period_start >= '2025-01-01' AND period_start < '2026-01-01'
 GROUP BY rule, region_code ORDER BY rule, region_code;

-- Star history of b: zh 0, 2 (+2), 5 (+3); zh_rank 0, 2, 2; zh_share 0, 2, 2;
-- January has no previous rating.  Of e under zh_rank: 2, 2 (0), 2 (0).
SELECT * FROM star_history('b') WHERE period_start < '2025-04-01';
SELECT rule, period_start, stars, previous_stars, change FROM star_history('e', 'zh_rank') WHERE period_start < '2025-04-01';

-- Awards.  The score of a year is the year's index when the scheme computes
-- years, else the mean of its monthly indices as published (scheme fix: 4
-- decimals, 74.29971445684743 published 74.2997).  Scheme fix computes months:
--   d  (15 + 0 + 100 + 100 + 100 + 7 x 74.2997) / 12 = 835.0979 / 12 = 69.59149
--   s1 (10 + 30 + 100 + 9 x 74.2997) / 12            = 808.6973 / 12 = 67.39144
--      (67.3915 from the unrounded indices: the published ones decide)
--   s2 (82.0098 + 0 + 0 + 100 + 100 + 7 x 74.2997) / 12 = 802.1077 / 12 = 66.84231
-- Scheme fixq computes years: its 2025 index of d is 100 (engine.out), its
-- 2024 index is NULL (no 2023 population, no baseline).  Scheme fixd has
-- months January to March 2025 only.
--   ding       fix, streets; gold 90, silver 67, bronze 60; star rule zh,
--              units with 4 stars or more in at least 2 months, share 0.5.
--              zh months with >= 4 stars: a Mar (1), b Mar (1), c Jan, Apr,
--              May (3), e none.  s1: 0 of 2 = 0 below 0.5: score 67.3914
--              reaches silver but no award.  s2: c of {c, e} = 0.5 reaches
--              0.5 (a tie at the standard): 66.8423 -> bronze.
--   ding_d     fix, district; 90 / 80 / 70; zh_rank, 1 star in 1 month,
--              share 0.9: a, b, c, e all starred: 1; 69.5915 below bronze 70.
--   ding_year  fixq, district; 95 / 90 / 85; zh_rank, 2 stars in 9 months,
--              share 0.5: months with 2 stars a 8, b 9, c 10, e 12 -> 3 of 4
--              = 0.75: 100 -> gold.  2024: no year index, no star rating.
--   ding_q     fixd, streets; min_months 12 (default): 3 months, no score;
--              zh, 4 stars in 1 month, share 0.75: s1 a and b (March) 1;
--              s2 c only, 0.5 below 0.75.
BEGIN;
INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_stars,
                        min_star_periods, min_star_share) VALUES
    ('fix', 'ding', 2, 90, 67, 60, 'fix', 'zh', 4, 2, 0.5),
    ('fix', 'ding_d', 1, 90, 80, 70, 'fix', 'zh_rank', 1, 1, 0.9),
    ('fixq', 'ding_year', 1, 95, 90, 85, 'fix', 'zh_rank', 2, 9, 0.5),
    ('fixd', 'ding_q', 2, 90, 80, 70, 'fix', 'zh', 4, 1, 0.75);
COMMIT;
SELECT scheme, rule, year, region_code, round(score::numeric, 4) AS score, score_basis, star_units, starred_units,
       star_share, eligible, award, award_zh, reason
  FROM award WHERE year <= 2025 ORDER BY scheme, rule, year, region_code;

-- Validation: every error names the rule.  try() runs a statement with its
-- constraints checked at once, undoes it and returns the SQLSTATE and message.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    SET CONSTRAINTS ALL IMMEDIATE;
    EXECUTE stmt;
    RAISE EXCEPTION USING ERRCODE = 'STAR0';     -- undo what was accepted
EXCEPTION
    WHEN SQLSTATE 'STAR0' THEN RETURN 'accepted';
    WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
INSERT INTO scheme (scheme, name_zh, periods) VALUES ('starq', '季度', '{quarter}');
SELECT pg_temp.try(s) FROM (VALUES
    ($$INSERT INTO star_rule (scheme, rule, period, depth, method, thresholds) VALUES ('fix', 'x', 'year', 3, 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, method, thresholds) VALUES ('fix', 'x', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 0, 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, kinds, method, thresholds) VALUES ('fix', 'x', '{}', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, kinds, classes, method, thresholds) VALUES ('fix', 'x', '{village}', '{"rural": ["village"]}', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, classes, method, thresholds) VALUES ('fix', 'x', '{"rural": []}', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, classes, method, thresholds) VALUES ('fix', 'x', '["village"]', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, classes, method, thresholds) VALUES ('fix', 'x', '{"a": ["village"], "b": ["community", "village"]}', 'threshold', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'score', '{90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, shares) VALUES ('fix', 'x', 3, 'threshold', '{90}', '{0.5}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method) VALUES ('fix', 'x', 3, 'rank_share')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{99,95,90,80,70,60}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{95,NULL,80}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{Infinity,80}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{95,90,90}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('fix', 'x', 3, 'threshold', '{60,80,95}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, shares) VALUES ('fix', 'x', 3, 'rank_share', '{0.5,0.2}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, shares) VALUES ('fix', 'x', 3, 'rank_share', '{0,0.5}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, shares) VALUES ('fix', 'x', 3, 'rank_share', '{0.5,1.5}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, ranks) VALUES ('fix', 'x', 3, 'rank', '{0,3}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, ranks) VALUES ('fix', 'x', 3, 'rank', '{3,3}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, min_coverage) VALUES ('fix', 'x', 3, 'threshold', '{90}', 1.5)$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, min_index) VALUES ('fix', 'x', 3, 'threshold', '{90}', 'NaN')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, exclude_warning_rules) VALUES ('fix', 'x', 3, 'threshold', '{90}', '{fire_red,nosuch}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, exclude_warning_rules) VALUES ('fix', 'x', 3, 'threshold', '{90}', '{nosuch}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds, exclude_severities) VALUES ('fix', 'x', 3, 'threshold', '{90}', '{red,NULL}')$$),
    ($$INSERT INTO star_rule (scheme, rule, depth, method, thresholds) VALUES ('nosuch', 'x', 3, 'threshold', '{90}')$$),
    ($$UPDATE star_rule SET thresholds = '{95,80,60,50,50}' WHERE scheme = 'fix' AND rule = 'zh'$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('fix', 'x', 0, 90, 80, 70, 'fix', 'zh', 0.5)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('fix', 'x', 1, 90, 90, 70, 'fix', 'zh', 0.5)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('fix', 'x', 1, 'NaN', 80, 70, 'fix', 'zh', 0.5)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('starq', 'x', 1, 90, 80, 70, 'fix', 'zh', 0.5)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share, min_months) VALUES ('fix', 'x', 1, 90, 80, 70, 'fix', 'zh', 0.5, 13)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share, min_stars) VALUES ('fix', 'x', 1, 90, 80, 70, 'fix', 'zh', 0.5, 6)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share, min_star_periods) VALUES ('fix', 'x', 1, 90, 80, 70, 'fix', 'zh', 0.5, 0)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('fix', 'x', 1, 90, 80, 70, 'fix', 'zh', 1.5)$$),
    ($$INSERT INTO award_rule (scheme, rule, depth, gold, silver, bronze, star_scheme, star_rule, min_star_share) VALUES ('fix', 'x', 1, 90, 80, 70, 'fix', 'nosuch', 0.5)$$),
    ($$DELETE FROM star_rule WHERE scheme = 'fix' AND rule = 'zh_rank'$$),
    ($$DELETE FROM warning_rule WHERE scheme = 'fix' AND rule = 'fire_red'$$)
) t(s);
-- nothing of the above was kept: still the 4 star rules and 4 award rules above
SELECT count(*) AS star_rules, (SELECT count(*) FROM award_rule) AS award_rules FROM star_rule;

-- Clean up: remove everything this test added (its rebuild of 2025 aside).
DELETE FROM award_rule;
DELETE FROM star_rule;
DELETE FROM warning_rule WHERE scheme = 'fix' AND rule = 'fire_red';
DELETE FROM scheme WHERE scheme = 'starq';
SELECT (SELECT count(*) FROM star_rating) AS star_ratings, (SELECT count(*) FROM award) AS awards,
       (SELECT count(*) FROM warning_rule WHERE scheme = 'fix') AS fix_warning_rules;
