-- Missing is not zero: a city whose departmental data end before today.
-- No result after the sources' watermarks; a late department leaves its
-- indicator unscored (insufficient data, never 0) and the index absent under
-- the default full-coverage rule; a department declares a quiet day, then a
-- quiet month, complete; an incomplete period is published only with a
-- reason; the running month is provisional and unpublishable; the first year
-- has no year-on-year baseline (no_baseline, never 0); a scheme accepting
-- partial coverage computes its index over the leaves scored.  Every number
-- is worked out by hand in the comments; nothing printed depends on the day
-- the tests run.  The fixture's set-up (regions, population, the
-- departmental tables of schema cty, the sources and the schemes city and
-- city_part) is test/fixtures/completeness.sql; its output is kept out of
-- this file.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/completeness.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- The fixture, as test/fixtures/completeness.sql sets it up:
-- City c; streets s1 (communities a, b) and s2 (community x); residents
-- a 1000, b 2000, x 3000 in 2024 and 2025.
-- Sources (departmental tables of schema cty), local time Asia/Shanghai:
--   police   police calls; watermark derived from the data: the last row is
--            at 23:30 on 30 June 2025
--   fire     fire reports; the department declares 2024-01-01 .. 2025-05-31
--            delivered, nothing later
--   hotline  hotline cases; watermark derived from the data: the last row
--            is on 29 June 2025 (30 June was a quiet day, not yet declared)
-- Rows (besides one police call in a and one hotline case in x in every
-- month from January 2024 to April 2025 but May and June 2024, and a fire in
-- b in January 2024):
--             police           fire     hotline
--   2024-05   a 1, b 1, x 2    b 1      x 1
--   2024-06   a 1, b 1, x 2    -        -
--   2025-05   a 1, b 1         b 1      a 1, x 2
--   2025-06   a 1, x 1         -        b 1
-- Schemes city (min_coverage 1, the default) and city_part (min_coverage
-- 0.8), monthly from 2024, the same four leaves, all counts, lower is better:
--   police      weight 40, goalposts 0 .. 4:  score 1 - n/4
--   police_yoy  weight 20, police calls against the same month last year of
--               the same region, ratio bands 0.8 / 1.2: 1 below 0.8, 0 above
--               1.2, 0.5 in between
--   fire        weight 20, goalposts 0 .. 2:  score 1 - n/2
--   hotline     weight 20, goalposts 0 .. 2:  score 1 - n/2
-- (goalposts capped: a count beyond the maximum scores 0).  Index = 100 x
-- the weighted mean of the leaves scored, published with 2 decimals.

-- Errors and outcomes of a statement: 'ok', or its SQLSTATE and message.
CREATE FUNCTION cty.attempt(statement text, OUT code text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    code := 'ok';
EXCEPTION WHEN OTHERS THEN
    code := SQLSTATE;
    message := SQLERRM;
END $$;
-- The month in progress in the schemes' time zone.
CREATE FUNCTION cty.running_month() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
$$;

-- 1. No result after the watermarks.  A rebuild from 2024 asks for every
-- month up to today; no source has delivered after 30 June 2025 (police),
-- so the months computed are January 2024 to June 2025: 18 months of 6
-- regions, 108 results, and the rebuild says why it stops there.
SET client_min_messages = notice;
SELECT * FROM rebuild('city', '2024-01-01');
SET client_min_messages = warning;
SELECT results_from, results_to FROM built_range WHERE scheme = 'city';
SELECT count(*) AS results_after_june_2025 FROM result WHERE scheme = 'city' AND period_start >= '2025-07-01';
-- What each source delivered: police and hotline derived from their rows
-- (from the start of the first month with a row, through the day of the last
-- row), fire as declared.
SELECT * FROM source_delivery('city') ORDER BY source;

-- Every month computed: 2024 has no index anywhere (no year-on-year
-- baseline, coverage 80 / 100 = 0.8 < 1, see 4 below), January to May 2025
-- are complete with an index everywhere, June 2025 is incomplete (fire and
-- hotline have not delivered all of it: coverage 60 / 100 = 0.6, no index).
SELECT period_start, status, coverage, count(*) AS results, count(index) AS indices
  FROM index_result WHERE scheme = 'city'
 GROUP BY period_start, status, coverage
 ORDER BY period_start, status, coverage;

-- 2. May 2025, complete, by hand.
-- Police calls May 2025: a 1, b 1, x 0 (s1 2, s2 0, c 2);
--   score 1 - n/4: a 0.75, b 0.75, s1 0.5, x 1, s2 1, c 0.5.
-- Year on year, against May 2024: a 1, b 1, x 2 (s1 2, s2 2, c 4):
--   a 1/1 = 1 -> 0.5; b 1/1 -> 0.5; s1 2/2 -> 0.5; x 0/2 = 0 -> 1;
--   s2 0/2 -> 1; c 2/4 = 0.5 -> 1.
-- Fires May 2025: b 1 (s1 1, c 1); score 1 - n/2: a 1, b 0.5, s1 0.5, x 1,
--   s2 1, c 0.5.
-- Hotline May 2025: a 1, x 2 (s1 1, s2 2, c 3); score 1 - n/2: a 0.5, b 1,
--   s1 0.5, x 0, s2 0, c 1 - 3/2 = -0.5, capped to 0.
SELECT region_code, node, events, value, baseline, ratio, score, points, status
  FROM indicator_result WHERE scheme = 'city' AND period_start = '2025-05-01'
 ORDER BY region_code, node;
-- Index = 40 police + 20 yoy + 20 fire + 20 hotline (weights add up to 100):
--   a  40 x 0.75 + 20 x 0.5 + 20 x 1   + 20 x 0.5 = 30 + 10 + 20 + 10 = 70
--   b  40 x 0.75 + 20 x 0.5 + 20 x 0.5 + 20 x 1   = 30 + 10 + 10 + 20 = 70
--   s1 40 x 0.5  + 20 x 0.5 + 20 x 0.5 + 20 x 0.5 = 20 + 10 + 10 + 10 = 50
--   x  40 x 1    + 20 x 1   + 20 x 1   + 20 x 0   = 40 + 20 + 20 +  0 = 80
--   s2 as x (its only community)                                     = 80
--   c  40 x 0.5  + 20 x 1   + 20 x 0.5 + 20 x 0   = 20 + 20 + 10 +  0 = 50
-- Grades (Wuchang 90 / 80 / 70): 80 -> 2, 70 -> 3, 50 -> 4.  Ranks: streets
-- s2 1, s1 2; communities x 1, a and b tie at 2 (1 and 1 within s1).
SELECT region_code, index, grade_level, grade_zh, rank_siblings, rank_level, coverage, residents, status
  FROM index_result WHERE scheme = 'city' AND period_start = '2025-05-01'
 ORDER BY depth, region_code;
-- The same figures compared with = as float8, published and unrounded.
SELECT r.region_code, r.index = h.index AS index_exact, r.index_unrounded = h.index AS unrounded_exact
  FROM index_result r JOIN (VALUES ('a', 70::float8), ('b', 70), ('s1', 50), ('x', 80), ('s2', 80), ('c', 50)) h(region_code, index)
    ON h.region_code = r.region_code
 WHERE r.scheme = 'city' AND r.period_start = '2025-05-01'
 ORDER BY r.depth, r.region_code;

-- 3. June 2025, fire late and the hotline's quiet last day not declared.
-- Fire has delivered through 31 May, the hotline through 29 June (its last
-- row): neither covers June, so their leaves are insufficient_data
-- everywhere: no value, no score, never 0, whatever rows have arrived so far
-- (b's hotline case counts in events only).  Police delivered all of June:
-- calls a 1, b 0, x 1 (s1 1, s2 1, c 2), June 2024 a 1, b 1, x 2 (s1 2,
-- s2 2, c 4):
--   police: a 0.75, b 1, s1 0.75, x 0.75, s2 0.75, c 0.5
--   yoy:    a 1/1 -> 0.5; b 0/1 -> 1; s1 1/2, x 1/2, s2 1/2, c 2/4 -> 1
SELECT region_code, node, events, value, baseline, score, points, status
  FROM indicator_result WHERE scheme = 'city' AND period_start = '2025-06-01'
 ORDER BY region_code, node;
-- Coverage 60 / 100 = 0.6 < 1: no index, the period incomplete.
SELECT region_code, index, coverage, status
  FROM index_result WHERE scheme = 'city' AND period_start = '2025-06-01'
 ORDER BY depth, region_code;
-- Scheme city_part (minimum coverage 0.8) over the same data stops at June
-- too, where 0.6 is below its 0.8: no index either.
SET client_min_messages = notice;
SELECT * FROM rebuild('city_part', '2024-01-01');
SET client_min_messages = warning;
SELECT region_code, index, coverage, status
  FROM index_result WHERE scheme = 'city_part' AND period_start = '2025-06-01'
 ORDER BY depth, region_code;

-- 4. The first year has no baseline.  The year-on-year indicator of 2024
-- reads 2023, which no source delivered (police from 2024-01-01 on): it is
-- no_baseline in every month of 2024 and every region (12 x 6 = 72), never
-- scored 0; under full coverage no region has an index in 2024, never 0.
SELECT node, status, count(*) AS leaves, count(baseline) AS baselines, count(score) AS scores
  FROM indicator_result WHERE scheme = 'city' AND period_start < '2025-01-01' AND node = 'police_yoy'
 GROUP BY node, status;
SELECT count(*) AS results_2024, count(index) AS indices, count(*) FILTER (WHERE index = 0) AS zeros,
       min(coverage) AS min_coverage, max(coverage) AS max_coverage
  FROM index_result WHERE scheme = 'city' AND period_start < '2025-01-01';
-- May 2024 in detail: police calls a 1, b 1, x 2 (s1 2, s2 2, c 4): police
-- scores 0.75, 0.75, 0.5, 0.5, 0.5, 0 (c: 1 - 4/4); the year on year has a
-- value (its calls) but no baseline.
SELECT region_code, value, baseline, score, status
  FROM indicator_result WHERE scheme = 'city' AND period_start = '2024-05-01' AND node = 'police_yoy'
 ORDER BY region_code;
-- Scheme city_part accepts partial coverage (min_coverage 0.8): its May
-- 2024 index is the mean over police, fire and hotline (weight 80).
-- Fires May 2024: b 1 (s1 1, c 1): a 1, b 0.5, s1 0.5, x 1, s2 1, c 0.5.
-- Hotline May 2024: x 1 (s2 1, c 1): a 1, b 1, s1 1, x 0.5, s2 0.5, c 0.5.
--   a  (40 x 0.75 + 20 x 1   + 20 x 1)   / 80 = 70 / 80 = 87.5
--   b  (40 x 0.75 + 20 x 0.5 + 20 x 1)   / 80 = 60 / 80 = 75
--   s1 (40 x 0.5  + 20 x 0.5 + 20 x 1)   / 80 = 50 / 80 = 62.5
--   x  (40 x 0.5  + 20 x 1   + 20 x 0.5) / 80 = 50 / 80 = 62.5
--   s2 as x                                             = 62.5
--   c  (40 x 0    + 20 x 0.5 + 20 x 0.5) / 80 = 20 / 80 = 25
-- Grades 87.5 -> 2, 75 -> 3, below 70 -> 4; ranks within the level: s1 and
-- s2 tie at 1; a 1, b 2, x 3.
SELECT r.region_code, r.index, r.index_unrounded = h.index AS exact, r.coverage, r.grade_level, r.rank_level
  FROM index_result r JOIN (VALUES ('a', 87.5::float8), ('b', 75), ('s1', 62.5), ('x', 62.5), ('s2', 62.5), ('c', 25)) h(region_code, index)
    ON h.region_code = r.region_code
 WHERE r.scheme = 'city_part' AND r.period_start = '2024-05-01'
 ORDER BY r.depth, r.region_code;

-- 5. The hotline declares its quiet last day: delivered through 30 June.
-- refresh() recomputes June only (the one month whose completeness
-- changed), and still nothing after June.
UPDATE source SET delivered_through = '2025-06-30' WHERE source = 'hotline';
SELECT * FROM refresh('city');
SELECT * FROM refresh('city_part');
-- June's hotline is scored now: b 1 (s1 1, c 1): a 1, b 0.5, s1 0.5, x 1,
-- s2 1, c 0.5.  Fire is still late: insufficient_data everywhere.
SELECT region_code, node, events, value, score, status
  FROM indicator_result WHERE scheme = 'city' AND period_start = '2025-06-01' AND node IN ('fire', 'hotline')
 ORDER BY region_code, node;
-- Coverage 80 / 100 = 0.8: still no index under full coverage.
SELECT region_code, index, coverage, status
  FROM index_result WHERE scheme = 'city' AND period_start = '2025-06-01'
 ORDER BY depth, region_code;
-- city_part (0.8 reached): the mean over police, yoy and hotline, weight 80:
--   a  (40 x 0.75 + 20 x 0.5 + 20 x 1)   / 80 = 60 / 80 = 75
--   b  (40 x 1    + 20 x 1   + 20 x 0.5) / 80 = 70 / 80 = 87.5
--   s1 (40 x 0.75 + 20 x 1   + 20 x 0.5) / 80 = 60 / 80 = 75
--   x  (40 x 0.75 + 20 x 1   + 20 x 1)   / 80 = 70 / 80 = 87.5
--   s2 as x                                             = 87.5
--   c  (40 x 0.5  + 20 x 1   + 20 x 0.5) / 80 = 50 / 80 = 62.5
-- The period is still incomplete (fire): an index over partial coverage
-- says so.
SELECT r.region_code, r.index, r.index_unrounded = h.index AS exact, r.coverage, r.status
  FROM index_result r JOIN (VALUES ('a', 75::float8), ('b', 87.5), ('s1', 75), ('x', 87.5), ('s2', 87.5), ('c', 62.5)) h(region_code, index)
    ON h.region_code = r.region_code
 WHERE r.scheme = 'city_part' AND r.period_start = '2025-06-01'
 ORDER BY r.depth, r.region_code;

-- 6. Releases.  May is complete and published as release 1.  June is
-- incomplete: refused (55000) unless a reason is given (a blank one is no
-- reason); published anyway it records the reason and its completeness, and
-- freezes what there is: no index, coverage 0.8.
INSERT INTO release_series (series, scheme, period, title_zh) VALUES ('city_monthly', 'city', 'month', '平安指数月报');
SELECT number, revision, period_start, version, completeness, reason FROM publish_release('city_monthly', '2025-05-01');
SELECT period_completeness('city', 'month', '2025-06-01');
SELECT * FROM cty.attempt($$SELECT publish_release('city_monthly', '2025-06-01')$$);
SELECT * FROM cty.attempt($$SELECT publish_release('city_monthly', '2025-06-01', publish_anyway => '  ')$$);
SELECT number, revision, period_start, completeness, reason
  FROM publish_release('city_monthly', '2025-06-01', publish_anyway => '消防数据迟报，按已到数据发布 (fire data late)');
SELECT count(*) AS regions, count(index) AS indices, min(coverage) AS coverage
  FROM release_result WHERE series = 'city_monthly' AND number = 2;

-- 7. The fire department declares June delivered: a quiet month, no fire.
-- refresh() recomputes June, now complete: fire 0 everywhere -> score 1.
--   a  40 x 0.75 + 20 x 0.5 + 20 x 1 + 20 x 1   = 30 + 10 + 20 + 20 = 80
--   b  40 x 1    + 20 x 1   + 20 x 1 + 20 x 0.5 = 40 + 20 + 20 + 10 = 90
--   s1 40 x 0.75 + 20 x 1   + 20 x 1 + 20 x 0.5 = 30 + 20 + 20 + 10 = 80
--   x  40 x 0.75 + 20 x 1   + 20 x 1 + 20 x 1   = 30 + 20 + 20 + 20 = 90
--   s2 as x                                                         = 90
--   c  40 x 0.5  + 20 x 1   + 20 x 1 + 20 x 0.5 = 20 + 20 + 20 + 10 = 70
-- Grades 90 -> 1, 80 -> 2, 70 -> 3; ranks: streets s2 1, s1 2;
-- communities b and x tie at 1, a 3.
UPDATE source SET delivered_through = '2025-06-30' WHERE source = 'fire';
SELECT * FROM source_delivery('city') ORDER BY source;
-- Until refresh() has taken the declaration in, June's results say less
-- than the sources have delivered: no release of June (55000).
SELECT * FROM cty.attempt($$SELECT correct_release('city_monthly', 2, 'before the refresh')$$);
SELECT * FROM refresh('city');
SELECT region_code, events, value, score, points, status
  FROM indicator_result WHERE scheme = 'city' AND period_start = '2025-06-01' AND node = 'fire'
 ORDER BY region_code;
SELECT r.region_code, r.index, r.index_unrounded = h.index AS exact, r.grade_level, r.rank_siblings, r.rank_level,
       r.coverage, r.status
  FROM index_result r JOIN (VALUES ('a', 80::float8), ('b', 90), ('s1', 80), ('x', 90), ('s2', 90), ('c', 70)) h(region_code, index)
    ON h.region_code = r.region_code
 WHERE r.scheme = 'city' AND r.period_start = '2025-06-01'
 ORDER BY r.depth, r.region_code;
-- June is complete now: release 2 is corrected with the full results
-- (revision 2, complete, with the reason for the correction; its indices
-- add up to 80 + 90 + 80 + 90 + 90 + 70 = 500); revision 1 stays as
-- published, every revision's checksum holds.
SELECT period_completeness('city', 'month', '2025-06-01');
SELECT number, revision, period_start, completeness, reason
  FROM correct_release('city_monthly', 2, '消防确认六月无火警 (fire: June delivered, no fires)');
SELECT revision, count(index) AS indices, min(coverage) AS coverage, sum(index) AS sum_of_indices
  FROM release_result WHERE series = 'city_monthly' AND number = 2 GROUP BY revision ORDER BY revision;
SELECT number, revision, completeness, checksum = release_checksum(series, number, revision) AS checksum_ok
  FROM release WHERE series = 'city_monthly' ORDER BY number, revision;

-- 8. The month in progress.  A police call arrives now: the police have
-- delivered through today, so refresh() computes the months from July 2025
-- to the running month (how many depends on today: only what does not is
-- printed).  In one transaction, so that "now" is one instant throughout.
BEGIN;
INSERT INTO cty.police_call (called_at, shequ) VALUES (now(), 'a');
SELECT period, first_period, last_period = cty.running_month() AS through_running_month FROM refresh('city');
-- The running month is provisional (it has not ended) in index_result for
-- every region, whatever its sources delivered; the months between June
-- and it are incomplete (fire and hotline delivered through June only):
-- no index anywhere.
SELECT status, count(*) AS regions, count(index) AS indices
  FROM index_result WHERE scheme = 'city' AND period_start = cty.running_month() GROUP BY status;
SELECT coalesce(bool_and(status = 'incomplete'), true) AS all_incomplete, count(index) AS indices
  FROM index_result WHERE scheme = 'city' AND period_start > '2025-06-01' AND period_start < cty.running_month();
SELECT count(*) AS results_after_running_month FROM result WHERE scheme = 'city' AND period_start > cty.running_month();
-- publish_release refuses it (55000), unless published anyway with a reason,
-- which the release records with completeness provisional.
SELECT period_completeness('city', 'month', cty.running_month());
SELECT code, message LIKE 'the month starting % is provisional: it has not ended yet' AS provisional_refused
  FROM cty.attempt(format('SELECT publish_release(%L, %L)', 'city_monthly', cty.running_month()));
SELECT number, revision, period_start = cty.running_month() AS running_month, completeness, reason
  FROM publish_release('city_monthly', cty.running_month(), publish_anyway => '月中快报 (mid-month flash report)');
COMMIT;

-- 8b. Had the fire and the hotline delivered through today too, the running
-- month would be computed from what has arrived so far and stored as
-- provisional (results computed before their period ended), still refused
-- by publish_release; each refresh computes it again, changes or not (here
-- the one month), until a refresh after its end.  Rolled back.
BEGIN;
UPDATE source SET delivered_through = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE source IN ('fire', 'hotline');
SELECT period, last_period = cty.running_month() AS through_running_month FROM refresh('city');
SELECT status, count(*) AS regions FROM result
 WHERE scheme = 'city' AND period_start = cty.running_month() GROUP BY status;
SELECT period_completeness('city', 'month', cty.running_month());
SELECT period, periods, first_period = cty.running_month() AS running_month FROM refresh('city');
ROLLBACK;

-- 9. The call was a test call and is deleted: the police have again
-- delivered through 30 June 2025 only, so refresh() computes nothing and
-- removes the months after June, as a rebuild would never compute them.
DELETE FROM cty.police_call WHERE called_at >= '2025-07-01 00:00+08';
SELECT * FROM refresh('city');
SELECT results_to FROM built_range WHERE scheme = 'city';
SELECT count(*) AS results, max(period_start) AS last_period FROM result WHERE scheme = 'city';
-- After this history (the hotline's and the fire's declarations, the call
-- and its deletion), the refreshed results equal a rebuild's, compared
-- with = (float8 included), row for row.
CREATE TEMP TABLE refreshed_result AS
SELECT period, period_start, region_code, version, parent_code, depth, index, index_unrounded, coverage, grade_level,
       rank_siblings, rank_level, residents, missing_units, status
  FROM result WHERE scheme = 'city';
CREATE TEMP TABLE refreshed_node AS SELECT * FROM result_node WHERE scheme = 'city';
SELECT period, periods, first_period, last_period, results FROM rebuild('city', '2024-01-01');
SELECT (SELECT count(*) FROM result WHERE scheme = 'city') AS rebuilt_results,
       (SELECT count(*) FROM ((SELECT * FROM refreshed_result
                               EXCEPT SELECT period, period_start, region_code, version, parent_code, depth, index,
                                             index_unrounded, coverage, grade_level, rank_siblings, rank_level,
                                             residents, missing_units, status
                                        FROM result WHERE scheme = 'city')
                              UNION ALL
                              (SELECT period, period_start, region_code, version, parent_code, depth, index,
                                      index_unrounded, coverage, grade_level, rank_siblings, rank_level, residents,
                                      missing_units, status
                                 FROM result WHERE scheme = 'city'
                               EXCEPT SELECT * FROM refreshed_result)) d) AS result_differences,
       (SELECT count(*) FROM ((SELECT * FROM refreshed_node EXCEPT SELECT * FROM result_node WHERE scheme = 'city')
                              UNION ALL
                              (SELECT * FROM result_node WHERE scheme = 'city' EXCEPT SELECT * FROM refreshed_node)) d)
           AS node_differences;

-- 10. Errors: an empty date range is an error (22023), for source_counts as
-- for rebuild, not an empty answer.
SELECT * FROM cty.attempt($$SELECT source_counts('police', 'month', '2025-06-01', '2025-06-01')$$);
SELECT * FROM cty.attempt($$SELECT source_counts('police', 'month', '2025-06-01', '2025-05-01')$$);
SELECT * FROM cty.attempt($$SELECT rebuild('city', '2025-06-01', '2025-06-01')$$);
