/*
 * ebayes.c
 *		Empirical Bayes smoothing of rates (Marshall 1991, the global
 *		method-of-moments estimator): the ebsum summary of a group of units
 *		(events, exposure), built by the eb_agg aggregate (also a window
 *		function: local smoothing over a region's siblings is the same
 *		aggregate with GROUP BY parent or OVER (PARTITION BY parent)), its
 *		accessors and the smoothed rate of a unit.
 *
 * For units i with events x_i, exposure n_i and rate r_i = x_i / n_i:
 *		m	= sum x / sum n							prior mean
 *		s2	= sum n_i (r_i - m)^2 / sum n			weighted variance of the rates
 *		A	= max(0, s2 - m / nbar),  nbar = sum n / k	prior variance
 *		C_i	= A / (A + m / n_i)						shrinkage weight (0 when A = 0)
 *		eb_i = m + C_i (r_i - m)
 * The summary keeps the sums and, for s2, the weighted mean and squared
 * deviations in West's incremental form, merged by Chan's formula.
 */
#include "safeidx.h"

#include <math.h>

#include "libpq/pqformat.h"

/* INTERNALLENGTH of type ebsum in src/kernel/ebayes.sql must match */
StaticAssertDecl(sizeof(EbSum) == 48, "EbSum size differs from its SQL type");

static const SummaryField ebsum_fields[] = {
	{"units", SUMMARY_COUNT, offsetof(EbSum, units)},
	{"missing", SUMMARY_COUNT, offsetof(EbSum, missing)},
	{"events", SUMMARY_AMOUNT, offsetof(EbSum, events)},
	{"exposure", SUMMARY_AMOUNT, offsetof(EbSum, exposure)},
	{"mean", SUMMARY_AMOUNT, offsetof(EbSum, mean)},
	{"m2", SUMMARY_AMOUNT, offsetof(EbSum, m2)},
};
#define EBSUM_NFIELDS lengthof(ebsum_fields)

#define PG_GETARG_EBSUM(n) ((EbSum *) PG_GETARG_POINTER(n))

static EbSum *
ebsum_check(EbSum *s)
{
	if (s->units == 0 && (s->events != 0 || s->exposure != 0 || s->mean != 0 || s->m2 != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid ebsum: events, exposure, mean and m2 must be 0 when units is 0")));
	if (s->units > 0 && s->exposure == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid ebsum: units with no exposure")));
	return s;
}

PG_FUNCTION_INFO_V1(ebsum_in);
Datum
ebsum_in(PG_FUNCTION_ARGS)
{
	EbSum	   *s = palloc0(sizeof(EbSum));

	summary_parse(PG_GETARG_CSTRING(0), "ebsum", ebsum_fields, EBSUM_NFIELDS, s);
	PG_RETURN_POINTER(ebsum_check(s));
}

PG_FUNCTION_INFO_V1(ebsum_out);
Datum
ebsum_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_format(ebsum_fields, EBSUM_NFIELDS, PG_GETARG_EBSUM(0)));
}

PG_FUNCTION_INFO_V1(ebsum_recv);
Datum
ebsum_recv(PG_FUNCTION_ARGS)
{
	EbSum	   *s = palloc0(sizeof(EbSum));

	summary_recv((StringInfo) PG_GETARG_POINTER(0), "ebsum", ebsum_fields,
				 EBSUM_NFIELDS, s);
	PG_RETURN_POINTER(ebsum_check(s));
}

PG_FUNCTION_INFO_V1(ebsum_send);
Datum
ebsum_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	summary_send(&buf, ebsum_fields, EBSUM_NFIELDS, PG_GETARG_EBSUM(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Merge b into a: weighted Chan update. */
static void
ebsum_merge(EbSum *a, const EbSum *b)
{
	double		w;
	double		delta;

	a->missing += b->missing;
	if (b->units == 0)
		return;
	if (a->units == 0)
	{
		int64		missing = a->missing;

		*a = *b;
		a->missing = missing;
		return;
	}
	w = a->exposure + b->exposure;
	delta = b->mean - a->mean;
	a->mean = finite_result(a->mean + delta * (b->exposure / w), "mean rate");
	a->m2 = finite_result(a->m2 + b->m2 + delta * delta * (a->exposure * b->exposure / w),
						  "variance of the rates");
	a->events = finite_result(a->events + b->events, "sum of events");
	a->exposure = finite_result(w, "sum of exposure");
	a->units += b->units;
}

/*
 * Adds one unit (events and exposure, not negative) to a summary; a unit
 * without exposure is counted as missing.  The aggregate's transition and
 * the results kernel's smoothing (src/engine/results_score.c) both add
 * units this way.
 */
void
ebsum_add_unit(EbSum *s, double events, double exposure)
{
	EbSum		one;

	memset(&one, 0, sizeof(one));
	if (exposure == 0)
		one.missing = 1;
	else
	{
		one.units = 1;
		one.events = events;
		one.exposure = exposure;
		one.mean = finite_result(events / exposure, "rate");
	}
	ebsum_merge(s, &one);
}

/* eb_agg transition: (state, events, exposure) */
PG_FUNCTION_INFO_V1(ebsum_add);
Datum
ebsum_add(PG_FUNCTION_ARGS)
{
	EbSum	   *s = summary_state_for_update(fcinfo, 0, sizeof(EbSum));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		EbSum		one;

		memset(&one, 0, sizeof(one));
		one.missing = 1;
		ebsum_merge(s, &one);
	}
	else
		ebsum_add_unit(s, nonnegative_arg(PG_GETARG_FLOAT8(1), "event count"),
					   nonnegative_arg(PG_GETARG_FLOAT8(2), "exposure (residents)"));
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(ebsum_combine);
Datum
ebsum_combine(PG_FUNCTION_ARGS)
{
	EbSum	   *s = summary_state_for_update(fcinfo, 0, sizeof(EbSum));

	ebsum_merge(s, PG_GETARG_EBSUM(1));
	PG_RETURN_POINTER(s);
}

static double
per_arg(double per)
{
	finite_arg(per, "the rate base (per)");
	if (per <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the rate base (per) must be positive")));
	return per;
}

/* The prior mean m and variance A per 1 person; false for an empty group. */
static bool
eb_prior(const EbSum *s, double *m, double *a)
{
	double		nbar;

	if (s->units == 0)
		return false;
	*m = s->events / s->exposure;
	nbar = s->exposure / (double) s->units;
	*a = fmax(0, s->m2 / s->exposure - *m / nbar);
	return true;
}

PG_FUNCTION_INFO_V1(eb_prior_mean);
Datum
eb_prior_mean(PG_FUNCTION_ARGS)
{
	double		per = per_arg(PG_GETARG_FLOAT8(1));
	double		m,
				a;

	if (!eb_prior(PG_GETARG_EBSUM(0), &m, &a))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(m * per, "prior mean"));
}

PG_FUNCTION_INFO_V1(eb_prior_variance);
Datum
eb_prior_variance(PG_FUNCTION_ARGS)
{
	double		per = per_arg(PG_GETARG_FLOAT8(1));
	double		m,
				a;

	if (!eb_prior(PG_GETARG_EBSUM(0), &m, &a))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(a * per * per, "prior variance"));
}

PG_FUNCTION_INFO_V1(ebsum_units);
Datum
ebsum_units(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_EBSUM(0)->units);
}

PG_FUNCTION_INFO_V1(ebsum_missing);
Datum
ebsum_missing(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_EBSUM(0)->missing);
}

/* C = A / (A + m / n); 0 when A = 0 (the prior explains all the spread). */
static double
eb_shrink(double m, double a, double n)
{
	if (a == 0)
		return 0;
	return a / (a + m / n);
}

/* eb_weight(exposure, summary): the weight of a unit's own rate */
PG_FUNCTION_INFO_V1(eb_weight);
Datum
eb_weight(PG_FUNCTION_ARGS)
{
	double		n = nonnegative_arg(PG_GETARG_FLOAT8(0), "exposure (residents)");
	double		m,
				a;

	if (n == 0 || !eb_prior(PG_GETARG_EBSUM(1), &m, &a))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(eb_shrink(m, a, n));
}

/*
 * The smoothed rate per "per" of a unit (events x, exposure n) in a group:
 * m + C (x / n - m); *is_null without exposure or for an empty group.
 */
double
eb_smoothed_rate(const EbSum *s, double x, double n, double per, bool *is_null)
{
	double		m,
				a,
				c;

	*is_null = n == 0 || !eb_prior(s, &m, &a);
	if (*is_null)
		return 0;
	c = eb_shrink(m, a, n);
	return finite_result((m + c * (x / n - m)) * per, "smoothed rate");
}

/* eb_rate(events, exposure, summary, per): the smoothed rate of a unit */
PG_FUNCTION_INFO_V1(eb_rate);
Datum
eb_rate(PG_FUNCTION_ARGS)
{
	double		x = nonnegative_arg(PG_GETARG_FLOAT8(0), "event count");
	double		n = nonnegative_arg(PG_GETARG_FLOAT8(1), "exposure (residents)");
	double		per = per_arg(PG_GETARG_FLOAT8(3));
	bool		is_null;
	double		rate = eb_smoothed_rate(PG_GETARG_EBSUM(2), x, n, per, &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rate);
}
