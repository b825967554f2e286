-- intervals.sql: confidence intervals for counts, rates per N, observed / expected
-- ratios and ratios of two rates (formulas in doc/statistics.md).

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.poisson_count_lower(events float8, level float8 DEFAULT 0.95, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_count_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_count_lower(float8, float8, text) IS
'lower confidence limit of the mean of a Poisson count: method exact (Garwood) or byar (Byar''s approximation)';

CREATE OR REPLACE FUNCTION @extschema@.poisson_count_upper(events float8, level float8 DEFAULT 0.95, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_count_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_count_upper(float8, float8, text) IS
'upper confidence limit of the mean of a Poisson count: method exact (Garwood) or byar (Byar''s approximation)';

CREATE OR REPLACE FUNCTION @extschema@.poisson_rate_lower(events float8, exposure float8, level float8 DEFAULT 0.95,
                                                         per float8 DEFAULT 10000, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_rate_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_rate_lower(float8, float8, float8, float8, text) IS
'lower confidence limit of a rate per "per" (the count''s limit / exposure * per); NULL when the exposure is 0';

CREATE OR REPLACE FUNCTION @extschema@.poisson_rate_upper(events float8, exposure float8, level float8 DEFAULT 0.95,
                                                         per float8 DEFAULT 10000, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_rate_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_rate_upper(float8, float8, float8, float8, text) IS
'upper confidence limit of a rate per "per" (the count''s limit / exposure * per); NULL when the exposure is 0';

CREATE OR REPLACE FUNCTION @extschema@.oe_ratio_lower(observed float8, expected float8, level float8 DEFAULT 0.95, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'oe_ratio_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.oe_ratio_lower(float8, float8, float8, text) IS
'lower confidence limit of observed / expected (observed Poisson, expected fixed, as an SMR); NULL when expected is 0';

CREATE OR REPLACE FUNCTION @extschema@.oe_ratio_upper(observed float8, expected float8, level float8 DEFAULT 0.95, method text DEFAULT 'exact')
RETURNS float8 AS 'MODULE_PATHNAME', 'oe_ratio_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.oe_ratio_upper(float8, float8, float8, text) IS
'upper confidence limit of observed / expected (observed Poisson, expected fixed, as an SMR); NULL when expected is 0';

CREATE OR REPLACE FUNCTION @extschema@.rate_ratio_lower(events1 float8, exposure1 float8, events2 float8, exposure2 float8,
                                                       level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'rate_ratio_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_ratio_lower(float8, float8, float8, float8, float8) IS
'lower limit of the ratio of two Poisson rates by the exact conditional (binomial, Clopper-Pearson) method; NULL without events or exposure';

CREATE OR REPLACE FUNCTION @extschema@.rate_ratio_upper(events1 float8, exposure1 float8, events2 float8, exposure2 float8,
                                                       level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'rate_ratio_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_ratio_upper(float8, float8, float8, float8, float8) IS
'upper limit of the ratio of two Poisson rates by the exact conditional (binomial, Clopper-Pearson) method; Infinity when events2 is 0';
