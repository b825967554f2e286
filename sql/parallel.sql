-- Parallel plans: every aggregate runs as Partial + Finalize Aggregate and
-- gives the same result as the serial plan.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\o
\set ECHO all
SET search_path = safeidx, public;

-- 200,000 communities in 50 streets.  Counts and residents are integers and
-- scores multiples of 1/4, so every sum is exact whatever the order of
-- addition and parallel and serial results must be identical to the bit.
CREATE TABLE par_units AS
SELECT i AS unit, i % 50 AS street, (i * 7919) % 37 AS events, 100 + (i::bigint * 104729) % 20000 AS residents,
       ((i * 31) % 400) / 4.0 AS score, 1 + i % 5 AS weight
  FROM generate_series(1, 200000) i;
ANALYZE par_units;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT street, rate_agg(events, residents), index_agg(score, weight), group_stats(score)
  FROM par_units GROUP BY street;
EXPLAIN (COSTS OFF)
SELECT rate_agg(events, residents) FROM par_units;

CREATE TEMP TABLE par_result AS
SELECT street, rate_agg(events, residents)::text AS r, index_agg(score, weight) AS i,
       group_stats(score) AS g
  FROM par_units GROUP BY street;
CREATE TEMP TABLE par_total AS SELECT rate_agg(events, residents)::text AS r FROM par_units;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT rate_agg(events, residents) FROM par_units;
CREATE TEMP TABLE ser_result AS
SELECT street, rate_agg(events, residents)::text AS r, index_agg(score, weight) AS i,
       group_stats(score) AS g
  FROM par_units GROUP BY street;
CREATE TEMP TABLE ser_total AS SELECT rate_agg(events, residents)::text AS r FROM par_units;

-- rate_agg: identical text.  index_agg: weighted sums, weights and counts
-- identical; the sum of weight * ln(score) behind the geometric mean is not
-- exact in any order, so equal to 1e-12 relative.  group_stats: count, min
-- and max identical; mean and deviations are divisions, merged in another
-- order, so equal to 1e-12 relative.
SELECT count(*) AS streets,
       bool_and(p.r = s.r) AS rate_identical,
       bool_and(weighted_sum(p.i) = weighted_sum(s.i) AND coverage(p.i) = coverage(s.i)
                AND scored(p.i) = scored(s.i) AND weighted_mean(p.i) = weighted_mean(s.i)) AS index_identical,
       bool_and(abs(geometric_mean(p.i) - geometric_mean(s.i)) <= 1e-12 * geometric_mean(s.i)) AS geometric_equal,
       bool_and(group_count(p.g) = group_count(s.g) AND group_min(p.g) = group_min(s.g)
                AND group_max(p.g) = group_max(s.g)) AS stats_extremes_identical,
       bool_and(abs(group_mean(p.g) - group_mean(s.g)) <= 1e-12 * abs(group_mean(s.g))
                AND abs(group_stddev(p.g) - group_stddev(s.g)) <= 1e-12 * group_stddev(s.g)) AS stats_moments_equal
  FROM par_result p JOIN ser_result s USING (street);
SELECT p.r = s.r AS total_identical FROM par_total p, ser_total s;

-- And both equal plain SQL sums (exact here): the summary is sums, not
-- averages.
SELECT (SELECT r FROM ser_total)
     = format('(v1,events=%s,exposure=%s,units=%s,missing=0)', sum(events), sum(residents), count(*)) AS equals_plain_sums
  FROM par_units;

-- Partitionwise aggregation over a table partitioned by unit, grouped by
-- street, aggregates each partition partially and combines the summaries,
-- with the same result.
CREATE TABLE par_parts (unit int, street int, events int, residents int) PARTITION BY HASH (unit);
CREATE TABLE par_parts_0 PARTITION OF par_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE par_parts_1 PARTITION OF par_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO par_parts SELECT unit, street, events, residents FROM par_units;
ANALYZE par_parts;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT street, rate_agg(events, residents) FROM par_parts GROUP BY street;
SELECT count(*) AS streets, bool_and(p.r = s.r) AS partitionwise_identical
  FROM (SELECT street, rate_agg(events, residents)::text AS r FROM par_parts GROUP BY street) p
  JOIN ser_result s USING (street);
RESET ALL;
