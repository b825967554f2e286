/*
 * results_write.c
 *		Writing a scored period: one bulk INSERT of arrays per table (result,
 *		result_node), prepared once per version.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* ---------------------------------------------------------------------
 * Writing: one bulk INSERT per table and period
 * --------------------------------------------------------------------- */

typedef struct Column
{
	Oid			type;
	int16		typlen;
	bool		byval;
	char		align;
	Datum	   *values;
	bool	   *nulls;
	int			n;
} Column;

static void
column_init(Column *col, Oid type, int capacity)
{
	col->type = type;
	get_typlenbyvalalign(type, &col->typlen, &col->byval, &col->align);
	col->values = palloc(sizeof(Datum) * Max(capacity, 1));
	col->nulls = palloc(sizeof(bool) * Max(capacity, 1));
	col->n = 0;
}

static void
column_add(Column *col, Datum value, bool isnull)
{
	col->values[col->n] = value;
	col->nulls[col->n] = isnull;
	col->n++;
}

static void
column_float(Column *col, double value)
{
	column_add(col, Float8GetDatum(isnan(value) ? 0 : value), isnan(value));
}

static void
column_text(Column *col, const char *value)
{
	column_add(col, value == NULL ? (Datum) 0 : CStringGetTextDatum(value), value == NULL);
}

static Datum
column_array(Column *col)
{
	int			dims[1] = {col->n};
	int			lbs[1] = {1};

	return PointerGetDatum(construct_md_array(col->values, col->nulls, 1, dims, lbs, col->type,
											  col->typlen, col->byval, col->align));
}

enum
{
	R_CODE, R_PARENT, R_DEPTH, R_INDEX, R_UNROUNDED, R_COVERAGE, R_GRADE, R_RANK_SIBLINGS,
	R_RANK_LEVEL, R_RESIDENTS, R_MISSING, NRESULT
};
static const Oid result_types[NRESULT] = {
	TEXTOID, TEXTOID, INT4OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, INT4OID, INT4OID, FLOAT8OID, INT4OID
};

enum
{
	N_CODE, N_NODE, N_PARENT, N_LEAF, N_WEIGHT, N_EVENTS, N_COUNTED, N_DENOMINATOR, N_RESIDENTS,
	N_VALUE, N_BASELINE, N_RATIO, N_SCORE, N_POINTS, N_STATUS, NNODE
};
static const Oid node_types[NNODE] = {
	TEXTOID, TEXTOID, TEXTOID, BOOLOID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, TEXTOID
};

void
prepare_writes(Computation *c)
{
	Oid			types[NNODE + 5];

	types[0] = TEXTOID;			/* scheme */
	types[1] = TEXTOID;			/* period */
	types[2] = DATEOID;			/* period_start */
	types[3] = TEXTOID;			/* version */
	types[4] = TEXTOID;			/* status */
	for (int i = 0; i < NRESULT; i++)
		types[5 + i] = get_array_type(result_types[i]);
	c->result_plan = SPI_prepare(psprintf(
		"INSERT INTO %1$s.result (scheme, period, period_start, version, status, region_code, parent_code,"
		"                          depth, index, index_unrounded, coverage, grade_level, rank_siblings,"
		"                          rank_level, residents, missing_units)"
		" SELECT $1, $2::%1$s.period_kind, $3, $4, $5, u.*"
		"   FROM unnest($6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) u", SCHEMA_NAME),
								 5 + NRESULT, types);
	for (int i = 0; i < NNODE; i++)
		types[3 + i] = get_array_type(node_types[i]);
	c->node_plan = SPI_prepare(psprintf(
		"INSERT INTO %1$s.result_node (scheme, period, period_start, region_code, node, parent_node,"
		"                               is_leaf, weight, events, counted_events, denominator, residents,"
		"                               value, baseline, ratio, score, points, status)"
		" SELECT $1, $2::%1$s.period_kind, $3, u.*"
		"   FROM unnest($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) u", SCHEMA_NAME),
							   3 + NNODE, types);
	if (c->result_plan == NULL || c->node_plan == NULL)
		elog(ERROR, "preparing the results kernel's inserts failed: %s", SPI_result_code_string(SPI_result));
}

/* Writes the region and node results of a scored period. */
void
write_period(Computation *c, const Rollup *r, const Scored *s)
{
	Kernel	   *k = c->k;
	KVersion   *v = c->v;
	const KTree *tree = &r->tree;
	int			n = tree->n;
	int			nl = v->nleaves;
	int			nn = v->nnodes;
	const double *baseline = s->baseline;
	const double *score = s->score;
	const double *unrounded = s->unrounded;
	const double *index = s->index;
	const double *coverage = s->coverage;
	const int  *rank_siblings = s->rank_siblings;
	const int  *rank_level = s->rank_level;
	bool		complete = s->complete;
	Column		rcol[NRESULT];
	Column		ncol[NNODE];
	Datum		args[5 + NNODE];

	/* the region results */
	for (int j = 0; j < NRESULT; j++)
		column_init(&rcol[j], result_types[j], n);
	for (int i = 0; i < n; i++)
	{
		int			code = tree->region[i];
		int			parent = tree->parent_code[code];

		column_add(&rcol[R_CODE], CStringGetTextDatum(k->codes[code]), false);
		column_text(&rcol[R_PARENT], parent >= 0 ? k->codes[parent] : NULL);
		column_add(&rcol[R_DEPTH], Int32GetDatum(tree->depth[i]), false);
		column_float(&rcol[R_INDEX], index[i]);
		column_float(&rcol[R_UNROUNDED], unrounded[i]);
		column_float(&rcol[R_COVERAGE], coverage[i]);
		column_add(&rcol[R_GRADE], Int32GetDatum(isnan(index[i]) ? 0 : grade_level_of(index[i], k->cuts, k->ncuts)),
				   isnan(index[i]));
		column_add(&rcol[R_RANK_SIBLINGS], Int32GetDatum(rank_siblings[i]), rank_siblings[i] == 0);
		column_add(&rcol[R_RANK_LEVEL], Int32GetDatum(rank_level[i]), rank_level[i] == 0);
		column_float(&rcol[R_RESIDENTS], r->exposure[i]);
		column_add(&rcol[R_MISSING], Int32GetDatum(r->missing[i]), false);
	}
	args[0] = CStringGetTextDatum(k->scheme);
	args[1] = CStringGetTextDatum(k->period);
	args[2] = DateADTGetDatum(r->start);
	args[3] = CStringGetTextDatum(v->name);
	/* computed before the period ended: provisional until recomputed */
	args[4] = CStringGetTextDatum(!complete ? "incomplete" : r->end > k->today ? "provisional" : "complete");
	for (int j = 0; j < NRESULT; j++)
		args[5 + j] = column_array(&rcol[j]);
	if (SPI_execute_plan(c->result_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "writing the results of scheme \"%s\" failed", k->scheme);
	c->written += SPI_processed;

	/* the node results */
	for (int j = 0; j < NNODE; j++)
		column_init(&ncol[j], node_types[j], n * nn);
	for (int i = 0; i < n; i++)
	{
		for (int node = 0; node < nn; node++)
		{
			const KNode *nd = &v->nodes[node];
			double		s = score[i * nn + node];
			int			l = nd->leaf;
			int			x = i * nl + l;

			column_add(&ncol[N_CODE], CStringGetTextDatum(k->codes[tree->region[i]]), false);
			column_add(&ncol[N_NODE], CStringGetTextDatum(nd->name), false);
			column_text(&ncol[N_PARENT], nd->parent >= 0 ? v->nodes[nd->parent].name : NULL);
			column_add(&ncol[N_LEAF], BoolGetDatum(l >= 0), false);
			column_float(&ncol[N_WEIGHT], nd->weight);
			if (l >= 0)
			{
				const KLeaf *leaf = &v->leaves[l];
				double		value = r->value[x];
				double		base = baseline[x];

				/* no events where the rows summed all had NULL values */
				column_float(&ncol[N_EVENTS], leaf->measure == 'v'
							 ? (r->own_has[x] ? r->own_num[x] : NAN)
							 : ONLY_NULLS(r->num_seen[x]) ? NAN : r->num_all[x]);
				column_float(&ncol[N_COUNTED], leaf->measure == 'v' || ONLY_NULLS(r->counted_seen[x])
							 ? NAN : r->num_counted[x]);
				column_float(&ncol[N_DENOMINATOR], leaf->measure == 'q' ? r->den_all[x] : NAN);
				column_float(&ncol[N_RESIDENTS], r->exposure[i]);
				column_float(&ncol[N_VALUE], value);
				column_float(&ncol[N_BASELINE], base);
				column_float(&ncol[N_RATIO], isnan(value) || isnan(base) ? NAN
							 : base == 0 ? (value == 0 ? 1 : INFINITY) : value / base);
				column_add(&ncol[N_STATUS], CStringGetTextDatum(leaf_status_names[r->status[x]]), false);
			}
			else
			{
				for (int j = N_EVENTS; j <= N_RATIO; j++)
					column_float(&ncol[j], NAN);
				column_add(&ncol[N_STATUS], (Datum) 0, true);
			}
			column_float(&ncol[N_SCORE], s);
			column_float(&ncol[N_POINTS], isnan(s) ? NAN : s * nd->weight);
		}
	}
	for (int j = 0; j < NNODE; j++)
		args[3 + j] = column_array(&ncol[j]);
	if (SPI_execute_plan(c->node_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "writing the indicator results of scheme \"%s\" failed", k->scheme);
}
