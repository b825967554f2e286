-- The engine on a hand-sized fixture: one district D, two streets S1 and S2,
-- four communities (A, B under S1; C, E under S2; codes in lower case), three
-- months of 2025 and the 2024 rows the baselines need.  Every number below is
-- worked out by hand in the comments.  The fixture's set-up (regions,
-- population, the events in fix.event, the sources and the schemes fix, fixq
-- and fixd) is test/fixtures/engine.sql; its output is kept out of this file.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;

-- The fixture, as test/fixtures/engine.sql sets it up:
-- Residents 2024: A 1000, B 3000, C 2000, E 500 (D 6500).
-- Residents 2025: A 1000, B 3000, C 2000, E none (so S2 counts C only).
-- thefts: 78 in 2024 (all in A); 2025 Jan A0 B6 C1 E5, Feb A1 B3 C3 E0, Mar E2;
--   A's February theft at 00:30 on 1 February local time, 16:30 UTC on
--   31 January; an unknown (ZZ) and a NULL code in January: reported, not counted
-- fires: Dec 2024 A2 C1; Jan A2 B1 E1; Feb A3 B1; Mar C2; and one at 00:00 on
--   1 April local time, outside March
-- mediations (successful/all): Jan A 3/4, B 1/2, E 2/2; Feb A 1/1, C 1/4; none in March
-- Scheme fix: index = 100 x arithmetic mean of order (70) and mediation (30);
-- order = geometric mean of theft (40) and fire (30).
--   theft: per 10,000 residents against last year's district-wide (depth 1)
--          average monthly rate, ratio bands 0.8 / 1.2, linear in between
--   fire:  count against the previous month of the same region, step 0.5
--   mediation: successes per 100 mediations, goalposts 50 .. 100, positive
-- Warning rules of fix on streets (depth 2): red (grade 4), red_twice (grade 4
-- two months running), fell (rank drop of 1 place or more), theft_worst
-- (theft in its worst band).

-- Cells from 2024-01 (the prior-year baseline) through this month (as a
-- refresh keeps them: the dates a source delivered are derived from them);
-- results for January to March 2025.
SELECT * FROM rebuild('fix', '2025-01-01', '2025-04-01');
SELECT cells_from, cells_to = (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 month')::date
       AS cells_through_this_month, results_from, results_to
  FROM built_range WHERE scheme = 'fix';

-- Theft.  Baseline for every region: D in 2024, 78 thefts over 12 months of
-- 6500 residents = 78 / 78000 x 10,000 = 10 per 10,000 per month.
-- January (E has no 2025 figure: its 5 thefts count in "events" only):
--   A 0/1000 -> 0, ratio 0 -> score 1;  B 6/3000 -> 20, ratio 2 -> 0;
--   C 1/2000 -> 5, ratio 0.5 -> 1;      E no residents -> unscored;
--   S1 6/4000 -> 15, ratio 1.5 -> 0;    S2 1/2000 (events 6) -> 5 -> 1;
--   D 7/6000 -> 11.6667, ratio 1.16667 -> (1.2 - 1.16667) / 0.4 = 0.0833.
-- February: A 1/1000 -> 10, ratio 1 -> 0.5 (the 00:30 local theft);
--   B 3/3000 -> 10 -> 0.5; C 3/2000 -> 15 -> 0; S1 4/4000 -> 10 -> 0.5;
--   S2 3/2000 -> 15 -> 0; D 7/6000 -> 0.0833.
-- March: no theft with residents: every rate 0 -> 1 (E unscored; events 2).
SELECT period_start, region_code, events, counted_events, residents, round(value::numeric, 4) AS value,
       baseline, round(ratio::numeric, 4) AS ratio, round(score::numeric, 4) AS score,
       round(points::numeric, 4) AS points, round(points_lost::numeric, 4) AS points_lost
  FROM indicator_result WHERE scheme = 'fix' AND node = 'theft'
 ORDER BY period_start, region_code;

-- Fire: count against the previous month of the same region.
--   Dec: A2 B0 C1 E0 (S1 2, S2 1, D 3)
--   Jan: A 2/2 = 1 -> 0.5; B 1/0 -> Infinity -> 0; C 0/1 -> 1; E 1/0 -> 0;
--        S1 3/2 = 1.5 -> 0; S2 1/1 -> 0.5; D 4/3 -> 0
--   Feb: A 3/2 -> 0; B 1/1 -> 0.5; C 0/0 (ratio 1) -> 0.5; E 0/1 -> 1;
--        S1 4/3 -> 0; S2 0/1 -> 1; D 4/4 -> 0.5
--   Mar: A 0/3 -> 1; B 0/1 -> 1; C 2/0 -> 0; E 0/0 -> 0.5; S1 0/4 -> 1;
--        S2 2/0 -> 0; D 2/4 -> 1 (the fire at 00:00 on 1 April is April's)
SELECT period_start, region_code, events, value, baseline, ratio, score, points
  FROM indicator_result WHERE scheme = 'fix' AND node = 'fire'
 ORDER BY period_start, region_code;

-- Mediation: successes per 100 mediations, score (v - 50) / 50 in [0, 1].
--   Jan: A 75 -> 0.5; B 50 -> 0; C none -> unscored; E 100 -> 1;
--        S1 4/6 = 66.67 -> 0.3333; S2 2/2 -> 1; D 6/8 = 75 -> 0.5
--   Feb: A 100 -> 1; C 25 -> 0; B, E none; S1 1/1 -> 1; S2 1/4 -> 0; D 2/5 = 40 -> 0
--   Mar: no mediation anywhere: unscored
SELECT period_start, region_code, events, denominator, round(value::numeric, 4) AS value,
       round(score::numeric, 4) AS score
  FROM indicator_result WHERE scheme = 'fix' AND node = 'mediation'
 ORDER BY period_start, region_code;

-- Index = 100 x (70 g + 30 m) / (weight scored), g = exp((40 ln t + 30 ln f) / 70)
-- over the scored ones (0 when one is 0).  Jan:
--   A t1 f0.5: g = 0.5^(3/7) = 0.742997, m 0.5: 0.7 x 0.742997 + 0.15 = 67.0098
--   B t0: g 0, m 0: 0;  C t1 f1, m unscored: g 1 -> 100 (coverage 0.7)
--   E t unscored, f0: g 0, m 1: 30 (coverage 0.6)
--   S1 t0 -> g 0, m 1/3: 10;  S2 t1 f0.5 m1: 52.0098 + 30 = 82.0098;  D g0, m0.5: 15
-- Feb:
--   A t0.5 f0 -> 0, m1: 30;  B t0.5 f0.5: g 0.5, m unscored: 50 (coverage 0.7)
--   C t0 -> 0, m0: 0;  E f1 only: 100 (coverage 0.3);  S1 t0.5 f0, m1: 30;  S2 t0, m0: 0
--   D t1/12 f0.5: g = exp((40 ln(1/12) + 30 ln 0.5) / 70) = 0.179602, m 0: 12.5722
-- Mar (no mediation): A, B, S1, D t1 f1: 100;  C t1 f0: 0;  S2 t1 f0: 0;  E f0.5: 50
-- Grades (Wuchang: 90 / 80 / 70): 100 -> 1, 82.0 -> 2, below 70 -> 4.
-- Ranks: Jan streets S2 1, S1 2; communities C 1, A 2, E 3, B 4 (within S1 A 1 B 2,
-- within S2 C 1 E 2).  Feb streets S1 1 (up 1), S2 2 (down 1); communities E 1,
-- B 2, A 3, C 4.  Mar streets S1 1, S2 2; A and B tie at 1, E 3, C 4.
-- Residents: S1 4000, S2 2000 with E missing in 2025 (missing_units 1), D 6000.
SELECT period_start, region_code, depth, parent_code, round(index::numeric, 4) AS index,
       grade_level, grade_zh, colour, rank_siblings, rank_level, rank_change_siblings, rank_change_level,
       round(coverage::numeric, 4) AS coverage, residents, missing_units, version
  FROM index_result WHERE scheme = 'fix'
 ORDER BY period_start, depth, region_code;

-- Sub-indices: order in January for A = 100 x 0.742997 = 74.2997 (points 52.0098).
SELECT period_start, region_code, node, is_leaf, weight, round(points::numeric, 4) AS points,
       round(points_lost::numeric, 4) AS points_lost, round(sub_index::numeric, 4) AS sub_index
  FROM node_result WHERE scheme = 'fix' AND region_code = 'a'
 ORDER BY period_start, node;

-- Warnings on streets:
--   red (grade 4): Jan S1 (10); Feb S1 (30), S2 (0); Mar S2 (0)
--   red_twice: S1 red in Jan and Feb -> Feb; S2 red in Feb and Mar -> Mar
--   fell: S2 from 1 to 2 in Feb
--   theft_worst (theft scored 0): Jan S1; Feb S2
SELECT rule, kind, severity, period_start, region_code, node, round(value::numeric, 4) AS value,
       reference, threshold, detail
  FROM warning WHERE scheme = 'fix'
 ORDER BY rule, period_start, region_code;

-- The unknown and the NULL code are reported, once each, in January.
SELECT period, period_start, source, region_code, source_rows
  FROM unknown_region_rows WHERE scheme = 'fix' ORDER BY period_start, region_code;

-- Quarters and years: scheme fixq, one theft indicator (100 points, same
-- baseline and band rule as above) computed by month, quarter and year;
-- quarter and year cells are sums of month cells.  Results from 2024 so that
-- years compare.  Warning rule theft_up: a year-over-year rise of the theft
-- rate above 30% in a community (depth 3).
SELECT * FROM rebuild('fixq', '2024-01-01', '2025-04-01');
-- Cells: Q1 2025 thefts a 1, b 9, c 4, e 7 (5 + 2) and the two unknown codes;
-- year 2024 a 78.
SELECT period, period_start, region_code, value, source_rows FROM cell
 WHERE scheme = 'fixq' AND period IN ('quarter', 'year') AND period_start >= '2024-01-01'
   AND value > 0 ORDER BY period, period_start, region_code;
-- Q1 2025, baseline = 2024 quarterly average of d: 78 / (4 x 6500) x 10,000 = 30
--   a 1/1000 -> 10, ratio 1/3 -> 100;  b 9/3000 -> 30, ratio 1 -> 50
--   c 4/2000 -> 20 -> 100;  e no residents -> no index
--   s1 10/4000 -> 25, ratio 0.8333 -> (1.2 - 0.8333) / 0.4 = 91.6667
--   s2 4/2000 -> 20 -> 100;  d 14/6000 -> 23.3333, ratio 0.7778 -> 100
-- Year 2025: theft is delivered through 31 March only, so the year is
-- incomplete: no value, no index (insufficient data), whatever its rows so
-- far; the baseline (2024, delivered) is there: 78 / 6500 x 10,000 = 120.
SELECT period, period_start, region_code, round(index::numeric, 4) AS index, rank_level, status
  FROM index_result WHERE scheme = 'fixq' AND period IN ('quarter', 'year') AND period_start >= '2025-01-01'
 ORDER BY period, period_start, depth, region_code;
SELECT period, region_code, round(value::numeric, 4) AS value, round(baseline::numeric, 4) AS baseline, status
  FROM indicator_result WHERE scheme = 'fixq' AND period_start = '2025-01-01' AND region_code IN ('d', 's1')
 ORDER BY period, region_code;
-- No year-over-year warning on a year not delivered.
SELECT count(*) AS warnings FROM warning WHERE scheme = 'fixq';
-- The department declares the rest of 2025 delivered with nothing in it (a
-- quiet feed is complete): refresh recomputes the periods whose
-- completeness changed, and computes April to December (theft 0).
--   year 2025, baseline 120: every rate is below 0.8 x 120 = 96 -> 100
--   (b is highest at 9 / 3000 x 10,000 = 30)
BEGIN;
UPDATE source SET delivered_through = '2025-12-31' WHERE source = 'theft';
SELECT period, periods, first_period, last_period FROM refresh('fixq') ORDER BY period;
SELECT period, period_start, region_code, round(index::numeric, 4) AS index, rank_level, status
  FROM index_result WHERE scheme = 'fixq' AND period = 'year' AND period_start = '2025-01-01'
 ORDER BY depth, region_code;
SELECT region_code, round(value::numeric, 4) AS value, round(baseline::numeric, 4) AS baseline, status
  FROM indicator_result WHERE scheme = 'fixq' AND period = 'year' AND period_start = '2025-01-01'
   AND region_code IN ('d', 's1') ORDER BY region_code;
-- Year-over-year rises above 30% among communities: theft rates 2024 -> 2025
--   a 780 -> 10 (fall); b 0 -> 30 and c 0 -> 20 (from 0: +100%); e 0 -> no figure
SELECT rule, period_start, region_code, value, reference, threshold, detail
  FROM warning WHERE scheme = 'fixq' ORDER BY period_start, region_code;
ROLLBACK;

-- Count distinct: the number of different kinds of event.  Distinct counts
-- do not add up, so quarters are counted from the rows, not summed from
-- months.  a: Jan fire, mediation (2); Feb theft, fire, mediation (3);
-- Q1 {fire, mediation, theft} = 3, not 5.  b: Jan 3 (theft, fire,
-- mediation), Feb 2 (theft, fire), Q1 3.  Scored by goalposts 0 .. 4, lower
-- is better: Q1 index of a = 100 x (1 - 3/4) = 25.  (A street adds up its
-- communities' distinct counts: distinct within a region code and period.)
-- Scheme fixd: source kinds (count_distinct of fix.event's kind), months and
-- quarters, one indicator scored by goalposts 0 .. 4.
SELECT * FROM rebuild('fixd', '2025-01-01', '2025-04-01');
SELECT period, period_start, region_code, value, source_rows FROM cell
 WHERE scheme = 'fixd' AND region_code IN ('a', 'b') ORDER BY period, period_start, region_code;
SELECT period, period_start, region_code, index FROM index_result
 WHERE scheme = 'fixd' AND period = 'quarter' AND region_code IN ('a', 'b') ORDER BY region_code;

-- Cells and results follow their scheme (scheme_follow, in place of foreign
-- keys): renamed with it, dropped with it, and nothing of another scheme
-- touched.  fixd's rows were just written above.
BEGIN;
CREATE TEMP TABLE before_rename AS
SELECT (SELECT count(*) FROM cell WHERE scheme = 'fixd') AS cells,
       (SELECT count(*) FROM result WHERE scheme = 'fixd') AS results,
       (SELECT count(*) FROM result_node WHERE scheme = 'fixd') AS nodes,
       (SELECT count(*) FROM cell WHERE scheme <> 'fixd') AS other_cells;
SELECT cells > 0 AND results > 0 AND nodes > 0 AS has_rows FROM before_rename;
UPDATE scheme SET scheme = 'fixd_renamed' WHERE scheme = 'fixd';
SELECT (SELECT count(*) FROM cell WHERE scheme = 'fixd_renamed') = b.cells AS cells_renamed,
       (SELECT count(*) FROM result WHERE scheme = 'fixd_renamed') = b.results AS results_renamed,
       (SELECT count(*) FROM result_node WHERE scheme = 'fixd_renamed') = b.nodes AS nodes_renamed,
       NOT EXISTS (SELECT FROM cell WHERE scheme = 'fixd') AND NOT EXISTS (SELECT FROM result WHERE scheme = 'fixd')
       AND NOT EXISTS (SELECT FROM result_node WHERE scheme = 'fixd') AS none_left
  FROM before_rename b;
DELETE FROM scheme WHERE scheme = 'fixd_renamed';
SELECT NOT EXISTS (SELECT FROM cell WHERE scheme = 'fixd_renamed') AS cells_dropped,
       NOT EXISTS (SELECT FROM result WHERE scheme = 'fixd_renamed') AS results_dropped,
       NOT EXISTS (SELECT FROM result_node WHERE scheme = 'fixd_renamed') AS nodes_dropped,
       (SELECT count(*) FROM cell WHERE scheme <> 'fixd_renamed') = b.other_cells AS others_kept
  FROM before_rename b;
ROLLBACK;
