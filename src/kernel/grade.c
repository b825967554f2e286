/*
 * grade.c
 *		grade_level(index, cuts): the level of an index on a grade scale
 *		given by its cut points, best first.  The scale's labels and colours
 *		are data (tables grade_scale and grade_band); this is the pure,
 *		IMMUTABLE step that the SQL function grade() builds on.
 */
#include "safeidx.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

/* The level of an index on cut points checked strictly decreasing. */
int
grade_level_of(double index, const double *cuts, int ncuts)
{
	int			level = 1;

	for (int i = 0; i < ncuts; i++)
		if (index < cuts[i])
			level = i + 2;
	return level;
}

/*
 * With cut points c1 > c2 > ... > cn, an index >= c1 is level 1, one in
 * [c2, c1) is level 2, ..., and one below cn is level n + 1.
 */
PG_FUNCTION_INFO_V1(grade_level);
Datum
grade_level(PG_FUNCTION_ARGS)
{
	double		index = finite_arg(PG_GETARG_FLOAT8(0), "index");
	ArrayType  *cuts = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *values;
	bool	   *nulls;
	int			n;
	int			i;
	int			level = 1;

	if (ARR_NDIM(cuts) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("cut points must be a one-dimensional array")));
	deconstruct_array(cuts, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &values, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		double		cut;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("cut point %d of the grade scale is NULL", i + 1)));
		cut = finite_arg(DatumGetFloat8(values[i]), "a cut point");
		if (i > 0 && !(cut < DatumGetFloat8(values[i - 1])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cut points must be strictly decreasing, best grade first"),
					 errdetail("Cut point %d (%g) is not below cut point %d (%g).",
							   i + 1, cut, i, DatumGetFloat8(values[i - 1]))));
		if (index < cut)
			level = i + 2;
	}
	PG_RETURN_INT32(level);
}
