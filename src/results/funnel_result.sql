-- funnel_result.sql: funnel-plot positions of the stored results (issue 12):
-- each region's rate on a leaf rate indicator against its level's pooled
-- rate, inside, above or below the exact 95 % and 99.8 % funnel limits and
-- the overdispersion-adjusted ones (tau^2 of the level), and its observed /
-- expected ratio against its own baseline, by the kernel's funnel functions
-- (src/kernel/funnel.c) over result / result_node.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.funnel_result(scheme text, period_start date, node text,
                                                    at_depth integer DEFAULT NULL, period text DEFAULT 'month',
                                                    winsor float8 DEFAULT 0.1)
RETURNS TABLE (region_code text, region_zh text, depth integer, parent_code text,
               events float8, residents float8, rate float8, level_rate float8, units integer,
               lower_95 float8, upper_95 float8, lower_998 float8, upper_998 float8,
               position_95 text, position_998 text, tau2 float8,
               re_lower_95 float8, re_upper_95 float8, re_lower_998 float8, re_upper_998 float8,
               re_position_95 text, re_position_998 text,
               expected float8, oe_ratio float8, oe_position_95 text, oe_position_998 text)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    bad text;
BEGIN
    bad := @extschema@.not_a_leaf_rate(funnel_result.scheme, funnel_result.period, funnel_result.period_start, funnel_result.node);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'funnel positions need a leaf rate indicator, not %', bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The funnel limits come from the Poisson uncertainty of events per resident.';
    END IF;
    IF winsor IS NULL OR NOT (winsor >= 0 AND winsor < 0.5) THEN
        RAISE EXCEPTION 'winsorising share % is not in [0, 0.5)', winsor
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The share of z-scores pulled in at each tail: 0.1 by default.';
    END IF;
    RETURN QUERY
    WITH u AS (
        SELECT r.region_code, r.depth, r.parent_code, n.counted_events, n.residents, n.value, n.expected, i.per,
               -- no rate: not delivered, insufficient data, or no residents
               n.counted_events IS NOT NULL AND n.status IS DISTINCT FROM 'insufficient_data' AND n.residents > 0 AS rated
          FROM @extschema@.result r
          JOIN @extschema@.result_node n
            ON n.scheme = r.scheme AND n.period = r.period AND n.period_start = r.period_start
           AND n.region_code = r.region_code AND n.node = funnel_result.node
          JOIN @extschema@.indicator i ON i.scheme = r.scheme AND i.version = r.version AND i.node = n.node
         WHERE r.scheme = funnel_result.scheme AND r.period = funnel_result.period
           AND r.period_start = funnel_result.period_start
           AND (at_depth IS NULL OR r.depth = at_depth)),
    -- the level's pooled rate over its rated units (the events and residents
    -- are whole numbers: their float sums are exact, whatever the order)
    l AS (
        SELECT u.depth, count(*) FILTER (WHERE u.rated)::integer AS units,
               sum(u.counted_events) FILTER (WHERE u.rated)
                   / nullif(sum(u.residents) FILTER (WHERE u.rated), 0) * min(u.per) AS level_rate
          FROM u GROUP BY u.depth),
    t AS (
        SELECT u.depth,
               @extschema@.funnel_tau2(@extschema@.funnel_agg(u.counted_events, l.level_rate * u.residents / u.per),
                                       winsor) AS tau2
          FROM u JOIN l ON l.depth = u.depth
         WHERE u.rated
         GROUP BY u.depth)
    SELECT u.region_code, reg.name_zh, u.depth, u.parent_code,
           CASE WHEN u.rated THEN u.counted_events END, CASE WHEN u.rated THEN u.residents END,
           CASE WHEN u.rated THEN u.value END, l.level_rate, l.units,
           f.lower_95, f.upper_95, f.lower_998, f.upper_998, f.position_95, f.position_998, t.tau2,
           f.re_lower_95, f.re_upper_95, f.re_lower_998, f.re_upper_998, f.re_position_95, f.re_position_998,
           f.expected, f.oe_ratio, f.oe_position_95, f.oe_position_998
      FROM u
      JOIN l ON l.depth = u.depth
      LEFT JOIN t ON t.depth = u.depth
     CROSS JOIN LATERAL (
        SELECT @extschema@.funnel_lower(l.level_rate, u.residents, 0.95, u.per) AS lower_95,
               @extschema@.funnel_upper(l.level_rate, u.residents, 0.95, u.per) AS upper_95,
               @extschema@.funnel_lower(l.level_rate, u.residents, 0.998, u.per) AS lower_998,
               @extschema@.funnel_upper(l.level_rate, u.residents, 0.998, u.per) AS upper_998,
               @extschema@.funnel_position(u.counted_events, l.level_rate, u.residents, 0.95, u.per) AS position_95,
               @extschema@.funnel_position(u.counted_events, l.level_rate, u.residents, 0.998, u.per) AS position_998,
               @extschema@.funnel_re_lower(l.level_rate, u.residents, t.tau2, 0.95, u.per) AS re_lower_95,
               @extschema@.funnel_re_upper(l.level_rate, u.residents, t.tau2, 0.95, u.per) AS re_upper_95,
               @extschema@.funnel_re_lower(l.level_rate, u.residents, t.tau2, 0.998, u.per) AS re_lower_998,
               @extschema@.funnel_re_upper(l.level_rate, u.residents, t.tau2, 0.998, u.per) AS re_upper_998,
               @extschema@.funnel_re_position(u.counted_events, l.level_rate, u.residents, t.tau2, 0.95, u.per)
                   AS re_position_95,
               @extschema@.funnel_re_position(u.counted_events, l.level_rate, u.residents, t.tau2, 0.998, u.per)
                   AS re_position_998,
               u.expected,
               u.counted_events / nullif(u.expected, 0) AS oe_ratio,
               @extschema@.funnel_position(u.counted_events, 1, u.expected, 0.95, 1) AS oe_position_95,
               @extschema@.funnel_position(u.counted_events, 1, u.expected, 0.998, 1) AS oe_position_998
         WHERE u.rated
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
         WHERE NOT u.rated) f
      LEFT JOIN @extschema@.region reg
             ON reg.code = u.region_code AND reg.valid_from <= funnel_result.period_start
            AND funnel_result.period_start < reg.valid_to
     ORDER BY u.depth, u.region_code;
END $$;
COMMENT ON FUNCTION @extschema@.funnel_result(text, date, text, integer, text, float8) IS
'funnel-plot positions of the stored results: for a scheme''s period and a leaf rate indicator, each region''s counted events, residents and rate per "per" residents against its level''s pooled rate (level_rate: events over residents of the level''s regions with a rate, units of them), the exact funnel limits of the rate at 95 % and 99.8 % and its position (inside, above, below), the level''s overdispersion tau2 (winsorised z-scores, winsor in each tail) with the adjusted limits and positions, and its observed / expected ratio against its own baseline (expected as stored) with its positions; a region without a rate (not delivered, insufficient data, no residents) has NULLs and does not enter level_rate or tau2';
