-- rounding.sql: a value as published with some decimals.

CREATE OR REPLACE FUNCTION @extschema@.round_published(value float8, decimals integer) RETURNS float8
AS 'MODULE_PATHNAME', 'safeidx_round_published'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.round_published(float8, integer) IS
'a value rounded to the decimals it is published with, as round(value::numeric, decimals)::float8 (15 significant digits, half away from zero): the rounding of indices (scheme_version.index_decimals) and scores (score_decimals)';
