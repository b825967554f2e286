/*
 * ears.c
 *		Early warning on a count series: the CDC's Early Aberration Reporting
 *		System statistics C1, C2 and C3 (Hutwagner et al. 2003; Fricker et
 *		al. 2008), over a float8[] of counts per period (day, week, month).
 *
 *	C1(t) = (x_t - m) / s, m and s the mean and sample standard deviation of
 *			x_{t-7} .. x_{t-1}; alarm when C1 > limit (3);
 *	C2(t)   the same with the baseline x_{t-9} .. x_{t-3} (a 2-period guard
 *			band); alarm when C2 > limit (3);
 *	C3(t) = sum over j = t-2 .. t of max(0, C2(j) - 1); alarm when C3 > limit (2).
 * s is floored at min_sd (default 0.5), so that a constant baseline (all
 * zeros, common with small counts) does not make one event an infinite
 * statistic.  A period whose baseline holds a NULL, or lies before the
 * series starts, has no statistic (NULL: insufficient data), nor does a
 * NULL period.
 */
#include "safeidx.h"

#include <math.h>

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"

#define EARS_BASELINE 7

/* baseline mean and floored sd of x[from .. from + 6]; false when not all there */
static bool
ears_baseline(const double *x, const bool *nulls, int from, double min_sd,
			  double *mean, double *sd)
{
	double		sum = 0,
				ss = 0;
	int			i;

	if (from < 0)
		return false;
	for (i = from; i < from + EARS_BASELINE; i++)
	{
		if (nulls[i])
			return false;
		sum += x[i];
	}
	*mean = sum / EARS_BASELINE;
	for (i = from; i < from + EARS_BASELINE; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*sd = fmax(min_sd, sqrt(ss / (EARS_BASELINE - 1)));
	return true;
}

/* C1 (guard 0) or C2 (guard 2) at t; false when undefined */
static bool
ears_c(const double *x, const bool *nulls, int t, int guard, double min_sd,
	   double *mean, double *sd, double *stat)
{
	if (nulls[t] || !ears_baseline(x, nulls, t - guard - EARS_BASELINE, min_sd, mean, sd))
		return false;
	*stat = (x[t] - *mean) / *sd;
	return true;
}

/*
 * ears_c1/c2/c3(series, limit, min_sd) RETURNS TABLE (period int, observed,
 * expected, sd, statistic, threshold, alarm, run_start int); threshold is
 * the count above which the period alarms (for C3, given the two previous
 * terms; -Infinity when they alone exceed the limit).
 */
static Datum
ears(FunctionCallInfo fcinfo, int variant)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n;
	bool	   *nulls;
	double	   *x = series_arg(PG_GETARG_ARRAYTYPE_P(0), "count series", true, &n, &nulls);
	double		limit = finite_arg(PG_GETARG_FLOAT8(1), "alarm limit");
	double		min_sd = nonnegative_arg(PG_GETARG_FLOAT8(2), "minimum standard deviation");
	int			guard = variant == 1 ? 0 : 2;
	int			run_start = 0;
	int			t;

	if (min_sd == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the minimum standard deviation must be positive"),
				 errhint("0.5 is a floor suited to small counts.")));
	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < n; t++)
	{
		Datum		values[8];
		bool		isnull[8] = {false, true, true, true, true, true, true, true};
		double		mean = 0,
					sd = 0,
					stat = 0,
					threshold;
		bool		ok;

		values[0] = Int32GetDatum(t + 1);
		if (!nulls[t])
		{
			isnull[1] = false;
			values[1] = Float8GetDatum(x[t]);
		}
		ok = ears_c(x, nulls, t, guard, min_sd, &mean, &sd, &stat);
		threshold = mean + limit * sd;
		if (ok && variant == 3)
		{
			double		partial = 0;
			double		m2,
						s2,
						c2;
			int			j;

			for (j = t - 2; j < t && ok; j++)
			{
				ok = j >= 0 && ears_c(x, nulls, j, guard, min_sd, &m2, &s2, &c2);
				if (ok)
					partial += fmax(0, c2 - 1);
			}
			threshold = partial <= limit ? mean + sd * (1 + (limit - partial))
				: -get_float8_infinity();
			stat = partial + fmax(0, stat - 1);
		}
		if (ok)
		{
			bool		alarm = stat > limit;

			values[2] = Float8GetDatum(mean);
			values[3] = Float8GetDatum(sd);
			values[4] = Float8GetDatum(stat);
			values[5] = Float8GetDatum(threshold);
			values[6] = BoolGetDatum(alarm);
			isnull[2] = isnull[3] = isnull[4] = isnull[5] = isnull[6] = false;
			if (alarm)
			{
				if (run_start == 0)
					run_start = t + 1;
				values[7] = Int32GetDatum(run_start);
				isnull[7] = false;
			}
			else
				run_start = 0;
		}
		else
			run_start = 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(ears_c1);
Datum
ears_c1(PG_FUNCTION_ARGS)
{
	return ears(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(ears_c2);
Datum
ears_c2(PG_FUNCTION_ARGS)
{
	return ears(fcinfo, 2);
}

PG_FUNCTION_INFO_V1(ears_c3);
Datum
ears_c3(PG_FUNCTION_ARGS)
{
	return ears(fcinfo, 3);
}
