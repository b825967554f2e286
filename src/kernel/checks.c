/*
 * checks.c
 *		Argument and result checks shared by every safeidx function, so that
 *		NaN, infinities and out-of-range values are refused with the same
 *		SQLSTATE and wording everywhere.
 */
#include "safeidx.h"

#include <math.h>

/* Refuse NaN and infinities: no safeidx input is meaningful as either. */
double
finite_arg(double value, const char *what)
{
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a number, not NaN", what)));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be finite, not %s", what,
						value > 0 ? "Infinity" : "-Infinity")));
	return value;
}

/* Counts, populations and weights: finite and not negative. */
double
nonnegative_arg(double value, const char *what)
{
	finite_arg(value, what);
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what),
				 errdetail("The value given was %g.", value)));
	return value;
}

/* A computed value that left the range of double precision. */
double
finite_result(double value, const char *what)
{
	if (isinf(value) || isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", what)));
	return value;
}

/* A confidence level strictly between 0 and 1, such as 0.95. */
double
level_arg(double level)
{
	if (isnan(level) || level <= 0 || level >= 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence level must be between 0 and 1, exclusive"),
				 errhint("Write 0.95 for a 95%% interval.")));
	return level;
}
