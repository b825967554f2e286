-- Rank intervals beside the ranks (issue 12, part 2b): rank_uncertainty()
-- over the stored results of the alarm fixture (test/fixtures/alarm.sql) is
-- the kernel's rank_interval() (checked against numpy in sql/statistics.sql)
-- called on the same events and residents, written out by hand below.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/alarm.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
SELECT period, periods FROM rebuild('al', '2024-01-01', '2025-07-01');

-- March 2025: a 12 incidents / 10,000 residents, b 0 / 500, c 2 / 5,000;
-- d 14 / 15,500 (9.03 per 10,000).  Ranks: 1 = lowest rate (a negative
-- indicator): b 0, c 4, a 12 per 10,000.
SELECT * FROM rank_uncertainty('al', '2025-03-01', 'incident');
-- the same as the kernel on the communities' arrays in code order (a, b, c)
SELECT (SELECT array_agg(ARRAY[rank, rank_lower, rank_upper] ORDER BY region_code)
          FROM rank_uncertainty('al', '2025-03-01', 'incident', 2))
     = (SELECT array_agg(ARRAY[k.rank, k.rank_lower, k.rank_upper] ORDER BY k.unit)
          FROM rank_interval('{12,0,2}', '{10000,500,5000}', 0.05, 0.95, 1000, 1, 'gamma', false) k) AS same_as_kernel;
-- among siblings, another seed, more draws, 80 % intervals: the kernel again
SELECT (SELECT array_agg(ARRAY[rank, rank_lower, rank_upper] ORDER BY region_code)
          FROM rank_uncertainty('al', '2025-03-01', 'incident', 2, within => 'siblings', draws => 4000, seed => 7,
                                lower_q => 0.1, upper_q => 0.9))
     = (SELECT array_agg(ARRAY[k.rank, k.rank_lower, k.rank_upper] ORDER BY k.unit)
          FROM rank_interval('{12,0,2}', '{10000,500,5000}', 0.1, 0.9, 4000, 7, 'gamma', false) k) AS same_as_kernel;
-- a region without residents has no rate and no rank; the others are ranked
-- without it
UPDATE population SET persons = 0 WHERE region_code = 'b';
SELECT period, periods FROM rebuild('al', '2025-03-01', '2025-04-01');
SELECT region_code, rate, rank, rank_lower, rank_upper, units
  FROM rank_uncertainty('al', '2025-03-01', 'incident', 2);
-- errors
\set VERBOSITY terse
SELECT * FROM rank_uncertainty('al', '2025-03-01', 'incident', within => 'street');
SELECT * FROM rank_uncertainty('al', '2025-03-01', 'incident', draws => 0);
-- no results for the period: no rows
SELECT count(*) FROM rank_uncertainty('al', '2030-03-01', 'incident');
