-- seasonal.sql: a Farrington-like seasonal baseline and threshold for a count series.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.seasonal_baseline(series float8[], season int DEFAULT 12, years int DEFAULT 3,
                                                        "window" int DEFAULT 1, level float8 DEFAULT 0.99,
                                                        min_baseline int DEFAULT 3)
RETURNS TABLE (period int, observed float8, expected float8, phi float8, baseline_n int, threshold float8,
               alarm boolean, run_start int)
AS 'MODULE_PATHNAME', 'seasonal_baseline'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.seasonal_baseline(float8[], int, int, int, float8, int) IS
'per period: mean of the same periods (+- window) of up to years earlier seasons, quasi-Poisson phi, and the threshold mu (1 + 2/3 z sqrt(phi mu (1 + 1/n)) / mu)^(3/2); alarm above it';
