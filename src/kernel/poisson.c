/*
 * poisson.c
 *		Exact (Garwood) confidence limits for the mean of a Poisson count.
 *
 * For k observed events and confidence level 1 - alpha the limits are
 *		lower = chi2_quantile(alpha / 2, 2k) / 2			(0 when k = 0)
 *		upper = chi2_quantile(1 - alpha / 2, 2k + 2) / 2
 * which are quantiles of the gamma distribution with shapes k and k + 1.
 * They are found here by inverting the regularized incomplete gamma
 * function (series and continued fraction, as in Numerical Recipes 6.2)
 * with a bracketed Newton iteration.  The lower limit solves P(k, x) =
 * alpha/2 and the upper Q(k + 1, x) = alpha/2, so each works on the small
 * tail and keeps full relative precision even at 99.9% levels.
 */
#include "safeidx.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"

#define GAMMA_EPS		1e-15
#define TINY			1e-300

/*
 * log(x^a e^-x / Gamma(a)), the factor in front of both the series and the
 * continued fraction.  Written directly it subtracts numbers of size a log a,
 * losing digits for large counts; from a = 20 on it is written instead as
 *		a (log1p(t) - t) + log(a / 2 pi) / 2 - S(a),	t = (x - a) / a,
 * with S(a) the Stirling series of lgamma, which keeps relative precision
 * near 1e-15 for a million events and beyond.
 */
static double
log_gamma_prefix(double a, double x)
{
	double		t;
	double		stirling;

	if (a < 20)
		return a * log(x) - x - lgamma(a);
	t = (x - a) / a;
	stirling = 1 / (12 * a) - 1 / (360 * a * a * a) + 1 / (1260 * a * a * a * a * a);
	return a * (log1p(t) - t) + 0.5 * log(a / (2 * M_PI)) - stirling;
}

/*
 * The regularized incomplete gamma function: P(a, x) when want_upper is
 * false, else Q(a, x) = 1 - P(a, x).  The iteration limit grows with sqrt(a),
 * the width of the region where the series converges slowly.
 */
static double
incomplete_gamma(double a, double x, bool want_upper)
{
	double		prefix;
	long		max_iter = 1000 + (long) (20 * sqrt(a));
	long		n;

	if (x <= 0)
		return want_upper ? 1.0 : 0.0;
	prefix = exp(log_gamma_prefix(a, x));

	if (x < a + 1)
	{
		/* series for P */
		double		term = 1.0 / a;
		double		sum = term;
		double		p;

		for (n = 1; n < max_iter; n++)
		{
			if ((n & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			term *= x / (a + n);
			sum += term;
			if (fabs(term) < fabs(sum) * GAMMA_EPS)
				break;
		}
		if (n >= max_iter)
			goto no_convergence;
		p = sum * prefix;
		return want_upper ? 1.0 - p : p;
	}
	else
	{
		/* continued fraction for Q, evaluated by the modified Lentz method */
		double		b = x + 1 - a;
		double		c = 1.0 / TINY;
		double		d = 1.0 / b;
		double		h = d;
		double		q;

		for (n = 1; n < max_iter; n++)
		{
			double		an = -n * (n - a);
			double		delta;

			if ((n & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			b += 2;
			d = an * d + b;
			if (fabs(d) < TINY)
				d = TINY;
			c = b + an / c;
			if (fabs(c) < TINY)
				c = TINY;
			d = 1.0 / d;
			delta = d * c;
			h *= delta;
			if (fabs(delta - 1.0) < GAMMA_EPS)
				break;
		}
		if (n >= max_iter)
			goto no_convergence;
		q = prefix * h;
		return want_upper ? q : 1.0 - q;
	}

no_convergence:
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("exact Poisson interval did not converge for %g events", a)));
	return 0;					/* keep the compiler quiet */
}

/*
 * x with P(a, x) = prob (upper_tail false) or Q(a, x) = prob (upper_tail
 * true).  Both tails are monotone in x, so a bracket [lo, hi] always holds
 * the root; Newton steps that would leave it are replaced by bisection.
 */
static double
gamma_quantile(double a, double prob, bool upper_tail)
{
	double		lo = 0;
	double		hi;
	double		x;
	int			iter;

	/* Wilson-Hilferty start, then widen hi until it brackets the root */
	x = a + (upper_tail ? 3 : -3) * sqrt(a);
	hi = fmax(x, 1.0);
	for (iter = 0; iter < 2000; iter++)
	{
		double		f = incomplete_gamma(a, hi, upper_tail);

		if (upper_tail ? f <= prob : f >= prob)
			break;
		lo = hi;
		hi *= 2;
	}
	x = (x > lo && x < hi) ? x : (lo + hi) / 2;

	for (iter = 0; iter < 500; iter++)
	{
		double		f = incomplete_gamma(a, x, upper_tail) - prob;
		double		density = exp(log_gamma_prefix(a, x)) / x;
		double		slope = upper_tail ? -density : density;
		double		next;

		/* f rises with x for P and falls with x for Q */
		if ((f < 0) != upper_tail)
			lo = x;
		else
			hi = x;

		next = (slope != 0 && isfinite(slope)) ? x - f / slope : (lo + hi) / 2;
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - x) <= 4 * DBL_EPSILON * fabs(x) || hi - lo <= 4 * DBL_EPSILON * hi)
			return next;
		x = next;
	}
	return x;
}

/* Lower limit of the mean; events must be a whole number >= 0. */
double
poisson_mean_lower(double events, double level)
{
	if (events == 0)
		return 0;
	return gamma_quantile(events, (1 - level) / 2, false);
}

/* Upper limit of the mean; events must be a whole number >= 0. */
double
poisson_mean_upper(double events, double level)
{
	return gamma_quantile(events + 1, (1 - level) / 2, true);
}

/*
 * Tails of the Poisson distribution with mean mu > 0, for a whole k >= 0,
 * through the identity P(X >= k) = P(k, mu) (regularized lower incomplete
 * gamma, k > 0) and P(X <= k) = Q(k + 1, mu).  Each is computed on its own
 * side, so a far-tail probability such as 1e-30 keeps its relative precision.
 * Used by the significance rule (significance.c) and the funnel limits.
 */
double
poisson_tail_at_least(double k, double mu)
{
	if (k <= 0)
		return 1.0;
	if (mu <= 0)
		return 0.0;
	return incomplete_gamma(k, mu, false);
}

double
poisson_tail_at_most(double k, double mu)
{
	if (k < 0)
		return 0.0;
	if (mu <= 0)
		return 1.0;
	return incomplete_gamma(k + 1, mu, true);
}
