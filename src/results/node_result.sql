-- node_result.sql: the view of every node of the indicator tree (sub-indices).

CREATE OR REPLACE VIEW @extschema@.node_result WITH (security_invoker = true) AS
SELECT n.scheme, r.version, n.period, n.period_start, n.region_code, n.node, i.name_zh AS indicator_zh,
       i.name_en AS indicator_en, n.parent_node, n.is_leaf, n.weight, n.points,
       n.weight - n.points AS points_lost, 100 * n.score AS sub_index
  FROM @extschema@.result_node n
  JOIN @extschema@.result r
    ON r.scheme = n.scheme AND r.period = n.period AND r.period_start = n.period_start AND r.region_code = n.region_code
  JOIN @extschema@.indicator i ON i.scheme = n.scheme AND i.version = r.version AND i.node = n.node;
COMMENT ON VIEW @extschema@.node_result IS
'every node of the indicator tree per region and period: weight, points, points lost and the sub-index (score on a 0-100 scale)';
