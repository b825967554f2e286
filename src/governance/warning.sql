-- warning.sql: warnings from rules kept as data.

-- [state]
CREATE TABLE @extschema@.warning_rule (
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule        text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    kind        text NOT NULL CHECK (kind IN ('grade', 'worst_band', 'consecutive', 'rank_drop', 'yoy_rise',
                                              'cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal')),
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
    CHECK ((kind IN ('worst_band', 'yoy_rise', 'cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal')) = (node IS NOT NULL)),
    -- early-warning alarms over a leaf's count series
    params       jsonb CHECK (jsonb_typeof(params) = 'object'),
    min_expected float8 CHECK (min_expected >= 0 AND min_expected < 'Infinity'),
    CONSTRAINT warning_rule_alarm_parameters
        CHECK (kind IN ('cusum', 'ears_c1', 'ears_c2', 'ears_c3', 'seasonal') OR (params IS NULL AND min_expected IS NULL))
);
COMMENT ON TABLE @extschema@.warning_rule IS
'warning rules: grade (grade_level or worse), worst_band (indicator node scoring 0), consecutive (periods in a row at grade_level or worse), rank_drop (places lost among siblings since the previous period), yoy_rise (indicator value up more than rise, a fraction, on the same period last year), and the early-warning alarms over a leaf node''s count series (cusum, ears_c1, ears_c2, ears_c3, seasonal: params and min_expected, materialized in safeidx.alarm); optionally for regions at one depth only';
COMMENT ON COLUMN @extschema@.warning_rule.params IS
'the parameters of an alarm rule: cusum {"ratio": 2, "h": 5, "fir": false, "baseline_periods": 12}; ears_c1 and ears_c2 {"limit": 3, "min_sd": 0.5}; ears_c3 {"limit": 2, "min_sd": 0.5}; seasonal {"season": 12, "years": 3, "window": 1, "level": 0.99, "min_baseline": 3} (season by default 12 for months, 4 for quarters, 364 for days); NULL or a missing key: the default';
COMMENT ON COLUMN @extschema@.warning_rule.min_expected IS
'an alarm rule''s minimum expected count: a period expecting fewer events raises no alarm (insufficient data); NULL: no minimum';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.warning_rule', '');

-- The alarms of the alarm rules, materialized: one row
-- per rule, period and region whose count series alarms in that period,
-- written by compute_alarms() when rebuild() or refresh() recompute the
-- period or an earlier one of its kind, and when the rule changes.
CREATE TABLE @extschema@.alarm (
    scheme       text NOT NULL,
    period_start date NOT NULL,
    period       @extschema@.period_kind NOT NULL,
    rule         text NOT NULL,
    region_code  text NOT NULL,
    node         text NOT NULL,
    observed     float8 NOT NULL,
    expected     float8,
    statistic    float8,
    threshold    float8,
    run_start    date NOT NULL,
    PRIMARY KEY (scheme, period_start, period, rule, region_code),
    FOREIGN KEY (scheme, rule) REFERENCES @extschema@.warning_rule ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.alarm IS
'materialized: the alarms of the early-warning rules of warning_rule (cusum, ears_c1/c2/c3, seasonal) per scheme, period and region: the count observed (result_node.events of the rule''s node), the expected count, the method''s statistic and threshold, and the first period of the run of alarms (run_start); written by compute_alarms() in rebuild and refresh; read it through safeidx.warning';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alarm', '');

CREATE CONSTRAINT TRIGGER warning_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.warning_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_warning_rule');

-- [code]
-- early-warning alarms as warnings.  The kinds of rule
-- that are alarms over a count series.
CREATE OR REPLACE FUNCTION @extschema@.alarm_kinds()
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT '{cusum,ears_c1,ears_c2,ears_c3,seasonal}'::text[];
$$;
COMMENT ON FUNCTION @extschema@.alarm_kinds() IS
'the kinds of warning rule that are early-warning alarms over a leaf''s count series: cusum, ears_c1, ears_c2, ears_c3, seasonal';

-- The season of a seasonal alarm: the rule's, else 12 months, 4 quarters or
-- 364 days (52 weeks: the same weekday); none for years.
CREATE OR REPLACE FUNCTION @extschema@.alarm_season(period text, params jsonb)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((params ->> 'season')::integer,
                    CASE period WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'day' THEN 364 END);
$$;
COMMENT ON FUNCTION @extschema@.alarm_season(text, jsonb) IS
'the season (periods per cycle) of a seasonal alarm: params.season, else 12 for months, 4 for quarters, 364 for days (NULL for years)';

-- The expected counts of a CUSUM alarm: the mean of the baseline_periods
-- periods before each one, all present (else NULL), NULL below min_expected.
CREATE OR REPLACE FUNCTION @extschema@.alarm_cusum_expected(series float8[], baseline_periods integer,
                                                           min_expected float8 DEFAULT NULL)
RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(CASE WHEN b.n = baseline_periods AND b.m >= coalesce(min_expected, 0) THEN b.m END ORDER BY b.i)
      FROM (SELECT u.i, avg(u.x) OVER w AS m, count(u.x) OVER w AS n
              FROM unnest(series) WITH ORDINALITY u(x, i)
            WINDOW w AS (ORDER BY u.i ROWS BETWEEN baseline_periods PRECEDING AND 1 PRECEDING)) b;
$$;
COMMENT ON FUNCTION @extschema@.alarm_cusum_expected(float8[], integer, float8) IS
'the in-control expected counts of a CUSUM alarm rule: for each period the mean count of the baseline_periods periods before it when all are present, NULL otherwise or below min_expected (insufficient data)';

-- One rule's method over one count series, as the kernel functions give it;
-- alarm only where the expected count reaches min_expected.
CREATE OR REPLACE FUNCTION @extschema@.alarm_series(kind text, period_kind text, series float8[],
                                                   params jsonb DEFAULT NULL, min_expected float8 DEFAULT NULL)
RETURNS TABLE (period integer, observed float8, expected float8, statistic float8, threshold float8,
               alarm boolean, run_start integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT k.period, k.observed, k.expected, k.statistic, k.threshold,
           k.alarm AND k.expected >= coalesce(min_expected, 0), k.run_start
      FROM @extschema@.ears_c1(series, coalesce((params ->> 'limit')::float8, 3),
                               coalesce((params ->> 'min_sd')::float8, 0.5)) k
     WHERE kind = 'ears_c1'
    UNION ALL
    SELECT k.period, k.observed, k.expected, k.statistic, k.threshold,
           k.alarm AND k.expected >= coalesce(min_expected, 0), k.run_start
      FROM @extschema@.ears_c2(series, coalesce((params ->> 'limit')::float8, 3),
                               coalesce((params ->> 'min_sd')::float8, 0.5)) k
     WHERE kind = 'ears_c2'
    UNION ALL
    SELECT k.period, k.observed, k.expected, k.statistic, k.threshold,
           k.alarm AND k.expected >= coalesce(min_expected, 0), k.run_start
      FROM @extschema@.ears_c3(series, coalesce((params ->> 'limit')::float8, 2),
                               coalesce((params ->> 'min_sd')::float8, 0.5)) k
     WHERE kind = 'ears_c3'
    UNION ALL
    SELECT k.period, k.observed, k.expected, k.statistic, k.threshold, k.alarm, k.run_start
      FROM @extschema@.poisson_cusum(series,
                                     @extschema@.alarm_cusum_expected(series,
                                         coalesce((params ->> 'baseline_periods')::integer, 12), min_expected),
                                     coalesce((params ->> 'ratio')::float8, 2), coalesce((params ->> 'h')::float8, 5),
                                     coalesce((params ->> 'fir')::boolean, false)) k
     WHERE kind = 'cusum'
    UNION ALL
    SELECT k.period, k.observed, k.expected, NULL::float8, k.threshold,
           k.alarm AND k.expected >= coalesce(min_expected, 0), k.run_start
      FROM @extschema@.seasonal_baseline(series, @extschema@.alarm_season(period_kind, params),
                                         coalesce((params ->> 'years')::integer, 3),
                                         coalesce((params ->> 'window')::integer, 1),
                                         coalesce((params ->> 'level')::float8, 0.99),
                                         coalesce((params ->> 'min_baseline')::integer, 3)) k
     WHERE kind = 'seasonal';
$$;
COMMENT ON FUNCTION @extschema@.alarm_series(text, text, float8[], jsonb, float8) IS
'an alarm rule''s method (kind: cusum, ears_c1, ears_c2, ears_c3, seasonal; params as in warning_rule.params) over a count series of periods of one kind: per period the kernel function''s observed, expected count, statistic, threshold and run start, alarm only where the expected count reaches min_expected; the CUSUM''s expected counts from alarm_cusum_expected()';

-- The check at commit of a warning rule (the alarm rules' parameters), and
-- its alarms computed again (not while a dump is restored: they come with
-- it).
CREATE OR REPLACE FUNCTION @extschema@.check_warning_rule(check_scheme text, check_rule text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w    @extschema@.warning_rule;
    what text;
    key  text;
    val  jsonb;
    allowed text[];
    num  float8;
BEGIN
    SELECT * INTO w FROM @extschema@.warning_rule x WHERE x.scheme = check_scheme AND x.rule = check_rule;
    -- a dump being restored (row_security off, as pg_restore runs): the
    -- rule was checked where it was made, the indicators it names may not
    -- be loaded yet, and its alarms come with it
    IF NOT FOUND OR current_setting('row_security') = 'off' THEN
        RETURN;
    END IF;
    DELETE FROM @extschema@.alarm a WHERE a.scheme = w.scheme AND a.rule = w.rule;
    IF NOT w.kind = ANY (@extschema@.alarm_kinds()) THEN
        RETURN;
    END IF;
    what := format('alarm rule "%s" of scheme "%s"', w.rule, w.scheme);
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = w.scheme AND w.period = ANY (s.periods)) THEN
        RAISE EXCEPTION '%: the scheme is not computed by % periods', what, w.period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.indicator i WHERE i.scheme = w.scheme AND i.node = w.node
                      AND NOT EXISTS (SELECT FROM @extschema@.indicator c
                                       WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node)) THEN
        RAISE EXCEPTION '%: node "%" is not a leaf indicator of any version of the scheme', what, w.node
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'An alarm watches the count series (events) of a leaf indicator.';
    END IF;
    allowed := CASE w.kind WHEN 'cusum' THEN '{ratio,h,fir,baseline_periods}'
                           WHEN 'seasonal' THEN '{season,years,window,level,min_baseline}'
                           ELSE '{limit,min_sd}' END;
    FOR key, val IN SELECT * FROM jsonb_each(coalesce(w.params, '{}')) LOOP
        IF NOT key = ANY (allowed) THEN
            RAISE EXCEPTION '%: unknown parameter "%"', what, key
                USING ERRCODE = 'invalid_parameter_value', HINT = format('A %s rule takes %s.', w.kind, array_to_string(allowed, ', '));
        END IF;
        IF key = 'fir' THEN
            IF jsonb_typeof(val) <> 'boolean' THEN
                RAISE EXCEPTION '%: parameter "fir" must be true or false', what USING ERRCODE = 'invalid_parameter_value';
            END IF;
            CONTINUE;
        END IF;
        IF jsonb_typeof(val) <> 'number' THEN
            RAISE EXCEPTION '%: parameter "%" must be a number, not %', what, key, val USING ERRCODE = 'invalid_parameter_value';
        END IF;
        num := val::text::float8;
        IF (key IN ('baseline_periods', 'season', 'years', 'min_baseline') AND (num <> trunc(num) OR num < 1 OR num > 10000))
           OR (key = 'window' AND (num <> trunc(num) OR num < 0 OR num > 10000))
           OR (key = 'ratio' AND NOT num > 1) OR (key IN ('h', 'min_sd') AND NOT num > 0)
           OR (key = 'level' AND NOT (num > 0 AND num < 1)) THEN
            RAISE EXCEPTION '%: parameter "%" out of range: %', what, key, val
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'ratio > 1; h and min_sd > 0; level in (0, 1); baseline_periods, season, years, min_baseline whole numbers from 1; window a whole number from 0.';
        END IF;
    END LOOP;
    IF w.kind = 'seasonal' THEN
        IF @extschema@.alarm_season(w.period, w.params) IS NULL THEN
            RAISE EXCEPTION '%: a seasonal alarm over % periods needs its season', what, w.period
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Give params.season, the periods per cycle.';
        END IF;
        IF 2 * coalesce((w.params ->> 'window')::integer, 1) >= @extschema@.alarm_season(w.period, w.params) THEN
            RAISE EXCEPTION '%: the window must be less than half the season', what USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    PERFORM @extschema@.compute_alarms(w.scheme, w.period, NULL, w.rule);
END $$;
COMMENT ON FUNCTION @extschema@.check_warning_rule(text, text) IS
'checks a warning rule at commit (an alarm rule: a period kind the scheme computes, a leaf node, known parameters in range) and computes its alarms again over the results; nothing while row_security is off (a dump restored: the rule was checked where it was made, and its alarms come with it)';

-- The alarms of a scheme's alarm rules of one period kind (one rule, or
-- all), for the periods starting on or after from_date (NULL: all): each
-- region's series of its node's events over every period with results
-- (NULL where it has no row or the period is not delivered), through
-- alarm_series(), kept where it alarms and the region has a result at the
-- rule's depth.  Periods depend only on those before them, so a build that
-- recomputes periods from a date recomputes the alarms from that date on.
CREATE OR REPLACE FUNCTION @extschema@.compute_alarms(scheme text, period text, from_date date DEFAULT NULL,
                                                     rule text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql
-- jit off: each statement is a few index lookups per region, which JIT's
-- compilation (a third of a second) would cost many times over
SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    w      @extschema@.warning_rule;
    lo     date;
    hi     date;
    starts date[];
    total  bigint := 0;
    written bigint;
BEGIN
    DELETE FROM @extschema@.alarm a
     WHERE a.scheme = compute_alarms.scheme AND a.period = compute_alarms.period
       AND (from_date IS NULL OR a.period_start >= from_date) AND (compute_alarms.rule IS NULL OR a.rule = compute_alarms.rule);
    SELECT min(r.period_start), max(r.period_start) INTO lo, hi
      FROM @extschema@.result r WHERE r.scheme = compute_alarms.scheme AND r.period = compute_alarms.period;
    IF lo IS NULL THEN
        RETURN 0;
    END IF;
    starts := @extschema@.period_starts(compute_alarms.period, lo, hi + 1);
    FOR w IN SELECT * FROM @extschema@.warning_rule x
              WHERE x.scheme = compute_alarms.scheme AND x.period = compute_alarms.period
                AND x.kind = ANY (@extschema@.alarm_kinds()) AND (compute_alarms.rule IS NULL OR x.rule = compute_alarms.rule)
              ORDER BY x.rule LOOP
        INSERT INTO @extschema@.alarm (scheme, period_start, period, rule, region_code, node, observed, expected,
                                       statistic, threshold, run_start)
        SELECT w.scheme, starts[k.period], w.period, w.rule, s.region_code, w.node, k.observed, k.expected,
               k.statistic, k.threshold, starts[k.run_start]
          FROM (SELECT DISTINCT r.region_code FROM @extschema@.result r
                 WHERE r.scheme = w.scheme AND r.period = w.period AND (w.depth IS NULL OR r.depth = w.depth)) s
         -- each region's series read from its history by index (OFFSET 0: a
         -- lookup per region, whatever the statistics of tables just written)
         CROSS JOIN LATERAL (
               SELECT array_agg(h.events ORDER BY p.i) AS x
                 FROM unnest(starts) WITH ORDINALITY p(ps, i)
                 LEFT JOIN (SELECT n.period_start,
                                   CASE WHEN n.status IS DISTINCT FROM 'insufficient_data' THEN n.events END AS events
                              FROM @extschema@.result_node n
                             WHERE n.scheme = w.scheme AND n.region_code = s.region_code AND n.period = w.period
                               AND n.node = w.node OFFSET 0) h ON h.period_start = p.ps) series
         CROSS JOIN LATERAL @extschema@.alarm_series(w.kind, w.period, series.x, w.params, w.min_expected) k
         CROSS JOIN LATERAL (
               SELECT r.depth FROM @extschema@.result r
                WHERE r.scheme = w.scheme AND r.period = w.period AND r.period_start = starts[k.period]
                  AND r.region_code = s.region_code OFFSET 0) r
         WHERE k.alarm AND (from_date IS NULL OR starts[k.period] >= from_date)
           AND (w.depth IS NULL OR r.depth = w.depth);
        GET DIAGNOSTICS written = ROW_COUNT;
        total := total + written;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.compute_alarms(text, text, date, text) IS
'computes again the alarms (safeidx.alarm) of a scheme''s alarm rules of one period kind (one rule or all) for the periods starting on or after from_date (NULL: every period), from each region''s series of its node''s events over the periods with results; returns the alarms written (called by rebuild and refresh, and when a rule changes)';

CREATE OR REPLACE VIEW @extschema@.warning WITH (security_invoker = true) AS
-- NOT MATERIALIZED: a query's filters (scheme, period, region) reach every
-- branch's scan of the results
WITH scoped AS NOT MATERIALIZED (
    SELECT w.*, r.period_start, r.region_code, r.index, r.grade_level AS level, r.rank_siblings
      FROM @extschema@.warning_rule w
      -- a rule's depth, or every depth, as a range: an index condition of
      -- result_level_periods (w.depth IS NULL OR r.depth = w.depth is not,
      -- and read every region of the period)
      JOIN @extschema@.result r ON r.scheme = w.scheme AND r.period = w.period
       AND r.depth BETWEEN coalesce(w.depth, 0) AND coalesce(w.depth, 2147483647)),
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
       g.name_zh AS region_zh, f.node, f.value, f.reference, f.threshold, f.detail,
       NULL::date AS alarm_start, NULL::float8 AS statistic
  FROM fired f
  LEFT JOIN @extschema@.region g
         ON g.code = f.region_code AND g.valid_from <= f.period_start AND f.period_start < g.valid_to
UNION ALL
-- the alarms, materialized by compute_alarms() (a query
-- for one period reads that period's rows of alarm by its key)
SELECT w.scheme, w.rule, w.kind, w.severity, w.period, a.period_start, a.region_code, g.name_zh, a.node,
       a.observed, a.expected, a.threshold,
       format('%s alarm on indicator %s: %s observed, %s expected, threshold %s, alarm since %s', w.kind, a.node,
              a.observed, round(a.expected::numeric, 2), round(a.threshold::numeric, 2), a.run_start),
       a.run_start, a.statistic
  FROM @extschema@.alarm a
  JOIN @extschema@.warning_rule w ON w.scheme = a.scheme AND w.rule = a.rule
  LEFT JOIN @extschema@.region g
         ON g.code = a.region_code AND g.valid_from <= a.period_start AND a.period_start < g.valid_to;
COMMENT ON VIEW @extschema@.warning IS
'warnings raised by the rules of safeidx.warning_rule over the results: rule, kind, severity, region, period, the node concerned, the values that triggered it (value: index, indicator value, run length, rank, or an alarm''s observed count; reference: baseline, previous rank, last year''s value or an alarm''s expected count; threshold: the rule''s grade level, periods, places or rise, or the alarm method''s threshold), a sentence explaining it, and for an alarm the first period of its run (alarm_start) and the method''s statistic';
