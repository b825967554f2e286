-- scoring.sql: scoring rules that turn one indicator value into a score: the
-- registry (scoring_rules.c) as SQL, the engine's entry point and the rules'
-- own SQL functions, whose NULL parameters take the registry's defaults.

CREATE OR REPLACE FUNCTION @extschema@.scoring_rules()
RETURNS TABLE (rule text, baseline text, uses_group boolean, description text)
AS 'MODULE_PATHNAME', 'scoring_rules'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scoring_rules() IS
'the scoring rules an indicator may use: name, whether it reads a baseline (unused, optional, required), whether it scores against the group of regions of the same level and what it computes';

CREATE OR REPLACE FUNCTION @extschema@.scoring_parameters(rule text)
RETURNS TABLE (parameter text, json_type text, required boolean, default_value jsonb)
AS 'MODULE_PATHNAME', 'scoring_parameters'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.scoring_parameters(text) IS
'the parameters (scoring_params keys) a scoring rule accepts, their JSON type, whether required and their default';

CREATE OR REPLACE FUNCTION @extschema@.check_scoring(rule text, params jsonb, higher_is_better boolean, has_baseline boolean)
RETURNS void AS 'MODULE_PATHNAME', 'check_scoring'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.check_scoring(text, jsonb, boolean, boolean) IS
'error 22023 unless an indicator can be scored by the rule with these parameters, direction and baseline (unknown rule or parameter, wrong JSON type, missing parameter or baseline, values that can never score)';

CREATE OR REPLACE FUNCTION @extschema@.score_indicator(
    rule text, value float8, baseline float8, higher_is_better boolean,
    params jsonb DEFAULT '{}', stats @extschema@.groupstats DEFAULT NULL)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_indicator'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_indicator(text, float8, float8, boolean, jsonb, @extschema@.groupstats) IS
'the score of an indicator value by a scoring rule (see scoring_rules()) with its parameters, against a baseline and, for minmax, the group stats of the values scored together; NULL without a value, or without the baseline the rule needs';

CREATE OR REPLACE FUNCTION @extschema@.score_ratio_band(
    value float8, baseline float8, points float8,
    lower float8 DEFAULT NULL, upper float8 DEFAULT NULL,
    higher_is_better boolean DEFAULT false,
    middle text DEFAULT NULL, middle_share float8 DEFAULT NULL)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_ratio_band'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_ratio_band(float8, float8, float8, float8, float8, boolean, text, float8) IS
'points for value/baseline by bands (Wuchang 0.8/1.2 rule): all points in the best band, none in the worst, step or linear share in [lower, upper]; a NULL band parameter takes the rule''s default (lower 0.8, upper 1.2, middle step, middle_share 0.5)';

CREATE OR REPLACE FUNCTION @extschema@.score_goalposts(
    value float8, minimum float8, maximum float8,
    higher_is_better boolean DEFAULT true, log_scale boolean DEFAULT NULL,
    capped boolean DEFAULT NULL)
RETURNS float8 AS 'MODULE_PATHNAME', 'score_goalposts'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score_goalposts(float8, float8, float8, boolean, boolean, boolean) IS
'(value - minimum) / (maximum - minimum), optionally on logarithms, reversed when lower is better, capped to [0, 1]; a NULL log_scale or capped takes the rule''s default (false, true)';

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
