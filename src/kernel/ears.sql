-- ears.sql: EARS C1, C2, C3 over a count series.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.ears_c1(series float8[], "limit" float8 DEFAULT 3, min_sd float8 DEFAULT 0.5)
RETURNS TABLE (period int, observed float8, expected float8, sd float8, statistic float8, threshold float8,
               alarm boolean, run_start int)
AS 'MODULE_PATHNAME', 'ears_c1'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ears_c1(float8[], float8, float8) IS
'EARS C1 per period: (x - mean) / sd of the 7 preceding periods (sd floored at min_sd); alarm above limit';

CREATE OR REPLACE FUNCTION @extschema@.ears_c2(series float8[], "limit" float8 DEFAULT 3, min_sd float8 DEFAULT 0.5)
RETURNS TABLE (period int, observed float8, expected float8, sd float8, statistic float8, threshold float8,
               alarm boolean, run_start int)
AS 'MODULE_PATHNAME', 'ears_c2'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ears_c2(float8[], float8, float8) IS
'EARS C2 per period: as C1 with the 7 periods before a 2-period guard band; alarm above limit';

CREATE OR REPLACE FUNCTION @extschema@.ears_c3(series float8[], "limit" float8 DEFAULT 2, min_sd float8 DEFAULT 0.5)
RETURNS TABLE (period int, observed float8, expected float8, sd float8, statistic float8, threshold float8,
               alarm boolean, run_start int)
AS 'MODULE_PATHNAME', 'ears_c3'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ears_c3(float8[], float8, float8) IS
'EARS C3 per period: sum of max(0, C2 - 1) over the period and the two before; alarm above limit';
