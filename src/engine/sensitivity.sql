-- sensitivity.sql: rank intervals of the composite index: how far each
-- region's index rank and grade could move under the uncertainty of its
-- rates and random perturbations of the scheme's weights and grade cut
-- points (sensitivity.c, by the results kernel itself, writing nothing).

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.index_rank_draws(scheme text, period_start date, at_depth integer,
                                                       period text, draws integer, seed bigint, rates boolean,
                                                       weight_range float8, cut_range float8, lower_q float8,
                                                       upper_q float8)
RETURNS TABLE (region_code text, parent_code text, depth integer, index float8, grade_level integer,
               rank_level integer, rank_level_lower integer, rank_level_median integer, rank_level_upper integer,
               rank_level_mean float8, rank_siblings integer, rank_siblings_lower integer,
               rank_siblings_median integer, rank_siblings_upper integer, grade_change_share float8,
               draws_ranked integer)
AS 'MODULE_PATHNAME', 'index_rank_draws'
LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.index_rank_draws(text, date, integer, text, integer, bigint, boolean, float8, float8, float8, float8) IS
'the draws behind index_sensitivity(), in C: a period computed by the results kernel (nothing written), then draws times with the rates redrawn from their Jeffreys posteriors, the weights and the grade cut points perturbed, the chain re-run; per region the published index, grade and ranks, the quantiles of its ranks over the draws and the share of draws whose grade differs';

-- STABLE and PARALLEL SAFE: the kernel's queries are read-only and see the
-- calling statement's snapshot (it does not lock the scheme's row, as
-- compute_results() does to write), so it also runs in a read-only
-- transaction, on a standby and in a parallel worker.
CREATE OR REPLACE FUNCTION @extschema@.index_sensitivity(scheme text, period_start date, at_depth integer DEFAULT NULL,
                                                        period text DEFAULT 'month', draws integer DEFAULT 1000,
                                                        seed bigint DEFAULT 1, rates boolean DEFAULT true,
                                                        weight_range float8 DEFAULT 0, cut_range float8 DEFAULT 0,
                                                        lower_q float8 DEFAULT 0.05, upper_q float8 DEFAULT 0.95)
RETURNS TABLE (region_code text, region_zh text, parent_code text, depth integer, index float8,
               grade_level integer, rank_level integer, rank_level_lower integer, rank_level_median integer,
               rank_level_upper integer, rank_level_mean float8, rank_siblings integer,
               rank_siblings_lower integer, rank_siblings_median integer, rank_siblings_upper integer,
               grade_change_share float8, draws_ranked integer)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.region_code, reg.name_zh, d.parent_code, d.depth, d.index, d.grade_level, d.rank_level,
           d.rank_level_lower, d.rank_level_median, d.rank_level_upper, d.rank_level_mean, d.rank_siblings,
           d.rank_siblings_lower, d.rank_siblings_median, d.rank_siblings_upper, d.grade_change_share,
           d.draws_ranked
      FROM @extschema@.index_rank_draws(index_sensitivity.scheme, index_sensitivity.period_start,
                                        index_sensitivity.at_depth, index_sensitivity.period, index_sensitivity.draws,
                                        index_sensitivity.seed, index_sensitivity.rates,
                                        index_sensitivity.weight_range, index_sensitivity.cut_range,
                                        index_sensitivity.lower_q, index_sensitivity.upper_q) d
      LEFT JOIN @extschema@.region reg
             ON reg.code = d.region_code AND reg.valid_from <= index_sensitivity.period_start
            AND index_sensitivity.period_start < reg.valid_to
     ORDER BY d.depth, d.rank_level NULLS LAST, d.region_code
$$;
COMMENT ON FUNCTION @extschema@.index_sensitivity(text, date, integer, text, integer, bigint, boolean, float8, float8, float8, float8) IS
'rank intervals of the composite index beside its ranks: for a scheme''s period (computed from the current cells by the results kernel, nothing written), each region''s index, grade and rank within its level and among its siblings, and the lower_q, median and upper_q quantiles of those ranks (and the mean level rank) over draws re-runs of the whole chain with, as asked, every rate and count redrawn from its Jeffreys posterior (rates), every weight multiplied by a uniform factor in [1 - weight_range, 1 + weight_range] and its sibling group rescaled to its parent''s weight, every grade cut point moved by a uniform offset within +/- cut_range index points; grade_change_share is the share of draws whose grade differs from the published one, draws_ranked the draws in which the region had an index; fixed seed: the same cells give the same intervals';
