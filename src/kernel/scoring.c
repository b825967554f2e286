/*
 * scoring.c
 *		The scoring rules that turn one indicator value into a score in
 *		[0, 1]: ratio to a baseline with bands (the Wuchang 0.8 / 1.2 rule),
 *		fixed goalposts, distance to a target; and the relative change used
 *		for year-over-year and period-over-period indicators.
 *
 * Each rule is a C function here plus its entry in the registry of
 * scoring_rules.c, which holds its parameters and their defaults and is read
 * by the engine, the scheme validation and the SQL functions below alike.
 * Every rule knows the indicator's direction: higher_is_better = false for
 * incident rates (逆向指标), true for mediation successes (正向指标).
 */
#include "safeidx.h"

#include <math.h>

#include "utils/builtins.h"

/*
 * value / baseline, where both are rates or counts.  A zero baseline is
 * defined rather than refused: 0 against 0 is "as the baseline" (1), and
 * anything against 0 is infinitely above it.
 */
double
ratio_to_baseline(double value, double baseline)
{
	if (baseline == 0)
		return value == 0 ? 1.0 : INFINITY;
	return value / baseline;
}

void
ratio_band_check(double lower, double upper, double middle_share)
{
	nonnegative_arg(lower, "lower band edge");
	finite_arg(upper, "upper band edge");
	finite_arg(middle_share, "middle_share");
	if (!(lower < upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower band edge (%g) must be below upper band edge (%g)",
						lower, upper)));
	if (middle_share < 0 || middle_share > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("middle_share must be between 0 and 1")));
}

/*
 * The ratio r = value / baseline falls in one of three bands.  For a
 * negative indicator: r < lower scores 1, r > upper 0, and the middle band
 * [lower, upper] scores middle_share ("step") or falls linearly from 1 at
 * lower to 0 at upper ("linear").  A positive indicator mirrors this: r >
 * upper scores 1.
 */
double
ratio_band_score(double value, double baseline, double lower, double upper,
				 bool higher_is_better, bool linear, double middle_share)
{
	double		r;

	nonnegative_arg(value, "indicator value");
	nonnegative_arg(baseline, "baseline");
	ratio_band_check(lower, upper, middle_share);
	r = ratio_to_baseline(value, baseline);
	if (!higher_is_better)
	{
		if (r < lower)
			return 1;
		if (r > upper)
			return 0;
		return linear ? (upper - r) / (upper - lower) : middle_share;
	}
	if (r > upper)
		return 1;
	if (r < lower)
		return 0;
	return linear ? (r - lower) / (upper - lower) : middle_share;
}

void
goalposts_check(double minimum, double maximum, bool log_scale)
{
	finite_arg(minimum, "minimum goalpost");
	finite_arg(maximum, "maximum goalpost");
	if (!(minimum < maximum))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minimum goalpost (%g) must be below maximum goalpost (%g)",
						minimum, maximum),
				 errhint("For an indicator where lower is better, keep minimum < maximum and set higher_is_better to false.")));
	if (log_scale && minimum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("log-scale goalposts need positive values and goalposts"),
				 errdetail("minimum %g", minimum)));
}

/*
 * (value - minimum) / (maximum - minimum), on natural logarithms when
 * log_scale (as the UNDP income index), reversed for a negative indicator,
 * and cut to [0, 1] when capped.
 */
double
goalposts_score(double value, double minimum, double maximum,
				bool higher_is_better, bool log_scale, bool capped)
{
	double		score;

	finite_arg(value, "indicator value");
	goalposts_check(minimum, maximum, log_scale);
	if (log_scale)
	{
		if (value <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("log-scale goalposts need positive values and goalposts"),
					 errdetail("value %g, minimum %g", value, minimum)));
		value = log(value);
		minimum = log(minimum);
		maximum = log(maximum);
	}
	score = finite_result((value - minimum) / (maximum - minimum), "goalpost score");
	if (!higher_is_better)
		score = 1 - score;
	if (capped)
		score = fmin(1, fmax(0, score));
	return score;
}

void
target_check(double target, bool higher_is_better)
{
	nonnegative_arg(target, "target");
	if (higher_is_better && target == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the target of a positive indicator must be above 0")));
}

/*
 * The share of the target reached, in [0, 1]: value / target for a positive
 * indicator, target / value for a negative one (at or below the target is
 * 1; a target of 0 is met only by 0).
 */
double
target_score(double value, double target, bool higher_is_better)
{
	nonnegative_arg(value, "indicator value");
	target_check(target, higher_is_better);
	if (higher_is_better)
		return fmin(1, value / target);
	if (value <= target)
		return 1;
	return target / value;
}

/*
 * The SQL faces of the rules.  A NULL value, baseline, points or direction
 * gives NULL; a NULL rule parameter takes the rule's default (listed by
 * safeidx.scoring_parameters()).
 */
static bool
any_null(FunctionCallInfo fcinfo, int n, const int *argnos)
{
	for (int i = 0; i < n; i++)
		if (PG_ARGISNULL(argnos[i]))
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(score_ratio_band);
Datum
score_ratio_band(PG_FUNCTION_ARGS)
{
	static const int needed[] = {0, 1, 2, 5};
	static const int params[] = {3, 4, 6, 7};	/* lower, upper, middle, middle_share */
	const ScoringRule *rule = scoring_rule("ratio_band");
	ScoringInput in = {0};
	ScoringArgs args;
	bool		is_null;
	double		points;
	double		score;

	if (any_null(fcinfo, lengthof(needed), needed))
		PG_RETURN_NULL();
	points = finite_arg(PG_GETARG_FLOAT8(2), "points");
	scoring_args_from_call(rule, fcinfo, params, &args);
	in.value = PG_GETARG_FLOAT8(0);
	in.baseline = PG_GETARG_FLOAT8(1);
	in.has_baseline = true;
	in.higher_is_better = PG_GETARG_BOOL(5);
	score = rule->score(&in, &args, &is_null);
	PG_RETURN_FLOAT8(points * score);
}

PG_FUNCTION_INFO_V1(score_goalposts);
Datum
score_goalposts(PG_FUNCTION_ARGS)
{
	static const int needed[] = {0, 1, 2, 3};
	static const int params[] = {1, 2, 4, 5};	/* minimum, maximum, log_scale, capped */
	const ScoringRule *rule = scoring_rule("goalposts");
	ScoringInput in = {0};
	ScoringArgs args;
	bool		is_null;
	double		score;

	if (any_null(fcinfo, lengthof(needed), needed))
		PG_RETURN_NULL();
	scoring_args_from_call(rule, fcinfo, params, &args);
	in.value = PG_GETARG_FLOAT8(0);
	in.higher_is_better = PG_GETARG_BOOL(3);
	score = rule->score(&in, &args, &is_null);
	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(score);
}

/* score_target(value, target, higher_is_better): strict, the target given. */
PG_FUNCTION_INFO_V1(score_target);
Datum
score_target(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(target_score(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
								  PG_GETARG_BOOL(2)));
}

/*
 * change(current, earlier, from_zero)
 *
 * Relative change (current - earlier) / |earlier|, as used for 同比
 * (year-over-year) and 环比 (period-over-period).  From an earlier value of 0
 * the change is 0 if current is 0, else from_zero with current's sign
 * (default 1, a rise from nothing counted as +100%).
 */
PG_FUNCTION_INFO_V1(relative_change);
Datum
relative_change(PG_FUNCTION_ARGS)
{
	double		current = finite_arg(PG_GETARG_FLOAT8(0), "current value");
	double		earlier = finite_arg(PG_GETARG_FLOAT8(1), "earlier value");
	double		from_zero = finite_arg(PG_GETARG_FLOAT8(2), "from_zero");

	if (earlier == 0)
	{
		if (current == 0)
			PG_RETURN_FLOAT8(0);
		PG_RETURN_FLOAT8(current > 0 ? from_zero : -from_zero);
	}
	PG_RETURN_FLOAT8(finite_result((current - earlier) / fabs(earlier),
								   "relative change"));
}
