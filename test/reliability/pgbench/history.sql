-- pgbench (test/reliability/pgbench.sh): one street's history, indicator by
-- indicator, month by month.
\set s random(1, 10)
SELECT period_start, node, events, value, baseline, score, points
  FROM safeidx.indicator_result
 WHERE scheme = 'wuchang' AND period = 'month'
   AND region_code = (SELECT code FROM demo.region WHERE level = 'street' ORDER BY code OFFSET :s - 1 LIMIT 1)
 ORDER BY period_start, node;
