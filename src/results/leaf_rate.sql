-- leaf_rate.sql: whether a node of a scheme's results is a leaf rate
-- indicator, which rank intervals (rank_uncertainty.sql) and funnel positions
-- (funnel_result.sql) need: both read the Poisson uncertainty of events per
-- resident, which only a leaf rate has.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.not_a_leaf_rate(scheme text, period text, period_start date, node text)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT format('%s (version %s: %s)', i.node, i.version,
                  CASE WHEN i.measure <> 'rate' THEN 'a ' || i.measure || ' indicator' ELSE 'not a leaf' END)
      FROM @extschema@.result r
      JOIN @extschema@.indicator i ON i.scheme = r.scheme AND i.version = r.version AND i.node = not_a_leaf_rate.node
     WHERE r.scheme = not_a_leaf_rate.scheme AND r.period = not_a_leaf_rate.period
       AND r.period_start = not_a_leaf_rate.period_start
       AND (i.measure <> 'rate' OR EXISTS (SELECT FROM @extschema@.indicator c
                                            WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node))
     LIMIT 1;
$$;
COMMENT ON FUNCTION @extschema@.not_a_leaf_rate(text, text, date, text) IS
'NULL when the node is a leaf rate indicator in every version of the scheme''s results of that period (or has none there); else the node, its version and what it is instead (used by rank_uncertainty and funnel_result)';
