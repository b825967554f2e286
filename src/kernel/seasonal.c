/*
 * seasonal.c
 *		A Farrington-like seasonal baseline for a count series (Farrington
 *		et al. 1996, simplified; see doc/statistics.md for what is left out):
 *		the expected count of period t is the mean of the same periods of the
 *		previous years, within a window, and the alarm threshold an upper
 *		quantile under a quasi-Poisson (overdispersed) model.
 *
 *	baseline B(t) = { x_{t - y L + d} : y = 1 .. years, d = -window .. window,
 *					  inside the series and not NULL }, L the season length
 *	mu	= mean of B(t), n = |B(t)|  (needs n >= min_baseline)
 *	phi	= max(1, sum (b - mu)^2 / mu / (n - 1))	(1 when mu = 0 or n = 1)
 *	tau	= phi mu (1 + 1 / n)						(variance of x_t - mu)
 *	U	= mu (1 + (2/3) z sqrt(tau) / mu)^(3/2)	(the 2/3-power transform;
 *												 z the normal quantile at level)
 *	alarm when x_t > U.  In tau and U, mu is floored at 0.5 / n (half an event
 *	over the baseline), so that a baseline of zeros does not make one event
 *	an alarm (U would be 0).
 */
#include "safeidx.h"

#include <math.h>

#include "funcapi.h"

/*
 * seasonal_baseline(series, season, years, window, level, min_baseline)
 * RETURNS TABLE (period int, observed, expected, phi, baseline_n int,
 *				  threshold, alarm, run_start int)
 */
PG_FUNCTION_INFO_V1(seasonal_baseline);
Datum
seasonal_baseline(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			n;
	bool	   *nulls;
	double	   *x = series_arg(PG_GETARG_ARRAYTYPE_P(0), "count series", true, &n, &nulls);
	int32		season = PG_GETARG_INT32(1);
	int32		years = PG_GETARG_INT32(2);
	int32		window = PG_GETARG_INT32(3);
	double		level = level_arg(PG_GETARG_FLOAT8(4));
	int32		min_baseline = PG_GETARG_INT32(5);
	double		z = normal_quantile(level);
	int			run_start = 0;
	int			t;

	if (season < 1 || years < 1 || window < 0 || min_baseline < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("season and years must be at least 1, window at least 0, min_baseline at least 1")));
	if (2 * window >= season)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the window (%d) must be less than half the season (%d)", window, season)));
	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < n; t++)
	{
		Datum		values[8];
		bool		isnull[8] = {false, true, true, true, false, true, true, true};
		double		sum = 0,
					ss = 0,
					mu,
					phi = 1,
					mu_t,
					tau,
					u;
		int			count = 0;
		int			y,
					d;

		values[0] = Int32GetDatum(t + 1);
		if (!nulls[t])
		{
			values[1] = Float8GetDatum(x[t]);
			isnull[1] = false;
		}
		for (y = 1; y <= years; y++)
			for (d = -window; d <= window; d++)
			{
				int64		i = (int64) t - (int64) y * season + d;

				if (i >= 0 && i < t && !nulls[i])
				{
					sum += x[i];
					count++;
				}
			}
		values[4] = Int32GetDatum(count);
		if (count < min_baseline || count == 0)
		{
			run_start = 0;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
			continue;
		}
		mu = sum / count;
		if (mu > 0 && count > 1)
		{
			for (y = 1; y <= years; y++)
				for (d = -window; d <= window; d++)
				{
					int64		i = (int64) t - (int64) y * season + d;

					if (i >= 0 && i < t && !nulls[i])
						ss += (x[i] - mu) * (x[i] - mu);
				}
			phi = fmax(1, ss / mu / (count - 1));
		}
		/* a baseline of zeros: half an event over it (continuity), not a threshold of 0 */
		mu_t = fmax(mu, 0.5 / count);
		tau = phi * mu_t * (1 + 1.0 / count);
		u = mu_t * pow(fmax(0, 1 + (2.0 / 3) * z * sqrt(tau) / mu_t), 1.5);
		values[2] = Float8GetDatum(mu);
		values[3] = Float8GetDatum(phi);
		values[5] = Float8GetDatum(finite_result(u, "threshold"));
		isnull[2] = isnull[3] = isnull[5] = false;
		if (!nulls[t])
		{
			bool		alarm = x[t] > u;

			values[6] = BoolGetDatum(alarm);
			isnull[6] = false;
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
