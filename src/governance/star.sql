-- star.sql: star ratings of villages and communities (平安星级村居, 星级平安单位).

-- [state]
CREATE TABLE @extschema@.star_rule (
    scheme                text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule                  text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    period                @extschema@.period_kind NOT NULL DEFAULT 'month',
    depth                 integer,
    kinds                 text[],
    classes               jsonb,
    method                text NOT NULL,
    thresholds            float8[],
    shares                float8[],
    ranks                 integer[],
    min_coverage          float8 NOT NULL DEFAULT 0,
    min_index             float8,
    exclude_warning_rules text[] NOT NULL DEFAULT '{}',
    exclude_severities    text[] NOT NULL DEFAULT '{}',
    -- a foreign key makes pg_dump load warning rules before star rules,
    -- whose check at commit needs them; every listed rule is checked there
    first_warning_rule    text GENERATED ALWAYS AS (exclude_warning_rules[1]) STORED,
    description           text,
    PRIMARY KEY (scheme, rule),
    FOREIGN KEY (scheme, first_warning_rule) REFERENCES @extschema@.warning_rule (scheme, rule)
);
COMMENT ON TABLE @extschema@.star_rule IS
'star rating rules (平安星级村居, 星级平安单位): which results are rated (scheme, period kind, depth and/or region kinds), the classes ranked separately (classes: {"class": [kinds]}, else each region kind is a class), the method (threshold: thresholds[1] is the minimum index for the most stars, cardinality(thresholds) stars, down to 1 star; rank_share: the top shares[1] of the eligible units of a class earn the most stars, cumulative shares; rank: ranks[1] is the last place earning the most stars, cumulative places) and the eligibility conditions (no warning of the listed rules or severities overlapping the period, coverage at least min_coverage, index at least min_index)';
COMMENT ON COLUMN @extschema@.star_rule.thresholds IS 'method threshold: minimum index per star level, strictly decreasing, thresholds[1] for cardinality(thresholds) stars, the last for 1 star (1 to 5 levels)';
COMMENT ON COLUMN @extschema@.star_rule.shares IS 'method rank_share: cumulative top shares of the eligible units of a class, strictly increasing in (0, 1], shares[1] for the most stars; a unit is in the top share s when its rank <= s x eligible units';
COMMENT ON COLUMN @extschema@.star_rule.ranks IS 'method rank: cumulative last places, strictly increasing, ranks[1] for the most stars';
COMMENT ON COLUMN @extschema@.star_rule.exclude_warning_rules IS 'warning rules of the same scheme that bar a star when one fired for the unit in a period overlapping the rated one';
COMMENT ON COLUMN @extschema@.star_rule.exclude_severities IS 'warning severities (of any warning rule of the scheme) that bar a star likewise';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.star_rule', '');

-- [code]
-- The checks of one star rule, each raising the first error it finds with
-- the rule named (what); check_star_rule() runs them in order.

-- The units rated: a period kind the scheme computes, and a depth, kinds or
-- classes (a JSON object of non-empty arrays of kinds, no kind twice).
CREATE OR REPLACE FUNCTION @extschema@.check_star_units(s @extschema@.star_rule, what text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bad text;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme x WHERE x.scheme = s.scheme AND s.period = ANY (x.periods)) THEN
        RAISE EXCEPTION '%: scheme "%" is not computed by %', what, s.scheme, s.period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Rate a period kind listed in the scheme''s periods.';
    END IF;
    IF s.depth IS NULL AND s.kinds IS NULL AND s.classes IS NULL THEN
        RAISE EXCEPTION '%: say which units are rated (depth, kinds or classes)', what
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Villages and communities, e.g. depth => 4 or kinds => ''{village,urban_community}''.';
    END IF;
    IF s.depth < 1 THEN
        RAISE EXCEPTION '%: depth must be 1 or more, not %', what, s.depth USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(s.kinds) = 0 OR array_position(s.kinds, NULL) IS NOT NULL THEN
        RAISE EXCEPTION '%: kinds must list at least one region kind and no NULL', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.classes IS NULL THEN
        RETURN;
    END IF;
    IF s.kinds IS NOT NULL THEN
        RAISE EXCEPTION '%: give kinds or classes, not both (the classes list the kinds rated)', what
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(s.classes) <> 'object' OR s.classes = '{}'
       OR EXISTS (SELECT FROM jsonb_each(s.classes) c
                   WHERE jsonb_typeof(c.value) <> 'array' OR jsonb_array_length(c.value) = 0
                      OR EXISTS (SELECT FROM jsonb_array_elements(c.value) k WHERE jsonb_typeof(k) <> 'string')) THEN
        RAISE EXCEPTION '%: classes must be a JSON object of non-empty arrays of region kinds', what
            USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. {"urban": ["urban_community"], "rural": ["village"]}.';
    END IF;
    SELECT k INTO bad FROM jsonb_each(s.classes) c, jsonb_array_elements_text(c.value) k
     GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: region kind "%" is in more than one class', what, bad USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_star_units(@extschema@.star_rule, text) IS
'error 22023 unless a star rule rates a period kind its scheme computes and names its units: depth, kinds or classes (an object of non-empty arrays of kinds, no kind in two classes)';

-- The method and its 1 to 5 star levels: thresholds strictly decreasing;
-- shares strictly increasing in (0, 1]; ranks strictly increasing from 1.
CREATE OR REPLACE FUNCTION @extschema@.check_star_levels(s @extschema@.star_rule, what text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    levels text := CASE s.method WHEN 'threshold' THEN 'thresholds' WHEN 'rank_share' THEN 'shares' ELSE 'ranks' END;
    arr    float8[] := coalesce(s.thresholds, s.shares, s.ranks::float8[]);
    n      integer := coalesce(cardinality(coalesce(s.thresholds, s.shares, s.ranks::float8[])), 0);
BEGIN
    IF s.method NOT IN ('threshold', 'rank_share', 'rank') THEN
        RAISE EXCEPTION '%: unknown method "%"', what, s.method
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use threshold, rank_share or rank.';
    END IF;
    IF (s.method = 'threshold') <> (s.thresholds IS NOT NULL) OR (s.method = 'rank_share') <> (s.shares IS NOT NULL)
       OR (s.method = 'rank') <> (s.ranks IS NOT NULL) THEN
        RAISE EXCEPTION '%: method % takes % and nothing else', what, s.method, levels USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n NOT BETWEEN 1 AND 5 OR array_ndims(arr) <> 1 THEN
        RAISE EXCEPTION '%: % give 1 to 5 star levels, not %', what, levels, n USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF array_position(arr, NULL) IS NOT NULL OR EXISTS (SELECT FROM unnest(arr) x WHERE x IN ('NaN', 'Infinity', '-Infinity')) THEN
        RAISE EXCEPTION '%: star levels must be finite numbers, not %', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'threshold' AND EXISTS (SELECT FROM generate_subscripts(arr, 1) i WHERE i > 1 AND arr[i] >= arr[i - 1]) THEN
        RAISE EXCEPTION '%: thresholds % must be strictly decreasing (the first is for % stars, the last for 1 star)', what, arr, n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method <> 'threshold' AND EXISTS (SELECT FROM generate_subscripts(arr, 1) i WHERE i > 1 AND arr[i] <= arr[i - 1]) THEN
        RAISE EXCEPTION '%: % % must be strictly increasing (cumulative, the first for % stars)', what, levels, arr, n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'rank_share' AND (arr[1] <= 0 OR arr[n] > 1) THEN
        RAISE EXCEPTION '%: shares % must lie in (0, 1]', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'rank' AND arr[1] < 1 THEN
        RAISE EXCEPTION '%: ranks % must be places 1 or below', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_star_levels(@extschema@.star_rule, text) IS
'error 22023 unless a star rule''s method is known and has its 1 to 5 finite star levels in the right order';

-- The eligibility conditions: coverage in [0, 1], a finite minimum index,
-- existing warning rules, no NULL severity.
CREATE OR REPLACE FUNCTION @extschema@.check_star_eligibility(s @extschema@.star_rule, what text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bad text;
BEGIN
    IF NOT s.min_coverage BETWEEN 0 AND 1 THEN
        RAISE EXCEPTION '%: min_coverage % must lie in [0, 1]', what, s.min_coverage USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.min_index IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION '%: min_index must be finite', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT w INTO bad FROM unnest(s.exclude_warning_rules) w
     WHERE w IS NULL OR NOT EXISTS (SELECT FROM @extschema@.warning_rule r WHERE r.scheme = s.scheme AND r.rule = w) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: scheme "%" has no warning rule "%"', what, s.scheme, bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF array_position(s.exclude_severities, NULL) IS NOT NULL THEN
        RAISE EXCEPTION '%: exclude_severities must not contain NULL', what USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_star_eligibility(@extschema@.star_rule, text) IS
'error unless a star rule''s min_coverage lies in [0, 1] and min_index is finite (22023), and its excluded warning rules exist (23503)';

CREATE OR REPLACE FUNCTION @extschema@.check_star_rule(check_scheme text, check_rule text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s    @extschema@.star_rule;
    what text;
BEGIN
    SELECT * INTO s FROM @extschema@.star_rule x WHERE x.scheme = check_scheme AND x.rule = check_rule;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    what := format('star rule "%s" of scheme "%s"', s.rule, s.scheme);
    PERFORM @extschema@.check_star_units(s, what);
    PERFORM @extschema@.check_star_levels(s, what);
    PERFORM @extschema@.check_star_eligibility(s, what);
END $$;
COMMENT ON FUNCTION @extschema@.check_star_rule(text, text) IS
'checks a star rule (at commit): the period kind is computed by the scheme, units are named, classes are a JSON object of kind arrays without overlap, the method has its 1 to 5 star levels (thresholds strictly decreasing; shares strictly increasing in (0, 1]; ranks strictly increasing from 1), min_coverage in [0, 1], the excluded warning rules exist';

-- [state]
CREATE CONSTRAINT TRIGGER star_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.star_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_star_rule');

-- [code]
-- A number as analysts read it: at most 4 decimals, no trailing zeros.
CREATE OR REPLACE FUNCTION @extschema@.star_number(x float8)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT trim_scale(round(x::numeric, 4))::text;
$$;
COMMENT ON FUNCTION @extschema@.star_number(float8) IS
'a number for the explanations of star_rating and award: rounded to 4 decimals, trailing zeros dropped';

-- The star ratings of the units whose results the reader sees, each ranked
-- among the units of its class that the reader sees: for analysts, every
-- unit.  An official sees its subtree's results only (row-level security),
-- and this view would rank among them; star_rating gives every reader the
-- ranks among every unit, through star_rating_rows() (star.c).
CREATE OR REPLACE VIEW @extschema@.star_rating_all WITH (security_invoker = true) AS
WITH unit AS (
    SELECT s.scheme, s.rule, s.method, s.thresholds, s.shares, s.ranks, s.min_coverage, s.min_index,
           s.exclude_warning_rules, s.exclude_severities,
           i.period, i.period_start, i.period_end, i.region_code, i.region_zh, i.region_kind, i.depth, i.parent_code,
           coalesce((SELECT c.key FROM jsonb_each(s.classes) c WHERE c.value ? i.region_kind), i.region_kind) AS class,
           i.index, i.coverage
      FROM @extschema@.star_rule s
      JOIN @extschema@.index_result i ON i.scheme = s.scheme AND i.period = s.period
     WHERE (s.depth IS NULL OR i.depth = s.depth)
       AND (s.kinds IS NULL OR i.region_kind = ANY (s.kinds))
       AND (s.classes IS NULL OR EXISTS (SELECT FROM jsonb_each(s.classes) c WHERE c.value ? i.region_kind))),
barred AS (
    SELECT x.scheme, x.rule, x.period_start, x.region_code,
           string_agg(x.what, ', ' ORDER BY x.what) AS warnings
      FROM (SELECT u.scheme, u.rule, u.period_start, u.region_code,
                   format('%s warning %s', w.severity, w.rule)
                   || CASE WHEN count(*) > 1 THEN format(' (%s %ss)', count(*), w.period) ELSE '' END AS what
              FROM unit u
              JOIN @extschema@.warning w
                ON w.scheme = u.scheme AND w.region_code = u.region_code
               AND w.period_start < u.period_end AND u.period_start < @extschema@.period_end(w.period, w.period_start)
               AND (w.rule = ANY (u.exclude_warning_rules) OR w.severity = ANY (u.exclude_severities))
             GROUP BY u.scheme, u.rule, u.period_start, u.region_code, w.severity, w.rule, w.period) x
     GROUP BY x.scheme, x.rule, x.period_start, x.region_code),
judged AS (
    SELECT u.*, b.warnings,
           array_remove(ARRAY[
               CASE WHEN u.index IS NULL THEN 'no index' END,
               CASE WHEN round(u.coverage::numeric, 9) < u.min_coverage::numeric
                    THEN format('coverage %s below %s', @extschema@.star_number(u.coverage), @extschema@.star_number(u.min_coverage)) END,
               b.warnings,
               CASE WHEN round(u.index::numeric, 9) < u.min_index::numeric
                    THEN format('index %s below the minimum %s', @extschema@.star_number(u.index), @extschema@.star_number(u.min_index)) END
           ], NULL) AS failures
      FROM unit u
      LEFT JOIN barred b ON b.scheme = u.scheme AND b.rule = u.rule AND b.period_start = u.period_start
                        AND b.region_code = u.region_code),
eligible AS (
    SELECT j.*, cardinality(j.failures) = 0 AS is_eligible FROM judged j),
ranked AS (
    SELECT e.*,
           CASE WHEN e.index IS NOT NULL THEN
               rank() OVER (PARTITION BY e.scheme, e.rule, e.period_start, e.class, e.index IS NULL
                            ORDER BY round(e.index::numeric, 9) DESC) END AS rank_in_class,
           count(e.index) OVER (PARTITION BY e.scheme, e.rule, e.period_start, e.class) AS class_units,
           CASE WHEN e.is_eligible THEN
               rank() OVER (PARTITION BY e.scheme, e.rule, e.period_start, e.class, e.is_eligible
                            ORDER BY round(e.index::numeric, 9) DESC) END AS eligible_rank,
           count(*) FILTER (WHERE e.is_eligible) OVER (PARTITION BY e.scheme, e.rule, e.period_start, e.class) AS eligible_units
      FROM eligible e),
starred AS (
    SELECT r.*,
           CASE WHEN NOT r.is_eligible THEN 0
                WHEN r.method = 'threshold' THEN coalesce(
                    (SELECT cardinality(r.thresholds) - k + 1 FROM generate_subscripts(r.thresholds, 1) k
                      WHERE round(r.index::numeric, 9) >= r.thresholds[k]::numeric ORDER BY k LIMIT 1), 0)
                WHEN r.method = 'rank_share' THEN coalesce(
                    (SELECT cardinality(r.shares) - k + 1 FROM generate_subscripts(r.shares, 1) k
                      WHERE r.eligible_rank <= r.shares[k]::numeric * r.eligible_units ORDER BY k LIMIT 1), 0)
                ELSE coalesce(
                    (SELECT cardinality(r.ranks) - k + 1 FROM generate_subscripts(r.ranks, 1) k
                      WHERE r.eligible_rank <= r.ranks[k] ORDER BY k LIMIT 1), 0)
           END AS stars
      FROM ranked r)
SELECT s.scheme, s.rule, s.period, s.period_start, s.period_end, s.region_code, s.region_zh, s.region_kind,
       s.depth, s.parent_code, s.class, s.index, s.coverage, s.rank_in_class, s.class_units::integer AS class_units,
       s.is_eligible AS eligible, s.eligible_rank, s.eligible_units::integer AS eligible_units, s.stars,
       CASE WHEN NOT s.is_eligible THEN array_to_string(s.failures, '; ')
            WHEN s.stars = 0 AND s.method = 'threshold' THEN
                format('index %s below the 1-star threshold %s', @extschema@.star_number(s.index),
                       @extschema@.star_number(s.thresholds[cardinality(s.thresholds)]))
            WHEN s.stars = 0 AND s.method = 'rank_share' THEN
                format('rank %s of %s eligible in class %s, outside the top %s', s.eligible_rank, s.eligible_units, s.class,
                       @extschema@.star_number(s.shares[cardinality(s.shares)]))
            WHEN s.stars = 0 THEN
                format('rank %s of %s eligible in class %s, below place %s', s.eligible_rank, s.eligible_units, s.class,
                       s.ranks[cardinality(s.ranks)])
       END AS reason
  FROM starred s;
COMMENT ON VIEW @extschema@.star_rating_all IS
'star ratings as star_rating gives them, but ranked among the units whose results the reader sees (security_invoker): every unit for analysts; star_rating reads it as safeidx_analyst for every reader (star_rating_rows)';

-- The rows of star_rating_all for the results the caller reads, ranked
-- among every unit: C, read as safeidx_analyst for a caller that does not
-- read every result (star.c).
CREATE OR REPLACE FUNCTION @extschema@.star_rating_rows()
RETURNS SETOF @extschema@.star_rating_all
AS 'MODULE_PATHNAME', 'star_rating_rows'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.star_rating_rows() IS
'the star ratings of the units and periods whose results the caller reads, each ranked among every unit of its class: star_rating_all read with the caller''s rights when it reads every result, else read as safeidx_analyst (in a security-restricted operation) and kept to the keys of the rows of result the caller reads';

CREATE OR REPLACE VIEW @extschema@.star_rating WITH (security_invoker = true) AS
SELECT s.scheme, s.rule, s.period, s.period_start, s.period_end, s.region_code, s.region_zh, s.region_kind,
       s.depth, s.parent_code, s.class, s.index, s.coverage, s.rank_in_class, s.class_units,
       s.eligible, s.eligible_rank, s.eligible_units, s.stars, s.reason
  FROM @extschema@.star_rating_rows() s;
COMMENT ON VIEW @extschema@.star_rating IS
'star ratings per star rule, period and unit, for the units whose results the reader reads (an official: its subtree), every rank and count taken among all the units of the class: the unit''s class, index, coverage, rank in its class (all units with an index; ties share a rank), whether it is eligible (an index, no barring warning in an overlapping period, coverage and index at least the rule''s minimums), its rank among the eligible units of its class (the ranking rank methods use), stars (0 = not rated) and the reason when not rated; an index or coverage equal to a limit to 9 decimals reaches it, tied units share the better rank and so the higher stars';
COMMENT ON COLUMN @extschema@.star_rating.class IS 'the class ranked separately: the key of the rule''s classes holding the region kind, else the kind itself';
COMMENT ON COLUMN @extschema@.star_rating.rank_in_class IS 'competition rank (1 = best, ties share) among the units of the class that have an index';
COMMENT ON COLUMN @extschema@.star_rating.class_units IS 'units of the class that have an index';
COMMENT ON COLUMN @extschema@.star_rating.eligible IS 'true when the unit has an index, no barring warning, enough coverage and at least the minimum index';
COMMENT ON COLUMN @extschema@.star_rating.eligible_rank IS 'competition rank among the eligible units of the class (NULL when not eligible); rank_share and rank rules give stars by it';
COMMENT ON COLUMN @extschema@.star_rating.eligible_units IS 'eligible units of the class';
COMMENT ON COLUMN @extschema@.star_rating.stars IS '1 to 5 stars, 0 = not rated';
COMMENT ON COLUMN @extschema@.star_rating.reason IS 'why the unit holds no star: every eligibility condition it fails (no index; coverage; warnings; minimum index), else the threshold or place it missed; NULL when rated';

CREATE OR REPLACE FUNCTION @extschema@.star_history(region_code text, rule text DEFAULT NULL)
RETURNS TABLE (scheme text, rule text, period text, period_start date, stars integer,
               previous_stars integer, change integer, reason text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.scheme, s.rule, s.period, s.period_start, s.stars, p.stars, s.stars - p.stars, s.reason
      FROM @extschema@.star_rating s
      LEFT JOIN @extschema@.star_rating p
             ON p.scheme = s.scheme AND p.rule = s.rule AND p.region_code = s.region_code
            AND p.period_start = @extschema@.period_before(s.period, s.period_start)
     WHERE s.region_code = star_history.region_code
       AND (star_history.rule IS NULL OR s.rule = star_history.rule)
     ORDER BY s.scheme, s.rule, s.period_start;
$$;
COMMENT ON FUNCTION @extschema@.star_history(text, text) IS
'the star history of one unit, under every star rule or one: per period its stars, the previous period''s stars (NULL when it was not rated under the rule then) and the change (positive = gained stars), and why it held none';
