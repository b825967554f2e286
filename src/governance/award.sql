-- award.sql: district awards (平安鼎).

-- [state]
CREATE TABLE @extschema@.award_rule (
    scheme           text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule             text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    depth            integer NOT NULL,
    gold             float8 NOT NULL,
    silver           float8 NOT NULL,
    bronze           float8 NOT NULL,
    min_months       integer NOT NULL DEFAULT 12,
    star_scheme      text NOT NULL,
    star_rule        text NOT NULL,
    min_stars        integer NOT NULL DEFAULT 1,
    min_star_periods integer NOT NULL DEFAULT 1,
    min_star_share   float8 NOT NULL,
    description      text,
    PRIMARY KEY (scheme, rule),
    FOREIGN KEY (star_scheme, star_rule) REFERENCES @extschema@.star_rule (scheme, rule) ON UPDATE CASCADE
);
COMMENT ON TABLE @extschema@.award_rule IS
'district awards (平安鼎): the regions awarded (depth), the year-score thresholds for gold, silver and bronze, and the eligibility standard: at least min_star_share of the star rule''s units below the region held min_stars stars or more in at least min_star_periods of the rule''s periods of the year; the score is the region''s year index when the scheme computes years, else the mean of its monthly indices (at least min_months of them)';
COMMENT ON COLUMN @extschema@.award_rule.min_months IS 'for schemes without year results: the monthly indices the mean needs (default 12, every month)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.award_rule', '');

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.check_award_rule(check_scheme text, check_rule text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a    @extschema@.award_rule;
    what text;
BEGIN
    SELECT * INTO a FROM @extschema@.award_rule x WHERE x.scheme = check_scheme AND x.rule = check_rule;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    what := format('award rule "%s" of scheme "%s"', a.rule, a.scheme);
    IF a.depth < 1 THEN
        RAISE EXCEPTION '%: depth must be 1 or more, not %', what, a.depth USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF 'NaN' IN (a.gold, a.silver, a.bronze) OR 'Infinity' IN (a.gold, a.silver, a.bronze)
       OR '-Infinity' IN (a.gold, a.silver, a.bronze) OR NOT (a.gold > a.silver AND a.silver > a.bronze) THEN
        RAISE EXCEPTION '%: scores for gold %, silver %, bronze % must be finite and strictly decreasing', what, a.gold, a.silver, a.bronze
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = a.scheme AND s.periods && '{month,year}') THEN
        RAISE EXCEPTION '%: scheme "%" computes neither years nor months, so it gives no year score', what, a.scheme
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF a.min_months NOT BETWEEN 1 AND 12 THEN
        RAISE EXCEPTION '%: min_months must lie between 1 and 12, not %', what, a.min_months USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF a.min_stars NOT BETWEEN 1 AND 5 THEN
        RAISE EXCEPTION '%: min_stars must lie between 1 and 5, not %', what, a.min_stars USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF a.min_star_periods < 1 THEN
        RAISE EXCEPTION '%: min_star_periods must be 1 or more, not %', what, a.min_star_periods USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT a.min_star_share BETWEEN 0 AND 1 THEN
        RAISE EXCEPTION '%: min_star_share % must lie in [0, 1]', what, a.min_star_share USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.check_award_rule(text, text) IS
'checks an award rule (at commit): depth, finite and strictly decreasing gold > silver > bronze, a scheme that computes years or months, min_months 1 to 12, min_stars 1 to 5, min_star_periods 1 or more, min_star_share in [0, 1]';

-- [state]
CREATE CONSTRAINT TRIGGER award_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.award_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.rule_check('check_award_rule');

-- [code]
CREATE OR REPLACE VIEW @extschema@.award WITH (security_invoker = true) AS
WITH candidate AS (     -- regions at the awarded depth, per year with results
    SELECT DISTINCT a.scheme, a.rule, date_trunc('year', r.period_start)::date AS year_start, r.region_code
      FROM @extschema@.award_rule a
      JOIN @extschema@.result r ON r.scheme = a.scheme AND r.depth = a.depth AND r.period IN ('month', 'year')),
scored AS (
    SELECT c.*, s.periods @> '{year}' AS by_year, y.index AS year_index, m.months, m.mean_index
      FROM candidate c
      JOIN @extschema@.award_rule a ON a.scheme = c.scheme AND a.rule = c.rule
      JOIN @extschema@.scheme s ON s.scheme = c.scheme
      LEFT JOIN @extschema@.result y
             ON y.scheme = c.scheme AND y.period = 'year' AND y.period_start = c.year_start AND y.region_code = c.region_code
      LEFT JOIN LATERAL (
          SELECT count(x.index)::integer AS months, avg(x.index::numeric)::float8 AS mean_index
            FROM @extschema@.result x
           WHERE x.scheme = c.scheme AND x.period = 'month' AND x.region_code = c.region_code
             AND x.period_start >= c.year_start AND x.period_start < (c.year_start + interval '1 year')::date) m ON true),
star_period AS (        -- the star rule's periods in the years concerned, with the hierarchy then in force
    SELECT DISTINCT a.scheme, a.rule, g.period_start
      FROM @extschema@.award_rule a
      JOIN @extschema@.star_rating g ON g.scheme = a.star_scheme AND g.rule = a.star_rule),
tree AS (
    SELECT DISTINCT p.period_start, t.code, t.path
      FROM (SELECT DISTINCT period_start FROM star_period) p, LATERAL @extschema@.regions_at(p.period_start) t),
star_unit AS (          -- per award rule, year, awarded region and unit: the periods with enough stars
    SELECT a.scheme, a.rule, date_trunc('year', g.period_start)::date AS year_start, t.path[a.depth] AS region_code,
           g.region_code AS unit, count(*) FILTER (WHERE g.stars >= a.min_stars) AS starred_periods,
           count(*) FILTER (WHERE g.stars >= a.min_stars) >= a.min_star_periods AS starred
      FROM @extschema@.award_rule a
      JOIN @extschema@.star_rating g ON g.scheme = a.star_scheme AND g.rule = a.star_rule
      JOIN tree t ON t.period_start = g.period_start AND t.code = g.region_code
     WHERE cardinality(t.path) > a.depth
     GROUP BY a.scheme, a.rule, 3, 4, g.region_code, a.min_star_periods),
star_share AS (
    SELECT u.scheme, u.rule, u.year_start, u.region_code, count(*)::integer AS star_units,
           count(*) FILTER (WHERE u.starred)::integer AS starred_units
      FROM star_unit u GROUP BY 1, 2, 3, 4),
judged AS (
    SELECT s.scheme, s.rule, s.year_start, s.region_code, a.gold, a.silver, a.bronze, a.min_star_share,
           CASE WHEN s.by_year THEN s.year_index WHEN s.months >= a.min_months THEN s.mean_index END AS score,
           CASE WHEN s.by_year THEN 'year index' ELSE format('mean of %s monthly indices', s.months) END AS score_basis,
           CASE WHEN s.by_year AND s.year_index IS NULL THEN 'no year index'
                WHEN NOT s.by_year AND s.months < a.min_months
                THEN format('no score: %s of the %s monthly indices needed', s.months, a.min_months) END AS score_missing,
           coalesce(h.star_units, 0) AS star_units, coalesce(h.starred_units, 0) AS starred_units,
           h.starred_units::float8 / nullif(h.star_units, 0) AS star_share
      FROM scored s
      JOIN @extschema@.award_rule a ON a.scheme = s.scheme AND a.rule = s.rule
      LEFT JOIN star_share h ON h.scheme = s.scheme AND h.rule = s.rule AND h.year_start = s.year_start
                            AND h.region_code = s.region_code),
decided AS (
    SELECT j.*,
           j.star_share IS NOT NULL AND round(j.star_share::numeric, 9) >= j.min_star_share::numeric AS eligible,
           CASE WHEN j.score IS NULL THEN NULL
                WHEN round(j.score::numeric, 9) >= j.gold::numeric THEN 'gold'
                WHEN round(j.score::numeric, 9) >= j.silver::numeric THEN 'silver'
                WHEN round(j.score::numeric, 9) >= j.bronze::numeric THEN 'bronze' END AS level
      FROM judged j)
SELECT d.scheme, d.rule, extract(year FROM d.year_start)::integer AS year, d.year_start, d.region_code,
       g.name_zh AS region_zh, d.score, d.score_basis, d.star_units, d.starred_units, d.star_share, d.eligible,
       CASE WHEN d.eligible THEN d.level END AS award,
       CASE WHEN d.eligible THEN CASE d.level WHEN 'gold' THEN '金鼎' WHEN 'silver' THEN '银鼎' WHEN 'bronze' THEN '铜鼎' END END AS award_zh,
       array_to_string(ARRAY[
           coalesce(d.score_missing,
                    CASE WHEN d.level IS NULL
                         THEN format('score %s below bronze %s', @extschema@.star_number(d.score), @extschema@.star_number(d.bronze))
                         ELSE format('score %s reaches %s %s', @extschema@.star_number(d.score), d.level,
                                     @extschema@.star_number(CASE d.level WHEN 'gold' THEN d.gold WHEN 'silver' THEN d.silver ELSE d.bronze END)) END),
           CASE WHEN d.star_units = 0 THEN 'no star-rated units below it'
                ELSE format('star share %s (%s of %s units) %s %s', @extschema@.star_number(d.star_share), d.starred_units,
                            d.star_units, CASE WHEN d.eligible THEN 'reaches' ELSE 'below' END,
                            @extschema@.star_number(d.min_star_share)) END], '; ') AS reason
  FROM decided d
  LEFT JOIN @extschema@.region g
         ON g.code = d.region_code AND g.valid_from <= d.year_start AND d.year_start < g.valid_to;
COMMENT ON VIEW @extschema@.award IS
'district awards per award rule, year and region at the rule''s depth: the assessment score (the year''s index when the scheme computes years, else the arithmetic mean of the monthly indices of the year, given at least min_months of them), the star share (units of the star rule below the region in the year holding at least min_stars stars in at least min_star_periods periods, over all its units below the region), eligibility (star share at least min_star_share), the award (gold, silver, bronze or NULL) and why';
COMMENT ON COLUMN @extschema@.award.score IS 'the assessment score: the year index, or the mean of the monthly indices; NULL without one';
COMMENT ON COLUMN @extschema@.award.score_basis IS '"year index" or "mean of N monthly indices"';
COMMENT ON COLUMN @extschema@.award.star_units IS 'units of the star rule below the region rated in some period of the year (with or without stars)';
COMMENT ON COLUMN @extschema@.award.starred_units IS 'of those, units holding at least min_stars stars in at least min_star_periods periods of the year';
COMMENT ON COLUMN @extschema@.award.star_share IS 'starred_units / star_units; NULL without units';
COMMENT ON COLUMN @extschema@.award.eligible IS 'star share at least min_star_share (compared at 9 decimals)';
COMMENT ON COLUMN @extschema@.award.award IS 'gold, silver or bronze when eligible and the score reaches the level (at 9 decimals); else NULL';
COMMENT ON COLUMN @extschema@.award.reason IS 'the score against the level thresholds and the star share against the standard';
