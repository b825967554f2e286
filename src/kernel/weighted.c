/*
 * weighted.c
 *		The weighted index: the indexsum summary built by index_agg(score,
 *		weight) over a region's indicator scores, its combine function, and
 *		the weighted sum, weighted arithmetic mean, weighted geometric mean
 *		and coverage read from it.
 *
 * An indicator whose score is NULL has no data: its weight is kept apart so
 * that the means re-normalise over the indicators that have data and the
 * coverage (share of weight with data) says how much is missing.
 */
#include "safeidx.h"

#include <math.h>

#include "libpq/pqformat.h"

/* IndexSum is declared in safeidx.h (the results kernel accumulates it too). */

/* INTERNALLENGTH of type indexsum in src/kernel/weighted.sql must match */
StaticAssertDecl(sizeof(IndexSum) == 64, "IndexSum size differs from its SQL type");

static const SummaryField indexsum_fields[] = {
	{"scored", SUMMARY_COUNT, offsetof(IndexSum, scored)},
	{"unscored", SUMMARY_COUNT, offsetof(IndexSum, unscored)},
	{"weight", SUMMARY_AMOUNT, offsetof(IndexSum, weight)},
	{"weight_unscored", SUMMARY_AMOUNT, offsetof(IndexSum, weight_unscored)},
	{"weighted_scores", SUMMARY_FLOAT, offsetof(IndexSum, weighted_scores)},
	{"weighted_logs", SUMMARY_FLOAT, offsetof(IndexSum, weighted_logs)},
	{"zeros", SUMMARY_COUNT, offsetof(IndexSum, zeros)},
	{"negatives", SUMMARY_COUNT, offsetof(IndexSum, negatives)},
};
#define INDEXSUM_NFIELDS lengthof(indexsum_fields)

#define PG_GETARG_INDEXSUM(n) ((IndexSum *) PG_GETARG_POINTER(n))

static IndexSum *
indexsum_check(IndexSum *s)
{
	if (s->zeros + s->negatives > s->scored)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid indexsum: more zero and negative scores than scored indicators")));
	if ((s->scored == 0 && (s->weight != 0 || s->weighted_scores != 0 || s->weighted_logs != 0)) ||
		(s->unscored == 0 && s->weight_unscored != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid indexsum: weights or sums given for no indicators")));
	return s;
}

PG_FUNCTION_INFO_V1(indexsum_in);
Datum
indexsum_in(PG_FUNCTION_ARGS)
{
	IndexSum   *s = palloc0(sizeof(IndexSum));

	summary_parse(PG_GETARG_CSTRING(0), "indexsum", indexsum_fields,
				  INDEXSUM_NFIELDS, s);
	PG_RETURN_POINTER(indexsum_check(s));
}

PG_FUNCTION_INFO_V1(indexsum_out);
Datum
indexsum_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_format(indexsum_fields, INDEXSUM_NFIELDS,
									 PG_GETARG_INDEXSUM(0)));
}

PG_FUNCTION_INFO_V1(indexsum_recv);
Datum
indexsum_recv(PG_FUNCTION_ARGS)
{
	IndexSum   *s = palloc0(sizeof(IndexSum));

	summary_recv((StringInfo) PG_GETARG_POINTER(0), "indexsum",
				 indexsum_fields, INDEXSUM_NFIELDS, s);
	PG_RETURN_POINTER(indexsum_check(s));
}

PG_FUNCTION_INFO_V1(indexsum_send);
Datum
indexsum_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	summary_send(&buf, indexsum_fields, INDEXSUM_NFIELDS, PG_GETARG_INDEXSUM(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Adds one indicator: its score (has_score false: no data) and weight, both
 * checked finite by the caller, the weight not negative.
 */
void
indexsum_add_score(IndexSum *s, double score, bool has_score, double weight)
{
	if (!has_score)
	{
		s->unscored++;
		s->weight_unscored = finite_result(s->weight_unscored + weight, "sum of weights");
		return;
	}
	s->scored++;
	s->weight = finite_result(s->weight + weight, "sum of weights");
	s->weighted_scores = finite_result(s->weighted_scores + weight * score,
									   "weighted sum of scores");
	if (weight > 0)
	{
		if (score > 0)
			s->weighted_logs += weight * log(score);
		else if (score == 0)
			s->zeros++;
		else
			s->negatives++;
	}
}

/*
 * index_agg transition: (state, score, weight).  The weight is required; a
 * NULL score marks an indicator without data.
 */
PG_FUNCTION_INFO_V1(indexsum_add);
Datum
indexsum_add(PG_FUNCTION_ARGS)
{
	IndexSum   *s = summary_state_for_update(fcinfo, 0, sizeof(IndexSum));
	double		weight;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("every indicator needs a weight, but a weight is NULL"),
				 errhint("Give indicators that should not count a weight of 0.")));
	weight = nonnegative_arg(PG_GETARG_FLOAT8(2), "weight");
	indexsum_add_score(s, PG_ARGISNULL(1) ? 0 : finite_arg(PG_GETARG_FLOAT8(1), "score"),
					   !PG_ARGISNULL(1), weight);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(indexsum_combine);
Datum
indexsum_combine(PG_FUNCTION_ARGS)
{
	IndexSum   *s = summary_state_for_update(fcinfo, 0, sizeof(IndexSum));
	IndexSum   *o = PG_GETARG_INDEXSUM(1);

	s->scored += o->scored;
	s->unscored += o->unscored;
	s->weight = finite_result(s->weight + o->weight, "sum of weights");
	s->weight_unscored = finite_result(s->weight_unscored + o->weight_unscored,
									   "sum of weights");
	s->weighted_scores = finite_result(s->weighted_scores + o->weighted_scores,
									   "weighted sum of scores");
	s->weighted_logs = finite_result(s->weighted_logs + o->weighted_logs,
									 "weighted sum of logarithms");
	s->zeros += o->zeros;
	s->negatives += o->negatives;
	PG_RETURN_POINTER(s);
}

/* Share of the total weight carried by indicators with a score. */
static double
coverage_of(const IndexSum *s, bool *is_null)
{
	double		total = s->weight + s->weight_unscored;

	*is_null = (total == 0);
	return *is_null ? 0 : s->weight / total;
}

static double
min_coverage_arg(double min_coverage)
{
	if (isnan(min_coverage) || min_coverage < 0 || min_coverage > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_coverage must be between 0 and 1")));
	return min_coverage;
}

/*
 * True when a mean can be read: some weight has a score and the coverage
 * reaches min_coverage.
 */
static bool
mean_defined(const IndexSum *s, double min_coverage)
{
	bool		is_null;
	double		coverage = coverage_of(s, &is_null);

	return !is_null && s->weight > 0 && coverage >= min_coverage;
}

PG_FUNCTION_INFO_V1(indexsum_coverage);
Datum
indexsum_coverage(PG_FUNCTION_ARGS)
{
	bool		is_null;
	double		coverage = coverage_of(PG_GETARG_INDEXSUM(0), &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(coverage);
}

/* Sum of weight * score over the indicators with a score; NULL if none. */
PG_FUNCTION_INFO_V1(indexsum_weighted_sum);
Datum
indexsum_weighted_sum(PG_FUNCTION_ARGS)
{
	IndexSum   *s = PG_GETARG_INDEXSUM(0);

	if (s->scored == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->weighted_scores);
}

/*
 * The weighted arithmetic mean, or the weighted geometric mean
 * exp(sum(w ln s) / sum(w)), over the indicators with a score; NULL
 * (is_null) unless some weight is scored and the coverage reaches
 * min_coverage.  In a geometric mean a score of 0 carrying weight makes it 0
 * (a dimension at nothing pulls the whole index to nothing); a negative
 * score is an error.
 */
double
indexsum_mean(const IndexSum *s, bool geometric, double min_coverage, bool *is_null)
{
	*is_null = !mean_defined(s, min_coverage_arg(min_coverage));
	if (*is_null)
		return 0;
	if (!geometric)
		return s->weighted_scores / s->weight;
	if (s->negatives > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a geometric mean needs scores of 0 or more, but " INT64_FORMAT " scores are negative",
						s->negatives),
				 errhint("Rescale the scores (for example with score_goalposts) before a geometric mean.")));
	if (s->zeros > 0)
		return 0;
	return exp(s->weighted_logs / s->weight);
}

static Datum
indexsum_mean_datum(FunctionCallInfo fcinfo, bool geometric)
{
	bool		is_null;
	double		mean = indexsum_mean(PG_GETARG_INDEXSUM(0), geometric, PG_GETARG_FLOAT8(1), &is_null);

	if (is_null)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(mean);
}

PG_FUNCTION_INFO_V1(indexsum_weighted_mean);
Datum
indexsum_weighted_mean(PG_FUNCTION_ARGS)
{
	return indexsum_mean_datum(fcinfo, false);
}

PG_FUNCTION_INFO_V1(indexsum_geometric_mean);
Datum
indexsum_geometric_mean(PG_FUNCTION_ARGS)
{
	return indexsum_mean_datum(fcinfo, true);
}

PG_FUNCTION_INFO_V1(indexsum_scored);
Datum
indexsum_scored(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_INDEXSUM(0)->scored);
}

PG_FUNCTION_INFO_V1(indexsum_unscored);
Datum
indexsum_unscored(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_INDEXSUM(0)->unscored);
}
