-- funnel.sql: funnel plots (Spiegelhalter 2005) for rates and observed / expected ratios:
-- exact Poisson limits, positions, z-scores, the funnelset summary with phi and tau^2,
-- and the random-effects (overdispersion-adjusted) limits.

-- [state]
CREATE TYPE @extschema@.funnelset;

CREATE FUNCTION @extschema@.funnelset_in(cstring) RETURNS @extschema@.funnelset
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_out(@extschema@.funnelset) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_recv(internal) RETURNS @extschema@.funnelset
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.funnelset_send(@extschema@.funnelset) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.funnelset (
    INPUT = @extschema@.funnelset_in,
    OUTPUT = @extschema@.funnelset_out,
    RECEIVE = @extschema@.funnelset_recv,
    SEND = @extschema@.funnelset_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.funnelset IS
'the (observed, expected) pairs of a group of units, for the overdispersion of a funnel plot (16 bytes a unit); text form (v1,missing=..,n=..,observed=o1;o2,expected=e1;e2)';

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.funnel_lower(target float8, exposure float8, level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_lower(float8, float8, float8, float8) IS
'lower exact Poisson funnel limit (interpolated, Spiegelhalter 2005) of a rate per "per" with target rate target at this exposure; with target 1, per 1 and exposure = expected count, of observed / expected';

CREATE OR REPLACE FUNCTION @extschema@.funnel_upper(target float8, exposure float8, level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_upper(float8, float8, float8, float8) IS
'upper exact Poisson funnel limit (interpolated, Spiegelhalter 2005) of a rate per "per" with target rate target at this exposure; with target 1, per 1 and exposure = expected count, of observed / expected';

CREATE OR REPLACE FUNCTION @extschema@.funnel_position(observed float8, target float8, exposure float8,
                                                      level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS text AS 'MODULE_PATHNAME', 'funnel_position'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_position(float8, float8, float8, float8, float8) IS
'above, below or inside the exact funnel limits at this level; NULL without an expected count';

CREATE OR REPLACE FUNCTION @extschema@.funnel_z(observed float8, expected float8)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_z'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_z(float8, float8) IS
'z-score (observed - expected) / sqrt(expected) of a unit under the target; NULL when expected is 0';

CREATE OR REPLACE FUNCTION @extschema@.funnel_re_lower(target float8, exposure float8, tau2 float8,
                                                      level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_re_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_re_lower(float8, float8, float8, float8, float8) IS
'lower funnel limit adjusted for overdispersion by the additive random-effects tau^2: target * (1 - z sqrt(1/E + tau^2)), floored at 0';

CREATE OR REPLACE FUNCTION @extschema@.funnel_re_upper(target float8, exposure float8, tau2 float8,
                                                      level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_re_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_re_upper(float8, float8, float8, float8, float8) IS
'upper funnel limit adjusted for overdispersion by the additive random-effects tau^2: target * (1 + z sqrt(1/E + tau^2))';

CREATE OR REPLACE FUNCTION @extschema@.funnel_re_position(observed float8, target float8, exposure float8, tau2 float8,
                                                         level float8 DEFAULT 0.95, per float8 DEFAULT 1)
RETURNS text AS 'MODULE_PATHNAME', 'funnel_re_position'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_re_position(float8, float8, float8, float8, float8, float8) IS
'above, below or inside the overdispersion-adjusted funnel limits; NULL without an expected count';

CREATE OR REPLACE FUNCTION @extschema@.funnelset_add(@extschema@.funnelset, float8, float8)
RETURNS @extschema@.funnelset AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnelset_add(@extschema@.funnelset, float8, float8) IS
'transition function of funnel_agg: adds one unit (observed, expected); NULL or an expected count of 0 is counted as missing';

CREATE OR REPLACE FUNCTION @extschema@.funnelset_combine(@extschema@.funnelset, @extschema@.funnelset)
RETURNS @extschema@.funnelset AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnelset_combine(@extschema@.funnelset, @extschema@.funnelset) IS
'combine function of funnel_agg: joins two groups';

CREATE OR REPLACE FUNCTION @extschema@.funnelset_final(@extschema@.funnelset)
RETURNS @extschema@.funnelset AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnelset_final(@extschema@.funnelset) IS
'final function of funnel_agg: the set without the spare room the transition keeps';

CREATE OR REPLACE AGGREGATE @extschema@.funnel_agg(observed float8, expected float8) (
    SFUNC = @extschema@.funnelset_add,
    STYPE = @extschema@.funnelset,
    FINALFUNC = @extschema@.funnelset_final,
    COMBINEFUNC = @extschema@.funnelset_combine,
    INITCOND = '(v1,missing=0,n=0,observed=,expected=)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.funnel_agg(float8, float8) IS
'collects a group''s (observed, expected) pairs for funnel_phi and funnel_tau2';

CREATE OR REPLACE FUNCTION @extschema@.funnel_units(summary @extschema@.funnelset)
RETURNS bigint AS 'MODULE_PATHNAME', 'funnelset_units'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_units(@extschema@.funnelset) IS 'number of units with an expected count in the group';

CREATE OR REPLACE FUNCTION @extschema@.funnel_missing(summary @extschema@.funnelset)
RETURNS bigint AS 'MODULE_PATHNAME', 'funnelset_missing'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_missing(@extschema@.funnelset) IS 'number of rows left out (NULL, or expected count 0)';

CREATE OR REPLACE FUNCTION @extschema@.funnel_phi(summary @extschema@.funnelset, winsor float8 DEFAULT 0.1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_phi'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_phi(@extschema@.funnelset, float8) IS
'overdispersion factor phi: mean squared z-score after winsorising winsor in each tail; NULL for an empty group';

CREATE OR REPLACE FUNCTION @extschema@.funnel_tau2(summary @extschema@.funnelset, winsor float8 DEFAULT 0.1)
RETURNS float8 AS 'MODULE_PATHNAME', 'funnel_tau2'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.funnel_tau2(@extschema@.funnelset, float8) IS
'additive random-effects variance tau^2 on the ratio scale (DerSimonian-Laird form of Spiegelhalter 2005), 0 when phi shows no overdispersion';
