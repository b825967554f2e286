-- scoring.sql: scoring rules that turn one indicator value into a score.

CREATE OR REPLACE FUNCTION @extschema@.score_ratio_band(
    value float8, baseline float8, points float8,
    lower float8 DEFAULT 0.8, upper float8 DEFAULT 1.2,
    higher_is_better boolean DEFAULT false,
    middle text DEFAULT 'step', middle_share float8 DEFAULT 0.5)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_ratio_band'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_ratio_band(float8, float8, float8, float8, float8, boolean, text, float8) IS
'points for value/baseline by bands (Wuchang 0.8/1.2 rule): all points in the best band, none in the worst, step or linear share in [lower, upper]';

CREATE OR REPLACE FUNCTION @extschema@.score_goalposts(
    value float8, minimum float8, maximum float8,
    higher_is_better boolean DEFAULT true, log_scale boolean DEFAULT false,
    capped boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_goalposts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_goalposts(float8, float8, float8, boolean, boolean, boolean) IS
'(value - minimum) / (maximum - minimum), optionally on logarithms, reversed when lower is better, capped to [0, 1] by default';

CREATE OR REPLACE FUNCTION @extschema@.score_target(value float8, target float8, higher_is_better boolean DEFAULT true)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_target'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_target(float8, float8, boolean) IS
'share of the target reached, in [0, 1]: value/target, or target/value when lower is better';

CREATE OR REPLACE FUNCTION @extschema@.change(current float8, earlier float8, from_zero float8 DEFAULT 1)
RETURNS float8 AS 'MODULE_PATHNAME', 'relative_change'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.change(float8, float8, float8) IS
'relative change (current - earlier) / |earlier| for year-over-year or period-over-period; from 0 it is 0 (to 0) or +/- from_zero';
