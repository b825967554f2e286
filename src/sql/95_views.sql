-- safeidx install script, part 95: the result views (security_invoker,
-- standard column types, for SQL users and BI tools) and warnings from rules
-- kept as data.

CREATE VIEW @extschema@.index_result WITH (security_invoker = true) AS
SELECT r.scheme, r.version, r.period, r.period_start,
       @extschema@.period_end(r.period, r.period_start) AS period_end,
       r.region_code, g.name_zh AS region_zh, g.name_en AS region_en, g.kind AS region_kind,
       r.depth, r.parent_code,
       r.index, r.grade_level, b.label_zh AS grade_zh, b.label_en AS grade_en, b.colour,
       r.rank_siblings, r.rank_level,
       p.index AS previous_index,
       p.rank_siblings - r.rank_siblings AS rank_change_siblings,
       p.rank_level - r.rank_level AS rank_change_level,
       r.coverage, r.residents, r.missing_units, r.computed_at
  FROM @extschema@.result r
  JOIN @extschema@.scheme s ON s.scheme = r.scheme
  LEFT JOIN @extschema@.grade_band b ON b.scale = s.grade_scale AND b.level = r.grade_level
  LEFT JOIN @extschema@.region g
         ON g.code = r.region_code AND g.valid_from <= r.period_start AND r.period_start < g.valid_to
  LEFT JOIN @extschema@.result p
         ON p.scheme = r.scheme AND p.period = r.period AND p.region_code = r.region_code
        AND p.period_start = (r.period_start - @extschema@.period_interval(r.period))::date;
COMMENT ON VIEW @extschema@.index_result IS
'the index of every region per scheme and period: grade (level, Chinese and English label, colour), rank among siblings and within the level (1 = best, ties share a rank), change of rank since the previous period (positive = moved up), share of leaf weight scored, residents counted and lowest-level units without a population figure';
COMMENT ON COLUMN @extschema@.index_result.period_end IS 'first day after the period';
COMMENT ON COLUMN @extschema@.index_result.index IS 'the index: the version''s total times the weighted score; NULL when less than min_coverage of the weight could be scored';
COMMENT ON COLUMN @extschema@.index_result.rank_change_siblings IS 'previous rank among siblings minus this one: positive = moved up';
COMMENT ON COLUMN @extschema@.index_result.rank_change_level IS 'previous rank within the level minus this one: positive = moved up';
COMMENT ON COLUMN @extschema@.index_result.coverage IS 'share of the total weight whose leaf indicators could be scored (0 to 1)';
COMMENT ON COLUMN @extschema@.index_result.residents IS 'residents counted: the region''s own figure, else the sum of its children''s';
COMMENT ON COLUMN @extschema@.index_result.missing_units IS 'lowest-level regions below it without any population figure (their events are left out of rates)';

CREATE VIEW @extschema@.indicator_result WITH (security_invoker = true) AS
SELECT n.scheme, r.version, n.period, n.period_start, n.region_code, g.name_zh AS region_zh,
       n.node, i.name_zh AS indicator_zh, i.name_en AS indicator_en, n.parent_node,
       i.direction, i.measure, i.per, i.scoring, i.baseline AS baseline_kind,
       n.events, n.counted_events, n.denominator, n.residents,
       n.value,
       CASE WHEN i.measure = 'ratio' AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_lower(n.events, n.denominator) * i.per END AS value_lower,
       CASE WHEN i.measure = 'ratio' AND n.value IS NOT NULL AND n.events <= n.denominator
            THEN @extschema@.share_upper(n.events, n.denominator) * i.per END AS value_upper,
       n.baseline, n.ratio, n.score, n.weight, n.points, n.weight - n.points AS points_lost
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
COMMENT ON COLUMN @extschema@.indicator_result.score IS 'share of the weight earned, 0 to 1; NULL when the value or baseline is missing';
COMMENT ON COLUMN @extschema@.indicator_result.points_lost IS 'weight - points';

CREATE VIEW @extschema@.node_result WITH (security_invoker = true) AS
SELECT n.scheme, r.version, n.period, n.period_start, n.region_code, n.node, i.name_zh AS indicator_zh,
       i.name_en AS indicator_en, n.parent_node, n.is_leaf, n.weight, n.points,
       n.weight - n.points AS points_lost, 100 * n.score AS sub_index
  FROM @extschema@.result_node n
  JOIN @extschema@.result r
    ON r.scheme = n.scheme AND r.period = n.period AND r.period_start = n.period_start AND r.region_code = n.region_code
  JOIN @extschema@.indicator i ON i.scheme = n.scheme AND i.version = r.version AND i.node = n.node;
COMMENT ON VIEW @extschema@.node_result IS
'every node of the indicator tree per region and period: weight, points, points lost and the sub-index (score on a 0-100 scale)';

CREATE VIEW @extschema@.unknown_region_rows WITH (security_invoker = true) AS
SELECT c.scheme, c.period, c.period_start, c.source, c.region_code, c.source_rows, c.value
  FROM @extschema@.cell c
 WHERE NOT EXISTS (SELECT FROM @extschema@.region g
                    WHERE g.code = c.region_code AND g.valid_from <= c.period_start AND c.period_start < g.valid_to);
COMMENT ON VIEW @extschema@.unknown_region_rows IS
'departmental rows read by a scheme whose region code is NULL or names no region in force: counted here per period and source, left out of every result';

CREATE TABLE @extschema@.warning_rule (
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule        text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    kind        text NOT NULL CHECK (kind IN ('grade', 'worst_band', 'consecutive', 'rank_drop', 'yoy_rise')),
    period      text NOT NULL DEFAULT 'month' CHECK (period IN ('day', 'month', 'quarter', 'year')),
    depth       integer CHECK (depth >= 1),
    node        text,
    grade_level integer CHECK (grade_level >= 1),
    periods     integer CHECK (periods >= 2),
    places      integer CHECK (places >= 1),
    rise        float8 CHECK (rise >= 0 AND rise < 'Infinity'),
    severity    text NOT NULL,
    description text,
    PRIMARY KEY (scheme, rule),
    CHECK (kind NOT IN ('grade', 'consecutive') OR grade_level IS NOT NULL),
    CHECK ((kind = 'consecutive') = (periods IS NOT NULL)),
    CHECK ((kind = 'rank_drop') = (places IS NOT NULL)),
    CHECK ((kind = 'yoy_rise') = (rise IS NOT NULL)),
    CHECK ((kind IN ('worst_band', 'yoy_rise')) = (node IS NOT NULL))
);
COMMENT ON TABLE @extschema@.warning_rule IS
'warning rules: grade (grade_level or worse), worst_band (indicator node scoring 0), consecutive (periods in a row at grade_level or worse), rank_drop (places lost among siblings since the previous period), yoy_rise (indicator value up more than rise, a fraction, on the same period last year); optionally for regions at one depth only';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.warning_rule', '');

CREATE VIEW @extschema@.warning WITH (security_invoker = true) AS
WITH scoped AS (
    SELECT w.*, r.period_start, r.region_code, r.index, r.grade_level AS level, r.rank_siblings
      FROM @extschema@.warning_rule w
      JOIN @extschema@.result r ON r.scheme = w.scheme AND r.period = w.period
     WHERE w.depth IS NULL OR r.depth = w.depth),
fired AS (
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, NULL::text AS node,
           s.index AS value, NULL::float8 AS reference, s.grade_level::float8 AS threshold,
           format('grade level %s, at or below level %s', s.level, s.grade_level) AS detail
      FROM scoped s WHERE s.kind = 'grade' AND s.level >= s.grade_level
    UNION ALL
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, s.node,
           n.value, n.baseline, NULL,
           format('indicator %s scored 0 (value %s, baseline %s, ratio %s)', s.node, round(n.value::numeric, 4),
                  round(n.baseline::numeric, 4), round(n.ratio::numeric, 4))
      FROM scoped s JOIN @extschema@.result_node n
        ON n.scheme = s.scheme AND n.period = s.period AND n.period_start = s.period_start
       AND n.region_code = s.region_code AND n.node = s.node
     WHERE s.kind = 'worst_band' AND n.score = 0
    UNION ALL
    SELECT x.scheme, x.rule, x.kind, x.severity, x.period, x.period_start, x.region_code, NULL,
           x.run, NULL, x.periods,
           format('%s periods in a row at grade level %s or below', x.run, x.grade_level)
      FROM (SELECT i.*, row_number() OVER (PARTITION BY i.rule, i.region_code, i.island ORDER BY i.period_start) AS run
              FROM (SELECT s.*, @extschema@.period_number(s.period, s.period_start)
                                - row_number() OVER (PARTITION BY s.rule, s.region_code ORDER BY s.period_start) AS island
                      FROM scoped s WHERE s.kind = 'consecutive' AND s.level >= s.grade_level) i) x
     WHERE x.run >= x.periods
    UNION ALL
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, NULL,
           s.rank_siblings, p.rank_siblings, s.places,
           format('rank among siblings fell from %s to %s', p.rank_siblings, s.rank_siblings)
      FROM scoped s JOIN @extschema@.result p
        ON p.scheme = s.scheme AND p.period = s.period AND p.region_code = s.region_code
       AND p.period_start = (s.period_start - @extschema@.period_interval(s.period))::date
     WHERE s.kind = 'rank_drop' AND s.rank_siblings - p.rank_siblings >= s.places
    UNION ALL
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, s.node,
           n.value, l.value, s.rise,
           format('indicator %s rose %s%% on the same period last year (%s to %s)', s.node,
                  round(100 * @extschema@.change(n.value, l.value)::numeric, 1),
                  round(l.value::numeric, 4), round(n.value::numeric, 4))
      FROM scoped s
      JOIN @extschema@.result_node n
        ON n.scheme = s.scheme AND n.period = s.period AND n.period_start = s.period_start
       AND n.region_code = s.region_code AND n.node = s.node
      JOIN @extschema@.result_node l
        ON l.scheme = s.scheme AND l.period = s.period AND l.region_code = s.region_code AND l.node = s.node
       AND l.period_start = (s.period_start - interval '1 year')::date
     WHERE s.kind = 'yoy_rise' AND @extschema@.change(n.value, l.value) > s.rise)
SELECT f.scheme, f.rule, f.kind, f.severity, f.period, f.period_start, f.region_code,
       g.name_zh AS region_zh, f.node, f.value, f.reference, f.threshold, f.detail
  FROM fired f
  LEFT JOIN @extschema@.region g
         ON g.code = f.region_code AND g.valid_from <= f.period_start AND f.period_start < g.valid_to;
COMMENT ON VIEW @extschema@.warning IS
'warnings raised by the rules of safeidx.warning_rule over the results: rule, kind, severity, region, period, the node concerned, the values that triggered it (value: index, indicator value, run length or rank; reference: baseline, previous rank or last year''s value; threshold: the rule''s grade level, periods, places or rise) and a sentence explaining it';
