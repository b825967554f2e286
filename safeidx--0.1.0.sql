-- safeidx install script, part 00: guard.  Built by the Makefile from src/sql/*.sql.
\echo Use "CREATE EXTENSION safeidx" to load this file. \quit
-- safeidx install script, part 10: per-capita rates and the ratesum summary.

CREATE FUNCTION @extschema@.rate(events float8, residents float8, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'safeidx_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate(float8, float8, float8) IS
'events per "per" residents (default per 10,000); NULL when residents is 0; error on negative, NaN or infinite input';

CREATE TYPE @extschema@.ratesum;

CREATE FUNCTION @extschema@.ratesum_in(cstring) RETURNS @extschema@.ratesum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratesum_out(@extschema@.ratesum) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratesum_recv(internal) RETURNS @extschema@.ratesum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ratesum_send(@extschema@.ratesum) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.ratesum (
    INPUT = @extschema@.ratesum_in,
    OUTPUT = @extschema@.ratesum_out,
    RECEIVE = @extschema@.ratesum_recv,
    SEND = @extschema@.ratesum_send,
    INTERNALLENGTH = 32,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.ratesum IS
'summary of events and exposure (residents) over units; text form (v1,events=..,exposure=..,units=..,missing=..)';

CREATE FUNCTION @extschema@.ratesum_add(@extschema@.ratesum, float8, float8)
RETURNS @extschema@.ratesum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratesum_add(@extschema@.ratesum, float8, float8) IS
'transition function of rate_agg: adds one unit (events, residents); a NULL count or population is counted as missing';

CREATE FUNCTION @extschema@.ratesum_combine(@extschema@.ratesum, @extschema@.ratesum)
RETURNS @extschema@.ratesum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratesum_combine(@extschema@.ratesum, @extschema@.ratesum) IS
'combine function of rate_agg and rollup: adds two summaries';

CREATE AGGREGATE @extschema@.rate_agg(events float8, residents float8) (
    SFUNC = @extschema@.ratesum_add,
    STYPE = @extschema@.ratesum,
    COMBINEFUNC = @extschema@.ratesum_combine,
    INITCOND = '(v1,events=0,exposure=0,units=0,missing=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rate_agg(float8, float8) IS
'summarises units of (events, residents) into a ratesum; read it with rate(), events(), exposure(), rate_lower(), rate_upper()';

CREATE AGGREGATE @extschema@.rollup(@extschema@.ratesum) (
    SFUNC = @extschema@.ratesum_combine,
    STYPE = @extschema@.ratesum,
    COMBINEFUNC = @extschema@.ratesum_combine,
    INITCOND = '(v1,events=0,exposure=0,units=0,missing=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.ratesum) IS
'adds ratesum summaries, e.g. communities into streets; NULL summaries are skipped';

CREATE FUNCTION @extschema@.rate(summary @extschema@.ratesum, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate(@extschema@.ratesum, float8) IS
'summed events per "per" of summed exposure; NULL when the exposure is 0';

CREATE FUNCTION @extschema@.events(summary @extschema@.ratesum)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.events(@extschema@.ratesum) IS 'summed events of a ratesum';

CREATE FUNCTION @extschema@.exposure(summary @extschema@.ratesum)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_exposure'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.exposure(@extschema@.ratesum) IS 'summed residents (exposure) of a ratesum';

CREATE FUNCTION @extschema@.units(summary @extschema@.ratesum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ratesum_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.units(@extschema@.ratesum) IS 'number of rows with both a count and a population';

CREATE FUNCTION @extschema@.missing_units(summary @extschema@.ratesum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ratesum_missing'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.missing_units(@extschema@.ratesum) IS 'number of rows left out because the count or the population was NULL';

CREATE FUNCTION @extschema@.rate_lower(summary @extschema@.ratesum, level float8 DEFAULT 0.95, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_lower(@extschema@.ratesum, float8, float8) IS
'lower limit of the exact (Garwood) Poisson confidence interval of the rate; NULL when the exposure is 0';

CREATE FUNCTION @extschema@.rate_upper(summary @extschema@.ratesum, level float8 DEFAULT 0.95, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_upper(@extschema@.ratesum, float8, float8) IS
'upper limit of the exact (Garwood) Poisson confidence interval of the rate; NULL when the exposure is 0';
-- safeidx install script, part 20: scoring rules for one indicator value.

CREATE FUNCTION @extschema@.score_ratio_band(
    value float8, baseline float8, points float8,
    lower float8 DEFAULT 0.8, upper float8 DEFAULT 1.2,
    higher_is_better boolean DEFAULT false,
    middle text DEFAULT 'step', middle_share float8 DEFAULT 0.5)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_ratio_band'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_ratio_band(float8, float8, float8, float8, float8, boolean, text, float8) IS
'points for value/baseline by bands (Wuchang 0.8/1.2 rule): all points in the best band, none in the worst, step or linear share in [lower, upper]';

CREATE FUNCTION @extschema@.score_goalposts(
    value float8, minimum float8, maximum float8,
    higher_is_better boolean DEFAULT true, log_scale boolean DEFAULT false,
    capped boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_goalposts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_goalposts(float8, float8, float8, boolean, boolean, boolean) IS
'(value - minimum) / (maximum - minimum), optionally on logarithms, reversed when lower is better, capped to [0, 1] by default';

CREATE FUNCTION @extschema@.score_target(value float8, target float8, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_target'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_target(float8, float8, boolean) IS
'share of the target reached, in [0, 1]: value/target, or target/value when lower is better';

CREATE FUNCTION @extschema@.change(current float8, earlier float8, from_zero float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'relative_change'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.change(float8, float8, float8) IS
'relative change (current - earlier) / |earlier| for year-over-year or period-over-period; from 0 it is 0 (to 0) or +/- from_zero';
-- safeidx install script, part 30: scores relative to a group (min-max, z-score).

CREATE TYPE @extschema@.groupstats;

CREATE FUNCTION @extschema@.groupstats_in(cstring) RETURNS @extschema@.groupstats
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.groupstats_out(@extschema@.groupstats) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.groupstats_recv(internal) RETURNS @extschema@.groupstats
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.groupstats_send(@extschema@.groupstats) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.groupstats (
    INPUT = @extschema@.groupstats_in,
    OUTPUT = @extschema@.groupstats_out,
    RECEIVE = @extschema@.groupstats_recv,
    SEND = @extschema@.groupstats_send,
    INTERNALLENGTH = 40,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.groupstats IS
'summary of a group of values: count, min, max, mean and squared deviations; text form (v1,n=..,min=..,max=..,mean=..,m2=..)';

CREATE FUNCTION @extschema@.groupstats_add(@extschema@.groupstats, float8)
RETURNS @extschema@.groupstats AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.groupstats_add(@extschema@.groupstats, float8) IS
'transition function of group_stats: adds one value';

CREATE FUNCTION @extschema@.groupstats_combine(@extschema@.groupstats, @extschema@.groupstats)
RETURNS @extschema@.groupstats AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.groupstats_combine(@extschema@.groupstats, @extschema@.groupstats) IS
'combine function of group_stats and rollup: merges two groups';

CREATE AGGREGATE @extschema@.group_stats(value float8) (
    SFUNC = @extschema@.groupstats_add,
    STYPE = @extschema@.groupstats,
    COMBINEFUNC = @extschema@.groupstats_combine,
    INITCOND = '(v1,n=0,min=0,max=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.group_stats(float8) IS
'summarises a group of values (NULLs skipped) for score_minmax and score_z; usable as a window function';

CREATE AGGREGATE @extschema@.rollup(@extschema@.groupstats) (
    SFUNC = @extschema@.groupstats_combine,
    STYPE = @extschema@.groupstats,
    COMBINEFUNC = @extschema@.groupstats_combine,
    INITCOND = '(v1,n=0,min=0,max=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.groupstats) IS 'merges groupstats summaries';

CREATE FUNCTION @extschema@.group_count(stats @extschema@.groupstats) RETURNS bigint
AS 'MODULE_PATHNAME', 'groupstats_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_count(@extschema@.groupstats) IS 'number of values in the group';
CREATE FUNCTION @extschema@.group_min(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_min(@extschema@.groupstats) IS 'smallest value of the group; NULL if empty';
CREATE FUNCTION @extschema@.group_max(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_max(@extschema@.groupstats) IS 'largest value of the group; NULL if empty';
CREATE FUNCTION @extschema@.group_mean(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_mean(@extschema@.groupstats) IS 'mean of the group; NULL if empty';
CREATE FUNCTION @extschema@.group_stddev(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_stddev(@extschema@.groupstats) IS 'population standard deviation of the group; NULL if empty';

CREATE FUNCTION @extschema@.score_minmax(value float8, stats @extschema@.groupstats, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_minmax'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_minmax(float8, @extschema@.groupstats, boolean) IS
'(value - min) / (max - min) over the group, reversed when lower is better; NULL when all values are equal';

CREATE FUNCTION @extschema@.score_z(value float8, stats @extschema@.groupstats, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_z'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_z(float8, @extschema@.groupstats, boolean) IS
'(value - mean) / population standard deviation of the group, negated when lower is better; NULL when all values are equal';
-- safeidx install script, part 40: the weighted index over indicator scores.

CREATE TYPE @extschema@.indexsum;

CREATE FUNCTION @extschema@.indexsum_in(cstring) RETURNS @extschema@.indexsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.indexsum_out(@extschema@.indexsum) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.indexsum_recv(internal) RETURNS @extschema@.indexsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.indexsum_send(@extschema@.indexsum) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.indexsum (
    INPUT = @extschema@.indexsum_in,
    OUTPUT = @extschema@.indexsum_out,
    RECEIVE = @extschema@.indexsum_recv,
    SEND = @extschema@.indexsum_send,
    INTERNALLENGTH = 64,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.indexsum IS
'summary of weighted indicator scores: counts and weights with and without a score, weighted sums of scores and of their logarithms';

CREATE FUNCTION @extschema@.indexsum_add(@extschema@.indexsum, float8, float8)
RETURNS @extschema@.indexsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.indexsum_add(@extschema@.indexsum, float8, float8) IS
'transition function of index_agg: adds one (score, weight); a NULL score is an indicator without data, a NULL weight an error';

CREATE FUNCTION @extschema@.indexsum_combine(@extschema@.indexsum, @extschema@.indexsum)
RETURNS @extschema@.indexsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.indexsum_combine(@extschema@.indexsum, @extschema@.indexsum) IS
'combine function of index_agg and rollup: adds two summaries';

CREATE AGGREGATE @extschema@.index_agg(score float8, weight float8) (
    SFUNC = @extschema@.indexsum_add,
    STYPE = @extschema@.indexsum,
    COMBINEFUNC = @extschema@.indexsum_combine,
    INITCOND = '(v1,scored=0,unscored=0,weight=0,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.index_agg(float8, float8) IS
'summarises (score, weight) pairs into an indexsum; read it with weighted_sum(), weighted_mean(), geometric_mean(), coverage()';

CREATE AGGREGATE @extschema@.rollup(@extschema@.indexsum) (
    SFUNC = @extschema@.indexsum_combine,
    STYPE = @extschema@.indexsum,
    COMBINEFUNC = @extschema@.indexsum_combine,
    INITCOND = '(v1,scored=0,unscored=0,weight=0,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.indexsum) IS 'adds indexsum summaries';

CREATE FUNCTION @extschema@.weighted_sum(summary @extschema@.indexsum) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_weighted_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_sum(@extschema@.indexsum) IS
'sum of weight * score over the indicators with a score; NULL when none has one';

CREATE FUNCTION @extschema@.weighted_mean(summary @extschema@.indexsum, min_coverage float8 DEFAULT 0) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_weighted_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_mean(@extschema@.indexsum, float8) IS
'weighted arithmetic mean re-normalised over the indicators with a score; NULL when coverage is below min_coverage';

CREATE FUNCTION @extschema@.geometric_mean(summary @extschema@.indexsum, min_coverage float8 DEFAULT 0) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_geometric_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.geometric_mean(@extschema@.indexsum, float8) IS
'weighted geometric mean over the indicators with a score; 0 if a weighted score is 0, error if one is negative; NULL below min_coverage';

CREATE FUNCTION @extschema@.coverage(summary @extschema@.indexsum) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_coverage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.coverage(@extschema@.indexsum) IS
'share of the total weight carried by indicators with a score; NULL when the total weight is 0';

CREATE FUNCTION @extschema@.scored(summary @extschema@.indexsum) RETURNS bigint
AS 'MODULE_PATHNAME', 'indexsum_scored' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scored(@extschema@.indexsum) IS 'number of indicators with a score';

CREATE FUNCTION @extschema@.unscored(summary @extschema@.indexsum) RETURNS bigint
AS 'MODULE_PATHNAME', 'indexsum_unscored' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unscored(@extschema@.indexsum) IS 'number of indicators without data (NULL score)';
-- safeidx install script, part 50: grade scales as data, and grading an index.

CREATE FUNCTION @extschema@.grade_level(index float8, cuts float8[])
RETURNS integer AS 'MODULE_PATHNAME', 'grade_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.grade_level(float8, float8[]) IS
'level of an index on a scale with strictly decreasing cut points: 1 at or above the first cut, n+1 below the last';

CREATE TABLE @extschema@.grade_scale (
    scale       text PRIMARY KEY CHECK (scale ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.grade_scale IS
'grade scales; built-in ones ship with safeidx and cannot be changed, user scales are kept by pg_dump';

CREATE TABLE @extschema@.grade_band (
    scale     text NOT NULL REFERENCES @extschema@.grade_scale ON UPDATE CASCADE ON DELETE CASCADE,
    level     integer NOT NULL CHECK (level >= 1),
    min_index float8 CHECK (min_index NOT IN ('NaN', 'Infinity', '-Infinity')),
    label_zh  text NOT NULL,
    label_en  text NOT NULL,
    colour    text NOT NULL CHECK (colour ~ '^#[0-9A-F]{6}$'),
    builtin   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (scale, level)
);
COMMENT ON TABLE @extschema@.grade_band IS
'bands of a grade scale, best first: level 1 holds indices >= its min_index; the last level has min_index NULL and holds the rest';

-- A scale must run 1..n with strictly decreasing cut points and only its
-- last band open below; checked at commit so bands can be entered in any order.
CREATE FUNCTION @extschema@.grade_band_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    checked_scale text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scale ELSE NEW.scale END;
    bands  integer;
    last   integer;
    open   integer;
    bad    integer;
BEGIN
    SELECT count(*), max(level), count(*) FILTER (WHERE min_index IS NULL)
      INTO bands, last, open
      FROM @extschema@.grade_band WHERE scale = checked_scale;
    IF bands = 0 THEN
        RETURN NULL;
    END IF;
    IF last <> bands THEN
        RAISE EXCEPTION 'grade scale "%" must number its bands 1 to %', checked_scale, bands
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF open <> 1 OR (SELECT min_index FROM @extschema@.grade_band
                      WHERE scale = checked_scale AND level = last) IS NOT NULL THEN
        RAISE EXCEPTION 'grade scale "%" needs exactly one band without min_index, its last (level %)', checked_scale, last
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT b.level INTO bad
      FROM @extschema@.grade_band a JOIN @extschema@.grade_band b
        ON b.scale = a.scale AND b.level = a.level + 1
     WHERE a.scale = checked_scale AND b.min_index IS NOT NULL AND NOT (b.min_index < a.min_index)
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'grade scale "%" has unordered cut points: level % must have a lower min_index than level %', checked_scale, bad, bad - 1
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER grade_band_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.grade_band
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.grade_band_check();

-- Built-in rows belong to the extension: changing them would be lost on
-- upgrade and invisible to pg_dump, so it is refused.
CREATE FUNCTION @extschema@.builtin_row_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND OLD.builtin) OR (TG_OP <> 'DELETE' AND NEW.builtin) THEN
        RAISE EXCEPTION 'built-in rows of %.% cannot be added, changed or deleted', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Copy the built-in scale under a new name and change the copy.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

INSERT INTO @extschema@.grade_scale VALUES
    ('wuchang', 'Wuchang district: green 优秀 / yellow 平安 / orange 一般 / red 预警, cut points 90 / 80 / 70', true),
    ('zhuhai',  'Zhuhai 平安+: blue 优秀 / yellow 良好 / orange 平稳 / red 较差, cut points 90 / 80 / 70', true);
INSERT INTO @extschema@.grade_band VALUES
    ('wuchang', 1, 90,   '优秀', 'excellent', '#2E7D32', true),
    ('wuchang', 2, 80,   '平安', 'safe',      '#F9A825', true),
    ('wuchang', 3, 70,   '一般', 'average',   '#EF6C00', true),
    ('wuchang', 4, NULL, '预警', 'warning',   '#C62828', true),
    ('zhuhai',  1, 90,   '优秀', 'excellent', '#1565C0', true),
    ('zhuhai',  2, 80,   '良好', 'good',      '#F9A825', true),
    ('zhuhai',  3, 70,   '平稳', 'steady',    '#EF6C00', true),
    ('zhuhai',  4, NULL, '较差', 'poor',      '#C62828', true);

CREATE TRIGGER builtin_rows_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.grade_scale
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard();
CREATE TRIGGER builtin_rows_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.grade_band
    FOR EACH ROW EXECUTE FUNCTION @extschema@.builtin_row_guard();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.grade_scale', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.grade_band', 'WHERE NOT builtin');

CREATE TYPE @extschema@.grade AS (
    level    integer,
    label_zh text,
    label_en text,
    colour   text
);
COMMENT ON TYPE @extschema@.grade IS 'a grade: level (1 = best), Chinese and English label, colour as #RRGGBB';

CREATE FUNCTION @extschema@.grade(index float8, scale text DEFAULT 'wuchang')
RETURNS @extschema@.grade
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cuts   float8[];
    result @extschema@.grade;
BEGIN
    SELECT array_agg(b.min_index ORDER BY b.level) FILTER (WHERE b.min_index IS NOT NULL)
      INTO cuts
      FROM @extschema@.grade_band b WHERE b.scale = grade.scale;
    IF NOT EXISTS (SELECT FROM @extschema@.grade_band b WHERE b.scale = grade.scale) THEN
        RAISE EXCEPTION 'unknown grade scale "%"', scale
            USING ERRCODE = 'undefined_object',
                  HINT = 'See safeidx.grade_scale for the scales defined.';
    END IF;
    SELECT b.level, b.label_zh, b.label_en, b.colour INTO result
      FROM @extschema@.grade_band b
     WHERE b.scale = grade.scale
       AND b.level = @extschema@.grade_level(index, coalesce(cuts, '{}'));
    RETURN result;
END $$;
COMMENT ON FUNCTION @extschema@.grade(float8, text) IS
'grade of an index on a grade scale (default wuchang): level, Chinese and English label, colour; error for NaN/Infinity or an unknown scale';
