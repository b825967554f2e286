/*
 * proportion.c
 *		Confidence intervals for a share (successes out of trials), such as
 *		the share of surveyed households satisfied: the Wilson score
 *		interval, which stays inside [0, 1] and behaves for small samples
 *		and shares near 0 or 1.
 */
#include "safeidx.h"

#include <math.h>

/*
 * Standard normal quantile (also used by intervals.c, funnel.c, seasonal.c
 * and ears.c): Acklam's rational approximation (relative error
 * below 1.2e-9), refined by one Halley step on erfc to full precision.
 */
double
normal_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00};
	double		q,
				r,
				x,
				e,
				u;

	if (p < 0.02425)
	{
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	else if (p <= 1 - 0.02425)
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	else
	{
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	e = 0.5 * erfc(-x / sqrt(2)) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/*
 * Wilson interval bound for successes s out of n trials at a two-sided
 * level; upper selects the bound.  NULL (is_null) when there is no trial.
 */
static double
wilson_bound(double s, double n, double level, bool upper)
{
	double		z = normal_quantile(1 - (1 - level) / 2);
	double		p = s / n;
	double		z2n = z * z / n;
	double		centre = p + z2n / 2;
	double		spread = z * sqrt(p * (1 - p) / n + z2n / (4 * n));
	double		bound = (upper ? centre + spread : centre - spread) / (1 + z2n);

	/* the exact bounds at p = 0 and p = 1 */
	if (!upper && s == 0)
		return 0;
	if (upper && s == n)
		return 1;
	return bound < 0 ? 0 : (bound > 1 ? 1 : bound);
}

static Datum
share_bound(FunctionCallInfo fcinfo, bool upper)
{
	double		s = nonnegative_arg(PG_GETARG_FLOAT8(0), "number of successes");
	double		n = nonnegative_arg(PG_GETARG_FLOAT8(1), "number of trials");
	double		level = level_arg(PG_GETARG_FLOAT8(2));

	if (s > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes (%g) cannot exceed trials (%g)", s, n)));
	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(wilson_bound(s, n, level, upper));
}

PG_FUNCTION_INFO_V1(share_lower);
Datum
share_lower(PG_FUNCTION_ARGS)
{
	return share_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(share_upper);
Datum
share_upper(PG_FUNCTION_ARGS)
{
	return share_bound(fcinfo, true);
}
