/*
 * intervals.c
 *		Confidence intervals for counts, rates and ratios:
 *
 *	- the mean of a Poisson count, exact (Garwood: chi-square / gamma
 *	  quantiles, poisson.c) or by Byar's approximation (closed form);
 *	- a rate per N: the count's limits divided by the exposure, times N;
 *	- an observed / expected ratio (SMR-like: the observed count Poisson,
 *	  the expected count a fixed number): the count's limits over expected;
 *	- the ratio of two rates, by the exact conditional (binomial) method:
 *	  given n = x1 + x2 events, x1 is binomial with success probability
 *	  pi = R e1 / (R e1 + e2) for a rate ratio R, so the Clopper-Pearson
 *	  limits of pi (beta quantiles) give R = pi / (1 - pi) * e2 / e1.
 *
 * Formulas and references: doc/statistics.md.
 */
#include "safeidx.h"

#include <float.h>
#include <math.h>

#include "utils/builtins.h"
#include "utils/float.h"

typedef enum CountMethod
{
	METHOD_EXACT,
	METHOD_BYAR
} CountMethod;

static CountMethod
method_arg(text *method)
{
	char	   *name = text_to_cstring(method);

	if (strcmp(name, "exact") == 0)
		return METHOD_EXACT;
	if (strcmp(name, "byar") == 0)
		return METHOD_BYAR;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown interval method \"%s\"", name),
			 errhint("Use 'exact' (Garwood) or 'byar'.")));
	return METHOD_EXACT;		/* keep the compiler quiet */
}

/*
 * Byar's approximation to the exact limits (Breslow and Day 1987):
 *		lower = x (1 - 1/(9x) - z/(3 sqrt x))^3				(0 when x = 0)
 *		upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
 * with z the standard normal quantile at 1 - alpha/2.  The lower limit is
 * floored at 0 (the cube goes negative for x = 1 at levels above ~99.9%).
 */
static double
byar_limit(double x, double level, bool upper)
{
	double		z = normal_quantile(1 - (1 - level) / 2);
	double		c;

	if (upper)
	{
		c = 1 - 1 / (9 * (x + 1)) + z / (3 * sqrt(x + 1));
		return (x + 1) * c * c * c;
	}
	if (x == 0)
		return 0;
	c = 1 - 1 / (9 * x) - z / (3 * sqrt(x));
	return c <= 0 ? 0 : x * c * c * c;
}

static double
count_limit(double x, double level, CountMethod method, bool upper)
{
	if (method == METHOD_BYAR)
		return byar_limit(x, level, upper);
	return upper ? poisson_mean_upper(x, level) : poisson_mean_lower(x, level);
}

/* poisson_count_lower/upper(events, level, method) */
static Datum
count_interval(FunctionCallInfo fcinfo, bool upper)
{
	double		x = whole_count_arg(PG_GETARG_FLOAT8(0), "event count");
	double		level = level_arg(PG_GETARG_FLOAT8(1));
	CountMethod method = method_arg(PG_GETARG_TEXT_PP(2));

	PG_RETURN_FLOAT8(finite_result(count_limit(x, level, method, upper),
								   "count limit"));
}

PG_FUNCTION_INFO_V1(poisson_count_lower);
Datum
poisson_count_lower(PG_FUNCTION_ARGS)
{
	return count_interval(fcinfo, false);
}

PG_FUNCTION_INFO_V1(poisson_count_upper);
Datum
poisson_count_upper(PG_FUNCTION_ARGS)
{
	return count_interval(fcinfo, true);
}

/* poisson_rate_lower/upper(events, exposure, level, per, method); NULL without exposure */
static Datum
rate_interval(FunctionCallInfo fcinfo, bool upper)
{
	double		x = whole_count_arg(PG_GETARG_FLOAT8(0), "event count");
	double		exposure = nonnegative_arg(PG_GETARG_FLOAT8(1), "exposure (residents)");
	double		level = level_arg(PG_GETARG_FLOAT8(2));
	double		per = finite_arg(PG_GETARG_FLOAT8(3), "the rate base (per)");
	CountMethod method = method_arg(PG_GETARG_TEXT_PP(4));

	if (per <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the rate base (per) must be positive")));
	if (exposure == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(count_limit(x, level, method, upper) / exposure * per,
								   "rate limit"));
}

PG_FUNCTION_INFO_V1(poisson_rate_lower);
Datum
poisson_rate_lower(PG_FUNCTION_ARGS)
{
	return rate_interval(fcinfo, false);
}

PG_FUNCTION_INFO_V1(poisson_rate_upper);
Datum
poisson_rate_upper(PG_FUNCTION_ARGS)
{
	return rate_interval(fcinfo, true);
}

/* oe_ratio_lower/upper(observed, expected, level, method); NULL when expected is 0 */
static Datum
oe_interval(FunctionCallInfo fcinfo, bool upper)
{
	double		x = whole_count_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		expected = nonnegative_arg(PG_GETARG_FLOAT8(1), "expected count");
	double		level = level_arg(PG_GETARG_FLOAT8(2));
	CountMethod method = method_arg(PG_GETARG_TEXT_PP(3));

	if (expected == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(count_limit(x, level, method, upper) / expected,
								   "ratio limit"));
}

PG_FUNCTION_INFO_V1(oe_ratio_lower);
Datum
oe_ratio_lower(PG_FUNCTION_ARGS)
{
	return oe_interval(fcinfo, false);
}

PG_FUNCTION_INFO_V1(oe_ratio_upper);
Datum
oe_ratio_upper(PG_FUNCTION_ARGS)
{
	return oe_interval(fcinfo, true);
}

/*
 * The regularized incomplete beta function I_x(a, b), by the continued
 * fraction of Numerical Recipes 6.4 (modified Lentz), on the side where it
 * converges, through I_x(a, b) = 1 - I_{1-x}(b, a).
 */
static double
beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		qab = a + b;
	double		qap = a + 1;
	double		qam = a - 1;
	double		c = 1;
	double		d = 1 - qab * x / qap;
	double		h;
	int			m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 100000; m++)
	{
		int			m2 = 2 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			return h;
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("the incomplete beta function did not converge for a = %g, b = %g", a, b)));
	return 0;
}

static double
incomplete_beta(double a, double b, double x)
{
	double		front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* x with I_x(a, b) = p, by bisection (I is increasing in x). */
static double
beta_quantile(double a, double b, double p)
{
	double		lo = 0;
	double		hi = 1;
	int			i;

	for (i = 0; i < 1100 && hi - lo > 0; i++)
	{
		double		mid = lo + (hi - lo) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (incomplete_beta(a, b, mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

/*
 * rate_ratio_lower/upper(events1, exposure1, events2, exposure2, level):
 * the exact conditional interval of (events1/exposure1) / (events2/exposure2).
 * NULL when there is no event at all (no information) or an exposure is 0;
 * the upper limit is Infinity when events2 is 0 (unbounded).
 */
static Datum
rate_ratio_interval(FunctionCallInfo fcinfo, bool upper)
{
	double		x1 = whole_count_arg(PG_GETARG_FLOAT8(0), "event count of the first rate");
	double		e1 = nonnegative_arg(PG_GETARG_FLOAT8(1), "exposure of the first rate");
	double		x2 = whole_count_arg(PG_GETARG_FLOAT8(2), "event count of the second rate");
	double		e2 = nonnegative_arg(PG_GETARG_FLOAT8(3), "exposure of the second rate");
	double		level = level_arg(PG_GETARG_FLOAT8(4));
	double		alpha = 1 - level;
	double		pi;

	if (e1 == 0 || e2 == 0 || x1 + x2 == 0)
		PG_RETURN_NULL();
	if (upper)
	{
		if (x2 == 0)
			PG_RETURN_FLOAT8(get_float8_infinity());
		pi = beta_quantile(x1 + 1, x2, 1 - alpha / 2);
	}
	else
	{
		if (x1 == 0)
			PG_RETURN_FLOAT8(0);
		pi = beta_quantile(x1, x2 + 1, alpha / 2);
	}
	PG_RETURN_FLOAT8(finite_result(pi / (1 - pi) * (e2 / e1), "rate ratio limit"));
}

PG_FUNCTION_INFO_V1(rate_ratio_lower);
Datum
rate_ratio_lower(PG_FUNCTION_ARGS)
{
	return rate_ratio_interval(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rate_ratio_upper);
Datum
rate_ratio_upper(PG_FUNCTION_ARGS)
{
	return rate_ratio_interval(fcinfo, true);
}
