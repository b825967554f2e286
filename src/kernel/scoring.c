/*
 * scoring.c
 *		Scoring rules that turn one indicator value into points: ratio to a
 *		baseline with bands (the Wuchang 0.8 / 1.2 rule), fixed goalposts,
 *		distance to a target, and the relative change used for year-over-year
 *		and period-over-period indicators.
 *
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
static double
ratio_to_baseline(double value, double baseline)
{
	if (baseline == 0)
		return value == 0 ? 1.0 : INFINITY;
	return value / baseline;
}

/*
 * score_ratio_band(value, baseline, points, lower, upper, higher_is_better,
 *					middle, middle_share)
 *
 * The ratio r = value / baseline falls in one of three bands.  For a
 * negative indicator: r < lower earns all points, r > upper none, and the
 * middle band [lower, upper] earns points * middle_share ("step") or a share
 * falling linearly from all points at lower to none at upper ("linear").  A
 * positive indicator mirrors this: r > upper earns all points.
 */
PG_FUNCTION_INFO_V1(score_ratio_band);
Datum
score_ratio_band(PG_FUNCTION_ARGS)
{
	double		value = nonnegative_arg(PG_GETARG_FLOAT8(0), "indicator value");
	double		baseline = nonnegative_arg(PG_GETARG_FLOAT8(1), "baseline");
	double		points = finite_arg(PG_GETARG_FLOAT8(2), "points");
	double		lower = nonnegative_arg(PG_GETARG_FLOAT8(3), "lower band edge");
	double		upper = finite_arg(PG_GETARG_FLOAT8(4), "upper band edge");
	bool		higher_is_better = PG_GETARG_BOOL(5);
	char	   *middle = text_to_cstring(PG_GETARG_TEXT_PP(6));
	double		middle_share = finite_arg(PG_GETARG_FLOAT8(7), "middle_share");
	bool		linear;
	double		r;

	if (strcmp(middle, "linear") == 0)
		linear = true;
	else if (strcmp(middle, "step") == 0)
		linear = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown middle-band scoring \"%s\"", middle),
				 errhint("Use 'step' or 'linear'.")));
	if (!(lower < upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower band edge (%g) must be below upper band edge (%g)",
						lower, upper)));
	if (middle_share < 0 || middle_share > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("middle_share must be between 0 and 1")));

	r = ratio_to_baseline(value, baseline);
	if (!higher_is_better)
	{
		if (r < lower)
			PG_RETURN_FLOAT8(points);
		if (r > upper)
			PG_RETURN_FLOAT8(0);
		PG_RETURN_FLOAT8(linear ? points * (upper - r) / (upper - lower)
						 : points * middle_share);
	}
	if (r > upper)
		PG_RETURN_FLOAT8(points);
	if (r < lower)
		PG_RETURN_FLOAT8(0);
	PG_RETURN_FLOAT8(linear ? points * (r - lower) / (upper - lower)
					 : points * middle_share);
}

/*
 * score_goalposts(value, minimum, maximum, higher_is_better, log_scale,
 *				   capped)
 *
 * (value - minimum) / (maximum - minimum), on natural logarithms when
 * log_scale (as the UNDP income index), reversed for a negative indicator,
 * and cut to [0, 1] when capped.
 */
PG_FUNCTION_INFO_V1(score_goalposts);
Datum
score_goalposts(PG_FUNCTION_ARGS)
{
	double		value = finite_arg(PG_GETARG_FLOAT8(0), "indicator value");
	double		minimum = finite_arg(PG_GETARG_FLOAT8(1), "minimum goalpost");
	double		maximum = finite_arg(PG_GETARG_FLOAT8(2), "maximum goalpost");
	bool		higher_is_better = PG_GETARG_BOOL(3);
	bool		log_scale = PG_GETARG_BOOL(4);
	bool		capped = PG_GETARG_BOOL(5);
	double		score;

	if (!(minimum < maximum))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minimum goalpost (%g) must be below maximum goalpost (%g)",
						minimum, maximum),
				 errhint("For an indicator where lower is better, keep minimum < maximum and set higher_is_better to false.")));
	if (log_scale)
	{
		if (minimum <= 0 || value <= 0)
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
	PG_RETURN_FLOAT8(score);
}

/*
 * score_target(value, target, higher_is_better)
 *
 * The share of the target reached, in [0, 1]: value / target for a positive
 * indicator, target / value for a negative one (at or below the target is
 * 1; a target of 0 is met only by 0).
 */
PG_FUNCTION_INFO_V1(score_target);
Datum
score_target(PG_FUNCTION_ARGS)
{
	double		value = nonnegative_arg(PG_GETARG_FLOAT8(0), "indicator value");
	double		target = nonnegative_arg(PG_GETARG_FLOAT8(1), "target");
	bool		higher_is_better = PG_GETARG_BOOL(2);

	if (higher_is_better)
	{
		if (target == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the target of a positive indicator must be above 0")));
		PG_RETURN_FLOAT8(fmin(1, value / target));
	}
	if (value <= target)
		PG_RETURN_FLOAT8(1);
	PG_RETURN_FLOAT8(target / value);
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
