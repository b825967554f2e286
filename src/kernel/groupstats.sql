-- groupstats.sql: scores relative to a group: the groupstats summary, min-max and z-scores.

-- [state]
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

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.groupstats_add(@extschema@.groupstats, float8)
RETURNS @extschema@.groupstats AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.groupstats_add(@extschema@.groupstats, float8) IS
'transition function of group_stats: adds one value';

CREATE OR REPLACE FUNCTION @extschema@.groupstats_combine(@extschema@.groupstats, @extschema@.groupstats)
RETURNS @extschema@.groupstats AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.groupstats_combine(@extschema@.groupstats, @extschema@.groupstats) IS
'combine function of group_stats and rollup: merges two groups';

CREATE OR REPLACE AGGREGATE @extschema@.group_stats(value float8) (
    SFUNC = @extschema@.groupstats_add,
    STYPE = @extschema@.groupstats,
    COMBINEFUNC = @extschema@.groupstats_combine,
    INITCOND = '(v1,n=0,min=0,max=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.group_stats(float8) IS
'summarises a group of values (NULLs skipped) for score_minmax and score_z; usable as a window function';

CREATE OR REPLACE AGGREGATE @extschema@.rollup(@extschema@.groupstats) (
    SFUNC = @extschema@.groupstats_combine,
    STYPE = @extschema@.groupstats,
    COMBINEFUNC = @extschema@.groupstats_combine,
    INITCOND = '(v1,n=0,min=0,max=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.groupstats) IS 'merges groupstats summaries';

CREATE OR REPLACE FUNCTION @extschema@.group_count(stats @extschema@.groupstats) RETURNS bigint
AS 'MODULE_PATHNAME', 'groupstats_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_count(@extschema@.groupstats) IS 'number of values in the group';
CREATE OR REPLACE FUNCTION @extschema@.group_min(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_min(@extschema@.groupstats) IS 'smallest value of the group; NULL if empty';
CREATE OR REPLACE FUNCTION @extschema@.group_max(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_max(@extschema@.groupstats) IS 'largest value of the group; NULL if empty';
CREATE OR REPLACE FUNCTION @extschema@.group_mean(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_mean(@extschema@.groupstats) IS 'mean of the group; NULL if empty';
CREATE OR REPLACE FUNCTION @extschema@.group_stddev(stats @extschema@.groupstats) RETURNS float8
AS 'MODULE_PATHNAME', 'groupstats_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_stddev(@extschema@.groupstats) IS 'population standard deviation of the group; NULL if empty';

CREATE OR REPLACE FUNCTION @extschema@.score_minmax(value float8, stats @extschema@.groupstats, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_minmax'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_minmax(float8, @extschema@.groupstats, boolean) IS
'(value - min) / (max - min) over the group, reversed when lower is better; NULL when all values are equal';

CREATE OR REPLACE FUNCTION @extschema@.score_z(value float8, stats @extschema@.groupstats, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_z'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_z(float8, @extschema@.groupstats, boolean) IS
'(value - mean) / population standard deviation of the group, negated when lower is better; NULL when all values are equal';
