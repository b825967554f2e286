-- rate.sql: per-capita rates: rate(), the ratesum summary built by rate_agg and
-- rolled up by rollup, and its accessors (events, exposure, exact Poisson limits).

CREATE OR REPLACE FUNCTION @extschema@.rate(events float8, residents float8, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'safeidx_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate(float8, float8, float8) IS
'events per "per" residents (default per 10,000); NULL when residents is 0; error on negative, NaN or infinite input';

-- [state]
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

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.ratesum_add(@extschema@.ratesum, float8, float8)
RETURNS @extschema@.ratesum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratesum_add(@extschema@.ratesum, float8, float8) IS
'transition function of rate_agg: adds one unit (events, residents); a NULL count or population is counted as missing';

CREATE OR REPLACE FUNCTION @extschema@.ratesum_combine(@extschema@.ratesum, @extschema@.ratesum)
RETURNS @extschema@.ratesum AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ratesum_combine(@extschema@.ratesum, @extschema@.ratesum) IS
'combine function of rate_agg and rollup: adds two summaries';

CREATE OR REPLACE AGGREGATE @extschema@.rate_agg(events float8, residents float8) (
    SFUNC = @extschema@.ratesum_add,
    STYPE = @extschema@.ratesum,
    COMBINEFUNC = @extschema@.ratesum_combine,
    INITCOND = '(v1,events=0,exposure=0,units=0,missing=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rate_agg(float8, float8) IS
'summarises units of (events, residents) into a ratesum; read it with rate(), events(), exposure(), rate_lower(), rate_upper()';

CREATE OR REPLACE AGGREGATE @extschema@.rollup(@extschema@.ratesum) (
    SFUNC = @extschema@.ratesum_combine,
    STYPE = @extschema@.ratesum,
    COMBINEFUNC = @extschema@.ratesum_combine,
    INITCOND = '(v1,events=0,exposure=0,units=0,missing=0)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.rollup(@extschema@.ratesum) IS
'adds ratesum summaries, e.g. communities into streets; NULL summaries are skipped';

CREATE OR REPLACE FUNCTION @extschema@.rate(summary @extschema@.ratesum, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate(@extschema@.ratesum, float8) IS
'summed events per "per" of summed exposure; NULL when the exposure is 0';

CREATE OR REPLACE FUNCTION @extschema@.events(summary @extschema@.ratesum)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.events(@extschema@.ratesum) IS 'summed events of a ratesum';

CREATE OR REPLACE FUNCTION @extschema@.exposure(summary @extschema@.ratesum)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_exposure'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.exposure(@extschema@.ratesum) IS 'summed residents (exposure) of a ratesum';

CREATE OR REPLACE FUNCTION @extschema@.units(summary @extschema@.ratesum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ratesum_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.units(@extschema@.ratesum) IS 'number of rows with both a count and a population';

CREATE OR REPLACE FUNCTION @extschema@.missing_units(summary @extschema@.ratesum)
RETURNS bigint AS 'MODULE_PATHNAME', 'ratesum_missing'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.missing_units(@extschema@.ratesum) IS 'number of rows left out because the count or the population was NULL';

CREATE OR REPLACE FUNCTION @extschema@.rate_lower(summary @extschema@.ratesum, level float8 DEFAULT 0.95, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_lower(@extschema@.ratesum, float8, float8) IS
'lower limit of the exact (Garwood) Poisson confidence interval of the rate; NULL when the exposure is 0';

CREATE OR REPLACE FUNCTION @extschema@.rate_upper(summary @extschema@.ratesum, level float8 DEFAULT 0.95, per float8 DEFAULT 10000)
RETURNS float8 AS 'MODULE_PATHNAME', 'ratesum_rate_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_upper(@extschema@.ratesum, float8, float8) IS
'upper limit of the exact (Garwood) Poisson confidence interval of the rate; NULL when the exposure is 0';
