-- rank_uncertainty.sql: rank intervals beside the ranks:
-- how far each region's rank on a rate indicator could move under the
-- Poisson uncertainty of the rates, by the kernel's rank_interval() (fixed
-- seed, src/kernel/rankci.c) over the stored results.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.rank_uncertainty(scheme text, period_start date, node text,
                                                       at_depth integer DEFAULT NULL, period text DEFAULT 'month',
                                                       within text DEFAULT 'level', draws integer DEFAULT 1000,
                                                       seed bigint DEFAULT 1, lower_q float8 DEFAULT 0.05,
                                                       upper_q float8 DEFAULT 0.95)
RETURNS TABLE (region_code text, region_zh text, depth integer, parent_code text, index_rank integer,
               events float8, residents float8, rate float8, rank integer, rank_lower integer, rank_upper integer,
               units integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    bad text;
BEGIN
    IF within IS NULL OR within NOT IN ('level', 'siblings') THEN
        RAISE EXCEPTION 'unknown ranking "%"', within
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Rank within the level (level) or among siblings (siblings).';
    END IF;
    bad := @extschema@.not_a_leaf_rate(rank_uncertainty.scheme, rank_uncertainty.period, rank_uncertainty.period_start, rank_uncertainty.node);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'rank intervals need a leaf rate indicator, not %', bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The interval comes from the Poisson uncertainty of events per resident.';
    END IF;
    RETURN QUERY
    WITH u AS (
        SELECT r.region_code, r.depth, r.parent_code,
               CASE within WHEN 'level' THEN r.rank_level ELSE r.rank_siblings END AS index_rank,
               n.counted_events, n.residents, n.value, i.per, i.direction,
               -- no rate: not delivered, or no residents
               n.counted_events IS NOT NULL AND n.status IS DISTINCT FROM 'insufficient_data' AND n.residents > 0 AS rated
          FROM @extschema@.result r
          JOIN @extschema@.result_node n
            ON n.scheme = r.scheme AND n.period = r.period AND n.period_start = r.period_start
           AND n.region_code = r.region_code AND n.node = rank_uncertainty.node
          JOIN @extschema@.indicator i ON i.scheme = r.scheme AND i.version = r.version AND i.node = n.node
         WHERE r.scheme = rank_uncertainty.scheme AND r.period = rank_uncertainty.period
           AND r.period_start = rank_uncertainty.period_start
           AND (at_depth IS NULL OR r.depth = at_depth)),
    g AS (
        SELECT u.depth, CASE within WHEN 'siblings' THEN u.parent_code END AS grp,
               array_agg(u.region_code ORDER BY u.region_code) AS codes,
               array_agg(CASE WHEN u.rated THEN u.counted_events END ORDER BY u.region_code) AS e,
               array_agg(CASE WHEN u.rated THEN u.residents END ORDER BY u.region_code) AS x,
               bool_or(u.direction = 'positive') AS higher_is_better,
               count(*) FILTER (WHERE u.rated)::integer AS units
          FROM u GROUP BY 1, 2)
    SELECT u.region_code, reg.name_zh, u.depth, u.parent_code, u.index_rank, u.counted_events, u.residents,
           CASE WHEN u.rated THEN u.value END, k.rank, k.rank_lower, k.rank_upper, g.units
      FROM g
     CROSS JOIN LATERAL @extschema@.rank_interval(g.e, g.x, lower_q, upper_q, draws, seed, 'gamma', g.higher_is_better) k
      JOIN u ON u.region_code = g.codes[k.unit]
      LEFT JOIN @extschema@.region reg
             ON reg.code = u.region_code AND reg.valid_from <= rank_uncertainty.period_start
            AND rank_uncertainty.period_start < reg.valid_to
     ORDER BY u.depth, u.parent_code, k.rank, u.region_code;
END $$;
COMMENT ON FUNCTION @extschema@.rank_uncertainty(text, date, text, integer, text, text, integer, bigint, float8, float8) IS
'rank intervals beside the ranks: for a scheme''s period and a leaf rate indicator, each region''s rate per "per" residents (counted events over residents), its rank within its level (within => ''level'') or among its siblings (''siblings''; 1 = best: lowest rate, highest for a positive indicator; ties share), and the lower_q and upper_q quantiles of that rank over draws redraws of every rate from its Jeffreys posterior (rank_interval, fixed seed); index_rank is the region''s index rank for comparison; units the regions ranked (those with a rate)';
