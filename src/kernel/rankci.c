/*
 * rankci.c
 *		Rank intervals: how far a unit's rank could move under the
 *		uncertainty of its rate.  Every unit's rate is redrawn D times, the
 *		units are ranked in each draw, and the lower and upper quantiles of
 *		each unit's D ranks are its rank interval.
 *
 *	method 'gamma'   (default) the rate's posterior under a Jeffreys prior:
 *					  Gamma(shape x + 1/2, scale 1 / n) for x events in n;
 *	method 'poisson' the parametric bootstrap: x* ~ Poisson(x), rate x* / n.
 *
 * Ranks: 1 is the lowest rate (the safest for a negative indicator), or the
 * highest with descending; ties share the lowest rank (RANK()).  Quantiles
 * of the D ranks are taken as the ceil(qD)-th smallest (the inverse of the
 * empirical distribution, so they are ranks themselves).
 *
 * The draws come from a generator implemented here, xoshiro256** seeded by
 * splitmix64 from the seed given (Blackman and Vigna 2018), with the polar
 * normal method, Marsaglia-Tsang gamma variates and Poisson variates by
 * inversion (mean < 10) or Hormann's PTRS: the same seed gives the same
 * intervals on every run and every plan; across platforms they are
 * identical where libm's log, exp and lgamma are (sqrt is exact).
 */
#include "safeidx.h"

#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/builtins.h"

/* Rng and the three generator functions below are shared (safeidx.h). */

static uint64
splitmix64(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
rng_seed(Rng *r, uint64 seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64
rotl(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64
rng_next(Rng *r)
{
	uint64	   *s = r->s;
	uint64		result = rotl(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform in [0, 1) from the top 53 bits */
double
rng_uniform(Rng *r)
{
	return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* standard normal, Marsaglia's polar method (one of the pair used) */
static double
rng_normal(Rng *r)
{
	double		u,
				v,
				s;

	do
	{
		u = 2 * rng_uniform(r) - 1;
		v = 2 * rng_uniform(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	return u * sqrt(-2 * log(s) / s);
}

/* Gamma(shape a > 0, scale 1): Marsaglia and Tsang (2000) */
double
rng_gamma(Rng *r, double a)
{
	double		d,
				c;

	if (a < 1)
	{
		double		u = rng_uniform(r);

		return rng_gamma(r, a + 1) * pow(1 - u, 1 / a);
	}
	d = a - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;)
	{
		double		x,
					v,
					u;

		do
		{
			x = rng_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = rng_uniform(r);
		if (u < 1 - 0.0331 * x * x * x * x)
			return d * v;
		if (log(1 - u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

/* Poisson(lam): inversion below 10, PTRS (Hormann 1993) above */
static double
rng_poisson(Rng *r, double lam)
{
	if (lam <= 0)
		return 0;
	if (lam < 10)
	{
		double		limit = exp(-lam);
		double		prod = rng_uniform(r);
		double		k = 0;

		while (prod > limit)
		{
			prod *= rng_uniform(r);
			k += 1;
		}
		return k;
	}
	else
	{
		double		slam = sqrt(lam);
		double		loglam = log(lam);
		double		b = 0.931 + 2.53 * slam;
		double		a = -0.059 + 0.02483 * b;
		double		invalpha = 1.1239 + 1.1328 / (b - 3.4);
		double		vr = 0.9277 - 3.6224 / (b - 2);

		for (;;)
		{
			double		u = rng_uniform(r) - 0.5;
			double		v = rng_uniform(r);
			double		us = 0.5 - fabs(u);
			double		k = floor((2 * a / us + b) * u + lam + 0.43);

			if (us >= 0.07 && v <= vr)
				return k;
			if (k < 0 || (us < 0.013 && v > us))
				continue;
			if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1))
				return k;
		}
	}
}

typedef struct RankItem
{
	double		value;
	int			unit;
} RankItem;

static int
cmp_rank_item(const void *a, const void *b)
{
	const RankItem *x = a;
	const RankItem *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->unit > y->unit) - (x->unit < y->unit);
}

/* Competition ranks (ties share the lowest) of values[units[0..m-1]] into rank[] */
static void
rank_values(RankItem *items, int m, bool descending, int32 *rank)
{
	int			i;

	if (descending)
		for (i = 0; i < m; i++)
			items[i].value = -items[i].value;
	qsort(items, m, sizeof(RankItem), cmp_rank_item);
	for (i = 0; i < m; i++)
	{
		if (i > 0 && items[i].value == items[i - 1].value)
			rank[items[i].unit] = rank[items[i - 1].unit];
		else
			rank[items[i].unit] = i + 1;
	}
}

static int
cmp_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/*
 * rank_interval(events float8[], exposure float8[], lower_q, upper_q, draws,
 *				 seed, method, descending)
 * RETURNS TABLE (unit int, rate float8, rank int, rank_lower int, rank_upper int)
 * unit is the 1-based position in the arrays; a unit with a NULL element or
 * no exposure has NULL rate and ranks and takes no part in the ranking.
 */
PG_FUNCTION_INFO_V1(rank_interval);
Datum
rank_interval(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n,
				n2;
	bool	   *null_x,
			   *null_e;
	double	   *x = series_arg(PG_GETARG_ARRAYTYPE_P(0), "events", true, &n, &null_x);
	double	   *e = series_arg(PG_GETARG_ARRAYTYPE_P(1), "exposure", true, &n2, &null_e);
	double		lower_q = probability_arg(PG_GETARG_FLOAT8(2), "lower quantile");
	double		upper_q = probability_arg(PG_GETARG_FLOAT8(3), "upper quantile");
	int32		draws = PG_GETARG_INT32(4);
	int64		seed = PG_GETARG_INT64(5);
	char	   *method = text_to_cstring(PG_GETARG_TEXT_PP(6));
	bool		descending = PG_GETARG_BOOL(7);
	bool		use_gamma;
	int		   *units;
	int			m = 0;
	int			i,
				d;
	RankItem   *items;
	int32	   *rank;
	int32	   *observed_rank;
	int32	   *all;
	Rng			rng;
	int			k_lo,
				k_hi;

	if (n != n2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("events and exposure must have the same number of units (%d and %d)", n, n2)));
	if (lower_q > upper_q)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the lower quantile must not be above the upper quantile")));
	if (draws < 1 || draws > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of draws must be between 1 and 100000, not %d", draws)));
	if (strcmp(method, "gamma") == 0)
		use_gamma = true;
	else if (strcmp(method, "poisson") == 0)
		use_gamma = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown rank interval method \"%s\"", method),
				 errhint("Use 'gamma' (Jeffreys posterior) or 'poisson' (parametric bootstrap).")));
	for (i = 0; i < n; i++)
		if (!null_x[i] && !null_e[i] && e[i] > 0)
			whole_count_arg(x[i], "events");
	if ((int64) n * draws > (int64) (MaxAllocSize / sizeof(int32)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many units times draws for a rank interval")));

	InitMaterializedSRF(fcinfo, 0);

	units = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < n; i++)
		if (!null_x[i] && !null_e[i] && e[i] > 0)
			units[m++] = i;
	items = palloc(sizeof(RankItem) * Max(m, 1));
	rank = palloc0(sizeof(int32) * Max(n, 1));
	observed_rank = palloc0(sizeof(int32) * Max(n, 1));
	all = palloc(sizeof(int32) * Max((int64) m * draws, 1));

	for (i = 0; i < m; i++)
	{
		items[i].value = x[units[i]] / e[units[i]];
		items[i].unit = units[i];
	}
	rank_values(items, m, descending, observed_rank);

	rng_seed(&rng, (uint64) seed);
	for (d = 0; d < draws; d++)
	{
		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < m; i++)
		{
			int			u = units[i];

			items[i].value = use_gamma ? rng_gamma(&rng, x[u] + 0.5) / e[u]
				: rng_poisson(&rng, x[u]) / e[u];
			items[i].unit = u;
		}
		rank_values(items, m, descending, rank);
		for (i = 0; i < m; i++)
			all[(int64) i * draws + d] = rank[units[i]];
	}

	k_lo = (int) ceil(lower_q * draws - 1e-9);
	k_hi = (int) ceil(upper_q * draws - 1e-9);
	k_lo = Max(1, Min(draws, k_lo));
	k_hi = Max(1, Min(draws, k_hi));
	d = 0;						/* the next ranked unit, units[] being increasing */
	for (i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int32GetDatum(i + 1);
		if (null_x[i] || null_e[i] || e[i] == 0)
			nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
		else
		{
			int32	   *mine = &all[(int64) d++ * draws];

			qsort(mine, draws, sizeof(int32), cmp_int32);
			values[1] = Float8GetDatum(x[i] / e[i]);
			values[2] = Int32GetDatum(observed_rank[i]);
			values[3] = Int32GetDatum(mine[k_lo - 1]);
			values[4] = Int32GetDatum(mine[k_hi - 1]);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
