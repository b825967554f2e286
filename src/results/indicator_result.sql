-- indicator_result.sql: the view of why a region scored what it did, per leaf indicator.

CREATE OR REPLACE VIEW @extschema@.indicator_result WITH (security_invoker = true) AS
SELECT n.scheme, r.version, n.period, n.period_start, n.region_code, g.name_zh AS region_zh,
       n.node, i.name_zh AS indicator_zh, i.name_en AS indicator_en, n.parent_node,
       i.direction, i.measure, i.per, i.scoring, i.baseline AS baseline_kind,
       n.events, n.counted_events, n.denominator, n.residents,
       n.value,
       CASE WHEN i.measure = 'ratio' AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_lower(n.events, n.denominator) * i.per END AS value_lower,
       CASE WHEN i.measure = 'ratio' AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_upper(n.events, n.denominator) * i.per END AS value_upper,
       n.baseline, n.ratio, n.score, n.weight, n.points, n.weight - n.points AS points_lost, n.status,
       -- uncertainty, significance and smoothing (appended: a view keeps its columns)
       CASE WHEN i.measure = 'rate' AND n.value IS NOT NULL AND n.counted_events = trunc(n.counted_events)
            THEN @extschema@.poisson_rate_lower(n.counted_events, n.residents, 0.95, i.per)
            WHEN i.measure = 'count' AND n.value IS NOT NULL AND n.events = trunc(n.events)
            THEN @extschema@.poisson_count_lower(n.events) END AS poisson_lower,
       CASE WHEN i.measure = 'rate' AND n.value IS NOT NULL AND n.counted_events = trunc(n.counted_events)
            THEN @extschema@.poisson_rate_upper(n.counted_events, n.residents, 0.95, i.per)
            WHEN i.measure = 'count' AND n.value IS NOT NULL AND n.events = trunc(n.events)
            THEN @extschema@.poisson_count_upper(n.events) END AS poisson_upper,
       n.expected,
       CASE WHEN n.expected > 0 AND i.measure = 'rate' AND n.counted_events = trunc(n.counted_events)
            THEN @extschema@.oe_ratio_lower(n.counted_events, n.expected)
            WHEN n.expected > 0 AND i.measure = 'count' AND n.events = trunc(n.events)
            THEN @extschema@.oe_ratio_lower(n.events, n.expected)
            WHEN i.measure = 'ratio' AND n.baseline > 0 AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_lower(n.events, n.denominator) * i.per / n.baseline END AS ratio_lower,
       CASE WHEN n.expected > 0 AND i.measure = 'rate' AND n.counted_events = trunc(n.counted_events)
            THEN @extschema@.oe_ratio_upper(n.counted_events, n.expected)
            WHEN n.expected > 0 AND i.measure = 'count' AND n.events = trunc(n.events)
            THEN @extschema@.oe_ratio_upper(n.events, n.expected)
            WHEN i.measure = 'ratio' AND n.baseline > 0 AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_upper(n.events, n.denominator) * i.per / n.baseline END AS ratio_upper,
       n.p_value, i.significance_level, i.min_expected, n.significance,
       i.smoothing, n.smoothed,
       CASE WHEN n.baseline > 0 THEN n.smoothed / n.baseline END AS smoothed_ratio
  FROM @extschema@.result_node n
  JOIN @extschema@.result r
    ON r.scheme = n.scheme AND r.period = n.period AND r.period_start = n.period_start AND r.region_code = n.region_code
  JOIN @extschema@.indicator i ON i.scheme = n.scheme AND i.version = r.version AND i.node = n.node
  LEFT JOIN @extschema@.region g
         ON g.code = n.region_code AND g.valid_from <= n.period_start AND n.period_start < g.valid_to
 WHERE n.is_leaf;
COMMENT ON VIEW @extschema@.indicator_result IS
'why a region scored what it did: per leaf indicator the events, residents, value (rate per "per", count or ratio), baseline, value/baseline ratio, score (0 to 1), weight, points and points lost';
COMMENT ON COLUMN @extschema@.indicator_result.events IS 'source measure in the region and below';
COMMENT ON COLUMN @extschema@.indicator_result.counted_events IS 'events of the residents counted (rates leave out units without a population figure)';
COMMENT ON COLUMN @extschema@.indicator_result.value_lower IS 'for a share (ratio of a subset, e.g. households satisfied of those surveyed): the lower bound of its 95% Wilson interval, times per';
COMMENT ON COLUMN @extschema@.indicator_result.value_upper IS 'for a share: the upper bound of its 95% Wilson interval, times per';
COMMENT ON COLUMN @extschema@.indicator_result.ratio IS 'value / baseline (1 when both are 0, Infinity when only the baseline is)';
COMMENT ON COLUMN @extschema@.indicator_result.score IS 'share of the weight earned, 0 to 1 (beyond for goalposts that are not capped); NULL when not scored (status says why)';
COMMENT ON COLUMN @extschema@.indicator_result.points_lost IS 'weight - points';
COMMENT ON COLUMN @extschema@.indicator_result.status IS 'scored, or why not: insufficient_data (a source has not delivered the whole period), no_residents, no_denominator, below_min_denominator, no_value (no row of the region''s own for the period, or rows whose measured values are all NULL), no_baseline (the baseline''s periods are missing or incomplete), not_scorable (the rule gives no score, e.g. min-max without spread)';
COMMENT ON COLUMN @extschema@.indicator_result.poisson_lower IS 'for a rate or a count: the lower bound of the 95% exact Poisson (Garwood) interval of its value (of counted_events over residents times per, or of events); NULL for a weighted (non-whole) count';
COMMENT ON COLUMN @extschema@.indicator_result.poisson_upper IS 'for a rate or a count: the upper bound of the 95% exact Poisson (Garwood) interval of its value';
COMMENT ON COLUMN @extschema@.indicator_result.expected IS 'for a rate or a count with a baseline: the events expected at the baseline (baseline x residents / per, or the count baseline)';
COMMENT ON COLUMN @extschema@.indicator_result.ratio_lower IS 'the lower bound of the 95% interval of ratio (the baseline taken as known): exact Poisson of observed / expected for a rate or count, Wilson for a share';
COMMENT ON COLUMN @extschema@.indicator_result.ratio_upper IS 'the upper bound of the 95% interval of ratio';
COMMENT ON COLUMN @extschema@.indicator_result.p_value IS 'for a rate or a count with a baseline: the Poisson probability of a count at least as bad as the one observed under the expected count (upper tail where more is worse, lower tail where more is better)';
COMMENT ON COLUMN @extschema@.indicator_result.significance IS 'with a significance_level: excess (p_value below it: scored as it is), no_excess (a value worse than the baseline is scored as the baseline), insufficient_data (fewer events expected than min_expected: not scored, grey); NULL without one';
COMMENT ON COLUMN @extschema@.indicator_result.smoothed IS 'with smoothing (global or local): the Empirical Bayes smoothed rate, scored instead of value';
COMMENT ON COLUMN @extschema@.indicator_result.smoothed_ratio IS 'smoothed / baseline';
