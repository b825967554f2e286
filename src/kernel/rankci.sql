-- rankci.sql: rank intervals under the uncertainty of the rates, by simulation with a
-- fixed seed inside C.

-- [code]
CREATE OR REPLACE FUNCTION @extschema@.rank_interval(events float8[], exposure float8[],
                                                    lower_q float8 DEFAULT 0.05, upper_q float8 DEFAULT 0.95,
                                                    draws int DEFAULT 1000, seed bigint DEFAULT 1,
                                                    method text DEFAULT 'gamma', descending boolean DEFAULT false)
RETURNS TABLE (unit int, rate float8, rank int, rank_lower int, rank_upper int)
AS 'MODULE_PATHNAME', 'rank_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION @extschema@.rank_interval(float8[], float8[], float8, float8, int, bigint, text, boolean) IS
'each unit''s rank (1 = lowest rate, or highest with descending; ties share the lowest) and the lower_q and upper_q quantiles of its rank over draws redraws of every rate (gamma: Jeffreys posterior; poisson: parametric bootstrap) from the given seed';
