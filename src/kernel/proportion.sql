-- proportion.sql: Wilson intervals for a share (survey results).

CREATE OR REPLACE FUNCTION @extschema@.share_lower(successes float8, trials float8, level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'share_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_lower(float8, float8, float8) IS
'lower bound of the Wilson score interval for a share of successes out of trials (e.g. households satisfied out of surveyed), at a two-sided level (default 0.95); 0 when there is no success, NULL without trials';

CREATE OR REPLACE FUNCTION @extschema@.share_upper(successes float8, trials float8, level float8 DEFAULT 0.95)
RETURNS float8 AS 'MODULE_PATHNAME', 'share_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.share_upper(float8, float8, float8) IS
'upper bound of the Wilson score interval for a share of successes out of trials, at a two-sided level (default 0.95); 1 when every trial succeeded, NULL without trials';
