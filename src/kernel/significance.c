/*
 * significance.c
 *		Significance of an excess count: Poisson tail
 *		probabilities of an observed count under an expected count, and the
 *		rule "flag only a significant excess, and only with enough expected
 *		events", whose third state is insufficient data (never a colour).
 *
 *		P(X >= k | mu) = P(k, mu)	(regularized lower incomplete gamma)
 *		P(X <= k | mu) = Q(k + 1, mu)
 * each computed on its own tail (poisson.c), so 1e-40 is still accurate.
 */
#include "safeidx.h"

#include <math.h>

#include "utils/builtins.h"

const char *const excess_state_names[] = {"insufficient_data", "excess", "no_excess"};

/*
 * The probability of a count at least as bad as the observed one under the
 * expected count: P(X >= observed) where more is worse, P(X <= observed)
 * where more is better.
 */
double
poisson_p_worse(double observed, double expected, bool higher_is_better)
{
	return higher_is_better ? poisson_tail_at_most(observed, expected)
		: poisson_tail_at_least(observed, expected);
}

/*
 * The state of a count whose worse-side p-value is p: insufficient data when
 * fewer than min_expected events (or none) are expected, else excess when
 * p < level.
 */
ExcessState
excess_state_of(double p, double expected, double level, double min_expected)
{
	if (expected < min_expected || expected == 0)
		return EXCESS_INSUFFICIENT;
	return p < level ? EXCESS_SIGNIFICANT : EXCESS_NOT_SIGNIFICANT;
}

/* poisson_p_upper(observed, expected) = P(X >= observed); 1 for observed 0 */
PG_FUNCTION_INFO_V1(poisson_p_upper);
Datum
poisson_p_upper(PG_FUNCTION_ARGS)
{
	double		k = whole_count_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		mu = nonnegative_arg(PG_GETARG_FLOAT8(1), "expected count");

	PG_RETURN_FLOAT8(poisson_tail_at_least(k, mu));
}

/* poisson_p_lower(observed, expected) = P(X <= observed) */
PG_FUNCTION_INFO_V1(poisson_p_lower);
Datum
poisson_p_lower(PG_FUNCTION_ARGS)
{
	double		k = whole_count_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		mu = nonnegative_arg(PG_GETARG_FLOAT8(1), "expected count");

	PG_RETURN_FLOAT8(poisson_tail_at_most(k, mu));
}

/*
 * excess_state(observed, expected, level, min_expected):
 *	'insufficient_data'	expected < min_expected: too few events expected to
 *						tell an excess from chance (shown grey);
 *	'excess'			P(X >= observed | expected) < level;
 *	'no_excess'			otherwise.
 */
PG_FUNCTION_INFO_V1(excess_state);
Datum
excess_state(PG_FUNCTION_ARGS)
{
	double		k = whole_count_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		mu = nonnegative_arg(PG_GETARG_FLOAT8(1), "expected count");
	double		level = probability_arg(PG_GETARG_FLOAT8(2), "significance level");
	double		min_expected = nonnegative_arg(PG_GETARG_FLOAT8(3), "minimum expected count");

	PG_RETURN_TEXT_P(cstring_to_text(excess_state_names[
		excess_state_of(poisson_p_worse(k, mu, false), mu, level, min_expected)]));
}
