/*
 * cusum.c
 *		The Poisson CUSUM (Lucas 1985) over a count series, for early warning
 *		of a rise from an in-control mean mu0 to mu1 = ratio * mu0 (a
 *		doubling by default).
 *
 *	k_t = mu0_t (ratio - 1) / ln(ratio)				reference value
 *	S_t = max(0, S_{t-1} + x_t - k_t),  S_0 = 0 (h / 2 with fast initial response)
 *	alarm when S_t >= h; S restarts after an alarm (at 0, or h / 2 with FIR).
 * This is the log-likelihood-ratio CUSUM of Poisson(mu1) against
 * Poisson(mu0) divided by ln(ratio), in counts; mu0 may change from period
 * to period (seasons, population).  run_start is the first period of the
 * current excursion (the first period with S > 0 since S was last 0 or
 * restarted: the CUSUM's estimate of the change point).  A NULL count or expected count leaves S unchanged and
 * gives a row without statistic (insufficient data).
 */
#include "safeidx.h"

#include <math.h>

#include "funcapi.h"

static Datum
cusum(FunctionCallInfo fcinfo, const double *mu0, const bool *mu0_null, int n_mu0)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n;
	bool	   *nulls;
	double	   *x = series_arg(PG_GETARG_ARRAYTYPE_P(0), "count series", true, &n, &nulls);
	double		ratio = finite_arg(PG_GETARG_FLOAT8(2), "out-of-control ratio");
	double		h = finite_arg(PG_GETARG_FLOAT8(3), "decision interval h");
	bool		fir = PG_GETARG_BOOL(4);
	double		restart = fir ? h / 2 : 0;
	double		s = restart;
	int			run_start = 0;	/* 0: no excursion under way */
	int			t;

	if (ratio <= 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the out-of-control ratio must be above 1"),
				 errhint("2 detects a doubling of the expected count.")));
	if (h <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the decision interval h must be positive")));
	if (n_mu0 != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the series and the expected counts must have the same length (%d and %d)",
						n, n_mu0)));
	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < n; t++)
	{
		Datum		values[8];
		bool		isnull[8] = {false, true, true, true, true, true, true, true};
		double		m = mu0[t];
		bool		m_null = mu0_null[t];

		values[0] = Int32GetDatum(t + 1);
		if (!nulls[t])
		{
			values[1] = Float8GetDatum(x[t]);
			isnull[1] = false;
		}
		if (!m_null)
		{
			values[2] = Float8GetDatum(m);
			isnull[2] = false;
		}
		if (!nulls[t] && !m_null)
		{
			double		k = m * (ratio - 1) / log(ratio);
			bool		alarm;

			s = fmax(0, s + x[t] - k);
			if (s == 0)
				run_start = 0;
			else if (run_start == 0)
				run_start = t + 1;
			alarm = s >= h;
			values[3] = Float8GetDatum(finite_result(k, "reference value"));
			values[4] = Float8GetDatum(finite_result(s, "CUSUM statistic"));
			values[5] = Float8GetDatum(h);
			values[6] = BoolGetDatum(alarm);
			isnull[3] = isnull[4] = isnull[5] = isnull[6] = false;
			if (run_start > 0)
			{
				values[7] = Int32GetDatum(run_start);
				isnull[7] = false;
			}
			if (alarm)
			{
				s = restart;
				run_start = 0;
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	}
	return (Datum) 0;
}

/* poisson_cusum(series, expected float8[], ratio, h, fir) */
PG_FUNCTION_INFO_V1(poisson_cusum);
Datum
poisson_cusum(PG_FUNCTION_ARGS)
{
	int			n;
	bool	   *nulls;
	double	   *mu0 = series_arg(PG_GETARG_ARRAYTYPE_P(1), "expected counts", true, &n, &nulls);

	return cusum(fcinfo, mu0, nulls, n);
}
