-- weighted.sql: the weighted index over indicator scores: the indexsum summary and its means.

-- [state]
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

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.indexsum_add(@extschema@.indexsum, float8, float8)
RETURNS @extschema@.indexsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.indexsum_add(@extschema@.indexsum, float8, float8) IS
'transition function of index_agg: adds one (score, weight); a NULL score is an indicator without data, a NULL weight an error';

CREATE OR REPLACE FUNCTION @extschema@.indexsum_combine(@extschema@.indexsum, @extschema@.indexsum)
RETURNS @extschema@.indexsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.indexsum_combine(@extschema@.indexsum, @extschema@.indexsum) IS
'combine function of index_agg and rollup: adds two summaries';

CREATE OR REPLACE AGGREGATE @extschema@.index_agg(score float8, weight float8) (
    SFUNC = @extschema@.indexsum_add,
    STYPE = @extschema@.indexsum,
    COMBINEFUNC = @extschema@.indexsum_combine,
    INITCOND = '(v1,scored=0,unscored=0,weight=0,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.index_agg(float8, float8) IS
'summarises (score, weight) pairs into an indexsum; read it with weighted_sum(), weighted_mean(), geometric_mean(), coverage()';

CREATE OR REPLACE AGGREGATE @extschema@.rollup(@extschema@.indexsum) (
    SFUNC = @extschema@.indexsum_combine,
    STYPE = @extschema@.indexsum,
    COMBINEFUNC = @extschema@.indexsum_combine,
    INITCOND = '(v1,scored=0,unscored=0,weight=0,weight_unscored=0,weighted_scores=0,weighted_logs=0,zeros=0,negatives=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.indexsum) IS 'adds indexsum summaries';

CREATE OR REPLACE FUNCTION @extschema@.weighted_sum(summary @extschema@.indexsum) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_weighted_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_sum(@extschema@.indexsum) IS
'sum of weight * score over the indicators with a score; NULL when none has one';

CREATE OR REPLACE FUNCTION @extschema@.weighted_mean(summary @extschema@.indexsum, min_coverage float8 DEFAULT 0) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_weighted_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.weighted_mean(@extschema@.indexsum, float8) IS
'weighted arithmetic mean re-normalised over the indicators with a score; NULL when coverage is below min_coverage';

CREATE OR REPLACE FUNCTION @extschema@.geometric_mean(summary @extschema@.indexsum, min_coverage float8 DEFAULT 0) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_geometric_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.geometric_mean(@extschema@.indexsum, float8) IS
'weighted geometric mean over the indicators with a score; 0 if a weighted score is 0, error if one is negative; NULL below min_coverage';

CREATE OR REPLACE FUNCTION @extschema@.coverage(summary @extschema@.indexsum) RETURNS float8
AS 'MODULE_PATHNAME', 'indexsum_coverage' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.coverage(@extschema@.indexsum) IS
'share of the total weight carried by indicators with a score; NULL when the total weight is 0';

CREATE OR REPLACE FUNCTION @extschema@.scored(summary @extschema@.indexsum) RETURNS bigint
AS 'MODULE_PATHNAME', 'indexsum_scored' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scored(@extschema@.indexsum) IS 'number of indicators with a score';

CREATE OR REPLACE FUNCTION @extschema@.unscored(summary @extschema@.indexsum) RETURNS bigint
AS 'MODULE_PATHNAME', 'indexsum_unscored' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.unscored(@extschema@.indexsum) IS 'number of indicators without data (NULL score)';
