-- pgbench (test/reliability/pgbench.sh): the dashboard's street ranking of a
-- month of 2025-2026.
\set m random(0, 21)
SELECT region_code, region_zh, index, grade_zh, colour, rank_level
  FROM safeidx.index_result
 WHERE scheme = 'wuchang' AND period = 'month' AND depth = 2
   AND period_start = (date '2025-01-01' + :m * interval '1 month')::date
 ORDER BY rank_level, region_code;
