-- cusum.sql: the Poisson CUSUM (Lucas 1985) over a count series.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.poisson_cusum(series float8[], expected float8[], ratio float8 DEFAULT 2,
                                                    h float8 DEFAULT 5, fir boolean DEFAULT false)
RETURNS TABLE (period int, observed float8, expected float8, reference float8, statistic float8, threshold float8,
               alarm boolean, run_start int)
AS 'MODULE_PATHNAME', 'poisson_cusum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.poisson_cusum(float8[], float8[], float8, float8, boolean) IS
'Poisson CUSUM per period against in-control means expected[] (array_fill(mu0, ARRAY[n]) for a constant one) and out-of-control ratio * expected: S = max(0, S + x - k), alarm when S >= h, restart after an alarm (at h/2 with fir)';
