/*
 * rate.c
 *		Per-capita rates: the scalar rate, the ratesum summary type built by
 *		the rate_agg aggregate, its combine function and its accessors.
 *
 * A ratesum holds sums only: the events and the exposure (residents) of the
 * units aggregated, the number of those units and the number of rows that
 * lacked a count or a population.  Rates are divided out when read, so
 * summaries of communities roll up exactly into streets and districts.
 */
#include "safeidx.h"

#include <math.h>

#include "libpq/pqformat.h"

typedef struct RateSum
{
	double		events;			/* sum of event counts */
	double		exposure;		/* sum of residents */
	int64		units;			/* rows with both a count and a population */
	int64		missing;		/* rows lacking one of them */
} RateSum;

/* INTERNALLENGTH of type ratesum in src/kernel/rate.sql must match */
StaticAssertDecl(sizeof(RateSum) == 32, "RateSum size differs from its SQL type");

static const SummaryField ratesum_fields[] = {
	{"events", SUMMARY_AMOUNT, offsetof(RateSum, events)},
	{"exposure", SUMMARY_AMOUNT, offsetof(RateSum, exposure)},
	{"units", SUMMARY_COUNT, offsetof(RateSum, units)},
	{"missing", SUMMARY_COUNT, offsetof(RateSum, missing)},
};
#define RATESUM_NFIELDS lengthof(ratesum_fields)

#define PG_GETARG_RATESUM(n) ((RateSum *) PG_GETARG_POINTER(n))

#define DEFAULT_PER 10000.0

static double
per_arg(double per)
{
	finite_arg(per, "the rate base (per)");
	if (per <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the rate base (per) must be positive"),
				 errhint("Use 10000 for a rate per 10,000 residents.")));
	return per;
}

/* events / exposure * per, or NULL (is_null) when there is no exposure. */
double
rate_of(double events, double exposure, double per, bool *is_null)
{
	*is_null = (exposure == 0);
	if (*is_null)
		return 0;
	return finite_result(events / exposure * per, "rate");
}

PG_FUNCTION_INFO_V1(safeidx_rate);
Datum
safeidx_rate(PG_FUNCTION_ARGS)
{
	double		events = nonnegative_arg(PG_GETARG_FLOAT8(0), "event count");
	double		residents = nonnegative_arg(PG_GETARG_FLOAT8(1), "number of residents");
	double		per = per_arg(PG_GETARG_FLOAT8(2));
	bool		is_null;
	double		rate = rate_of(events, residents, per, &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rate);
}

/* Relations between the fields that input must respect. */
static RateSum *
ratesum_check(RateSum *sum)
{
	if (sum->units == 0 && (sum->events != 0 || sum->exposure != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid ratesum: events and exposure must be 0 when units is 0")));
	return sum;
}

PG_FUNCTION_INFO_V1(ratesum_in);
Datum
ratesum_in(PG_FUNCTION_ARGS)
{
	RateSum    *sum = palloc0(sizeof(RateSum));

	summary_parse(PG_GETARG_CSTRING(0), "ratesum", ratesum_fields,
				  RATESUM_NFIELDS, sum);
	PG_RETURN_POINTER(ratesum_check(sum));
}

PG_FUNCTION_INFO_V1(ratesum_out);
Datum
ratesum_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_format(ratesum_fields, RATESUM_NFIELDS,
									 PG_GETARG_RATESUM(0)));
}

PG_FUNCTION_INFO_V1(ratesum_recv);
Datum
ratesum_recv(PG_FUNCTION_ARGS)
{
	RateSum    *sum = palloc0(sizeof(RateSum));

	summary_recv((StringInfo) PG_GETARG_POINTER(0), "ratesum", ratesum_fields,
				 RATESUM_NFIELDS, sum);
	PG_RETURN_POINTER(ratesum_check(sum));
}

PG_FUNCTION_INFO_V1(ratesum_send);
Datum
ratesum_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	summary_send(&buf, ratesum_fields, RATESUM_NFIELDS, PG_GETARG_RATESUM(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * rate_agg transition: (state, events, residents).  A row with a NULL count
 * or a NULL population is counted as missing and adds nothing else; a
 * negative, NaN or infinite value is an error.
 */
PG_FUNCTION_INFO_V1(ratesum_add);
Datum
ratesum_add(PG_FUNCTION_ARGS)
{
	RateSum    *sum = summary_state_for_update(fcinfo, 0, sizeof(RateSum));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		sum->missing++;
	else
	{
		sum->events += nonnegative_arg(PG_GETARG_FLOAT8(1), "event count");
		sum->exposure += nonnegative_arg(PG_GETARG_FLOAT8(2), "number of residents");
		sum->units++;
		finite_result(sum->events, "sum of event counts");
		finite_result(sum->exposure, "sum of residents");
	}
	PG_RETURN_POINTER(sum);
}

/* Combine two summaries: the parallel, partitionwise and rollup step. */
PG_FUNCTION_INFO_V1(ratesum_combine);
Datum
ratesum_combine(PG_FUNCTION_ARGS)
{
	RateSum    *sum = summary_state_for_update(fcinfo, 0, sizeof(RateSum));
	RateSum    *other = PG_GETARG_RATESUM(1);

	sum->events = finite_result(sum->events + other->events, "sum of event counts");
	sum->exposure = finite_result(sum->exposure + other->exposure, "sum of residents");
	sum->units += other->units;
	sum->missing += other->missing;
	PG_RETURN_POINTER(sum);
}

PG_FUNCTION_INFO_V1(ratesum_rate);
Datum
ratesum_rate(PG_FUNCTION_ARGS)
{
	RateSum    *sum = PG_GETARG_RATESUM(0);
	bool		is_null;
	double		rate = rate_of(sum->events, sum->exposure,
							   per_arg(PG_GETARG_FLOAT8(1)), &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(rate);
}

PG_FUNCTION_INFO_V1(ratesum_events);
Datum
ratesum_events(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_RATESUM(0)->events);
}

PG_FUNCTION_INFO_V1(ratesum_exposure);
Datum
ratesum_exposure(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_RATESUM(0)->exposure);
}

PG_FUNCTION_INFO_V1(ratesum_units);
Datum
ratesum_units(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_RATESUM(0)->units);
}

PG_FUNCTION_INFO_V1(ratesum_missing);
Datum
ratesum_missing(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_RATESUM(0)->missing);
}

/*
 * Exact Poisson limit of the rate: (summary, level, per).  The interval is
 * for a count of events, so the summed count must be a whole number; counts
 * weighted by severity have no Poisson interval.
 */
static Datum
ratesum_limit(FunctionCallInfo fcinfo, bool upper)
{
	RateSum    *sum = PG_GETARG_RATESUM(0);
	double		level = level_arg(PG_GETARG_FLOAT8(1));
	double		per = per_arg(PG_GETARG_FLOAT8(2));
	double		mean;

	if (sum->exposure == 0)
		PG_RETURN_NULL();
	if (sum->events != floor(sum->events))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an exact Poisson interval needs a whole number of events, not %g",
						sum->events),
				 errhint("Weighted (severity) counts have no Poisson interval; aggregate the raw counts.")));
	mean = upper ? poisson_mean_upper(sum->events, level)
		: poisson_mean_lower(sum->events, level);
	PG_RETURN_FLOAT8(finite_result(mean / sum->exposure * per, "rate limit"));
}

PG_FUNCTION_INFO_V1(ratesum_rate_lower);
Datum
ratesum_rate_lower(PG_FUNCTION_ARGS)
{
	return ratesum_limit(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ratesum_rate_upper);
Datum
ratesum_rate_upper(PG_FUNCTION_ARGS)
{
	return ratesum_limit(fcinfo, true);
}
