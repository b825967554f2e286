/*
 * groupstats.c
 *		Scores relative to a group: the groupstats summary (count, minimum,
 *		maximum, mean and sum of squared deviations of a group's values),
 *		built by the group_stats aggregate or window function, and the
 *		min-max and z-score rules that read it.
 *
 * Means and squared deviations are kept in Welford's form and merged with
 * Chan's formula, which stays accurate where sum-of-squares cancels.
 */
#include "safeidx.h"

#include <math.h>

#include "libpq/pqformat.h"

/* INTERNALLENGTH of type groupstats in src/kernel/groupstats.sql must match */
StaticAssertDecl(sizeof(GroupStats) == 40, "GroupStats size differs from its SQL type");

static const SummaryField groupstats_fields[] = {
	{"n", SUMMARY_COUNT, offsetof(GroupStats, n)},
	{"min", SUMMARY_FLOAT, offsetof(GroupStats, min)},
	{"max", SUMMARY_FLOAT, offsetof(GroupStats, max)},
	{"mean", SUMMARY_FLOAT, offsetof(GroupStats, mean)},
	{"m2", SUMMARY_AMOUNT, offsetof(GroupStats, m2)},
};
#define GROUPSTATS_NFIELDS lengthof(groupstats_fields)

#define PG_GETARG_GROUPSTATS(n) ((GroupStats *) PG_GETARG_POINTER(n))

static GroupStats *
groupstats_check(GroupStats *g)
{
	if (g->n == 0 && (g->min != 0 || g->max != 0 || g->mean != 0 || g->m2 != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid groupstats: an empty group must have all fields 0")));
	if (g->min > g->max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid groupstats: min is above max")));
	return g;
}

PG_FUNCTION_INFO_V1(groupstats_in);
Datum
groupstats_in(PG_FUNCTION_ARGS)
{
	GroupStats *g = palloc0(sizeof(GroupStats));

	summary_parse(PG_GETARG_CSTRING(0), "groupstats", groupstats_fields,
				  GROUPSTATS_NFIELDS, g);
	PG_RETURN_POINTER(groupstats_check(g));
}

PG_FUNCTION_INFO_V1(groupstats_out);
Datum
groupstats_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_format(groupstats_fields, GROUPSTATS_NFIELDS,
									 PG_GETARG_GROUPSTATS(0)));
}

PG_FUNCTION_INFO_V1(groupstats_recv);
Datum
groupstats_recv(PG_FUNCTION_ARGS)
{
	GroupStats *g = palloc0(sizeof(GroupStats));

	summary_recv((StringInfo) PG_GETARG_POINTER(0), "groupstats",
				 groupstats_fields, GROUPSTATS_NFIELDS, g);
	PG_RETURN_POINTER(groupstats_check(g));
}

PG_FUNCTION_INFO_V1(groupstats_send);
Datum
groupstats_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	summary_send(&buf, groupstats_fields, GROUPSTATS_NFIELDS,
				 PG_GETARG_GROUPSTATS(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Merge b into a (Chan, Golub and LeVeque), refusing overflow. */
void
groupstats_merge(GroupStats *a, const GroupStats *b)
{
	double		n;
	double		delta;

	if (b->n == 0)
		return;
	if (a->n == 0)
	{
		*a = *b;
		return;
	}
	n = (double) a->n + (double) b->n;
	delta = b->mean - a->mean;
	a->mean = finite_result(a->mean + delta * ((double) b->n / n), "group mean");
	a->m2 = finite_result(a->m2 + b->m2 + delta * delta * ((double) a->n * (double) b->n / n),
						  "group variance");
	a->min = fmin(a->min, b->min);
	a->max = fmax(a->max, b->max);
	a->n += b->n;
}

/* Adds one value to a group (the group_stats transition, and the kernel's). */
void
groupstats_add_value(GroupStats *g, double value)
{
	GroupStats	one;

	one.n = 1;
	one.min = one.max = one.mean = finite_arg(value, "value");
	one.m2 = 0;
	groupstats_merge(g, &one);
}

/* group_stats transition: NULL values are skipped by the strict aggregate. */
PG_FUNCTION_INFO_V1(groupstats_add);
Datum
groupstats_add(PG_FUNCTION_ARGS)
{
	GroupStats *g = summary_state_for_update(fcinfo, 0, sizeof(GroupStats));

	groupstats_add_value(g, PG_GETARG_FLOAT8(1));
	PG_RETURN_POINTER(g);
}

PG_FUNCTION_INFO_V1(groupstats_combine);
Datum
groupstats_combine(PG_FUNCTION_ARGS)
{
	GroupStats *g = summary_state_for_update(fcinfo, 0, sizeof(GroupStats));

	groupstats_merge(g, PG_GETARG_GROUPSTATS(1));
	PG_RETURN_POINTER(g);
}

PG_FUNCTION_INFO_V1(groupstats_count);
Datum
groupstats_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_GROUPSTATS(0)->n);
}

PG_FUNCTION_INFO_V1(groupstats_min);
Datum
groupstats_min(PG_FUNCTION_ARGS)
{
	GroupStats *g = PG_GETARG_GROUPSTATS(0);

	if (g->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(g->min);
}

PG_FUNCTION_INFO_V1(groupstats_max);
Datum
groupstats_max(PG_FUNCTION_ARGS)
{
	GroupStats *g = PG_GETARG_GROUPSTATS(0);

	if (g->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(g->max);
}

PG_FUNCTION_INFO_V1(groupstats_mean);
Datum
groupstats_mean(PG_FUNCTION_ARGS)
{
	GroupStats *g = PG_GETARG_GROUPSTATS(0);

	if (g->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(g->mean);
}

/* Population standard deviation: the group is all units, not a sample. */
PG_FUNCTION_INFO_V1(groupstats_stddev);
Datum
groupstats_stddev(PG_FUNCTION_ARGS)
{
	GroupStats *g = PG_GETARG_GROUPSTATS(0);

	if (g->n == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(g->m2 / (double) g->n));
}

/*
 * (value - min) / (max - min) over the group, reversed for a negative
 * indicator.  NULL (is_null) when the group has no spread (every value
 * equal) or is empty; values from outside the group may fall outside [0, 1].
 */
double
minmax_score(double value, const GroupStats *group, bool higher_is_better,
			 bool *is_null)
{
	double		score;

	finite_arg(value, "value");
	*is_null = (group->n == 0 || group->max == group->min);
	if (*is_null)
		return 0;
	score = finite_result((value - group->min) / (group->max - group->min), "min-max score");
	return higher_is_better ? score : 1 - score;
}

PG_FUNCTION_INFO_V1(score_minmax);
Datum
score_minmax(PG_FUNCTION_ARGS)
{
	bool		is_null;
	double		score = minmax_score(PG_GETARG_FLOAT8(0), PG_GETARG_GROUPSTATS(1),
									 PG_GETARG_BOOL(2), &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(score);
}

/*
 * score_z(value, group, higher_is_better): (value - mean) / population
 * standard deviation, negated for a negative indicator.  NULL when the group
 * has no spread or is empty.
 */
PG_FUNCTION_INFO_V1(score_z);
Datum
score_z(PG_FUNCTION_ARGS)
{
	double		value = finite_arg(PG_GETARG_FLOAT8(0), "value");
	GroupStats *g = PG_GETARG_GROUPSTATS(1);
	bool		higher_is_better = PG_GETARG_BOOL(2);
	double		sd;
	double		z;

	if (g->n == 0 || g->m2 == 0)
		PG_RETURN_NULL();
	sd = sqrt(g->m2 / (double) g->n);
	z = finite_result((value - g->mean) / sd, "z-score");
	PG_RETURN_FLOAT8(higher_is_better ? z : -z);
}
