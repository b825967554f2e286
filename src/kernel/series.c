/*
 * series.c
 *		Arguments shared by the statistics (intervals, funnel
 *		limits, rank intervals, early warning): a float8[] series read into a
 *		C array with its NULL elements, probabilities, whole counts.
 */
#include "safeidx.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/lsyscache.h"

/*
 * The elements of a one-dimensional float8[] (an empty array gives n = 0).
 * NULL elements are flagged in *nulls (their value is 0); NaN and infinities
 * are refused, and negative values when nonnegative is true.
 */
double *
series_arg(ArrayType *array, const char *what, bool nonnegative, int *n,
		   bool **nulls)
{
	Datum	   *elems;
	bool	   *isnull;
	double	   *values;
	int			count;
	int			i;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	if (ARR_ELEMTYPE(array) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be an array of float8", what)));
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &isnull, &count);
	values = palloc0(sizeof(double) * Max(count, 1));
	for (i = 0; i < count; i++)
	{
		if (isnull[i])
			continue;
		values[i] = DatumGetFloat8(elems[i]);
		if (nonnegative)
			nonnegative_arg(values[i], what);
		else
			finite_arg(values[i], what);
	}
	*n = count;
	*nulls = isnull;
	return values;
}

/* A probability strictly between 0 and 1 (a quantile, a tail level). */
double
probability_arg(double p, const char *what)
{
	if (isnan(p) || p <= 0 || p >= 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 1, exclusive", what),
				 errdetail("The value given was %g.", p)));
	return p;
}

/* A count of events: finite, not negative and a whole number. */
double
whole_count_arg(double value, const char *what)
{
	nonnegative_arg(value, what);
	if (value != floor(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a whole number of events, not %g", what, value),
				 errhint("Poisson methods need raw counts; weighted (severity) counts have none.")));
	return value;
}
