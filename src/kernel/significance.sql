-- significance.sql: Poisson tail probabilities of an observed count under an expected
-- count, and the significance-aware state of a unit.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.poisson_p_upper(observed float8, expected float8)
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_p_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_p_upper(float8, float8) IS
'P(X >= observed) for X Poisson with mean expected (one-sided p-value of an excess), accurate in the far tail';

CREATE OR REPLACE FUNCTION @extschema@.poisson_p_lower(observed float8, expected float8)
RETURNS float8 AS 'MODULE_PATHNAME', 'poisson_p_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_p_lower(float8, float8) IS
'P(X <= observed) for X Poisson with mean expected (one-sided p-value of a deficit)';

CREATE OR REPLACE FUNCTION @extschema@.excess_state(observed float8, expected float8, level float8 DEFAULT 0.05,
                                                   min_expected float8 DEFAULT 5)
RETURNS text AS 'MODULE_PATHNAME', 'excess_state'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.excess_state(float8, float8, float8, float8) IS
'insufficient_data when expected < min_expected (or 0); excess when P(X >= observed | expected) < level; no_excess otherwise';
