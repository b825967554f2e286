-- warning.sql: warnings from rules kept as data.

-- [state]
CREATE TABLE @extschema@.warning_rule (
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule        text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    kind        text NOT NULL CHECK (kind IN ('grade', 'worst_band', 'consecutive', 'rank_drop', 'yoy_rise')),
    period      @extschema@.period_kind NOT NULL DEFAULT 'month',
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

-- [code]

CREATE OR REPLACE VIEW @extschema@.warning WITH (security_invoker = true) AS
-- NOT MATERIALIZED: a query's filters (scheme, period, region) reach every
-- branch's scan of the results
WITH scoped AS NOT MATERIALIZED (
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
    -- the run ending at s: the region's qualifying periods up to s, latest
    -- first, while each is the period before the next (number + position - 1
    -- stays the number of s); read from the region's history by index, so a
    -- query for one period reads only that period's candidates
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, NULL,
           x.run, NULL, s.periods,
           format('%s periods in a row at grade level %s or below', x.run, s.grade_level)
      FROM scoped s
      CROSS JOIN LATERAL (
            SELECT count(*) AS run
              FROM (SELECT @extschema@.period_number(p.period, p.period_start)
                           + row_number() OVER (ORDER BY p.period_start DESC) - 1 AS chained
                      FROM @extschema@.result p
                     WHERE p.scheme = s.scheme AND p.region_code = s.region_code AND p.period = s.period
                       AND p.period_start <= s.period_start AND p.grade_level >= s.grade_level
                       AND (s.depth IS NULL OR p.depth = s.depth)) q
             WHERE q.chained = @extschema@.period_number(s.period, s.period_start)) x
     WHERE s.kind = 'consecutive' AND s.level >= s.grade_level AND x.run >= s.periods
    UNION ALL
    SELECT s.scheme, s.rule, s.kind, s.severity, s.period, s.period_start, s.region_code, NULL,
           s.rank_siblings, p.rank_siblings, s.places,
           format('rank among siblings fell from %s to %s', p.rank_siblings, s.rank_siblings)
      FROM scoped s
      -- the previous period looked up for each candidate, by index (OFFSET 0:
      -- kept a subquery, so the planner cannot turn it into a scan of every
      -- period joined to the candidates)
      CROSS JOIN LATERAL (
            SELECT p.rank_siblings FROM @extschema@.result p
             WHERE p.scheme = s.scheme AND p.period = s.period AND p.region_code = s.region_code
               AND p.period_start = @extschema@.period_before(s.period, s.period_start) OFFSET 0) p
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
      CROSS JOIN LATERAL (
            SELECT l.value FROM @extschema@.result_node l
             WHERE l.scheme = s.scheme AND l.period = s.period AND l.region_code = s.region_code AND l.node = s.node
               AND l.period_start = (s.period_start - interval '1 year')::date OFFSET 0) l
     WHERE s.kind = 'yoy_rise' AND @extschema@.change(n.value, l.value) > s.rise)
SELECT f.scheme, f.rule, f.kind, f.severity, f.period, f.period_start, f.region_code,
       g.name_zh AS region_zh, f.node, f.value, f.reference, f.threshold, f.detail
  FROM fired f
  LEFT JOIN @extschema@.region g
         ON g.code = f.region_code AND g.valid_from <= f.period_start AND f.period_start < g.valid_to;
COMMENT ON VIEW @extschema@.warning IS
'warnings raised by the rules of safeidx.warning_rule over the results: rule, kind, severity, region, period, the node concerned, the values that triggered it (value: index, indicator value, run length or rank; reference: baseline, previous rank or last year''s value; threshold: the rule''s grade level, periods, places or rise) and a sentence explaining it';
