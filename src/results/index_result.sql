-- index_result.sql: the view of every region's index, grade and ranks.

CREATE OR REPLACE VIEW @extschema@.index_result WITH (security_invoker = true) AS
SELECT r.scheme, r.version, r.period, r.period_start,
       @extschema@.period_end(r.period, r.period_start) AS period_end,
       r.region_code, g.name_zh AS region_zh, g.name_en AS region_en, g.kind AS region_kind,
       r.depth, r.parent_code,
       r.index, r.grade_level, b.label_zh AS grade_zh, b.label_en AS grade_en, b.colour,
       r.rank_siblings, r.rank_level,
       p.index AS previous_index,
       p.rank_siblings - r.rank_siblings AS rank_change_siblings,
       p.rank_level - r.rank_level AS rank_change_level,
       r.coverage, r.residents, r.missing_units, r.computed_at,
       CASE WHEN @extschema@.period_end(r.period, r.period_start) > (pg_catalog.now() AT TIME ZONE s.time_zone)::date
            THEN 'provisional' ELSE r.status END AS status,
       r.index_unrounded
  FROM @extschema@.result r
  JOIN @extschema@.scheme s ON s.scheme = r.scheme
  LEFT JOIN @extschema@.grade_band b ON b.scale = s.grade_scale AND b.level = r.grade_level
  LEFT JOIN @extschema@.region g
         ON g.code = r.region_code AND g.valid_from <= r.period_start AND r.period_start < g.valid_to
  LEFT JOIN @extschema@.result p
         ON p.scheme = r.scheme AND p.period = r.period AND p.region_code = r.region_code
        AND p.period_start = @extschema@.period_before(r.period, r.period_start);
COMMENT ON VIEW @extschema@.index_result IS
'the index of every region per scheme and period: grade (level, Chinese and English label, colour), rank among siblings and within the level (1 = best, ties share a rank), change of rank since the previous period (positive = moved up), share of leaf weight scored, residents counted and lowest-level units without a population figure';
COMMENT ON COLUMN @extschema@.index_result.period_end IS 'first day after the period';
COMMENT ON COLUMN @extschema@.index_result.index IS 'the index as published: the version''s total times the weighted score, rounded to the version''s index_decimals (grades and ranks use it); NULL when less than min_coverage of the weight could be scored';
COMMENT ON COLUMN @extschema@.index_result.index_unrounded IS 'the index before its published rounding';
COMMENT ON COLUMN @extschema@.index_result.status IS 'complete; provisional: the period has not ended (in the scheme''s time zone), or the results were computed before it ended and not since (the next refresh recomputes them); incomplete: a source has not delivered the whole period, so indicators reading it are unscored (insufficient data)';
COMMENT ON COLUMN @extschema@.index_result.rank_change_siblings IS 'previous rank among siblings minus this one: positive = moved up';
COMMENT ON COLUMN @extschema@.index_result.rank_change_level IS 'previous rank within the level minus this one: positive = moved up';
COMMENT ON COLUMN @extschema@.index_result.coverage IS 'share of the total weight whose leaf indicators could be scored (0 to 1)';
COMMENT ON COLUMN @extschema@.index_result.residents IS 'residents counted: the region''s own figure, else the sum of its children''s';
COMMENT ON COLUMN @extschema@.index_result.missing_units IS 'lowest-level regions below it without any population figure (their events are left out of rates)';
