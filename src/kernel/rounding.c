/*
 * rounding.c
 *		round_published(value, decimals): a float8 rounded to the decimals
 *		it is published with, the way PostgreSQL rounds it in SQL,
 *		round(value::numeric, decimals)::float8: the value's 15 significant
 *		digits, rounded half away from zero.  Grades, ranks and ties of an
 *		index use this value, as every published index does (0.54984 is
 *		published 0.550, and graded and ranked as 0.550).
 */
#include "safeidx.h"

#include <math.h>

#include "utils/fmgrprotos.h"

double
round_published(double value, int decimals)
{
	Datum		num;

	if (isnan(value) || isinf(value))
		return value;
	num = DirectFunctionCall1(float8_numeric, Float8GetDatum(value));
	num = DirectFunctionCall2(numeric_round, num, Int32GetDatum(decimals));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, num));
}

PG_FUNCTION_INFO_V1(safeidx_round_published);
Datum
safeidx_round_published(PG_FUNCTION_ARGS)
{
	int32		decimals = PG_GETARG_INT32(1);

	if (decimals < 0 || decimals > 15)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decimals must be between 0 and 15, not %d", decimals)));
	PG_RETURN_FLOAT8(round_published(finite_arg(PG_GETARG_FLOAT8(0), "value"), decimals));
}
