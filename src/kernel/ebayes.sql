-- ebayes.sql: empirical Bayes smoothing of rates (Marshall 1991): the ebsum summary,
-- eb_agg (aggregate and window function), the prior and the smoothed rate.

-- [state]
CREATE TYPE @extschema@.ebsum;

CREATE FUNCTION @extschema@.ebsum_in(cstring) RETURNS @extschema@.ebsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_out(@extschema@.ebsum) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_recv(internal) RETURNS @extschema@.ebsum
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.ebsum_send(@extschema@.ebsum) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.ebsum (
    INPUT = @extschema@.ebsum_in,
    OUTPUT = @extschema@.ebsum_out,
    RECEIVE = @extschema@.ebsum_recv,
    SEND = @extschema@.ebsum_send,
    INTERNALLENGTH = 48,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.ebsum IS
'summary of a group of units for empirical Bayes smoothing; text form (v1,units=..,missing=..,events=..,exposure=..,mean=..,m2=..)';

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.ebsum_add(@extschema@.ebsum, float8, float8)
RETURNS @extschema@.ebsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ebsum_add(@extschema@.ebsum, float8, float8) IS
'transition function of eb_agg: adds one unit (events, exposure); a NULL or a zero exposure is counted as missing';

CREATE OR REPLACE FUNCTION @extschema@.ebsum_combine(@extschema@.ebsum, @extschema@.ebsum)
RETURNS @extschema@.ebsum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ebsum_combine(@extschema@.ebsum, @extschema@.ebsum) IS
'combine function of eb_agg: merges two groups';

CREATE OR REPLACE AGGREGATE @extschema@.eb_agg(events float8, exposure float8) (
    SFUNC = @extschema@.ebsum_add,
    STYPE = @extschema@.ebsum,
    COMBINEFUNC = @extschema@.ebsum_combine,
    INITCOND = '(v1,units=0,missing=0,events=0,exposure=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.eb_agg(float8, float8) IS
'summarises units (events, exposure) for empirical Bayes smoothing; global over all units, local with GROUP BY parent or OVER (PARTITION BY parent)';

CREATE OR REPLACE AGGREGATE @extschema@.rollup(@extschema@.ebsum) (
    SFUNC = @extschema@.ebsum_combine,
    STYPE = @extschema@.ebsum,
    COMBINEFUNC = @extschema@.ebsum_combine,
    INITCOND = '(v1,units=0,missing=0,events=0,exposure=0,mean=0,m2=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.ebsum) IS 'merges ebsum summaries';

CREATE OR REPLACE FUNCTION @extschema@.eb_prior_mean(summary @extschema@.ebsum, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'eb_prior_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_prior_mean(@extschema@.ebsum, float8) IS
'prior mean of the rates (sum of events / sum of exposure) per "per"; NULL for an empty group';

CREATE OR REPLACE FUNCTION @extschema@.eb_prior_variance(summary @extschema@.ebsum, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'eb_prior_variance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_prior_variance(@extschema@.ebsum, float8) IS
'prior variance of the rates (Marshall''s moment estimator, floored at 0), in (per "per")^2; NULL for an empty group';

CREATE OR REPLACE FUNCTION @extschema@.eb_units(summary @extschema@.ebsum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ebsum_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_units(@extschema@.ebsum) IS 'number of units with exposure in the group';

CREATE OR REPLACE FUNCTION @extschema@.eb_missing(summary @extschema@.ebsum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ebsum_missing'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_missing(@extschema@.ebsum) IS 'number of rows left out: NULL count or exposure, or exposure 0';

CREATE OR REPLACE FUNCTION @extschema@.eb_weight(exposure float8, summary @extschema@.ebsum)
RETURNS float8 AS 'MODULE_PATHNAME', 'eb_weight'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_weight(float8, @extschema@.ebsum) IS
'shrinkage weight A / (A + m / exposure) of a unit''s own rate (0: fully the prior mean); NULL when the exposure is 0 or the group empty';

CREATE OR REPLACE FUNCTION @extschema@.eb_rate(events float8, exposure float8, summary @extschema@.ebsum, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'eb_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.eb_rate(float8, float8, @extschema@.ebsum, float8) IS
'empirical Bayes (Marshall 1991) smoothed rate per "per" of a unit against its group''s summary; NULL when the exposure is 0';
