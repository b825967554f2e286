-- pgbench (test/reliability/pgbench.sh): the warnings of a month.
\set m random(0, 21)
SELECT rule, kind, severity, region_code, node, value, threshold
  FROM safeidx.warning
 WHERE scheme = 'wuchang' AND period = 'month'
   AND period_start = (date '2025-01-01' + :m * interval '1 month')::date
 ORDER BY rule, region_code, node;
