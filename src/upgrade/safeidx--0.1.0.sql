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
-- safeidx install script, part 25: intervals for a share (survey results).

CREATE FUNCTION @extschema@.share_lower(successes float8, trials float8, level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'share_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_lower(float8, float8, float8) IS
'lower bound of the Wilson score interval for a share of successes out of trials (e.g. households satisfied out of surveyed), at a two-sided level (default 0.95); 0 when there is no success, NULL without trials';

CREATE FUNCTION @extschema@.share_upper(successes float8, trials float8, level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'share_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_upper(float8, float8, float8) IS
'upper bound of the Wilson score interval for a share of successes out of trials, at a two-sided level (default 0.95); 1 when every trial succeeded, NULL without trials';
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
-- safeidx install script, part 60: regions (a hierarchy with validity dates)
-- and population figures.

CREATE TABLE @extschema@.region (
    code        text NOT NULL CHECK (code ~ '^\S+$'),
    valid_from  date NOT NULL DEFAULT '-infinity',
    valid_to    date NOT NULL DEFAULT 'infinity',
    parent_code text,
    name_zh     text NOT NULL,
    name_en     text,
    kind        text NOT NULL,
    PRIMARY KEY (code, valid_from),
    CHECK (valid_from < valid_to),
    CHECK (parent_code IS DISTINCT FROM code)
);
COMMENT ON TABLE @extschema@.region IS
'regions of any depth (city, district, street/town, community/village, grid): one row per code and validity range [valid_from, valid_to); a boundary change closes a row and opens another, so history keeps its old hierarchy';
CREATE INDEX region_parent_idx ON @extschema@.region (parent_code);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.region', '');

-- At commit: no overlapping validity for one code; the parent exists over
-- the child's whole validity; no cycles through parent links.
CREATE FUNCTION @extschema@.region_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- children must not lose their parent
        SELECT c.code INTO r FROM @extschema@.region c
         WHERE c.parent_code = OLD.code
           AND NOT EXISTS (SELECT FROM @extschema@.region p
                            WHERE p.code = OLD.code AND p.valid_from <= c.valid_from AND c.valid_from < p.valid_to)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'region "%" is still the parent of region "%"', OLD.code, r.code
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.region WHERE code = NEW.code AND valid_from = NEW.valid_from) THEN
        RETURN NULL;    -- row changed again later in the transaction
    END IF;
    SELECT o.valid_from INTO r FROM @extschema@.region o
     WHERE o.code = NEW.code AND o.valid_from <> NEW.valid_from
       AND o.valid_from < NEW.valid_to AND NEW.valid_from < o.valid_to
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'region "%" has overlapping validity ranges starting % and %', NEW.code, NEW.valid_from, r.valid_from
            USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.parent_code IS NOT NULL THEN
        -- a parent row holds at valid_from, and every parent row ending
        -- inside the child's range is continued by another
        IF NOT EXISTS (SELECT FROM @extschema@.region p
                        WHERE p.code = NEW.parent_code AND p.valid_from <= NEW.valid_from AND NEW.valid_from < p.valid_to)
           OR EXISTS (SELECT FROM @extschema@.region p
                       WHERE p.code = NEW.parent_code AND p.valid_to > NEW.valid_from AND p.valid_to < NEW.valid_to
                         AND NOT EXISTS (SELECT FROM @extschema@.region q
                                          WHERE q.code = NEW.parent_code AND q.valid_from = p.valid_to)) THEN
            RAISE EXCEPTION 'parent region "%" of region "%" does not exist over all of [%, %)',
                NEW.parent_code, NEW.code, NEW.valid_from, NEW.valid_to
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF EXISTS (WITH RECURSIVE up(code, path) AS (
                       SELECT NEW.parent_code, ARRAY[NEW.code]
                       UNION
                       SELECT p.parent_code, up.path || up.code
                         FROM up JOIN @extschema@.region p ON p.code = up.code
                        WHERE p.parent_code IS NOT NULL AND NOT up.code = ANY (up.path))
                   SELECT FROM up WHERE up.code = NEW.code) THEN
            RAISE EXCEPTION 'region "%" would be its own ancestor', NEW.code
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER region_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.region
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.region_check();

CREATE FUNCTION @extschema@.regions_at(at date)
RETURNS TABLE (code text, parent_code text, depth integer, name_zh text, kind text, path text[])
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE tree AS (
        SELECT r.code, r.parent_code, 1 AS depth, r.name_zh, r.kind, ARRAY[r.code] AS path
          FROM @extschema@.region r
         WHERE r.parent_code IS NULL AND r.valid_from <= at AND at < r.valid_to
        UNION ALL
        SELECT r.code, r.parent_code, t.depth + 1, r.name_zh, r.kind, t.path || r.code
          FROM tree t JOIN @extschema@.region r ON r.parent_code = t.code
         WHERE r.valid_from <= at AND at < r.valid_to)
    SELECT * FROM tree;
$$;
COMMENT ON FUNCTION @extschema@.regions_at(date) IS
'the region hierarchy in force on a date: code, parent, depth (1 = top), Chinese name, kind and the path of codes from the top';

CREATE TABLE @extschema@.population (
    region_code  text NOT NULL,
    period       text NOT NULL CHECK (period IN ('year', 'month')),
    period_start date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('registered', 'resident', 'migrant')),
    persons      float8 NOT NULL CHECK (persons >= 0 AND persons NOT IN ('Infinity', 'NaN')),
    PRIMARY KEY (region_code, kind, period, period_start),
    CHECK (period_start = date_trunc(period, period_start)::date)
);
COMMENT ON TABLE @extschema@.population IS
'population figures per region, year or month, and kind (registered 户籍, resident 常住, migrant 流动); a month without its own figure uses its year''s, a region without one sums its children';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.population', '');

CREATE FUNCTION @extschema@.population_in(kind text, month date)
RETURNS TABLE (region_code text, depth integer, persons float8, origin text, regions_without_figure integer)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    WITH tree AS (
        SELECT * FROM @extschema@.regions_at(month)),
    own AS (
        SELECT t.code, t.depth, t.path,
               coalesce(m.persons, y.persons) AS persons,
               CASE WHEN m.persons IS NOT NULL THEN 'month' WHEN y.persons IS NOT NULL THEN 'year' END AS origin,
               NOT EXISTS (SELECT FROM tree c WHERE c.parent_code = t.code) AS is_leaf
          FROM tree t
          LEFT JOIN @extschema@.population m
                 ON m.region_code = t.code AND m.kind = population_in.kind AND m.period = 'month'
                AND m.period_start = date_trunc('month', population_in.month)::date
          LEFT JOIN @extschema@.population y
                 ON y.region_code = t.code AND y.kind = population_in.kind AND y.period = 'year'
                AND y.period_start = date_trunc('year', population_in.month)::date),
    -- For each region r and each region d at or below it, the nearest figure
    -- on the way down from r to d: d provides r's sum when d has a figure
    -- and nothing strictly between r and d has one.
    below AS (
        SELECT r.code AS region, d.code, d.persons, d.is_leaf,
               d.path[array_position(d.path, r.code) + 1 : array_length(d.path, 1) - 1] AS between_codes
          FROM own r JOIN own d ON r.code = ANY (d.path)),
    marked AS (
        SELECT b.*, NOT EXISTS (SELECT FROM own x WHERE x.code = ANY (b.between_codes) AND x.persons IS NOT NULL) AS open_path
          FROM below b),
    derived AS (
        SELECT region,
               sum(persons) FILTER (WHERE persons IS NOT NULL AND open_path AND code <> region) AS children_sum,
               count(*) FILTER (WHERE is_leaf AND open_path AND persons IS NULL) AS leaves_without
          FROM marked GROUP BY region)
    SELECT o.code, o.depth,
           CASE WHEN o.persons IS NOT NULL THEN o.persons
                WHEN d.leaves_without = 0 THEN d.children_sum END,
           CASE WHEN o.persons IS NOT NULL THEN o.origin
                WHEN d.leaves_without = 0 THEN 'children' END,
           CASE WHEN o.persons IS NOT NULL THEN 0 ELSE d.leaves_without::integer END
      FROM own o JOIN derived d ON d.region = o.code;
$$;
COMMENT ON FUNCTION @extschema@.population_in(text, date) IS
'population of every region in force in a month: its own month figure, else its year figure, else the sum of the nearest figures below it; NULL (and the number of lowest-level regions without any figure) when that sum would be incomplete';
-- safeidx install script, part 70: sources, bindings to the departments' own
-- tables (read in place, never copied).

CREATE TABLE @extschema@.source (
    source          text PRIMARY KEY CHECK (source ~ '^[a-z][a-z0-9_]*$'),
    relation        text NOT NULL,
    region_column   name NOT NULL,
    time_column     name NOT NULL,
    filter          text,
    measure         text NOT NULL DEFAULT 'count' CHECK (measure IN ('count', 'sum', 'count_distinct')),
    measure_column  name,
    category_column name,
    severity        jsonb,
    description     text,
    CHECK ((measure = 'count') = (measure_column IS NULL)),
    CHECK (severity IS NULL OR (category_column IS NOT NULL AND jsonb_typeof(severity) = 'object'))
);
COMMENT ON TABLE @extschema@.source IS
'a departmental table or view read in place: its region and time columns, an optional filter (boolean SQL over its columns), the measure (count rows, sum or count distinct a column) and optional severity weights per category';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');

-- Type of a column of a relation, or an error naming what is wrong.
CREATE FUNCTION @extschema@.source_column_type(rel regclass, col name, what text)
RETURNS regtype LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t regtype;
BEGIN
    SELECT a.atttypid::regtype INTO t FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION '% column "%" does not exist in %', what, col, rel
            USING ERRCODE = 'undefined_column';
    END IF;
    RETURN t;
END $$;
COMMENT ON FUNCTION @extschema@.source_column_type(regclass, name, text) IS
'type of a column of a relation; error 42703 naming the role of the column when it does not exist';

CREATE FUNCTION @extschema@.check_filter(filter text) RETURNS void
AS 'MODULE_PATHNAME', 'check_filter'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.check_filter(text) IS
'error 42601 unless the text parses as one SQL expression with nothing after it (no second statement, no LIMIT, ...); executes nothing';

-- Validation when a source is defined or changed.
CREATE FUNCTION @extschema@.source_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass := to_regclass(NEW.relation);
    t regtype;
    bad text;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of source "%" does not exist', NEW.relation, NEW.source
            USING ERRCODE = 'undefined_table', HINT = 'Give a schema-qualified table or view name.';
    END IF;
    NEW.relation := rel::text;
    t := @extschema@.source_column_type(rel, NEW.region_column, 'region');
    IF t NOT IN ('text'::regtype, 'character varying'::regtype, 'bpchar'::regtype,
                 'integer'::regtype, 'bigint'::regtype) THEN
        RAISE EXCEPTION 'region column "%" of source "%" has type %, not a code type (text or integer)', NEW.region_column, NEW.source, t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    t := @extschema@.source_column_type(rel, NEW.time_column, 'time');
    IF t NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'time column "%" of source "%" has type %, not timestamptz, timestamp or date', NEW.time_column, NEW.source, t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    IF NEW.measure_column IS NOT NULL THEN
        t := @extschema@.source_column_type(rel, NEW.measure_column, 'measure');
        IF NEW.measure = 'sum' AND t NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                                             'numeric'::regtype, 'real'::regtype, 'double precision'::regtype) THEN
            RAISE EXCEPTION 'measure column "%" of source "%" has type %, which cannot be summed', NEW.measure_column, NEW.source, t
                USING ERRCODE = 'datatype_mismatch';
        END IF;
    END IF;
    IF NEW.category_column IS NOT NULL THEN
        PERFORM @extschema@.source_column_type(rel, NEW.category_column, 'category');
    END IF;
    IF NEW.severity IS NOT NULL THEN
        SELECT key INTO bad FROM jsonb_each(NEW.severity)
         WHERE jsonb_typeof(value) <> 'number' OR value::text::numeric < 0 LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'severity weight of category "%" in source "%" must be a number of 0 or more', bad, NEW.source
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF NEW.filter IS NOT NULL THEN
        PERFORM @extschema@.check_filter(NEW.filter);
        BEGIN
            EXECUTE format('SELECT FROM %s WHERE %s LIMIT 0', rel, NEW.filter);
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'filter of source "%" is not a valid condition on %: %', NEW.source, rel, SQLERRM
                USING ERRCODE = 'syntax_error';
        END;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER source_valid BEFORE INSERT OR UPDATE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_check();

-- The pieces of SQL that read a source: its local time, the value of one
-- departmental row, and the condition on its rows between two local dates.
CREATE FUNCTION @extschema@.source_sql(src @extschema@.source, from_date date, to_date date, tz text,
                                       OUT local_time text, OUT value_expr text, OUT time_condition text,
                                       OUT row_filter text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    time_type regtype := @extschema@.source_column_type(src.relation::regclass, src.time_column, 'time');
    lower_bound text;
    upper_bound text;
BEGIN
    IF time_type = 'timestamp with time zone'::regtype THEN
        local_time := format('(%I AT TIME ZONE %L)', src.time_column, tz);
        lower_bound := format('(%L::timestamp AT TIME ZONE %L)', from_date, tz);
        upper_bound := format('(%L::timestamp AT TIME ZONE %L)', to_date, tz);
    ELSE
        local_time := quote_ident(src.time_column);
        lower_bound := quote_literal(from_date);
        upper_bound := quote_literal(to_date);
    END IF;
    value_expr := CASE src.measure
        WHEN 'count' THEN '1'
        WHEN 'sum' THEN format('%I::float8', src.measure_column)
        ELSE format('%I', src.measure_column) END;
    IF src.severity IS NOT NULL THEN
        value_expr := format('(%s) * coalesce((%L::jsonb ->> %I::text)::float8, 1)', value_expr, src.severity, src.category_column);
    END IF;
    time_condition := format('%I >= %s AND %I < %s', src.time_column, lower_bound, src.time_column, upper_bound);
    row_filter := coalesce('(' || src.filter || ')', 'true');
END $$;
COMMENT ON FUNCTION @extschema@.source_sql(@extschema@.source, date, date, text) IS
'SQL pieces reading a source: the local time of a row in time zone tz, the value of a row (1, a column, times its severity weight), the condition on its time between two local dates and its filter (true without one)';

-- The SQL that reads a source: one row per departmental row kept by the
-- filter, with its region code as text, its local period and its value.
CREATE FUNCTION @extschema@.source_query(src @extschema@.source, period text, from_date date, to_date date, tz text)
RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    part record;
BEGIN
    IF period NOT IN ('day', 'month', 'quarter', 'year') THEN
        RAISE EXCEPTION 'unknown period "%"', period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, month, quarter or year.';
    END IF;
    part := @extschema@.source_sql(src, from_date, to_date, tz);
    RETURN format('SELECT %I::text AS region_code, date_trunc(%L, %s)::date AS period_start, %s AS value FROM %s WHERE %s AND %s',
                  src.region_column, period, part.local_time, part.value_expr, src.relation,
                  part.time_condition, part.row_filter);
END $$;
COMMENT ON FUNCTION @extschema@.source_query(@extschema@.source, text, date, date, text) IS
'the SQL reading one source between two dates (local, [from, to)), cut into periods in time zone tz';

CREATE FUNCTION @extschema@.source_counts(source text, period text, from_date date, to_date date,
                                          tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, period_start date, value float8, source_rows bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src @extschema@.source;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = source_counts.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT q.region_code, q.period_start, %s, count(*) FROM (%s) q GROUP BY 1, 2',
        CASE WHEN src.measure = 'count_distinct' THEN 'count(DISTINCT q.value)::float8' ELSE 'sum(q.value)::float8' END,
        @extschema@.source_query(src, period, from_date, to_date, tz));
END $$;
COMMENT ON FUNCTION @extschema@.source_counts(text, text, date, date, text) IS
'the measure of a source per region code and period between two local dates [from, to), cut in time zone tz (default Asia/Shanghai); every region code is kept, known or not';

CREATE FUNCTION @extschema@.source_unknown_regions(source text, from_date date, to_date date,
                                                   tz text DEFAULT 'Asia/Shanghai')
RETURNS TABLE (region_code text, source_rows bigint, first_day date, last_day date)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.region_code, sum(c.source_rows)::bigint, min(c.period_start), max(c.period_start)
      FROM @extschema@.source_counts(source, 'day', from_date, to_date, tz) c
     WHERE NOT EXISTS (SELECT FROM @extschema@.region r
                        WHERE r.code = c.region_code AND r.valid_from <= c.period_start AND c.period_start < r.valid_to)
     GROUP BY c.region_code;
$$;
COMMENT ON FUNCTION @extschema@.source_unknown_regions(text, date, date, text) IS
'departmental rows of a source whose region code is NULL or names no region in force on their day: they are counted here, never dropped silently';
-- safeidx install script, part 80: schemes, their versions and indicator
-- trees, validated at commit.

CREATE TABLE @extschema@.scheme (
    scheme          text PRIMARY KEY CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
    name_zh         text NOT NULL,
    name_en         text,
    periods         text[] NOT NULL DEFAULT '{month}'
                    CHECK (cardinality(periods) > 0 AND periods <@ '{day,month,quarter,year}'),
    time_zone       text NOT NULL DEFAULT 'Asia/Shanghai',
    population_kind text NOT NULL DEFAULT 'resident' CHECK (population_kind IN ('registered', 'resident', 'migrant')),
    grade_scale     text NOT NULL DEFAULT 'wuchang' REFERENCES @extschema@.grade_scale ON UPDATE CASCADE,
    description     text
);
COMMENT ON TABLE @extschema@.scheme IS
'an index scheme: the periods it is computed for (day, month, quarter, year), the time zone periods are cut in, the population kind used as denominator and the grade scale';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme', '');

CREATE FUNCTION @extschema@.scheme_time_zone_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time zone "%" of scheme "%" is not known', NEW.time_zone, NEW.scheme
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a name from pg_timezone_names, e.g. Asia/Shanghai.';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER scheme_time_zone BEFORE INSERT OR UPDATE OF time_zone ON @extschema@.scheme
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_time_zone_check();

CREATE TABLE @extschema@.scheme_version (
    scheme         text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    version        text NOT NULL,
    valid_from     date NOT NULL,
    valid_to       date NOT NULL DEFAULT 'infinity',
    total          float8 NOT NULL DEFAULT 100 CHECK (total > 0 AND total < 'Infinity'),
    aggregation    text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    min_coverage   float8 NOT NULL DEFAULT 0 CHECK (min_coverage BETWEEN 0 AND 1),
    positive_share float8 CHECK (positive_share BETWEEN 0 AND 1),
    negative_share float8 CHECK (negative_share BETWEEN 0 AND 1),
    share_node     text,
    note           text,
    PRIMARY KEY (scheme, version),
    CHECK (valid_from < valid_to AND valid_from > '-infinity')
);
COMMENT ON TABLE @extschema@.scheme_version IS
'a version of a scheme in force for periods starting in [valid_from, valid_to); total is the index of a region scoring every point; optional shares of the total that positive and negative leaf indicators must carry (Anning: 0.35 / 0.35), counted below share_node if given (Anning: the governance part, beside the survey part)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scheme_version', '');

CREATE TABLE @extschema@.indicator (
    scheme             text NOT NULL,
    version            text NOT NULL,
    node               text NOT NULL CHECK (node ~ '^[a-z][a-z0-9_]*$'),
    parent_node        text,
    name_zh            text NOT NULL,
    name_en            text,
    weight             float8 NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'),
    aggregation        text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    direction          text CHECK (direction IN ('negative', 'positive')),
    sources            text[],
    measure            text NOT NULL DEFAULT 'rate' CHECK (measure IN ('rate', 'count', 'ratio')),
    denominator_sources text[],
    -- a foreign key makes pg_dump load sources before indicators, whose
    -- check at commit needs them; every source is checked by that trigger
    first_source       text GENERATED ALWAYS AS (sources[1]) STORED REFERENCES @extschema@.source,
    per                float8 NOT NULL DEFAULT 10000 CHECK (per > 0 AND per < 'Infinity'),
    min_denominator    float8 CHECK (min_denominator > 0 AND min_denominator < 'Infinity'),
    scoring            text CHECK (scoring IN ('ratio_band', 'goalposts', 'target', 'minmax')),
    scoring_params     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scoring_params) = 'object'),
    baseline           text NOT NULL DEFAULT 'none'
                       CHECK (baseline IN ('none', 'prior_years', 'same_period_last_year', 'previous_period')),
    baseline_of        text NOT NULL DEFAULT 'self' CHECK (baseline_of IN ('self', 'parent', 'depth')),
    baseline_depth     integer CHECK (baseline_depth >= 1),
    baseline_years     integer NOT NULL DEFAULT 1 CHECK (baseline_years BETWEEN 1 AND 20),
    PRIMARY KEY (scheme, version, node),
    FOREIGN KEY (scheme, version) REFERENCES @extschema@.scheme_version ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK ((baseline_of = 'depth') = (baseline_depth IS NOT NULL)),
    CHECK ((measure = 'ratio') = (denominator_sources IS NOT NULL)),
    CONSTRAINT min_denominator_only_for_ratios CHECK (min_denominator IS NULL OR measure = 'ratio')
);
COMMENT ON TABLE @extschema@.indicator IS
'nodes of a scheme version''s indicator tree: a node without children is a leaf indicator read from sources (measure rate per "per" residents, count, or ratio of two source sums times "per", missing below min_denominator, e.g. a survey''s minimum sample), scored by a rule against an optional baseline; an inner node aggregates its children (arithmetic or geometric) and their weights must add up to its own';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.indicator', '');

-- Parameters a scoring rule accepts, with their JSON types.
CREATE FUNCTION @extschema@.scoring_parameters(scoring text)
RETURNS TABLE (parameter text, json_type text, required boolean)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT p.parameter, p.json_type, p.required
      FROM (VALUES ('ratio_band', 'lower', 'number', false), ('ratio_band', 'upper', 'number', false),
                   ('ratio_band', 'middle', 'string', false), ('ratio_band', 'middle_share', 'number', false),
                   ('goalposts', 'minimum', 'number', true), ('goalposts', 'maximum', 'number', true),
                   ('goalposts', 'log_scale', 'boolean', false), ('goalposts', 'capped', 'boolean', false),
                   ('target', 'target', 'number', false)) p(rule, parameter, json_type, required)
     WHERE p.rule = scoring;
$$;
COMMENT ON FUNCTION @extschema@.scoring_parameters(text) IS
'the parameters (scoring_params keys) a scoring rule accepts: ratio_band lower, upper, middle, middle_share; goalposts minimum, maximum, log_scale, capped; target target (else the baseline is the target); minmax none';

-- Everything that must hold for one scheme version; errors name the node.
CREATE FUNCTION @extschema@.check_scheme_version(check_scheme text, check_version text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v   @extschema@.scheme_version;
    r   record;
    bad text;
    got text;
    tol constant float8 := 1e-9;
BEGIN
    SELECT * INTO v FROM @extschema@.scheme_version
     WHERE scheme = check_scheme AND version = check_version;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT o.version INTO r FROM @extschema@.scheme_version o
     WHERE o.scheme = v.scheme AND o.version <> v.version
       AND o.valid_from < v.valid_to AND v.valid_from < o.valid_to LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'versions "%" and "%" of scheme "%" are both in force on some dates', v.version, r.version, v.scheme
            USING ERRCODE = 'exclusion_violation', HINT = 'Close the older version (valid_to) where the newer one starts.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.indicator WHERE scheme = v.scheme AND version = v.version) THEN
        RETURN;     -- still empty: nothing to check until it has nodes
    END IF;
    -- parents exist (checked here, not by a foreign key, which pg_dump
    -- would report as circular)
    SELECT i.node, i.parent_node INTO r FROM @extschema@.indicator i
     WHERE i.scheme = v.scheme AND i.version = v.version AND i.parent_node IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.indicator p
                        WHERE p.scheme = v.scheme AND p.version = v.version AND p.node = i.parent_node)
     ORDER BY i.node LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'parent node "%" of indicator "%" (scheme "%" version "%") does not exist', r.parent_node, r.node, v.scheme, v.version
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- cycles: a node must reach the top by parent links
    SELECT i.node INTO r FROM @extschema@.indicator i
     WHERE i.scheme = v.scheme AND i.version = v.version
       AND NOT EXISTS (
           WITH RECURSIVE up(node, parent_node, steps) AS (
               SELECT i.node, i.parent_node, 0
               UNION ALL
               SELECT p.node, p.parent_node, up.steps + 1
                 FROM up JOIN @extschema@.indicator p
                   ON p.scheme = v.scheme AND p.version = v.version AND p.node = up.parent_node
                WHERE up.steps < 1000)
           SELECT FROM up WHERE up.parent_node IS NULL)
     ORDER BY i.node LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'indicator "%" of scheme "%" version "%" does not reach the top of the tree: its parent nodes form a cycle', r.node, v.scheme, v.version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- weights: level 1 against the total, children against their parent
    FOR r IN
        SELECT coalesce(p.node, '') AS node, coalesce(p.weight, v.total) AS expected, sum(c.weight) AS actual
          FROM @extschema@.indicator c
          LEFT JOIN @extschema@.indicator p
            ON p.scheme = c.scheme AND p.version = c.version AND p.node = c.parent_node
         WHERE c.scheme = v.scheme AND c.version = v.version
         GROUP BY p.node, p.weight
        HAVING abs(sum(c.weight) - coalesce(p.weight, v.total)) > tol * greatest(1, coalesce(p.weight, v.total))
         ORDER BY 1 LIMIT 1
    LOOP
        IF r.node = '' THEN
            RAISE EXCEPTION 'level-1 weights of scheme "%" version "%" add up to %, not the version''s total %', v.scheme, v.version, r.actual, r.expected
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RAISE EXCEPTION 'weights of the children of indicator "%" (scheme "%" version "%") add up to %, not its weight %', r.node, v.scheme, v.version, r.actual, r.expected
            USING ERRCODE = 'invalid_parameter_value';
    END LOOP;
    -- leaves and inner nodes
    FOR r IN
        SELECT i.*, NOT EXISTS (SELECT FROM @extschema@.indicator c
                                 WHERE c.scheme = i.scheme AND c.version = i.version AND c.parent_node = i.node) AS is_leaf
          FROM @extschema@.indicator i
         WHERE i.scheme = v.scheme AND i.version = v.version ORDER BY i.node
    LOOP
        IF NOT r.is_leaf THEN
            IF r.sources IS NOT NULL OR r.scoring IS NOT NULL OR r.direction IS NOT NULL THEN
                RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") has children, so it takes no sources, direction or scoring of its own', r.node, v.scheme, v.version
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            CONTINUE;
        END IF;
        IF coalesce(cardinality(r.sources), 0) = 0 THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") has no source', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the sources it counts, e.g. sources => ''{police_theft}''.';
        END IF;
        SELECT s INTO bad FROM unnest(r.sources || coalesce(r.denominator_sources, '{}')) s
         WHERE NOT EXISTS (SELECT FROM @extschema@.source x WHERE x.source = s) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") reads unknown source "%"', r.node, v.scheme, v.version, bad
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF r.direction IS NULL OR r.scoring IS NULL THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") needs a direction and a scoring rule', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring = 'ratio_band' AND r.baseline = 'none' THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") is scored by ratio_band, which needs a baseline', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring = 'target' AND r.baseline = 'none' AND NOT r.scoring_params ? 'target' THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%") is scored by target, which needs scoring_params.target or a baseline', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT k.key, jsonb_typeof(k.value) INTO bad, got
          FROM jsonb_each(r.scoring_params) k
          LEFT JOIN @extschema@.scoring_parameters(r.scoring) p ON p.parameter = k.key
         WHERE p.parameter IS NULL OR p.json_type <> jsonb_typeof(k.value) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): scoring rule % takes no parameter "%" of JSON type %', r.node, v.scheme, v.version, r.scoring, bad, got
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'See safeidx.scoring_parameters(''' || r.scoring || ''').';
        END IF;
        SELECT p.parameter INTO bad FROM @extschema@.scoring_parameters(r.scoring) p
         WHERE p.required AND NOT r.scoring_params ? p.parameter LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): scoring rule % needs parameter "%"', r.node, v.scheme, v.version, r.scoring, bad
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF r.scoring_params ->> 'middle' NOT IN ('step', 'linear') THEN
            RAISE EXCEPTION 'indicator "%" (scheme "%" version "%"): middle must be step or linear', r.node, v.scheme, v.version
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF v.share_node IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.indicator i
            WHERE i.scheme = v.scheme AND i.version = v.version AND i.node = v.share_node) THEN
        RAISE EXCEPTION 'share_node "%" of scheme "%" version "%" is not one of its indicators', v.share_node, v.scheme, v.version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- positive and negative shares of the total
    FOR r IN
        SELECT d.direction, d.share,
               coalesce((WITH RECURSIVE below AS (
                             SELECT i.* FROM @extschema@.indicator i
                              WHERE i.scheme = v.scheme AND i.version = v.version
                                AND (i.node = v.share_node OR (v.share_node IS NULL AND i.parent_node IS NULL))
                             UNION ALL
                             SELECT i.* FROM below b JOIN @extschema@.indicator i
                               ON i.scheme = b.scheme AND i.version = b.version AND i.parent_node = b.node)
                         SELECT sum(b.weight) FROM below b WHERE b.direction = d.direction), 0) AS weight
          FROM (VALUES ('positive', v.positive_share), ('negative', v.negative_share)) d(direction, share)
         WHERE d.share IS NOT NULL
    LOOP
        IF abs(r.weight - r.share * v.total) > tol * greatest(1, v.total) THEN
            RAISE EXCEPTION '% indicators%of scheme "%" version "%" weigh %, not % (% of the total %)',
                r.direction, coalesce(' below "' || v.share_node || '" ', ' '), v.scheme, v.version,
                r.weight, r.share * v.total, r.share, v.total
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.check_scheme_version(text, text) IS
'raises the first error found in a scheme version: overlapping validity, a missing parent node, a cycle, children''s weights against their node (level 1 against the total), positive/negative shares, a leaf without a known source, direction or scoring, bad scoring parameters';

CREATE FUNCTION @extschema@.scheme_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM @extschema@.check_scheme_version(OLD.scheme, OLD.version);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM @extschema@.check_scheme_version(NEW.scheme, NEW.version);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER scheme_version_valid
    AFTER INSERT OR UPDATE ON @extschema@.scheme_version
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();
CREATE CONSTRAINT TRIGGER indicator_valid
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.indicator
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.scheme_check();

-- A source still read by an indicator cannot be dropped or renamed.
CREATE FUNCTION @extschema@.source_in_use() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.source = OLD.source THEN
        RETURN NEW;
    END IF;
    SELECT scheme, version, node INTO r FROM @extschema@.indicator
     WHERE OLD.source = ANY (sources || coalesce(denominator_sources, '{}')) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'source "%" is read by indicator "%" of scheme "%" version "%"', OLD.source, r.node, r.scheme, r.version
            USING ERRCODE = 'dependent_objects_still_exist';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER source_in_use BEFORE UPDATE OR DELETE ON @extschema@.source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.source_in_use();

-- The version of a scheme in force for a period starting on a date.
CREATE FUNCTION @extschema@.version_at(scheme text, period_start date)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT v.version FROM @extschema@.scheme_version v
     WHERE v.scheme = version_at.scheme AND v.valid_from <= period_start AND period_start < v.valid_to;
$$;
COMMENT ON FUNCTION @extschema@.version_at(text, date) IS
'the version of a scheme in force for a period starting on a date, NULL if none';

CREATE FUNCTION @extschema@.period_interval(period text)
RETURNS interval LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period WHEN 'day' THEN interval '1 day' WHEN 'month' THEN interval '1 month'
                       WHEN 'quarter' THEN interval '3 months' WHEN 'year' THEN interval '1 year' END;
$$;
COMMENT ON FUNCTION @extschema@.period_interval(text) IS
'the length of a period kind (day, month, quarter, year) as an interval; NULL for anything else';
-- safeidx install script, part 85: cells (source measures per scheme, period
-- and region code, the only part of a computation that reads departmental
-- tables) and change capture on the departmental tables.

CREATE FUNCTION @extschema@.period_end(period text, period_start date)
RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (period_start + @extschema@.period_interval(period))::date;
$$;
COMMENT ON FUNCTION @extschema@.period_end(text, date) IS
'the first day after a period (day, month, quarter, year) starting on a date';

CREATE FUNCTION @extschema@.period_number(period text, period_start date)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period
        WHEN 'day' THEN period_start - date '2000-01-01'
        WHEN 'month' THEN extract(year FROM period_start)::integer * 12 + extract(month FROM period_start)::integer
        WHEN 'quarter' THEN extract(year FROM period_start)::integer * 4 + extract(quarter FROM period_start)::integer
        WHEN 'year' THEN extract(year FROM period_start)::integer END;
$$;
COMMENT ON FUNCTION @extschema@.period_number(text, date) IS
'a number that grows by one from each period to the next (for runs of consecutive periods)';

CREATE TABLE @extschema@.cell (
    scheme       text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period       text NOT NULL,
    period_start date NOT NULL,
    source       text NOT NULL,
    region_code  text,
    value        float8 NOT NULL,
    source_rows  bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (scheme, period, period_start, source, region_code)
);
COMMENT ON TABLE @extschema@.cell IS
'materialized: the measure of each source per scheme, period and region code as written in the departmental rows (unknown and NULL codes included), cut in the scheme''s time zone';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cell', '');

CREATE TABLE @extschema@.change_log (
    scheme       text NOT NULL,
    relation     text NOT NULL,
    region_code  text,
    every_region boolean NOT NULL DEFAULT false,
    first_local  timestamp NOT NULL,
    last_local   timestamp NOT NULL,
    results_only boolean NOT NULL DEFAULT false,
    logged_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.change_log IS
'departmental rows inserted, updated or deleted since the last refresh of each scheme: region code and the span of their local times (every_region after TRUNCATE or mark_changed without a code); results_only for changed population figures and regions, which change results but no cell';
CREATE INDEX change_log_scheme_idx ON @extschema@.change_log (scheme);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.change_log', '');

-- Sources, with the schemes reading them: the sources of all versions.
CREATE FUNCTION @extschema@.scheme_sources(scheme text)
RETURNS SETOF @extschema@.source LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.* FROM @extschema@.source s
     WHERE EXISTS (SELECT FROM @extschema@.indicator i
                    WHERE i.scheme = scheme_sources.scheme
                      AND s.source = ANY (i.sources || coalesce(i.denominator_sources, '{}')));
$$;
COMMENT ON FUNCTION @extschema@.scheme_sources(text) IS 'the sources read by any version of a scheme';

-- Statement trigger on a departmental table: log, for every scheme reading
-- it, the region codes and local time span of the rows changed.
CREATE FUNCTION @extschema@.capture_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s record;
    local_time text;
    transition text;
BEGIN
    FOR s IN
        SELECT DISTINCT sc.scheme, sc.time_zone, src.region_column, src.time_column,
               @extschema@.source_column_type(TG_RELID, src.time_column, 'time') AS time_type
          FROM @extschema@.source src
          JOIN @extschema@.indicator i ON src.source = ANY (i.sources || coalesce(i.denominator_sources, '{}'))
          JOIN @extschema@.scheme sc ON sc.scheme = i.scheme
         WHERE to_regclass(src.relation) = TG_RELID
    LOOP
        IF TG_OP = 'TRUNCATE' THEN
            INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
            VALUES (s.scheme, TG_RELID::regclass::text, NULL, true, '-infinity', 'infinity');
            CONTINUE;
        END IF;
        local_time := CASE WHEN s.time_type = 'timestamp with time zone'::regtype
                           THEN format('(%I AT TIME ZONE %L)', s.time_column, s.time_zone)
                           ELSE format('%I::timestamp', s.time_column) END;
        FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                               WHEN 'DELETE' THEN '{old_rows}'::text[]
                                               ELSE '{old_rows,new_rows}'::text[] END
        LOOP
            EXECUTE format(
                'INSERT INTO @extschema@.change_log (scheme, relation, region_code, first_local, last_local)
                 SELECT %L, %L, %I::text, min(%s), max(%s) FROM %I WHERE %I IS NOT NULL GROUP BY 3',
                s.scheme, TG_RELID::regclass::text, s.region_column, local_time, local_time,
                transition, s.time_column);
        END LOOP;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.capture_changes() IS
'statement trigger installed by safeidx.capture() on departmental tables: logs changed region codes and time spans in safeidx.change_log';

-- Statement triggers on population and region: every scheme's results over
-- the dates whose figures or hierarchy changed must be recomputed (cells
-- are unchanged: they are kept per raw region code).
CREATE FUNCTION @extschema@.capture_catalogue_changes() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    transition text;
BEGIN
    FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN '{new_rows}'::text[]
                                           WHEN 'DELETE' THEN '{old_rows}'::text[]
                                           ELSE '{old_rows,new_rows}'::text[] END
    LOOP
        EXECUTE format(
            'INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local, results_only)
             SELECT s.scheme, %L, NULL, true, t.first_day, t.last_day - interval ''1 microsecond'', true
               FROM @extschema@.scheme s,
                    (SELECT min(%s)::timestamp AS first_day, max(%s)::timestamp AS last_day FROM %I) t
              WHERE t.first_day IS NOT NULL',
            TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
            CASE TG_TABLE_NAME WHEN 'population' THEN 'period_start' ELSE 'valid_from' END,
            CASE TG_TABLE_NAME WHEN 'population' THEN '@extschema@.period_end(period, period_start)' ELSE 'valid_to' END,
            transition);
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.capture_catalogue_changes() IS
'statement trigger on safeidx.population and safeidx.region: tells every scheme to recompute its results over the dates whose population figures or regions changed';
CREATE TRIGGER population_changes_insert AFTER INSERT ON @extschema@.population
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER population_changes_update AFTER UPDATE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER population_changes_delete AFTER DELETE ON @extschema@.population
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_insert AFTER INSERT ON @extschema@.region
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_update AFTER UPDATE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();
CREATE TRIGGER region_changes_delete AFTER DELETE ON @extschema@.region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_catalogue_changes();

CREATE FUNCTION @extschema@.capture(relation regclass)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    kind "char";
BEGIN
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = relation;
    IF kind NOT IN ('r', 'p') THEN
        RETURN false;       -- views, foreign tables: use safeidx.mark_changed()
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = relation AND tgname = 'safeidx_capture_insert') THEN
        EXECUTE format('CREATE TRIGGER safeidx_capture_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
        EXECUTE format('CREATE TRIGGER safeidx_capture_truncate AFTER TRUNCATE ON %s
                        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.capture_changes()', relation);
    END IF;
    RETURN true;
END $$;
COMMENT ON FUNCTION @extschema@.capture(regclass) IS
'installs the change-capture triggers safeidx_capture_* on a departmental table (rebuild() does it for every table its scheme reads); false for views and foreign tables, whose changes must be reported with safeidx.mark_changed()';


CREATE FUNCTION @extschema@.mark_changed(source text, from_date date, to_date date, region_code text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    src @extschema@.source;
    logged bigint;
BEGIN
    SELECT * INTO src FROM @extschema@.source s WHERE s.source = mark_changed.source;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown source "%"', source USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT from_date < to_date THEN
        RAISE EXCEPTION 'empty date range [%, %)', from_date, to_date USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.change_log (scheme, relation, region_code, every_region, first_local, last_local)
    SELECT DISTINCT i.scheme, src.relation, mark_changed.region_code, mark_changed.region_code IS NULL,
           from_date, to_date::timestamp - interval '1 microsecond'
      FROM @extschema@.indicator i
     WHERE src.source = ANY (i.sources || coalesce(i.denominator_sources, '{}'));
    GET DIAGNOSTICS logged = ROW_COUNT;
    RETURN logged;
END $$;
COMMENT ON FUNCTION @extschema@.mark_changed(text, date, date, text) IS
'reports changed rows of a source by hand (views, foreign tables, bulk loads with triggers disabled): local dates [from, to), one region code or all; returns the number of schemes told';

CREATE FUNCTION @extschema@.finest_first(periods text[])
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(p ORDER BY array_position('{day,month,quarter,year}'::text[], p)) FROM unnest(periods) p;
$$;
COMMENT ON FUNCTION @extschema@.finest_first(text[]) IS 'period kinds sorted from the finest (day) to the coarsest (year)';

-- The finest period kind of a scheme: cells are scanned at this kind and
-- summed into the coarser ones.
CREATE FUNCTION @extschema@.finest_period(periods text[])
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT (@extschema@.finest_first(periods))[1];
$$;
COMMENT ON FUNCTION @extschema@.finest_period(text[]) IS 'the finest of some period kinds: cells are read at this kind and summed into the others';

-- Deletes the cells of a scheme in [from, to) for some region codes (NULL:
-- all codes), for one period kind.
CREATE FUNCTION @extschema@.delete_cells(scheme text, period text, from_date date, to_date date, codes text[])
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM @extschema@.cell c
     WHERE c.scheme = delete_cells.scheme AND c.period = delete_cells.period
       AND c.period_start >= from_date AND c.period_start < to_date
       AND (codes IS NULL OR c.region_code = ANY (codes)
            OR (c.region_code IS NULL AND array_position(codes, NULL) IS NOT NULL));
$$;
COMMENT ON FUNCTION @extschema@.delete_cells(text, text, date, date, text[]) IS 'deletes the cells of a scheme and period kind in [from, to) for some region codes (NULL: all)';

-- Recomputes cells: each departmental table is read once over [from, to)
-- at the scheme's finest period kind for all the additive sources bound to
-- it (each source a FILTER of one GROUP BY; count-distinct sources once per
-- period kind), and the coarser kinds of the periods enclosing [from, to)
-- are summed from the finest cells, which must exist there.  The only
-- function reading departmental tables.
CREATE FUNCTION @extschema@.build_cells(scheme text, from_date date, to_date date, codes text[] DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc      @extschema@.scheme;
    src     @extschema@.source;
    grp     record;
    part    record;
    finest  text;
    kind    text;
    lo      date;
    hi      date;
    i       integer;
    columns text;
    sources text;
    any_row text;
    n       bigint;
    total   bigint := 0;
BEGIN
    SELECT * INTO STRICT sc FROM @extschema@.scheme s WHERE s.scheme = build_cells.scheme;
    finest := @extschema@.finest_period(sc.periods);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        lo := date_trunc(kind, from_date)::date;
        hi := @extschema@.period_end(kind, date_trunc(kind, to_date - 1)::date);
        PERFORM @extschema@.delete_cells(sc.scheme, kind, lo, hi, codes);
        -- one read per departmental table (and region and time column) at
        -- the finest kind; count-distinct sources at every kind
        FOR grp IN
            SELECT s.relation, s.region_column, s.time_column, array_agg(s ORDER BY s.source) AS srcs
              FROM @extschema@.scheme_sources(sc.scheme) s
             WHERE kind = finest OR s.measure = 'count_distinct'
             GROUP BY s.relation, s.region_column, s.time_column, s.measure = 'count_distinct',
                      CASE WHEN s.measure = 'count_distinct' THEN s.source END
        LOOP
            columns := '';
            sources := '';
            any_row := '';
            FOR i IN 1 .. cardinality(grp.srcs) LOOP
                src := grp.srcs[i];
                part := @extschema@.source_sql(src, lo, hi, sc.time_zone);
                columns := columns || format(', (%s FILTER (WHERE %s))::float8 AS v%s, count(*) FILTER (WHERE %s) AS n%s',
                    CASE WHEN src.measure = 'count_distinct' THEN format('count(DISTINCT %s)', part.value_expr)
                         ELSE format('sum((%s)::float8)', part.value_expr) END,
                    part.row_filter, i, part.row_filter, i);
                sources := sources || CASE WHEN i > 1 THEN ', ' ELSE '' END || format('(%L, g.v%s, g.n%s)', src.source, i, i);
                any_row := any_row || CASE WHEN i > 1 THEN ' OR ' ELSE '' END || part.row_filter;
            END LOOP;
            EXECUTE format(
                'INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows)
                 SELECT $1, $2, g.period_start, x.source, g.region_code, x.value, x.source_rows
                   FROM (SELECT %I::text AS region_code, date_trunc($2, %s)::date AS period_start %s
                           FROM %s
                          WHERE %s AND (%s)
                            AND ($3::text[] IS NULL OR %I::text = ANY ($3)
                                 OR (%I IS NULL AND array_position($3, NULL) IS NOT NULL))
                          GROUP BY 1, 2) g
                  CROSS JOIN LATERAL (VALUES %s) x(source, value, source_rows)
                  WHERE x.source_rows > 0',
                grp.region_column, part.local_time, columns, grp.relation, part.time_condition, any_row,
                grp.region_column, grp.region_column, sources)
            USING sc.scheme, kind, codes;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END LOOP;
        -- coarser kinds: sums of the finest cells
        IF kind <> finest THEN
            INSERT INTO @extschema@.cell (scheme, period, period_start, source, region_code, value, source_rows)
            SELECT sc.scheme, kind, date_trunc(kind, c.period_start)::date, c.source, c.region_code,
                   sum(c.value), sum(c.source_rows)
              FROM @extschema@.cell c
              JOIN @extschema@.scheme_sources(sc.scheme) s ON s.source = c.source AND s.measure <> 'count_distinct'
             WHERE c.scheme = sc.scheme AND c.period = finest
               AND c.period_start >= lo AND c.period_start < hi
               AND (codes IS NULL OR c.region_code = ANY (codes)
                    OR (c.region_code IS NULL AND array_position(codes, NULL) IS NOT NULL))
             GROUP BY 3, 4, 5;
            GET DIAGNOSTICS n = ROW_COUNT;
            total := total + n;
        END IF;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.build_cells(text, date, date, text[]) IS
'recomputes the cells of a scheme from the departmental tables for local dates [from, to) and the given region codes (NULL: all), reading each table once at the finest period kind for all its sources; returns the number of cells written';
-- safeidx install script, part 90: computing a scheme's results from its
-- cells: values, baselines, scores and points per indicator node, the index
-- and grade per region, ranks.

CREATE TABLE @extschema@.result (
    scheme        text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period        text NOT NULL,
    period_start  date NOT NULL,
    region_code   text NOT NULL,
    version       text NOT NULL,
    parent_code   text,
    depth         integer NOT NULL,
    index         float8,
    coverage      float8 NOT NULL,
    grade_level   integer,
    rank_siblings integer,
    rank_level    integer,
    residents     float8,
    missing_units integer NOT NULL,
    computed_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (scheme, period, period_start, region_code)
);
COMMENT ON TABLE @extschema@.result IS
'materialized: per scheme, period and region, the index, the share of leaf weight scored, the grade level, ranks (among siblings, within the level; ties share a rank, no index no rank) and residents counted; read it through safeidx.index_result';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result', '');

CREATE TABLE @extschema@.result_node (
    scheme         text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    period         text NOT NULL,
    period_start   date NOT NULL,
    region_code    text NOT NULL,
    node           text NOT NULL,
    parent_node    text,
    is_leaf        boolean NOT NULL,
    weight         float8 NOT NULL,
    events         float8,
    counted_events float8,
    denominator    float8,
    residents      float8,
    value          float8,
    baseline       float8,
    ratio          float8,
    score          float8,
    points         float8,
    PRIMARY KEY (scheme, period, period_start, region_code, node)
);
COMMENT ON TABLE @extschema@.result_node IS
'materialized: per scheme, period, region and indicator node, the source measure (events; counted_events leaves out units without a population figure), the value, baseline, ratio, score in [0, 1] and points (score x weight); read it through safeidx.indicator_result and safeidx.node_result';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.result_node', '');

-- The first period a version's baselines look back to, for results from a date.
CREATE FUNCTION @extschema@.lookback_start(scheme text, version text, period text, first_start date)
RETURNS date LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT date_trunc(period, coalesce(min(CASE i.baseline
               WHEN 'prior_years' THEN date_trunc('year', first_start) - make_interval(years => i.baseline_years)
               WHEN 'same_period_last_year' THEN first_start - interval '1 year'
               WHEN 'previous_period' THEN first_start - @extschema@.period_interval(period)
               ELSE first_start END), first_start))::date
      FROM @extschema@.indicator i
     WHERE i.scheme = lookback_start.scheme AND i.version = lookback_start.version AND i.sources IS NOT NULL;
$$;
COMMENT ON FUNCTION @extschema@.lookback_start(text, text, text, date) IS 'the first period whose cells a version''s baselines read, for results from a period start on';

-- Recomputes the results of a scheme for some periods of one kind, from its
-- cells (which must exist back to each version's lookback_start).
CREATE FUNCTION @extschema@.compute_results(scheme text, period text, starts date[])
RETURNS bigint LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off               -- its plans are costed high but run in seconds; JIT only adds compile time
AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    v        @extschema@.scheme_version;
    vstarts  date[];
    cuts     float8[];
    lookback date;
    step     interval := @extschema@.period_interval(compute_results.period);
    lvl      integer;
    n        bigint;
    total    bigint := 0;
BEGIN
    SELECT * INTO STRICT sc FROM @extschema@.scheme s WHERE s.scheme = compute_results.scheme;
    IF NOT compute_results.period = ANY (sc.periods) THEN
        RAISE EXCEPTION 'scheme "%" is not computed by %', sc.scheme, compute_results.period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(array_agg(b.min_index ORDER BY b.level) FILTER (WHERE b.min_index IS NOT NULL), '{}')
      INTO cuts FROM @extschema@.grade_band b WHERE b.scale = sc.grade_scale;
    DELETE FROM @extschema@.result r
     WHERE r.scheme = sc.scheme AND r.period = compute_results.period AND r.period_start = ANY (starts);
    DELETE FROM @extschema@.result_node r
     WHERE r.scheme = sc.scheme AND r.period = compute_results.period AND r.period_start = ANY (starts);

    FOR v IN SELECT * FROM @extschema@.scheme_version x WHERE x.scheme = sc.scheme ORDER BY x.valid_from LOOP
        SELECT array_agg(DISTINCT s ORDER BY s) INTO vstarts FROM unnest(starts) s
         WHERE s >= v.valid_from AND s < v.valid_to;
        CONTINUE WHEN vstarts IS NULL;
        lookback := @extschema@.lookback_start(sc.scheme, v.version, compute_results.period, vstarts[1]);

        -- the tree of indicator nodes, with its level (1 = top)
        CREATE TEMP TABLE t_node_def ON COMMIT DROP AS
        WITH RECURSIVE tree AS (
            SELECT i.*, 1 AS level FROM @extschema@.indicator i
             WHERE i.scheme = v.scheme AND i.version = v.version AND i.parent_node IS NULL
            UNION ALL
            SELECT i.*, t.level + 1 FROM tree t JOIN @extschema@.indicator i
              ON i.scheme = t.scheme AND i.version = t.version AND i.parent_node = t.node)
        SELECT t.*, t.sources IS NOT NULL AS is_leaf FROM tree t;

        -- the region hierarchy of every period from the lookback on, with
        -- each region's own population figure (its month's, else its year's)
        CREATE TEMP TABLE t_tree ON COMMIT DROP AS
        WITH periods AS (
            SELECT p::date AS ps FROM generate_series(lookback, vstarts[cardinality(vstarts)], step) p),
        bounds AS (
            SELECT DISTINCT b.x FROM @extschema@.region r, LATERAL (VALUES (r.valid_from), (r.valid_to)) b(x)
             WHERE isfinite(b.x)),
        epochs AS (
            SELECT p.ps, coalesce((SELECT max(b.x) FROM bounds b WHERE b.x <= p.ps), '-infinity'::date) AS epoch
              FROM periods p),
        trees AS MATERIALIZED (
            SELECT e.epoch, t.* FROM (SELECT DISTINCT epoch FROM epochs) e, LATERAL @extschema@.regions_at(e.epoch) t),
        leaves AS MATERIALIZED (
            SELECT t.*, NOT EXISTS (SELECT FROM trees c WHERE c.epoch = t.epoch AND c.parent_code = t.code) AS is_leaf
              FROM trees t)
        SELECT e.ps, l.code, l.parent_code, l.depth, l.path, l.is_leaf,
               coalesce(m.persons, y.persons) AS own
          FROM epochs e JOIN leaves l ON l.epoch = e.epoch
          LEFT JOIN @extschema@.population m
                 ON m.region_code = l.code AND m.kind = sc.population_kind AND m.period = 'month'
                AND m.period_start = date_trunc('month', e.ps)::date
          LEFT JOIN @extschema@.population y
                 ON y.region_code = l.code AND y.kind = sc.population_kind AND y.period = 'year'
                AND y.period_start = date_trunc('year', e.ps)::date;
        CREATE INDEX ON t_tree (depth);
        ANALYZE t_tree;

        -- source measures coded to each region, per leaf indicator
        CREATE TEMP TABLE t_direct ON COMMIT DROP AS
        WITH leaf_source AS (
            SELECT d.node, x.source, x.source = ANY (d.sources) AS num,
                   x.source = ANY (coalesce(d.denominator_sources, '{}')) AS den
              FROM t_node_def d,
                   LATERAL (SELECT DISTINCT unnest(d.sources || coalesce(d.denominator_sources, '{}')) AS source) x
             WHERE d.is_leaf)
        SELECT c.period_start AS ps, c.region_code AS code, l.node,
               sum(c.value) FILTER (WHERE l.num) AS num,
               sum(c.value) FILTER (WHERE l.den) AS den
          FROM @extschema@.cell c
          JOIN leaf_source l ON l.source = c.source
         WHERE c.scheme = sc.scheme AND c.period = compute_results.period
           AND c.period_start >= lookback AND c.period_start <= vstarts[cardinality(vstarts)]
           AND c.region_code IS NOT NULL
         GROUP BY 1, 2, 3;
        CREATE INDEX ON t_direct (ps, code, node);
        ANALYZE t_direct;

        -- bottom-up: all events below a region; the residents it counts
        -- (its own figure, else its children's that have one) and the events
        -- of those residents; lowest-level units without a figure
        CREATE TEMP TABLE t_agg (ps date, code text, parent_code text, depth integer, node text,
                                 num_all float8, den_all float8, num_counted float8,
                                 exposure float8, missing integer) ON COMMIT DROP;
        FOR lvl IN REVERSE (SELECT coalesce(max(depth), 0) FROM t_tree)..1 LOOP
            INSERT INTO t_agg
            SELECT t.ps, t.code, t.parent_code, t.depth, d.node,
                   coalesce(x.num, 0) + coalesce(ch.num_all, 0),
                   coalesce(x.den, 0) + coalesce(ch.den_all, 0),
                   CASE WHEN t.own IS NOT NULL THEN coalesce(x.num, 0) + coalesce(ch.num_all, 0)
                        WHEN ch.exposure IS NOT NULL THEN coalesce(x.num, 0) + ch.num_counted
                        ELSE 0 END,
                   coalesce(t.own, ch.exposure),
                   CASE WHEN t.own IS NOT NULL THEN 0 WHEN t.is_leaf THEN 1 ELSE coalesce(ch.missing, 0) END
              FROM t_tree t
              JOIN t_node_def d ON d.is_leaf
              LEFT JOIN t_direct x ON x.ps = t.ps AND x.code = t.code AND x.node = d.node
              LEFT JOIN (SELECT a.ps, a.parent_code, a.node, sum(a.num_all) AS num_all, sum(a.den_all) AS den_all,
                                sum(a.num_counted) AS num_counted, sum(a.exposure) AS exposure,
                                sum(a.missing)::integer AS missing
                           FROM t_agg a WHERE a.depth = lvl + 1 GROUP BY 1, 2, 3) ch
                     ON ch.ps = t.ps AND ch.parent_code = t.code AND ch.node = d.node
             WHERE t.depth = lvl;
            ANALYZE t_agg;
        END LOOP;

        -- leaf values
        CREATE TEMP TABLE t_val ON COMMIT DROP AS
        SELECT a.*, t.path,
               CASE d.measure
                   WHEN 'rate' THEN @extschema@.rate(a.num_counted, a.exposure, d.per)
                   WHEN 'count' THEN a.num_all
                   ELSE CASE WHEN a.den_all > 0 AND a.den_all >= coalesce(d.min_denominator, 0)
                             THEN a.num_all / a.den_all * d.per END END AS value
          FROM t_agg a JOIN t_tree t ON t.ps = a.ps AND t.code = a.code
          JOIN t_node_def d ON d.node = a.node;
        CREATE INDEX ON t_val (code, node, ps);
        ANALYZE t_val;

        -- leaves of the periods asked for: baseline, score
        CREATE TEMP TABLE t_node ON COMMIT DROP AS
        WITH asked AS (
            SELECT x.*, d.weight, d.parent_node, d.measure, d.per, d.scoring, d.scoring_params AS sp,
                   d.direction = 'positive' AS higher_is_better, d.baseline, d.baseline_years,
                   CASE d.baseline_of WHEN 'self' THEN x.code
                                      WHEN 'parent' THEN coalesce(x.parent_code, x.code)
                                      ELSE x.path[least(x.depth, d.baseline_depth)] END AS base_code
              FROM t_val x JOIN t_node_def d ON d.node = x.node
             WHERE x.ps IN (SELECT unnest(vstarts))),
        -- prior_years baselines: pooled over the N years before each year asked
        prior AS (
            SELECT y.year_start, p.code, p.node,
                   CASE d.measure
                       WHEN 'rate' THEN @extschema@.rate(sum(p.num_counted), sum(p.exposure), d.per)
                       WHEN 'count' THEN avg(p.num_all)
                       ELSE CASE WHEN sum(p.den_all) > 0 THEN sum(p.num_all) / sum(p.den_all) * d.per END END AS pooled
              FROM (SELECT DISTINCT date_trunc('year', s)::date AS year_start FROM unnest(vstarts) s) y
              JOIN t_node_def d ON d.is_leaf AND d.baseline = 'prior_years'
              JOIN t_val p ON p.node = d.node
                          AND p.ps >= (y.year_start - make_interval(years => d.baseline_years))::date
                          AND p.ps < y.year_start
             GROUP BY y.year_start, p.code, p.node, d.measure, d.per),
        based AS (
            SELECT a.*,
                   CASE a.baseline
                       WHEN 'same_period_last_year' THEN
                           (SELECT p.value FROM t_val p WHERE p.code = a.base_code AND p.node = a.node
                               AND p.ps = (a.ps - interval '1 year')::date)
                       WHEN 'previous_period' THEN
                           (SELECT p.value FROM t_val p WHERE p.code = a.base_code AND p.node = a.node
                               AND p.ps = (a.ps - step)::date)
                       WHEN 'prior_years' THEN y.pooled
                   END AS baseline_value
              FROM asked a
              LEFT JOIN prior y ON y.year_start = date_trunc('year', a.ps)::date
                               AND y.code = a.base_code AND y.node = a.node),
        scored AS (
            SELECT b.*,
                   CASE b.scoring
                       WHEN 'ratio_band' THEN @extschema@.score_ratio_band(
                           b.value, b.baseline_value, 1,
                           coalesce((b.sp ->> 'lower')::float8, 0.8), coalesce((b.sp ->> 'upper')::float8, 1.2),
                           b.higher_is_better, coalesce(b.sp ->> 'middle', 'step'),
                           coalesce((b.sp ->> 'middle_share')::float8, 0.5))
                       WHEN 'goalposts' THEN @extschema@.score_goalposts(
                           b.value, (b.sp ->> 'minimum')::float8, (b.sp ->> 'maximum')::float8, b.higher_is_better,
                           coalesce((b.sp ->> 'log_scale')::boolean, false), coalesce((b.sp ->> 'capped')::boolean, true))
                       WHEN 'target' THEN @extschema@.score_target(
                           b.value, coalesce((b.sp ->> 'target')::float8, b.baseline_value), b.higher_is_better)
                       WHEN 'minmax' THEN @extschema@.score_minmax(
                           b.value, @extschema@.group_stats(b.value) OVER (PARTITION BY b.ps, b.depth, b.node),
                           b.higher_is_better)
                   END AS score
              FROM based b)
        SELECT s.ps, s.code, s.node, s.parent_node, true AS is_leaf, s.weight,
               s.num_all AS events, s.num_counted AS counted_events,
               CASE WHEN s.measure = 'ratio' THEN s.den_all END AS denominator,
               s.exposure AS residents, s.missing, s.value, s.baseline_value AS baseline,
               CASE WHEN s.baseline_value = 0 THEN CASE WHEN s.value = 0 THEN 1 ELSE 'Infinity'::float8 END
                    ELSE s.value / s.baseline_value END AS ratio,
               -- minmax scores of values outside the group are clamped
               CASE WHEN s.score < 0 THEN 0 WHEN s.score > 1 THEN 1 ELSE s.score END AS score
          FROM scored s;

        -- inner nodes, deepest first
        FOR lvl IN REVERSE (SELECT coalesce(max(level), 0) FROM t_node_def WHERE NOT is_leaf)..1 LOOP
            INSERT INTO t_node (ps, code, node, parent_node, is_leaf, weight, score)
            SELECT c.ps, c.code, d.node, d.parent_node, false, d.weight,
                   CASE d.aggregation
                       WHEN 'arithmetic' THEN @extschema@.weighted_mean(@extschema@.index_agg(c.score, c.weight))
                       ELSE @extschema@.geometric_mean(@extschema@.index_agg(c.score, c.weight)) END
              FROM t_node c JOIN t_node_def d ON d.node = c.parent_node
             WHERE d.level = lvl AND NOT d.is_leaf
             GROUP BY c.ps, c.code, d.node, d.parent_node, d.weight, d.aggregation;
        END LOOP;

        INSERT INTO @extschema@.result_node
              (scheme, period, period_start, region_code, node, parent_node, is_leaf, weight, events,
               counted_events, denominator, residents, value, baseline, ratio, score, points)
        SELECT sc.scheme, compute_results.period, n.ps, n.code, n.node, n.parent_node, n.is_leaf, n.weight,
               n.events, n.counted_events, n.denominator, n.residents, n.value, n.baseline, n.ratio,
               n.score, n.score * n.weight
          FROM t_node n;

        -- the index: the version's aggregation of level-1 nodes, times its total
        INSERT INTO @extschema@.result
              (scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
               grade_level, rank_siblings, rank_level, residents, missing_units)
        WITH top AS (
            SELECT n.ps, n.code,
                   CASE v.aggregation
                       WHEN 'arithmetic' THEN @extschema@.weighted_mean(@extschema@.index_agg(n.score, n.weight))
                       ELSE @extschema@.geometric_mean(@extschema@.index_agg(n.score, n.weight)) END AS score
              FROM t_node n WHERE n.parent_node IS NULL GROUP BY 1, 2),
        leaf AS (
            SELECT n.ps, n.code, sum(n.weight) FILTER (WHERE n.score IS NOT NULL) / v.total AS coverage,
                   max(n.residents) AS residents, max(n.missing) AS missing
              FROM t_node n WHERE n.is_leaf GROUP BY 1, 2),
        indexed AS (
            SELECT t.ps, t.code, tr.parent_code, tr.depth, coalesce(l.coverage, 0) AS coverage,
                   l.residents, coalesce(l.missing, 0) AS missing,
                   CASE WHEN coalesce(l.coverage, 0) >= v.min_coverage AND coalesce(l.coverage, 0) > 0
                        THEN t.score * v.total END AS index
              FROM top t JOIN leaf l ON l.ps = t.ps AND l.code = t.code
              JOIN t_tree tr ON tr.ps = t.ps AND tr.code = t.code)
        SELECT sc.scheme, compute_results.period, i.ps, i.code, v.version, i.parent_code, i.depth, i.index,
               i.coverage, @extschema@.grade_level(i.index, cuts),
               CASE WHEN i.index IS NOT NULL THEN
                   rank() OVER (PARTITION BY i.ps, i.parent_code, i.index IS NULL ORDER BY round(i.index::numeric, 9) DESC) END,
               CASE WHEN i.index IS NOT NULL THEN
                   rank() OVER (PARTITION BY i.ps, i.depth, i.index IS NULL ORDER BY round(i.index::numeric, 9) DESC) END,
               i.residents, i.missing
          FROM indexed i;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
        DROP TABLE t_node_def, t_tree, t_direct, t_agg, t_val, t_node;
    END LOOP;
    RETURN total;
END $$;
COMMENT ON FUNCTION @extschema@.compute_results(text, text, date[]) IS
'recomputes the results of a scheme for the given period starts of one period kind from its cells, each with the version in force at its start; returns the number of region results written';
-- safeidx install script, part 92: full rebuild and incremental refresh of
-- a scheme's materialized cells and results.

CREATE TABLE @extschema@.built_range (
    scheme       text PRIMARY KEY REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    cells_from   date NOT NULL,
    cells_to     date NOT NULL,
    results_from date NOT NULL,
    results_to   date NOT NULL
);
COMMENT ON TABLE @extschema@.built_range IS
'materialized: a built scheme has cells for local dates [cells_from, cells_to) (from its baselines'' lookback on) and results for periods starting in [results_from, results_to)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.built_range', '');

CREATE TABLE @extschema@.refresh_log (
    scheme       text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('rebuild', 'refresh')),
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    changes      bigint NOT NULL,
    cells        bigint NOT NULL,
    results      bigint NOT NULL,
    first_period date,
    last_period  date
);
COMMENT ON TABLE @extschema@.refresh_log IS
'one row per rebuild or refresh: changes consumed from change_log, cells and region results written, and the starts of the first and last period recomputed (of any kind; NULL when none was)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.refresh_log', '');

-- Period starts of one kind in [from, to), the first enclosing from.
CREATE FUNCTION @extschema@.period_starts(period text, from_date date, to_date date)
RETURNS date[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(array_agg(p::date ORDER BY p), '{}')
      FROM generate_series(date_trunc(period, from_date), to_date - 1, @extschema@.period_interval(period)) p;
$$;
COMMENT ON FUNCTION @extschema@.period_starts(text, date, date) IS 'the starts of the periods of one kind meeting [from, to), the first one enclosing from';

-- The years the baselines of a scheme look back (prior_years N; 1 for the
-- same period last year or the previous period; 0 without baselines).
CREATE FUNCTION @extschema@.lookback_years(scheme text)
RETURNS integer LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(max(CASE i.baseline WHEN 'prior_years' THEN i.baseline_years WHEN 'none' THEN 0 ELSE 1 END), 0)
      FROM @extschema@.indicator i WHERE i.scheme = lookback_years.scheme;
$$;
COMMENT ON FUNCTION @extschema@.lookback_years(text) IS 'the calendar years before its results whose cells a scheme''s baselines read';

CREATE FUNCTION @extschema@.rebuild(scheme text, from_date date, to_date date DEFAULT NULL)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    started  timestamptz := clock_timestamp();
    upto     date;
    cells_lo date;
    cells_hi date;
    coarsest text;
    kind     text;
    starts   date[];
    ncells   bigint;
    nresults bigint;
    all_results bigint := 0;
    first_done date;
    last_done  date;
    nchanges bigint;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = rebuild.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', rebuild.scheme USING ERRCODE = 'undefined_object';
    END IF;
    upto := coalesce(rebuild.to_date, (now() AT TIME ZONE sc.time_zone)::date + 1);
    IF NOT rebuild.from_date < upto THEN
        RAISE EXCEPTION 'empty date range [%, %) for rebuild of scheme "%"', rebuild.from_date, upto, sc.scheme
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx refresh ' || sc.scheme));
    coarsest := (@extschema@.finest_first(sc.periods))[cardinality(sc.periods)];
    cells_lo := (date_trunc('year', rebuild.from_date)
                 - make_interval(years => @extschema@.lookback_years(sc.scheme)))::date;
    cells_hi := @extschema@.period_end(coarsest, date_trunc(coarsest, upto - 1)::date);

    -- capture changes from now on; those logged before are covered by the rebuild
    PERFORM @extschema@.capture(s.relation::regclass)
       FROM (SELECT DISTINCT relation FROM @extschema@.scheme_sources(sc.scheme)) s;
    DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme;
    GET DIAGNOSTICS nchanges = ROW_COUNT;
    DELETE FROM @extschema@.cell c WHERE c.scheme = sc.scheme;
    DELETE FROM @extschema@.result r WHERE r.scheme = sc.scheme;
    DELETE FROM @extschema@.result_node r WHERE r.scheme = sc.scheme;
    ncells := @extschema@.build_cells(sc.scheme, cells_lo, cells_hi);
    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        starts := @extschema@.period_starts(kind, rebuild.from_date, upto);
        nresults := @extschema@.compute_results(sc.scheme, kind, starts);
        all_results := all_results + nresults;
        first_done := least(first_done, starts[1]);
        last_done := greatest(last_done, starts[cardinality(starts)]);
        period := kind;
        periods := cardinality(starts);
        first_period := starts[1];
        last_period := starts[cardinality(starts)];
        results := nresults;
        RETURN NEXT;
    END LOOP;
    INSERT INTO @extschema@.built_range AS b VALUES (sc.scheme, cells_lo, cells_hi, rebuild.from_date, upto)
        ON CONFLICT (scheme) DO UPDATE
       SET cells_from = excluded.cells_from, cells_to = excluded.cells_to,
           results_from = excluded.results_from, results_to = excluded.results_to;
    INSERT INTO @extschema@.refresh_log VALUES
        (sc.scheme, 'rebuild', started, clock_timestamp(), nchanges, ncells, all_results, first_done, last_done);
END $$;
COMMENT ON FUNCTION @extschema@.rebuild(text, date, date) IS
'recomputes everything of a scheme: cells from the departmental tables (one read per source, back to what the baselines need) and results for periods starting in [from, to) (to: default tomorrow in the scheme''s time zone); one row per period kind';

CREATE FUNCTION @extschema@.refresh(scheme text)
RETURNS TABLE (period text, periods integer, first_period date, last_period date, results bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc       @extschema@.scheme;
    br       @extschema@.built_range;
    started  timestamptz := clock_timestamp();
    coarsest text;
    new_to   date;
    new_cells_to date;
    lo       date;
    hi       date;
    codes    text[];
    every    boolean;
    kind     text;
    starts   date[];
    years    integer;
    ncells   bigint := 0;
    nresults bigint;
    all_results bigint := 0;
    first_done date;
    last_done  date;
    nchanges bigint;
BEGIN
    SELECT * INTO sc FROM @extschema@.scheme s WHERE s.scheme = refresh.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown scheme "%"', refresh.scheme USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx refresh ' || sc.scheme));
    SELECT * INTO br FROM @extschema@.built_range b WHERE b.scheme = sc.scheme;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scheme "%" has not been built yet', sc.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild(scheme, from_date) once; refresh then keeps it current.';
    END IF;
    coarsest := (@extschema@.finest_first(sc.periods))[cardinality(sc.periods)];
    years := @extschema@.lookback_years(sc.scheme);
    -- results grow to today; cells to the end of today's coarsest period
    new_to := greatest(br.results_to, (now() AT TIME ZONE sc.time_zone)::date + 1);
    new_cells_to := greatest(br.cells_to, @extschema@.period_end(coarsest, date_trunc(coarsest, new_to - 1)::date));

    -- consume the changes committed so far; rows committed later are
    -- logged again and picked up by the next refresh
    CREATE TEMP TABLE t_changes ON COMMIT DROP AS
    WITH consumed AS (DELETE FROM @extschema@.change_log c WHERE c.scheme = sc.scheme RETURNING c.*)
    SELECT c.region_code, c.every_region, c.results_only,
           greatest(c.first_local::date, br.cells_from) AS lo,
           least(c.last_local::date + 1, br.cells_to) AS hi
      FROM consumed c;
    GET DIAGNOSTICS nchanges = ROW_COUNT;
    DELETE FROM t_changes WHERE NOT lo < hi;

    -- new periods since the last build: every code
    IF new_cells_to > br.cells_to THEN
        ncells := ncells + @extschema@.build_cells(sc.scheme, br.cells_to, new_cells_to);
    END IF;
    -- changed rows inside the built range: the codes changed, over their span
    -- (population and region changes need results recomputed, not cells)
    SELECT min(c.lo), max(c.hi), bool_or(c.every_region), array_agg(DISTINCT c.region_code)
      INTO lo, hi, every, codes FROM t_changes c WHERE NOT c.results_only;
    IF lo IS NOT NULL THEN
        ncells := ncells + @extschema@.build_cells(sc.scheme, lo, hi, CASE WHEN every THEN NULL ELSE codes END);
    END IF;

    FOREACH kind IN ARRAY @extschema@.finest_first(sc.periods) LOOP
        -- periods whose cells changed, those whose baselines read them, and new ones
        WITH touched AS (
            SELECT DISTINCT p AS ps
              FROM t_changes c, unnest(@extschema@.period_starts(kind, c.lo, c.hi)) p),
        affected AS (
            SELECT ps FROM touched
            UNION SELECT (t.ps + interval '1 year')::date FROM touched t WHERE years > 0
            UNION SELECT (t.ps + @extschema@.period_interval(kind))::date FROM touched t WHERE years > 0
            UNION SELECT p FROM touched t,
                  unnest(@extschema@.period_starts(kind, (date_trunc('year', t.ps) + interval '1 year')::date,
                                                   (date_trunc('year', t.ps) + make_interval(years => years + 1))::date)) p
             WHERE years > 0
            -- new: starting from results_to on (the period enclosing
            -- results_to starts before it and was computed already)
            UNION SELECT p FROM unnest(@extschema@.period_starts(kind, br.results_to, new_to)) p
             WHERE p >= br.results_to)
        SELECT coalesce(array_agg(a.ps ORDER BY a.ps), '{}') INTO starts FROM affected a
         WHERE a.ps >= date_trunc(kind, br.results_from) AND a.ps < new_to;
        nresults := CASE WHEN cardinality(starts) > 0
                         THEN @extschema@.compute_results(sc.scheme, kind, starts) ELSE 0 END;
        all_results := all_results + nresults;
        first_done := least(first_done, starts[1]);
        last_done := greatest(last_done, starts[cardinality(starts)]);
        period := kind;
        periods := cardinality(starts);
        first_period := starts[1];
        last_period := starts[cardinality(starts)];
        results := nresults;
        RETURN NEXT;
    END LOOP;
    UPDATE @extschema@.built_range b SET cells_to = new_cells_to, results_to = new_to WHERE b.scheme = sc.scheme;
    INSERT INTO @extschema@.refresh_log VALUES
        (sc.scheme, 'refresh', started, clock_timestamp(), nchanges, ncells, all_results, first_done, last_done);
    DROP TABLE t_changes;
END $$;
COMMENT ON FUNCTION @extschema@.refresh(text) IS
'brings a built scheme up to date: recomputes the cells of the region codes and dates changed in the departmental tables since the last refresh (late rows included), then the results of the periods whose cells or baselines changed, and computes new periods up to today; one row per period kind';
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
-- safeidx install script, part 96: star ratings of villages and communities
-- (Zhuhai 平安星级村居, Wuhan 星级平安单位) and district awards (Wuhan 平安鼎),
-- both from rules kept as data and evaluated over the results by views.

CREATE TABLE @extschema@.star_rule (
    scheme                text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE ON DELETE CASCADE,
    rule                  text NOT NULL CHECK (rule ~ '^[a-z][a-z0-9_]*$'),
    period                text NOT NULL DEFAULT 'month',
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

-- Everything that must hold for one star rule; errors name the rule.
CREATE FUNCTION @extschema@.check_star_rule(check_scheme text, check_rule text)
RETURNS void LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s    @extschema@.star_rule;
    what text;
    arr  float8[];
    n    integer;
    bad  text;
BEGIN
    SELECT * INTO s FROM @extschema@.star_rule x WHERE x.scheme = check_scheme AND x.rule = check_rule;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    what := format('star rule "%s" of scheme "%s"', s.rule, s.scheme);
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
    IF s.classes IS NOT NULL THEN
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
    END IF;
    IF s.method NOT IN ('threshold', 'rank_share', 'rank') THEN
        RAISE EXCEPTION '%: unknown method "%"', what, s.method
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use threshold, rank_share or rank.';
    END IF;
    IF (s.method = 'threshold') <> (s.thresholds IS NOT NULL) OR (s.method = 'rank_share') <> (s.shares IS NOT NULL)
       OR (s.method = 'rank') <> (s.ranks IS NOT NULL) THEN
        RAISE EXCEPTION '%: method % takes % and nothing else', what, s.method,
            CASE s.method WHEN 'threshold' THEN 'thresholds' WHEN 'rank_share' THEN 'shares' ELSE 'ranks' END
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    arr := coalesce(s.thresholds, s.shares, s.ranks::float8[]);
    n := coalesce(cardinality(arr), 0);
    IF n NOT BETWEEN 1 AND 5 OR array_ndims(arr) <> 1 THEN
        RAISE EXCEPTION '%: % give 1 to 5 star levels, not %', what,
            CASE s.method WHEN 'threshold' THEN 'thresholds' WHEN 'rank_share' THEN 'shares' ELSE 'ranks' END, n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF array_position(arr, NULL) IS NOT NULL OR EXISTS (SELECT FROM unnest(arr) x WHERE x IN ('NaN', 'Infinity', '-Infinity')) THEN
        RAISE EXCEPTION '%: star levels must be finite numbers, not %', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'threshold' AND EXISTS (SELECT FROM generate_subscripts(arr, 1) i WHERE i > 1 AND arr[i] >= arr[i - 1]) THEN
        RAISE EXCEPTION '%: thresholds % must be strictly decreasing (the first is for % stars, the last for 1 star)', what, arr, n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method <> 'threshold' AND EXISTS (SELECT FROM generate_subscripts(arr, 1) i WHERE i > 1 AND arr[i] <= arr[i - 1]) THEN
        RAISE EXCEPTION '%: % % must be strictly increasing (cumulative, the first for % stars)', what,
            CASE s.method WHEN 'rank_share' THEN 'shares' ELSE 'ranks' END, arr, n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'rank_share' AND (arr[1] <= 0 OR arr[n] > 1) THEN
        RAISE EXCEPTION '%: shares % must lie in (0, 1]', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF s.method = 'rank' AND arr[1] < 1 THEN
        RAISE EXCEPTION '%: ranks % must be places 1 or below', what, arr USING ERRCODE = 'invalid_parameter_value';
    END IF;
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
COMMENT ON FUNCTION @extschema@.check_star_rule(text, text) IS
'checks a star rule (at commit): the period kind is computed by the scheme, units are named, classes are a JSON object of kind arrays without overlap, the method has its 1 to 5 star levels (thresholds strictly decreasing; shares strictly increasing in (0, 1]; ranks strictly increasing from 1), min_coverage in [0, 1], the excluded warning rules exist';

CREATE FUNCTION @extschema@.star_rule_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM @extschema@.check_star_rule(NEW.scheme, NEW.rule);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.star_rule_check() IS 'constraint trigger of star_rule: runs check_star_rule at commit';
CREATE CONSTRAINT TRIGGER star_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.star_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.star_rule_check();

-- A number as analysts read it: at most 4 decimals, no trailing zeros.
CREATE FUNCTION @extschema@.star_number(x float8)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT trim_scale(round(x::numeric, 4))::text;
$$;
COMMENT ON FUNCTION @extschema@.star_number(float8) IS
'a number for the explanations of star_rating and award: rounded to 4 decimals, trailing zeros dropped';

CREATE VIEW @extschema@.star_rating WITH (security_invoker = true) AS
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
COMMENT ON VIEW @extschema@.star_rating IS
'star ratings per star rule, period and unit: the unit''s class, index, coverage, rank in its class (all units with an index; ties share a rank), whether it is eligible (an index, no barring warning in an overlapping period, coverage and index at least the rule''s minimums), its rank among the eligible units of its class (the ranking rank methods use), stars (0 = not rated) and the reason when not rated; an index or coverage equal to a limit to 9 decimals reaches it, tied units share the better rank and so the higher stars';
COMMENT ON COLUMN @extschema@.star_rating.class IS 'the class ranked separately: the key of the rule''s classes holding the region kind, else the kind itself';
COMMENT ON COLUMN @extschema@.star_rating.rank_in_class IS 'competition rank (1 = best, ties share) among the units of the class that have an index';
COMMENT ON COLUMN @extschema@.star_rating.class_units IS 'units of the class that have an index';
COMMENT ON COLUMN @extschema@.star_rating.eligible IS 'true when the unit has an index, no barring warning, enough coverage and at least the minimum index';
COMMENT ON COLUMN @extschema@.star_rating.eligible_rank IS 'competition rank among the eligible units of the class (NULL when not eligible); rank_share and rank rules give stars by it';
COMMENT ON COLUMN @extschema@.star_rating.eligible_units IS 'eligible units of the class';
COMMENT ON COLUMN @extschema@.star_rating.stars IS '1 to 5 stars, 0 = not rated';
COMMENT ON COLUMN @extschema@.star_rating.reason IS 'why the unit holds no star: every eligibility condition it fails (no index; coverage; warnings; minimum index), else the threshold or place it missed; NULL when rated';

CREATE FUNCTION @extschema@.star_history(region_code text, rule text DEFAULT NULL)
RETURNS TABLE (scheme text, rule text, period text, period_start date, stars integer,
               previous_stars integer, change integer, reason text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.scheme, s.rule, s.period, s.period_start, s.stars, p.stars, s.stars - p.stars, s.reason
      FROM @extschema@.star_rating s
      LEFT JOIN @extschema@.star_rating p
             ON p.scheme = s.scheme AND p.rule = s.rule AND p.region_code = s.region_code
            AND p.period_start = (s.period_start - @extschema@.period_interval(s.period))::date
     WHERE s.region_code = star_history.region_code
       AND (star_history.rule IS NULL OR s.rule = star_history.rule)
     ORDER BY s.scheme, s.rule, s.period_start;
$$;
COMMENT ON FUNCTION @extschema@.star_history(text, text) IS
'the star history of one unit, under every star rule or one: per period its stars, the previous period''s stars (NULL when it was not rated under the rule then) and the change (positive = gained stars), and why it held none';

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

CREATE FUNCTION @extschema@.check_award_rule(check_scheme text, check_rule text)
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

CREATE FUNCTION @extschema@.award_rule_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM @extschema@.check_award_rule(NEW.scheme, NEW.rule);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION @extschema@.award_rule_check() IS 'constraint trigger of award_rule: runs check_award_rule at commit';
CREATE CONSTRAINT TRIGGER award_rule_valid
    AFTER INSERT OR UPDATE ON @extschema@.award_rule
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.award_rule_check();

CREATE VIEW @extschema@.award WITH (security_invoker = true) AS
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
          SELECT count(x.index)::integer AS months, avg(x.index) AS mean_index
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
-- safeidx install script, part 97: numbered releases (期).  Publishing a
-- period freezes its results as release N of a series; released rows never
-- change; a correction is a new revision with a reason; a release can be
-- recomputed from the departmental tables and compared.

CREATE TABLE @extschema@.release_series (
    series      text PRIMARY KEY CHECK (series ~ '^[a-z][a-z0-9_]*$'),
    scheme      text NOT NULL REFERENCES @extschema@.scheme ON UPDATE CASCADE,
    period      text NOT NULL DEFAULT 'month' CHECK (period IN ('day', 'month', 'quarter', 'year')),
    title_zh    text NOT NULL,
    title_en    text,
    first_number integer NOT NULL DEFAULT 1 CHECK (first_number >= 1)
);
COMMENT ON TABLE @extschema@.release_series IS
'a series of numbered releases (期) of one scheme and period kind, e.g. the monthly 平安指数 of a district; first_number continues a numbering begun elsewhere';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_series', '');

CREATE TABLE @extschema@.release (
    series       text NOT NULL REFERENCES @extschema@.release_series ON UPDATE CASCADE,
    number       integer NOT NULL,
    revision     integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    period_start date NOT NULL,
    version      text NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    released_by  name NOT NULL DEFAULT CURRENT_USER,
    reason       text,
    watermark    timestamptz NOT NULL,
    checksum     text NOT NULL,
    PRIMARY KEY (series, number, revision),
    UNIQUE (series, period_start, revision),
    CHECK ((revision = 1) = (reason IS NULL))
);
COMMENT ON TABLE @extschema@.release IS
'published releases: number N of a series for one period, revision 1 and corrections (revision > 1, with a reason); the scheme version, the input watermark (the end of the last refresh or rebuild the results came from) and an md5 checksum of the frozen rows; rows can never be changed or deleted';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release', '');

CREATE TABLE @extschema@.release_result (
    series        text NOT NULL,
    number        integer NOT NULL,
    revision      integer NOT NULL,
    region_code   text NOT NULL,
    region_zh     text,
    depth         integer NOT NULL,
    parent_code   text,
    index         float8,
    grade_level   integer,
    rank_siblings integer,
    rank_level    integer,
    coverage      float8 NOT NULL,
    residents     float8,
    PRIMARY KEY (series, number, revision, region_code),
    FOREIGN KEY (series, number, revision) REFERENCES @extschema@.release DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE @extschema@.release_result IS
'the region results frozen in a release revision; never changed or deleted';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_result', '');

CREATE TABLE @extschema@.release_indicator (
    series      text NOT NULL,
    number      integer NOT NULL,
    revision    integer NOT NULL,
    region_code text NOT NULL,
    node        text NOT NULL,
    events      float8,
    residents   float8,
    value       float8,
    baseline    float8,
    score       float8,
    points      float8,
    PRIMARY KEY (series, number, revision, region_code, node),
    FOREIGN KEY (series, number, revision) REFERENCES @extschema@.release DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE @extschema@.release_indicator IS
'the indicator results frozen in a release revision; never changed or deleted';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.release_indicator', '');

-- Released rows are immutable for everyone, the table owner included.
CREATE FUNCTION @extschema@.released_rows_are_frozen() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is not allowed on %: released rows are never changed or deleted', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Publish a correction as a new revision with safeidx.correct_release(series, number, reason).';
END $$;
CREATE TRIGGER release_frozen BEFORE UPDATE OR DELETE ON @extschema@.release
    FOR EACH ROW EXECUTE FUNCTION @extschema@.released_rows_are_frozen();
CREATE TRIGGER release_frozen_truncate BEFORE TRUNCATE ON @extschema@.release
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.released_rows_are_frozen();
CREATE TRIGGER release_result_frozen BEFORE UPDATE OR DELETE ON @extschema@.release_result
    FOR EACH ROW EXECUTE FUNCTION @extschema@.released_rows_are_frozen();
CREATE TRIGGER release_result_frozen_truncate BEFORE TRUNCATE ON @extschema@.release_result
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.released_rows_are_frozen();
CREATE TRIGGER release_indicator_frozen BEFORE UPDATE OR DELETE ON @extschema@.release_indicator
    FOR EACH ROW EXECUTE FUNCTION @extschema@.released_rows_are_frozen();
CREATE TRIGGER release_indicator_frozen_truncate BEFORE TRUNCATE ON @extschema@.release_indicator
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.released_rows_are_frozen();

-- The checksum of a release revision: md5 over its rows in a fixed order,
-- floats as their shortest exact text.
CREATE FUNCTION @extschema@.release_checksum(series text, number integer, revision integer)
RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp SET extra_float_digits = 1 AS $$
    SELECT md5(coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', r.region_code, r.index, r.grade_level,
                                                  r.rank_siblings, r.rank_level, r.coverage), E'\n' ORDER BY r.region_code)
                           FROM @extschema@.release_result r
                          WHERE r.series = release_checksum.series AND r.number = release_checksum.number
                            AND r.revision = release_checksum.revision), '')
               || E'\n--\n' ||
               coalesce((SELECT string_agg(format('%s|%s|%s|%s|%s|%s', i.region_code, i.node, i.value, i.baseline,
                                                  i.score, i.points), E'\n' ORDER BY i.region_code, i.node)
                           FROM @extschema@.release_indicator i
                          WHERE i.series = release_checksum.series AND i.number = release_checksum.number
                            AND i.revision = release_checksum.revision), ''));
$$;
COMMENT ON FUNCTION @extschema@.release_checksum(text, integer, integer) IS
'md5 of a release revision''s frozen rows (region results, then indicator results, in code order)';

-- Freezes the current results of a period as a release revision: the rows
-- first (their foreign key to the release is checked at commit), then the
-- release with their checksum.
CREATE FUNCTION @extschema@.freeze_release(series text, number integer, revision integer, period_start date, reason text)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s   @extschema@.release_series;
    ver text;
    rel @extschema@.release;
BEGIN
    SELECT * INTO STRICT s FROM @extschema@.release_series x WHERE x.series = freeze_release.series;
    SELECT r.version INTO ver FROM @extschema@.result r
     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = freeze_release.period_start LIMIT 1;
    IF ver IS NULL THEN
        RAISE EXCEPTION 'scheme "%" has no % results for the period starting %', s.scheme, s.period, period_start
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.rebuild() or safeidx.refresh() for it first.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.change_log c WHERE c.scheme = s.scheme) THEN
        RAISE EXCEPTION 'scheme "%" has changes not yet refreshed', s.scheme
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run safeidx.refresh() first, so that the release holds every row received.';
    END IF;
    INSERT INTO @extschema@.release_result
    SELECT s.series, number, revision, r.region_code, r.region_zh, r.depth, r.parent_code, r.index, r.grade_level,
           r.rank_siblings, r.rank_level, r.coverage, r.residents
      FROM @extschema@.index_result r
     WHERE r.scheme = s.scheme AND r.period = s.period AND r.period_start = freeze_release.period_start;
    INSERT INTO @extschema@.release_indicator
    SELECT s.series, number, revision, n.region_code, n.node, n.events, n.residents, n.value, n.baseline, n.score, n.points
      FROM @extschema@.result_node n
     WHERE n.scheme = s.scheme AND n.period = s.period AND n.period_start = freeze_release.period_start;
    INSERT INTO @extschema@.release (series, number, revision, period_start, version, reason, watermark, checksum)
    VALUES (s.series, number, revision, period_start, ver, reason,
            coalesce((SELECT max(l.finished_at) FROM @extschema@.refresh_log l WHERE l.scheme = s.scheme), now()),
            @extschema@.release_checksum(s.series, number, revision))
    RETURNING * INTO rel;
    RETURN rel;
END $$;
COMMENT ON FUNCTION @extschema@.freeze_release(text, integer, integer, date, text) IS
'copies the current results of a period into release rows and records the release with their checksum (used by publish_release and correct_release)';

CREATE FUNCTION @extschema@.publish_release(series text, period_start date)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s @extschema@.release_series;
    n integer;
BEGIN
    SELECT * INTO s FROM @extschema@.release_series x WHERE x.series = publish_release.series;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release series "%"', series USING ERRCODE = 'undefined_object';
    END IF;
    IF period_start <> date_trunc(s.period, period_start)::date THEN
        RAISE EXCEPTION '% is not the start of a %', period_start, s.period USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx release ' || s.series));
    IF EXISTS (SELECT FROM @extschema@.release r WHERE r.series = s.series AND r.period_start = publish_release.period_start) THEN
        RAISE EXCEPTION 'the period starting % is already release % of series "%"', period_start,
            (SELECT r.number FROM @extschema@.release r WHERE r.series = s.series AND r.period_start = publish_release.period_start LIMIT 1),
            s.series
            USING ERRCODE = 'unique_violation', HINT = 'Publish a correction with safeidx.correct_release().';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.release r WHERE r.series = s.series AND r.period_start > publish_release.period_start) THEN
        RAISE EXCEPTION 'series "%" already has a release after %', s.series, period_start
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Releases are numbered in the order of their periods.';
    END IF;
    SELECT coalesce(max(r.number) + 1, s.first_number) INTO n FROM @extschema@.release r WHERE r.series = s.series;
    RETURN @extschema@.freeze_release(s.series, n, 1, period_start, NULL);
END $$;
COMMENT ON FUNCTION @extschema@.publish_release(text, date) IS
'publishes a period as the next numbered release of a series (revision 1): freezes its region and indicator results; refuses a period already released, an earlier period than the last release, or unrefreshed changes';

CREATE FUNCTION @extschema@.correct_release(series text, number integer, reason text)
RETURNS @extschema@.release LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last @extschema@.release;
BEGIN
    IF coalesce(btrim(reason), '') = '' THEN
        RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx release ' || series));
    SELECT * INTO last FROM @extschema@.release r
     WHERE r.series = correct_release.series AND r.number = correct_release.number
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release %', series, number USING ERRCODE = 'undefined_object';
    END IF;
    RETURN @extschema@.freeze_release(series, number, last.revision + 1, last.period_start, reason);
END $$;
COMMENT ON FUNCTION @extschema@.correct_release(text, integer, text) IS
'publishes the current results of a released period as a new revision of that release, with the reason; earlier revisions stay as they were';

-- Recomputes a release from the departmental tables and lists what differs.
-- The recomputation runs in a subtransaction that is rolled back, so the
-- materialized results are left as they were.
CREATE FUNCTION @extschema@.verify_release(series text, number integer, revision integer DEFAULT NULL)
RETURNS TABLE (region_code text, node text, what text, released float8, recomputed float8)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel  @extschema@.release;
    s    @extschema@.release_series;
    diff jsonb;
BEGIN
    SELECT * INTO rel FROM @extschema@.release r
     WHERE r.series = verify_release.series AND r.number = verify_release.number
       AND (verify_release.revision IS NULL OR r.revision = verify_release.revision)
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release % (revision %)', series, number, coalesce(revision::text, 'any')
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO STRICT s FROM @extschema@.release_series x WHERE x.series = rel.series;
    IF @extschema@.release_checksum(rel.series, rel.number, rel.revision) <> rel.checksum THEN
        RAISE EXCEPTION 'release % revision % of series "%" no longer matches its checksum', rel.number, rel.revision, rel.series
            USING ERRCODE = 'data_corrupted';
    END IF;
    BEGIN
        PERFORM @extschema@.rebuild(s.scheme, rel.period_start, @extschema@.period_end(s.period, rel.period_start));
        SELECT coalesce(jsonb_agg(d), '[]') INTO diff FROM (
            SELECT f.region_code, NULL AS node, 'index' AS what, f.index AS released, r.index AS recomputed
              FROM @extschema@.release_result f
              FULL JOIN (SELECT * FROM @extschema@.result x
                          WHERE x.scheme = s.scheme AND x.period = s.period AND x.period_start = rel.period_start) r
                ON r.region_code = f.region_code
             WHERE (f.series, f.number, f.revision) = (rel.series, rel.number, rel.revision)
               AND f.index IS DISTINCT FROM r.index
            UNION ALL
            SELECT f.region_code, f.node, 'value', f.value, n.value
              FROM @extschema@.release_indicator f
              LEFT JOIN @extschema@.result_node n
                ON n.scheme = s.scheme AND n.period = s.period AND n.period_start = rel.period_start
               AND n.region_code = f.region_code AND n.node = f.node
             WHERE (f.series, f.number, f.revision) = (rel.series, rel.number, rel.revision)
               AND f.value IS DISTINCT FROM n.value) d;
        RAISE EXCEPTION USING ERRCODE = 'SIDX1', MESSAGE = diff::text;
    EXCEPTION WHEN SQLSTATE 'SIDX1' THEN
        diff := SQLERRM::jsonb;
    END;
    RETURN QUERY
    SELECT d.region_code, d.node, d.what, d.released, d.recomputed
      FROM jsonb_to_recordset(diff) AS d(region_code text, node text, what text, released float8, recomputed float8)
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION @extschema@.verify_release(text, integer, integer) IS
'checks a release''s checksum, recomputes its period from the departmental tables (in a subtransaction rolled back afterwards) and returns every index and indicator value that differs from what was released (no rows: reproducible)';
-- safeidx install script, part 98: written warning notices (预警通知书).
-- A warning of the view safeidx.warning becomes a notice to the responsible
-- unit, by rule (notice_rule, kept as data) or by hand; a notice has a number
-- per scheme and year (2025-001), a kind (notice, summons 约谈,
-- accountability 问责), deadlines for acknowledgement and rectification, and
-- a lifecycle issued -> acknowledged -> rectification_reported -> verified
-- (or withdrawn) whose every step is a row of the append-only notice_log.
-- The allowed steps are rows of notice_transition; the log's constraints
-- make every notice's history a path through them, so the current state is
-- simply the last step.

-- The state machine: built in, read only.
CREATE TABLE @extschema@.notice_transition (
    from_state  text CHECK (from_state IN ('issued', 'acknowledged', 'rectification_reported')),
    action      text NOT NULL,
    to_state    text NOT NULL
                CHECK (to_state IN ('issued', 'acknowledged', 'rectification_reported', 'verified', 'withdrawn')),
    via         text NOT NULL,
    description text NOT NULL,
    UNIQUE (from_state, action),
    UNIQUE (from_state, action, to_state)
);
COMMENT ON TABLE @extschema@.notice_transition IS
'the lifecycle of a warning notice: every allowed step (from_state NULL: the issue itself), the function that takes it and what it means; built in, cannot be changed';
INSERT INTO @extschema@.notice_transition (from_state, action, to_state, via, description) VALUES
    (NULL, 'issue', 'issued', 'issue_notices / issue_notice', 'the notice is issued to the responsible unit'),
    ('issued', 'acknowledge', 'acknowledged', 'acknowledge_notice', 'the unit confirms receipt'),
    ('acknowledged', 'report', 'rectification_reported', 'report_rectification', 'the unit reports its rectification'),
    ('rectification_reported', 'accept', 'verified', 'verify_notice(accepted => true)', 'the rectification is verified: the notice is closed'),
    ('rectification_reported', 'reject', 'acknowledged', 'verify_notice(accepted => false)', 'the rectification is rejected: the unit must report again'),
    ('issued', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason'),
    ('acknowledged', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason'),
    ('rectification_reported', 'withdraw', 'withdrawn', 'withdraw_notice', 'the notice is withdrawn (closed), with a reason');

CREATE FUNCTION @extschema@.notice_transition_is_built_in() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the notice lifecycle is built in: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER notice_transition_built_in BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.notice_transition
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_transition_is_built_in();
CREATE TRIGGER notice_transition_built_in_truncate BEFORE TRUNCATE ON @extschema@.notice_transition
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_transition_is_built_in();

-- Which warnings become notices, of which kind, with which deadlines.
CREATE TABLE @extschema@.notice_rule (
    scheme             text NOT NULL,
    warning_rule       text NOT NULL,
    notice_kind        text NOT NULL CHECK (notice_kind IN ('notice', 'summons', 'accountability')),
    acknowledge_within interval NOT NULL DEFAULT '3 days' CHECK (acknowledge_within >= interval '0'),
    rectify_within     interval NOT NULL DEFAULT '30 days',
    addressed_to       text NOT NULL DEFAULT '{region_zh}' CHECK (btrim(addressed_to) <> ''),
    subject            text CHECK (btrim(subject) <> ''),
    every_period       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (scheme, warning_rule),
    FOREIGN KEY (scheme, warning_rule) REFERENCES @extschema@.warning_rule (scheme, rule)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK (rectify_within >= acknowledge_within)
);
COMMENT ON TABLE @extschema@.notice_rule IS
'warning rules whose warnings become written notices (预警通知书): the kind (notice, summons 约谈, accountability 问责), the days allowed to acknowledge and to rectify (from the issue date), the unit addressed and the subject as templates ({region_zh}, {region_code}, {period_start}, {rule}, {detail}); one notice per run of consecutive periods in which the rule fires for a region, or one per period with every_period';
COMMENT ON COLUMN @extschema@.notice_rule.addressed_to IS 'template of the responsible unit, e.g. ''{region_zh}街道办事处''';
COMMENT ON COLUMN @extschema@.notice_rule.subject IS 'template of the subject; NULL: the warning rule''s description (or name), a colon and the warning''s detail';
COMMENT ON COLUMN @extschema@.notice_rule.every_period IS 'false (default): a rule that keeps firing for a region in consecutive periods gives one notice, for the first period; true: one notice for every period it fires';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_rule', '');

CREATE TABLE @extschema@.notice (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    scheme         text NOT NULL REFERENCES @extschema@.scheme,
    year           integer NOT NULL,
    seq            integer NOT NULL CHECK (seq >= 1),
    number         text GENERATED ALWAYS AS (year || '-' || lpad(seq::text, greatest(3, length(seq::text)), '0')) STORED,
    kind           text NOT NULL CHECK (kind IN ('notice', 'summons', 'accountability')),
    region_code    text NOT NULL,
    region_zh      text,
    period         text NOT NULL CHECK (period IN ('day', 'month', 'quarter', 'year')),
    period_start   date NOT NULL,
    subject        text NOT NULL CHECK (btrim(subject) <> ''),
    addressed_to   text NOT NULL CHECK (btrim(addressed_to) <> ''),
    issued_on      date NOT NULL,
    acknowledge_by date NOT NULL,
    rectify_by     date NOT NULL,
    warning_rule   text,
    severity       text,
    warning_value  float8,
    warning_threshold float8,
    warning_detail text,
    previous_id    bigint,
    UNIQUE (scheme, year, seq),
    CHECK (year = extract(year FROM issued_on)),
    CHECK (issued_on <= acknowledge_by AND acknowledge_by <= rectify_by),
    CHECK (previous_id <> id)
);
COMMENT ON TABLE @extschema@.notice IS
'written warning notices (预警通知书), summonses (约谈) and accountability notices (问责) to the unit responsible for a region: number per scheme and year of issue, the period concerned, subject, unit addressed, issue date and the last days to acknowledge and to rectify, the warning it came from (NULL when issued by hand) and the earlier notice it escalates; rows are never changed or deleted (their state lives in notice_log)';
COMMENT ON COLUMN @extschema@.notice.number IS 'the notice number: year of issue and sequence within the scheme and year, e.g. 2025-001';
COMMENT ON COLUMN @extschema@.notice.region_zh IS 'the region''s name in force at the start of the period';
COMMENT ON COLUMN @extschema@.notice.acknowledge_by IS 'the last day to acknowledge the notice';
COMMENT ON COLUMN @extschema@.notice.rectify_by IS 'the last day to report the rectification';
COMMENT ON COLUMN @extschema@.notice.warning_value IS 'the warning''s value when the notice was issued (index, run length, indicator value, rank)';
COMMENT ON COLUMN @extschema@.notice.previous_id IS 'the notice this one escalates (a notice of a lower kind for the same region during the same run of warnings)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_id_seq', '');
CREATE UNIQUE INDEX notice_warning_key ON @extschema@.notice (scheme, warning_rule, period, period_start, region_code)
    WHERE warning_rule IS NOT NULL;
CREATE INDEX notice_region_idx ON @extschema@.notice (scheme, region_code, period_start);

-- The log: one row per step, numbered 1, 2, ... per notice; each step is an
-- allowed transition (key to notice_transition) and starts from the state
-- the previous step reached (checked by a trigger at the end of the
-- statement, not a self-referencing key, so that pg_dump sees no circular
-- keys and restores the rows in any order); step 1 is the issue.
CREATE TABLE @extschema@.notice_log (
    notice_id  bigint NOT NULL REFERENCES @extschema@.notice,
    step       integer NOT NULL CHECK (step >= 1),
    prev_step  integer,
    from_state text,
    action     text NOT NULL,
    to_state   text NOT NULL,
    note       text,
    logged_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    logged_by  name NOT NULL DEFAULT CURRENT_USER,
    session_by name NOT NULL DEFAULT SESSION_USER,
    PRIMARY KEY (notice_id, step),
    UNIQUE (notice_id, step, to_state),
    CHECK (prev_step IS NOT DISTINCT FROM nullif(step - 1, 0)),
    CHECK ((step = 1) = (from_state IS NULL)),
    CHECK (step > 1 OR (action = 'issue' AND to_state = 'issued')),
    FOREIGN KEY (from_state, action, to_state) REFERENCES @extschema@.notice_transition (from_state, action, to_state)
);
COMMENT ON TABLE @extschema@.notice_log IS
'every state change of every notice, append-only: step number, state before and after, action, note (report, reason), when (clock time) and by whom (current_user, session_user); its keys and a trigger make each notice''s history a path of allowed transitions, so the last step is the current state';
COMMENT ON COLUMN @extschema@.notice_log.logged_by IS 'current_user when the step was taken';
COMMENT ON COLUMN @extschema@.notice_log.session_by IS 'session_user when the step was taken (differs from logged_by under SET ROLE or SECURITY DEFINER)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notice_log', '');

-- Links checked after each statement (so a COPY may bring the rows in any
-- order): a notice escalates an existing notice of the same scheme and
-- region; a log step starts where the notice's previous step ended.
CREATE FUNCTION @extschema@.notice_links_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p          @extschema@.notice;
    prev_state text;
BEGIN
    IF TG_TABLE_NAME = 'notice' THEN
        IF NEW.previous_id IS NOT NULL THEN
            SELECT * INTO p FROM @extschema@.notice x WHERE x.id = NEW.previous_id;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'notice % of scheme "%" escalates a notice that does not exist (id %)',
                    NEW.number, NEW.scheme, NEW.previous_id
                    USING ERRCODE = 'foreign_key_violation';
            ELSIF p.scheme <> NEW.scheme OR p.region_code <> NEW.region_code THEN
                RAISE EXCEPTION 'notice % (scheme "%", region "%") cannot escalate notice % (scheme "%", region "%")',
                    NEW.number, NEW.scheme, NEW.region_code, p.number, p.scheme, p.region_code
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
    ELSIF NEW.step > 1 THEN
        SELECT l.to_state INTO prev_state FROM @extschema@.notice_log l
         WHERE l.notice_id = NEW.notice_id AND l.step = NEW.prev_step;
        IF prev_state IS DISTINCT FROM NEW.from_state THEN
            RAISE EXCEPTION 'step % of notice % starts from "%", but step % ended in "%"', NEW.step,
                coalesce((SELECT format('%s of scheme "%s"', x.number, x.scheme) FROM @extschema@.notice x
                           WHERE x.id = NEW.notice_id), 'id ' || NEW.notice_id),
                NEW.from_state, NEW.prev_step, coalesce(prev_state, '(no such step)')
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notice_links AFTER INSERT ON @extschema@.notice
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_links_check();
CREATE TRIGGER notice_log_links AFTER INSERT ON @extschema@.notice_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_links_check();

CREATE FUNCTION @extschema@.notice_rows_are_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is not allowed on %: notices and their log are never changed or deleted', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Change a notice''s state with acknowledge_notice(), report_rectification(), verify_notice() or withdraw_notice().';
END $$;
CREATE TRIGGER notice_append_only BEFORE UPDATE OR DELETE ON @extschema@.notice
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_append_only_truncate BEFORE TRUNCATE ON @extschema@.notice
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_log_append_only BEFORE UPDATE OR DELETE ON @extschema@.notice_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();
CREATE TRIGGER notice_log_append_only_truncate BEFORE TRUNCATE ON @extschema@.notice_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.notice_rows_are_append_only();

CREATE VIEW @extschema@.notice_status WITH (security_invoker = true) AS
SELECT n.id, n.scheme, n.number, n.kind, n.region_code, n.region_zh, n.addressed_to,
       n.period, n.period_start, n.subject, n.issued_on, n.acknowledge_by, n.rectify_by,
       l.to_state AS state, l.to_state NOT IN ('verified', 'withdrawn') AS open,
       l.step AS steps, l.logged_at AS state_since, l.logged_by AS state_by,
       f.logged_at AS issued_at, f.logged_by AS issued_by,
       (SELECT min(a.logged_at) FROM @extschema@.notice_log a
         WHERE a.notice_id = n.id AND a.action = 'acknowledge') AS acknowledged_at,
       (SELECT max(a.logged_at) FROM @extschema@.notice_log a
         WHERE a.notice_id = n.id AND a.action = 'report') AS reported_at,
       n.warning_rule, n.severity, n.warning_value, n.warning_detail,
       n.previous_id, p.number AS previous_number, p.kind AS previous_kind
  FROM @extschema@.notice n
  LEFT JOIN LATERAL (SELECT * FROM @extschema@.notice_log x WHERE x.notice_id = n.id
                      ORDER BY x.step DESC LIMIT 1) l ON true
  LEFT JOIN @extschema@.notice_log f ON f.notice_id = n.id AND f.step = 1
  LEFT JOIN @extschema@.notice p ON p.id = n.previous_id;
COMMENT ON VIEW @extschema@.notice_status IS
'every notice with its current state (the last step of its log): issued, acknowledged, rectification_reported, verified or withdrawn; open = not yet verified or withdrawn; when and by whom it was issued, first acknowledged and last reported; the warning it came from and the notice it escalates';

CREATE FUNCTION @extschema@.notices_overdue(as_of date)
RETURNS TABLE (id bigint, scheme text, number text, kind text, region_code text, region_zh text,
               addressed_to text, state text, deadline text, due date, days_overdue integer)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.id, s.scheme, s.number, s.kind, s.region_code, s.region_zh, s.addressed_to, s.state,
           d.deadline, d.due, as_of - d.due
      FROM @extschema@.notice_status s
     CROSS JOIN LATERAL (VALUES ('acknowledge', s.acknowledge_by, s.state = 'issued'),
                                ('rectify', s.rectify_by, s.state IN ('issued', 'acknowledged'))) d(deadline, due, pending)
     WHERE d.pending AND as_of > d.due
     ORDER BY s.scheme, s.number, d.deadline;
$$;
COMMENT ON FUNCTION @extschema@.notices_overdue(date) IS
'open notices past a deadline on a date, one row per deadline missed: acknowledge (still issued after acknowledge_by) and rectify (no rectification reported, or it was rejected, after rectify_by), with the days overdue (as_of - due); states are the current ones';

CREATE VIEW @extschema@.notice_overdue WITH (security_invoker = true) AS
SELECT * FROM @extschema@.notices_overdue(CURRENT_DATE);
COMMENT ON VIEW @extschema@.notice_overdue IS
'open notices past a deadline today (safeidx.notices_overdue(current_date)): which deadline, the due date and the days overdue';

-- The next sequence number of a scheme's notices in a year; holds a
-- transaction lock on the scheme's notices until commit.
CREATE FUNCTION @extschema@.notice_next_seq(scheme text, year integer)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice ' || scheme));
    RETURN (SELECT coalesce(max(n.seq), 0) + 1 FROM @extschema@.notice n
             WHERE n.scheme = notice_next_seq.scheme AND n.year = notice_next_seq.year);
END $$;
COMMENT ON FUNCTION @extschema@.notice_next_seq(text, integer) IS
'the next sequence number of a scheme''s notices in a year of issue (used by issue_notices and issue_notice; serializes them per scheme)';

CREATE FUNCTION @extschema@.issue_notice(scheme text, region_code text, period_start date, kind text, subject text,
                                         rectify_by date, addressed_to text DEFAULT NULL,
                                         acknowledge_by date DEFAULT NULL, issued_on date DEFAULT CURRENT_DATE,
                                         previous_id bigint DEFAULT NULL, period text DEFAULT 'month')
RETURNS @extschema@.notice LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    zh   text;
    prev @extschema@.notice;
    n    @extschema@.notice;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = issue_notice.scheme) THEN
        RAISE EXCEPTION 'unknown scheme "%"', scheme USING ERRCODE = 'undefined_object';
    END IF;
    IF kind IS NULL OR kind NOT IN ('notice', 'summons', 'accountability') THEN
        RAISE EXCEPTION 'unknown notice kind "%"', kind USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The kinds are notice (预警通知书), summons (约谈) and accountability (问责).';
    END IF;
    IF @extschema@.period_interval(period) IS NULL THEN
        RAISE EXCEPTION 'unknown period kind "%"', period USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF period_start IS NULL OR period_start <> date_trunc(period, period_start)::date THEN
        RAISE EXCEPTION '% is not the start of a %', coalesce(period_start::text, 'NULL'), period
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT g.name_zh INTO zh FROM @extschema@.region g
     WHERE g.code = issue_notice.region_code AND g.valid_from <= issue_notice.period_start
       AND issue_notice.period_start < g.valid_to;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no region "%" in force on %', region_code, period_start USING ERRCODE = 'undefined_object';
    END IF;
    IF coalesce(btrim(subject), '') = '' THEN
        RAISE EXCEPTION 'a notice needs a subject' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF issued_on IS NULL OR rectify_by IS NULL THEN
        RAISE EXCEPTION 'a notice needs an issue date and a rectification deadline' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    acknowledge_by := coalesce(acknowledge_by, least(issued_on + 3, rectify_by));
    IF NOT (issued_on <= acknowledge_by AND acknowledge_by <= rectify_by) THEN
        RAISE EXCEPTION 'deadlines out of order: issued on %, acknowledge by %, rectify by %', issued_on, acknowledge_by, rectify_by
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The deadlines must satisfy issued_on <= acknowledge_by <= rectify_by.';
    END IF;
    IF previous_id IS NOT NULL THEN
        SELECT * INTO prev FROM @extschema@.notice x WHERE x.id = issue_notice.previous_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no notice with id %', previous_id USING ERRCODE = 'undefined_object';
        END IF;
        IF prev.scheme <> scheme OR prev.region_code <> region_code THEN
            RAISE EXCEPTION 'notice % concerns region "%" of scheme "%", not region "%" of scheme "%"',
                prev.number, prev.region_code, prev.scheme, region_code, scheme
                USING ERRCODE = 'invalid_parameter_value', HINT = 'An escalation follows a notice to the same region.';
        END IF;
    END IF;
    INSERT INTO @extschema@.notice (scheme, year, seq, kind, region_code, region_zh, period, period_start, subject,
                                    addressed_to, issued_on, acknowledge_by, rectify_by, previous_id)
    VALUES (scheme, extract(year FROM issued_on), @extschema@.notice_next_seq(scheme, extract(year FROM issued_on)::integer),
            kind, region_code, zh, period, period_start, subject,
            coalesce(nullif(btrim(addressed_to), ''), zh), issued_on, acknowledge_by, rectify_by, previous_id)
    RETURNING * INTO n;
    INSERT INTO @extschema@.notice_log (notice_id, step, action, to_state, note)
    VALUES (n.id, 1, 'issue', 'issued', 'issued by hand');
    RETURN n;
END $$;
COMMENT ON FUNCTION @extschema@.issue_notice(text, text, date, text, text, date, text, date, date, bigint, text) IS
'issues a notice by hand: scheme, region (in force at the period start), period start, kind (notice, summons, accountability), subject, last day to rectify; optionally the unit addressed (default the region''s name), the last day to acknowledge (default three days after issue, at most the rectification deadline), the issue date (default today), the notice it escalates and the period kind (default month)';

CREATE FUNCTION @extschema@.issue_notices(scheme text, period_start date, issued_on date DEFAULT CURRENT_DATE)
RETURNS SETOF @extschema@.notice LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w    record;
    n    @extschema@.notice;
    subj text;
    addr text;
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.scheme s WHERE s.scheme = issue_notices.scheme) THEN
        RAISE EXCEPTION 'unknown scheme "%"', scheme USING ERRCODE = 'undefined_object';
    END IF;
    IF period_start IS NULL OR issued_on IS NULL THEN
        RAISE EXCEPTION 'issue_notices needs a period start and an issue date' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('safeidx notice ' || scheme));
    FOR w IN
        WITH fired AS (
            SELECT x.*, @extschema@.period_number(x.period, x.period_start)
                        - row_number() OVER (PARTITION BY x.rule, x.region_code, x.period ORDER BY x.period_start) AS island
              FROM @extschema@.warning x
             WHERE x.scheme = issue_notices.scheme AND x.period_start <= issue_notices.period_start
               AND x.rule IN (SELECT r.warning_rule FROM @extschema@.notice_rule r WHERE r.scheme = issue_notices.scheme)),
        runs AS (
            SELECT f.*, min(f.period_start) OVER (PARTITION BY f.rule, f.region_code, f.period, f.island) AS run_start
              FROM fired f)
        SELECT x.rule, x.kind AS rule_kind, x.severity, x.period, x.period_start, x.region_code, x.region_zh,
               x.value, x.threshold, x.detail, wr.description, r.notice_kind, r.acknowledge_within, r.rectify_within,
               r.addressed_to, r.subject,
               CASE WHEN x.kind = 'consecutive'
                    THEN (x.period_start - (x.value::integer - 1) * @extschema@.period_interval(x.period))::date
                    ELSE x.period_start END AS link_from
          FROM runs x
          JOIN @extschema@.notice_rule r ON r.scheme = x.scheme AND r.warning_rule = x.rule
          JOIN @extschema@.warning_rule wr ON wr.scheme = x.scheme AND wr.rule = x.rule
         WHERE x.period_start = issue_notices.period_start
           AND NOT EXISTS (SELECT FROM @extschema@.notice o
                            WHERE o.scheme = x.scheme AND o.warning_rule = x.rule AND o.region_code = x.region_code
                              AND o.period = x.period
                              AND o.period_start BETWEEN CASE WHEN r.every_period THEN x.period_start ELSE x.run_start END
                                                     AND x.period_start)
         ORDER BY array_position(ARRAY['notice', 'summons', 'accountability'], r.notice_kind), x.region_code, x.period, x.rule
    LOOP
        subj := coalesce(w.subject, coalesce(w.description, w.rule) || ': {detail}');
        addr := w.addressed_to;
        subj := replace(replace(replace(replace(replace(subj, '{region_zh}', coalesce(w.region_zh, w.region_code)),
                        '{region_code}', w.region_code), '{period_start}', w.period_start::text), '{rule}', w.rule),
                        '{detail}', w.detail);
        addr := replace(replace(replace(replace(replace(addr, '{region_zh}', coalesce(w.region_zh, w.region_code)),
                        '{region_code}', w.region_code), '{period_start}', w.period_start::text), '{rule}', w.rule),
                        '{detail}', w.detail);
        INSERT INTO @extschema@.notice (scheme, year, seq, kind, region_code, region_zh, period, period_start, subject,
                                        addressed_to, issued_on, acknowledge_by, rectify_by, warning_rule, severity,
                                        warning_value, warning_threshold, warning_detail, previous_id)
        VALUES (scheme, extract(year FROM issued_on),
                @extschema@.notice_next_seq(scheme, extract(year FROM issued_on)::integer),
                w.notice_kind, w.region_code, w.region_zh, w.period, w.period_start, subj, addr, issued_on,
                (issued_on + w.acknowledge_within)::date, (issued_on + w.rectify_within)::date,
                w.rule, w.severity, w.value, w.threshold, w.detail,
                (SELECT o.id FROM @extschema@.notice o
                  WHERE o.scheme = issue_notices.scheme AND o.region_code = w.region_code AND o.period = w.period
                    AND o.period_start BETWEEN w.link_from AND w.period_start
                    AND array_position(ARRAY['notice', 'summons', 'accountability'], o.kind)
                        < array_position(ARRAY['notice', 'summons', 'accountability'], w.notice_kind)
                  ORDER BY array_position(ARRAY['notice', 'summons', 'accountability'], o.kind) DESC,
                           o.period_start DESC, o.id DESC
                  LIMIT 1))
        RETURNING * INTO n;
        INSERT INTO @extschema@.notice_log (notice_id, step, action, to_state, note)
        VALUES (n.id, 1, 'issue', 'issued', format('issued by notice rule %s', w.rule));
        RETURN NEXT n;
    END LOOP;
END $$;
COMMENT ON FUNCTION @extschema@.issue_notices(text, date, date) IS
'issues the notices that the notice rules ask for the warnings of a period (all period kinds starting on that date): one per warning of a ruled warning rule unless that rule already has a notice for the region in the current run of consecutive periods in which it fires (every_period: in that period); deadlines from the issue date (default today); a notice from a consecutive-periods rule is linked to the latest notice of a lower kind for the region during the run (escalation); idempotent; returns the notices issued';

-- One step of a notice's lifecycle: checks it is allowed from the current
-- state and appends it to the log.
CREATE FUNCTION @extschema@.notice_step(notice_id bigint, action text, note text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n       @extschema@.notice;
    last    @extschema@.notice_log;
    t       @extschema@.notice_transition;
    allowed text;
    r       @extschema@.notice_log;
BEGIN
    SELECT * INTO n FROM @extschema@.notice x WHERE x.id = notice_step.notice_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no notice with id %', coalesce(notice_id::text, 'NULL') USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO last FROM @extschema@.notice_log l WHERE l.notice_id = n.id ORDER BY l.step DESC LIMIT 1;
    SELECT * INTO t FROM @extschema@.notice_transition x
     WHERE x.from_state = last.to_state AND x.action = notice_step.action;
    IF NOT FOUND THEN
        SELECT string_agg(format('%s (%s)', x.action, x.via), ', ' ORDER BY x.to_state) INTO allowed
          FROM @extschema@.notice_transition x WHERE x.from_state = last.to_state;
        RAISE EXCEPTION 'notice % of scheme "%" is %: it cannot be %', n.number, n.scheme, last.to_state,
            CASE action WHEN 'acknowledge' THEN 'acknowledged' WHEN 'report' THEN 'reported as rectified'
                        WHEN 'accept' THEN 'verified' WHEN 'reject' THEN 'rejected'
                        WHEN 'withdraw' THEN 'withdrawn' ELSE action END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = CASE WHEN allowed IS NULL THEN 'The notice is closed.' ELSE 'Allowed now: ' || allowed || '.' END;
    END IF;
    INSERT INTO @extschema@.notice_log (notice_id, step, prev_step, from_state, action, to_state, note)
    VALUES (n.id, last.step + 1, last.step, last.to_state, t.action, t.to_state, note)
    RETURNING * INTO r;
    RETURN r;
END $$;
COMMENT ON FUNCTION @extschema@.notice_step(bigint, text, text) IS
'takes one step (an action of notice_transition) of a notice''s lifecycle if it is allowed from the current state (else 55000) and logs it; used by acknowledge_notice, report_rectification, verify_notice and withdraw_notice';

CREATE FUNCTION @extschema@.acknowledge_notice(notice_id bigint, note text DEFAULT NULL)
RETURNS @extschema@.notice_log LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM @extschema@.notice_step(notice_id, 'acknowledge', note);
$$;
COMMENT ON FUNCTION @extschema@.acknowledge_notice(bigint, text) IS
'the unit confirms receipt of a notice: issued -> acknowledged; returns the log row';

CREATE FUNCTION @extschema@.report_rectification(notice_id bigint, report text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(report), '') = '' THEN
        RAISE EXCEPTION 'a rectification report needs its text' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'report', report);
END $$;
COMMENT ON FUNCTION @extschema@.report_rectification(bigint, text) IS
'the unit reports its rectification (the report is the log note): acknowledged -> rectification_reported; returns the log row';

CREATE FUNCTION @extschema@.verify_notice(notice_id bigint, accepted boolean, note text DEFAULT NULL)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF accepted IS NULL THEN
        RAISE EXCEPTION 'verify_notice needs accepted true or false' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT accepted AND coalesce(btrim(note), '') = '' THEN
        RAISE EXCEPTION 'a rejected rectification needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, CASE WHEN accepted THEN 'accept' ELSE 'reject' END, note);
END $$;
COMMENT ON FUNCTION @extschema@.verify_notice(bigint, boolean, text) IS
'verifies a reported rectification: accepted -> verified (closed); rejected (a reason is required) -> back to acknowledged, the unit must report again and the rectification deadline counts again; returns the log row';

CREATE FUNCTION @extschema@.withdraw_notice(notice_id bigint, reason text)
RETURNS @extschema@.notice_log LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(btrim(reason), '') = '' THEN
        RAISE EXCEPTION 'withdrawing a notice needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.notice_step(notice_id, 'withdraw', reason);
END $$;
COMMENT ON FUNCTION @extschema@.withdraw_notice(bigint, text) IS
'withdraws an open notice (e.g. issued on data later corrected), with a reason: -> withdrawn (closed); returns the log row';
-- safeidx install script, part 98: what residents may see.  One view of
-- released, aggregated results only, meant to be granted to a role that can
-- read nothing else.

-- Deliberately not security_invoker: it reads the release tables with its
-- owner's rights, so that a public role needs SELECT on this view alone.
CREATE VIEW @extschema@.public_result AS
WITH latest AS (
    SELECT DISTINCT ON (r.series, r.number) r.*
      FROM @extschema@.release r
     ORDER BY r.series, r.number, r.revision DESC)
SELECT s.series, s.title_zh AS series_zh, l.number, l.period_start, l.released_at,
       x.region_code, x.region_zh, x.depth,
       round(x.index::numeric, 1) AS index, b.label_zh AS grade_zh, b.label_en AS grade_en, b.colour,
       x.rank_level, x.rank_siblings,
       p.rank_level - x.rank_level AS rank_change,
       CASE WHEN p.rank_level IS NULL OR x.rank_level IS NULL THEN NULL
            WHEN p.rank_level > x.rank_level THEN 'up'
            WHEN p.rank_level < x.rank_level THEN 'down'
            ELSE 'same' END AS trend
  FROM latest l
  JOIN @extschema@.release_series s ON s.series = l.series
  JOIN @extschema@.scheme sc ON sc.scheme = s.scheme
  JOIN @extschema@.release_result x
    ON x.series = l.series AND x.number = l.number AND x.revision = l.revision
  LEFT JOIN @extschema@.grade_band b ON b.scale = sc.grade_scale AND b.level = x.grade_level
  LEFT JOIN latest pl ON pl.series = l.series AND pl.number = l.number - 1
  LEFT JOIN @extschema@.release_result p
    ON p.series = pl.series AND p.number = pl.number AND p.revision = pl.revision AND p.region_code = x.region_code;
COMMENT ON VIEW @extschema@.public_result IS
'for residents: the released results only (latest revision of each release), aggregated: index to one decimal, grade and colour, ranks and the trend since the previous release; no indicator detail, no departmental data; grant SELECT on it (and USAGE on the schema) to a public role, nothing else';
REVOKE ALL ON @extschema@.public_result FROM PUBLIC;
-- safeidx install script, part 99: the monthly report (the "check-up") of a
-- release as one self-contained HTML document: inline CSS, an inline SVG
-- chart, no external resources, UTF-8 with Chinese labels.
--
-- Everything about the regions (indices, grades, ranks, the comparison with
-- the previous release) comes from the frozen release tables, so the same
-- revision always gives the same document.  Two things are read live and the
-- report says so: the grade labels and colours (the bands of the scheme's
-- grade scale, looked up by the frozen grade level) and the warnings (the
-- view safeidx.warning over the current results of the period).

CREATE FUNCTION @extschema@.html_escape(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT replace(replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                           '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION @extschema@.html_escape(text) IS
'text made safe for HTML element content and quoted attribute values: & < > " and '' replaced by entities';

-- The period of a release in Chinese: 2025年2月, 2025年第1季度, 2025年, 2025年2月3日.
CREATE FUNCTION @extschema@.period_label_zh(period text, period_start date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE period
           WHEN 'day'     THEN to_char(period_start, 'YYYY"年"FMMM"月"FMDD"日"')
           WHEN 'month'   THEN to_char(period_start, 'YYYY"年"FMMM"月"')
           WHEN 'quarter' THEN to_char(period_start, 'YYYY"年第"Q"季度"')
           WHEN 'year'    THEN to_char(period_start, 'YYYY"年"')
           END
$$;
COMMENT ON FUNCTION @extschema@.period_label_zh(text, date) IS
'a period in Chinese: 2025年2月 (month), 2025年第1季度 (quarter), 2025年 (year), 2025年2月3日 (day)';

-- Black or white text, whichever reads better on a background colour #RRGGBB.
CREATE FUNCTION @extschema@.text_colour_on(colour text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN colour !~ '^#[0-9A-Fa-f]{6}$' THEN '#212121'
                WHEN 0.2126 * ('x' || substr(colour, 2, 2))::bit(8)::integer
                   + 0.7152 * ('x' || substr(colour, 4, 2))::bit(8)::integer
                   + 0.0722 * ('x' || substr(colour, 6, 2))::bit(8)::integer > 150 THEN '#000000'
                ELSE '#FFFFFF' END
$$;
COMMENT ON FUNCTION @extschema@.text_colour_on(text) IS
'#000000 or #FFFFFF: the text colour that reads better on the background colour given (#RRGGBB; #212121 for anything else, NULL included)';

CREATE FUNCTION @extschema@.release_report(series text, number integer, revision integer DEFAULT NULL)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s         @extschema@.release_series;
    rel       @extschema@.release;
    prev      @extschema@.release;
    earlier   @extschema@.release;
    sch       @extschema@.scheme;
    prev_ok   boolean := false;
    prev_note text := '';
    period_zh text;
    title     text;
    css       text;
    ranking   text;
    warnings  text;
    movers    text;
    changes   text;
    correction text := '';
    chart     text;
    chart_depth integer;
    chart_max float8;
    chart_n   integer;
    legend    text;
BEGIN
    IF series IS NULL OR number IS NULL THEN
        RAISE EXCEPTION 'release_report needs a series and a number' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO s FROM @extschema@.release_series x WHERE x.series = release_report.series;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown release series "%"', series USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO rel FROM @extschema@.release r
     WHERE r.series = s.series AND r.number = release_report.number
       AND (release_report.revision IS NULL OR r.revision = release_report.revision)
     ORDER BY r.revision DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'series "%" has no release % (revision %)', s.series, number, coalesce(revision::text, 'any')
            USING ERRCODE = 'undefined_object';
    END IF;
    IF @extschema@.release_checksum(rel.series, rel.number, rel.revision) <> rel.checksum THEN
        RAISE EXCEPTION 'release % revision % of series "%" no longer matches its checksum', rel.number, rel.revision, rel.series
            USING ERRCODE = 'data_corrupted';
    END IF;
    SELECT * INTO STRICT sch FROM @extschema@.scheme x WHERE x.scheme = s.scheme;

    -- The previous release as it stood when this revision was published: the
    -- highest earlier number, its last revision released no later than this one.
    SELECT * INTO prev FROM @extschema@.release r
     WHERE r.series = s.series AND r.number < rel.number AND r.released_at <= rel.released_at
     ORDER BY r.number DESC, r.revision DESC LIMIT 1;
    IF FOUND THEN
        IF @extschema@.release_checksum(prev.series, prev.number, prev.revision) = prev.checksum THEN
            prev_ok := true;
        ELSE
            prev_note := format('<p class="alert">上期（第%s期 第%s版）数据与其校验码不符，本期未与上期比较。</p>',
                                prev.number, prev.revision);
        END IF;
    ELSE
        prev_note := '<p class="note">本期为该系列的首期，无上期可比。</p>';
    END IF;

    period_zh := @extschema@.period_label_zh(s.period, rel.period_start);
    title := format('%s 第%s期（%s）', s.title_zh, rel.number, period_zh);

    css := $css$
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#212121;background:#FFFFFF;font-size:14px}
h1{font-size:24px;margin:0 0 4px 0}
h2{font-size:18px;margin:24px 0 8px 0;border-bottom:2px solid #9E9E9E;padding-bottom:2px}
p.meta{color:#616161;margin:2px 0}
p.note{color:#616161}
p.alert{color:#B71C1C;font-weight:bold}
table{border-collapse:collapse;margin:4px 0}
th,td{border:1px solid #BDBDBD;padding:4px 10px;text-align:left}
th{background:#EEEEEE}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.grade{text-align:center;font-weight:bold;min-width:56px}
tr.depth1 td{font-weight:bold}
span.up{color:#2E7D32}
span.down{color:#C62828}
div.correction{border:2px solid #EF6C00;padding:8px 12px;margin:12px 0}
svg text{font-size:13px;fill:#212121}
$css$;

    -- Ranking: every region of the release, by level, rank and code.
    SELECT string_agg(format(
               '<tr class="depth%s"><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
               '<td class="num">%s</td><td class="grade" style="background:%s;color:%s">%s</td><td class="num">%s</td></tr>',
               r.depth, r.depth, coalesce(r.rank_level::text, '—'),
               @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
               @extschema@.html_escape(coalesce(pr.region_zh, r.parent_code, '')),
               coalesce(round(r.index::numeric, 4)::text, '—'),
               coalesce(b.colour, '#FFFFFF'), @extschema@.text_colour_on(b.colour),
               @extschema@.html_escape(coalesce(b.label_zh, '—')),
               CASE WHEN NOT prev_ok THEN '—'
                    WHEN p.region_code IS NULL THEN '新'
                    WHEN r.rank_level IS NULL OR p.rank_level IS NULL THEN '—'
                    WHEN p.rank_level > r.rank_level THEN format('<span class="up">↑%s</span>', p.rank_level - r.rank_level)
                    WHEN p.rank_level < r.rank_level THEN format('<span class="down">↓%s</span>', r.rank_level - p.rank_level)
                    ELSE '持平' END),
               E'\n' ORDER BY r.depth, r.rank_level NULLS LAST, r.region_code)
      INTO ranking
      FROM @extschema@.release_result r
      LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
      LEFT JOIN @extschema@.release_result pr
             ON (pr.series, pr.number, pr.revision) = (rel.series, rel.number, rel.revision) AND pr.region_code = r.parent_code
      LEFT JOIN @extschema@.release_result p
             ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision);

    -- Warnings of the period, from the live view.
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                             @extschema@.html_escape(coalesce(w.region_zh, w.region_code)),
                             @extschema@.html_escape(w.rule), @extschema@.html_escape(w.severity),
                             @extschema@.html_escape(w.detail)),
                      E'\n' ORDER BY w.rule, w.region_code, w.node)
      INTO warnings
      FROM @extschema@.warning w
     WHERE w.scheme = s.scheme AND w.period = s.period AND w.period_start = rel.period_start;

    -- Biggest movers: the ten largest index changes since the previous release.
    IF prev_ok THEN
        SELECT string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                 @extschema@.html_escape(coalesce(m.region_zh, m.region_code)), m.before, m.after,
                                 CASE WHEN m.delta > 0 THEN format('<span class="up">+%s</span>', m.delta)
                                      ELSE format('<span class="down">%s</span>', m.delta) END),
                          E'\n' ORDER BY abs(m.delta) DESC, m.depth, m.region_code)
          INTO movers
          FROM (SELECT r.region_code, r.region_zh, r.depth, round(p.index::numeric, 4) AS before,
                       round(r.index::numeric, 4) AS after, round((r.index - p.index)::numeric, 4) AS delta,
                       row_number() OVER (ORDER BY abs(round((r.index - p.index)::numeric, 4)) DESC, r.depth, r.region_code) AS n
                  FROM @extschema@.release_result r
                  JOIN @extschema@.release_result p
                    ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
                 WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
                   AND round((r.index - p.index)::numeric, 4) <> 0) m
         WHERE m.n <= 10;

        -- Grade changes since the previous release.
        SELECT string_agg(format('<tr><td>%s</td><td class="grade" style="background:%s;color:%s">%s</td>'
                                 '<td class="grade" style="background:%s;color:%s">%s</td></tr>',
                                 @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
                                 coalesce(pb.colour, '#FFFFFF'), @extschema@.text_colour_on(pb.colour),
                                 @extschema@.html_escape(coalesce(pb.label_zh, '—')),
                                 coalesce(b.colour, '#FFFFFF'), @extschema@.text_colour_on(b.colour),
                                 @extschema@.html_escape(coalesce(b.label_zh, '—'))),
                          E'\n' ORDER BY r.depth, r.region_code)
          INTO changes
          FROM @extschema@.release_result r
          JOIN @extschema@.release_result p
            ON (p.series, p.number, p.revision) = (prev.series, prev.number, prev.revision) AND p.region_code = r.region_code
          LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
          LEFT JOIN @extschema@.grade_band pb ON pb.scale = sch.grade_scale AND pb.level = p.grade_level
         WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
           AND r.grade_level IS DISTINCT FROM p.grade_level;
    END IF;

    -- A correction: its reason and what it changed against the revision before.
    IF rel.revision > 1 THEN
        SELECT * INTO earlier FROM @extschema@.release r
         WHERE r.series = rel.series AND r.number = rel.number AND r.revision = rel.revision - 1;
        correction := format('<div class="correction"><h2>更正说明（第%s版）</h2><p class="reason">%s</p>',
                             rel.revision, @extschema@.html_escape(rel.reason))
            || coalesce((SELECT '<table class="corrected"><tr><th>地区</th><th>原指数</th><th>更正后指数</th></tr>' || E'\n'
                                || string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                                                     @extschema@.html_escape(coalesce(r.region_zh, r.region_code)),
                                                     coalesce(round(e.index::numeric, 4)::text, '—'),
                                                     coalesce(round(r.index::numeric, 4)::text, '—')),
                                              E'\n' ORDER BY r.depth, r.region_code) || '</table>'
                           FROM @extschema@.release_result r
                           JOIN @extschema@.release_result e
                             ON (e.series, e.number, e.revision) = (earlier.series, earlier.number, earlier.revision)
                            AND e.region_code = r.region_code
                          WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
                            AND r.index IS DISTINCT FROM e.index), '<p class="note">各地区指数与上一版相同。</p>')
            || '</div>';
    END IF;

    -- The chart: the first level from the top with more than one region (the
    -- streets under one district), else the top one.
    SELECT coalesce(min(d.depth) FILTER (WHERE d.n > 1), min(d.depth)) INTO chart_depth
      FROM (SELECT r.depth, count(*) AS n FROM @extschema@.release_result r
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision)
             GROUP BY r.depth) d;
    SELECT greatest(100, max(r.index)), count(*) INTO chart_max, chart_n
      FROM @extschema@.release_result r
     WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth;
    -- 200 px of names, 500 px of bars, 80 px of values; bars 24 px high every 32 px.
    SELECT format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="800" height="%s" viewBox="0 0 800 %s" role="img" aria-label="%s">',
                  32 * chart_n + 30, 32 * chart_n + 30, @extschema@.html_escape(format('第%s层各地区指数', chart_depth)))
           || E'\n'
           || (SELECT string_agg(format('<line x1="%s" y1="0" x2="%s" y2="%s" stroke="#E0E0E0" stroke-width="1"/><text x="%s" y="%s" text-anchor="middle">%s</text>',
                                        200 + round((500 * t / chart_max)::numeric, 1), 200 + round((500 * t / chart_max)::numeric, 1),
                                        32 * chart_n + 8, 200 + round((500 * t / chart_max)::numeric, 1), 32 * chart_n + 24, t),
                                 E'\n' ORDER BY t)
                 FROM generate_series(0, floor(chart_max)::integer, 20) t)
           || E'\n'
           || coalesce(string_agg(format('<text x="192" y="%s" text-anchor="end">%s</text>'
                                         '<rect x="200" y="%s" width="%s" height="24" fill="%s"><title>%s %s</title></rect>'
                                         '<text x="%s" y="%s">%s</text>',
                                         32 * (c.n - 1) + 21, @extschema@.html_escape(coalesce(c.region_zh, c.region_code)),
                                         32 * (c.n - 1) + 4, coalesce(round((500 * greatest(c.index, 0) / chart_max)::numeric, 1), 0),
                                         coalesce(c.colour, '#BDBDBD'),
                                         @extschema@.html_escape(coalesce(c.region_zh, c.region_code)),
                                         coalesce(round(c.index::numeric, 4)::text, '—'),
                                         206 + coalesce(round((500 * greatest(c.index, 0) / chart_max)::numeric, 1), 0), 32 * (c.n - 1) + 21,
                                         coalesce(round(c.index::numeric, 2)::text, '—')),
                                  E'\n' ORDER BY c.n), '')
           || E'\n</svg>'
      INTO chart
      FROM (SELECT r.*, b.colour,
                   row_number() OVER (ORDER BY r.rank_level NULLS LAST, r.region_code) AS n
              FROM @extschema@.release_result r
              LEFT JOIN @extschema@.grade_band b ON b.scale = sch.grade_scale AND b.level = r.grade_level
             WHERE (r.series, r.number, r.revision) = (rel.series, rel.number, rel.revision) AND r.depth = chart_depth) c;

    SELECT string_agg(format('<span class="band" style="background:%s;color:%s;padding:2px 8px;margin-right:6px">%s %s</span>',
                             b.colour, @extschema@.text_colour_on(b.colour), @extschema@.html_escape(b.label_zh),
                             CASE WHEN b.min_index IS NULL THEN format('&lt; %s', b.above)
                                  ELSE format('≥ %s', b.min_index) END),
                      '' ORDER BY b.level)
      INTO legend
      FROM (SELECT g.*, lag(g.min_index) OVER (ORDER BY g.level) AS above
              FROM @extschema@.grade_band g WHERE g.scale = sch.grade_scale) b;

    RETURN '<!DOCTYPE html>' || E'\n'
        || '<html lang="zh-CN"><head><meta charset="utf-8">' || E'\n'
        || format('<title>%s</title>', @extschema@.html_escape(title)) || E'\n'
        || '<style>' || css || '</style></head><body>' || E'\n'
        || format('<h1>%s</h1>', @extschema@.html_escape(title)) || E'\n'
        || format('<p class="meta">%s%s · 方案 %s（%s） · 版本 %s · 发布于 %s · 校验码 %s</p>',
                  CASE WHEN rel.revision > 1 THEN format('<strong>更正版 第%s版</strong> · ', rel.revision) ELSE '' END,
                  @extschema@.html_escape(period_zh), @extschema@.html_escape(sch.name_zh), @extschema@.html_escape(sch.scheme),
                  @extschema@.html_escape(rel.version),
                  to_char(rel.released_at AT TIME ZONE sch.time_zone, 'YYYY-MM-DD HH24:MI'), rel.checksum) || E'\n'
        || correction || E'\n'
        || format('<h2>第%s层指数图</h2>', chart_depth) || E'\n' || chart || E'\n'
        || '<h2>排名</h2>' || E'\n' || prev_note || E'\n'
        || format('<p class="legend">等级：%s</p>', coalesce(legend, '')) || E'\n'
        || '<table class="ranking"><tr><th>层级</th><th>排名</th><th>地区</th><th>上级</th><th>指数</th><th>等级</th><th>排名变化</th></tr>' || E'\n'
        || coalesce(ranking, '') || E'\n</table>' || E'\n'
        || '<h2>本期预警</h2>' || E'\n'
        || CASE WHEN EXISTS (SELECT FROM @extschema@.release r WHERE r.series = rel.series AND r.number = rel.number
                                                                 AND r.revision > rel.revision)
                THEN '<p class="note">本版已被更正：以下预警依据当前计算结果，可能与本版数据不一致。</p>' || E'\n' ELSE '' END
        || CASE WHEN warnings IS NULL THEN '<p class="note">本期无预警。</p>'
                ELSE '<table class="warnings"><tr><th>地区</th><th>规则</th><th>级别</th><th>说明</th></tr>' || E'\n'
                     || warnings || E'\n</table>' END || E'\n'
        || '<h2>指数变化最大的地区</h2>' || E'\n'
        || CASE WHEN NOT prev_ok THEN '<p class="note">无可比的上期数据。</p>'
                WHEN movers IS NULL THEN '<p class="note">与上期相比各地区指数没有变化。</p>'
                ELSE format('<table class="movers"><tr><th>地区</th><th>上期（第%s期）</th><th>本期</th><th>变化</th></tr>', prev.number)
                     || E'\n' || movers || E'\n</table>' END || E'\n'
        || '<h2>等级变化</h2>' || E'\n'
        || CASE WHEN NOT prev_ok THEN '<p class="note">无可比的上期数据。</p>'
                WHEN changes IS NULL THEN '<p class="note">与上期相比没有地区的等级发生变化。</p>'
                ELSE format('<table class="changes"><tr><th>地区</th><th>上期等级（第%s期）</th><th>本期等级</th></tr>', prev.number)
                     || E'\n' || changes || E'\n</table>' END || E'\n'
        || format('<p class="note">数据来源：发布表 release_result（第%s期第%s版，冻结）%s；等级名称与颜色取自等级表 %s；'
                  '预警取自实时视图 safeidx.warning（当前计算结果，非冻结）。</p>',
                  rel.number, rel.revision,
                  CASE WHEN prev_ok THEN format('，上期为第%s期第%s版', prev.number, prev.revision) ELSE '' END,
                  @extschema@.html_escape(sch.grade_scale)) || E'\n'
        || '</body></html>' || E'\n';
END $$;
COMMENT ON FUNCTION @extschema@.release_report(text, integer, integer) IS
'the report (月报, the check-up) of a release revision (default the latest) as one self-contained HTML document: title with 第N期 and the period, ranking with grade colours and rank change since the previous release, the period''s warnings, biggest movers, grade changes, the correction reason, an SVG bar chart of the first level with more than one region (e.g. the streets); regions from the frozen release tables (reproducible), grade labels and colours from the scheme''s grade scale, warnings from the live view warning';
