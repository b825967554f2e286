-- grade.sql: grade_level(): the level of an index on a scale of cut points.

CREATE OR REPLACE FUNCTION @extschema@.grade_level(index float8, cuts float8[])
RETURNS integer AS 'MODULE_PATHNAME', 'grade_level'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.grade_level(float8, float8[]) IS
'level of an index on a scale with strictly decreasing cut points: 1 at or above the first cut, n+1 below the last';
