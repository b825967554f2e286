/*
 * results_write.c
 *		Writing a scored period: the rows computed are compared with the rows
 *		the period has (bit for bit), and only those that changed, appeared
 *		or went are deleted and inserted, with one bulk statement of arrays
 *		per table (result, result_node), prepared once per version.  So a
 *		refresh after a few new rows writes the regions whose figures or
 *		ranks moved, not the whole period, and a rebuild of unchanged data
 *		writes nothing.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

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
	N_VALUE, N_BASELINE, N_RATIO, N_SCORE, N_POINTS, N_STATUS, N_EXPECTED, N_P_VALUE, N_SIGNIFICANCE,
	N_SMOOTHED, NNODE
};
static const Oid node_types[NNODE] = {
	TEXTOID, TEXTOID, TEXTOID, BOOLOID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, TEXTOID, FLOAT8OID, FLOAT8OID, TEXTOID,
	FLOAT8OID
};

void
prepare_writes(Computation *c)
{
	Oid			types[NNODE + 5];

	if (c->on_scored != NULL)
		return;					/* nothing is written (sensitivity.c) */

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
		"                               value, baseline, ratio, score, points, status, expected, p_value,"
		"                               significance, smoothed)"
		" SELECT $1, $2::%1$s.period_kind, $3, u.*"
		"   FROM unnest($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
		"               $22) u", SCHEMA_NAME),
							   3 + NNODE, types);
	types[3] = TEXTARRAYOID;
	types[4] = TEXTARRAYOID;
	c->stored_result_plan = SPI_prepare(psprintf(
		"SELECT r.region_code, r.parent_code, r.depth, r.index, r.index_unrounded, r.coverage, r.grade_level,"
		"       r.rank_siblings, r.rank_level, r.residents, r.missing_units, r.version, r.status"
		"  FROM %1$s.result r WHERE r.scheme = $1 AND r.period = $2 AND r.period_start = $3",
		SCHEMA_NAME), 3, types);
	c->stored_node_plan = SPI_prepare(psprintf(
		"SELECT n.region_code, n.node, n.parent_node, n.is_leaf, n.weight, n.events, n.counted_events,"
		"       n.denominator, n.residents, n.value, n.baseline, n.ratio, n.score, n.points, n.status,"
		"       n.expected, n.p_value, n.significance, n.smoothed"
		"  FROM %1$s.result_node n WHERE n.scheme = $1 AND n.period = $2 AND n.period_start = $3",
		SCHEMA_NAME), 3, types);
	c->delete_result_plan = SPI_prepare(psprintf(
		"DELETE FROM %1$s.result r WHERE r.scheme = $1 AND r.period = $2 AND r.period_start = $3"
		"   AND r.region_code = ANY ($4)", SCHEMA_NAME), 4, types);
	c->delete_node_plan = SPI_prepare(psprintf(
		"DELETE FROM %1$s.result_node n WHERE n.scheme = $1 AND n.period = $2 AND n.period_start = $3"
		"   AND (n.region_code, n.node) IN (SELECT * FROM unnest($4, $5))", SCHEMA_NAME), 5, types);
	if (c->result_plan == NULL || c->node_plan == NULL || c->stored_result_plan == NULL ||
		c->stored_node_plan == NULL || c->delete_result_plan == NULL || c->delete_node_plan == NULL)
		elog(ERROR, "preparing the results kernel's writes failed: %s", SPI_result_code_string(SPI_result));
}

/* Whether a computed value and a stored one are the same bits (NULL alike). */
static bool
same_value(Oid type, Datum a, bool a_null, Datum b, bool b_null)
{
	if (a_null || b_null)
		return a_null && b_null;
	switch (type)
	{
		case TEXTOID:
			{
				text	   *x = DatumGetTextPP(a);
				text	   *y = DatumGetTextPP(b);

				return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
					memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
			}
		case FLOAT8OID:
			{
				/* bits, not =: -0 and 0 differ */
				float8		x = DatumGetFloat8(a);
				float8		y = DatumGetFloat8(b);

				return memcmp(&x, &y, sizeof(float8)) == 0;
			}
		case INT4OID:
			return DatumGetInt32(a) == DatumGetInt32(b);
		case BOOLOID:
			return DatumGetBool(a) == DatumGetBool(b);
		default:
			elog(ERROR, "results kernel: no comparison for type %u", type);
	}
	return false;				/* not reached */
}

/* The rows of a period computed, with their keys, to compare with the stored. */
typedef struct NewRows
{
	Column	   *cols;
	int			ncols;
	int			nkeys;			/* 1 (region code) or 2 (and node) */
	const char **key[2];
	int			n;
	const Datum *constants;		/* compared with the stored columns after cols */
	const Oid  *constant_types;
	int			nconstants;
} NewRows;

static const NewRows *sort_rows;

static int
key_cmp_new(const void *a, const void *b)
{
	int			i = *(const int *) a;
	int			j = *(const int *) b;

	for (int k = 0; k < sort_rows->nkeys; k++)
	{
		int			cmp = strcmp(sort_rows->key[k][i], sort_rows->key[k][j]);

		if (cmp != 0)
			return cmp;
	}
	return 0;
}

/* strcmp() of a C string and a text datum: byte order, shorter first. */
static int
cstring_text_cmp(const char *a, Datum b)
{
	text	   *t = DatumGetTextPP(b);
	size_t		alen = strlen(a);
	size_t		blen = VARSIZE_ANY_EXHDR(t);
	int			cmp = memcmp(a, VARDATA_ANY(t), Min(alen, blen));

	return cmp != 0 ? cmp : (alen > blen) - (alen < blen);
}

/* A stored row's key (its first one or two columns, never NULL), to sort. */
typedef struct StoredKey
{
	text	   *key[2];
	uint64		row;
} StoredKey;

static int	sort_nkeys;

static int
key_cmp_stored(const void *a, const void *b)
{
	const StoredKey *x = a;
	const StoredKey *y = b;

	for (int k = 0; k < sort_nkeys; k++)
	{
		size_t		xlen = VARSIZE_ANY_EXHDR(x->key[k]);
		size_t		ylen = VARSIZE_ANY_EXHDR(y->key[k]);
		int			cmp = memcmp(VARDATA_ANY(x->key[k]), VARDATA_ANY(y->key[k]), Min(xlen, ylen));

		if (cmp != 0)
			return cmp;
		if (xlen != ylen)
			return xlen < ylen ? -1 : 1;
	}
	return 0;
}

/*
 * The stored rows in key order (byte order), sorted here rather than by the
 * query: a sort node copies every row of the period, this sorts pointers.
 */
static StoredKey *
stored_in_key_order(SPITupleTable *stored, uint64 nstored, int nkeys)
{
	StoredKey  *keys = palloc(sizeof(StoredKey) * Max(nstored, 1));

	for (uint64 s = 0; s < nstored; s++)
	{
		keys[s].row = s;
		for (int k = 0; k < nkeys; k++)
		{
			bool		isnull;
			Datum		d = heap_getattr(stored->vals[s], k + 1, stored->tupdesc, &isnull);

			if (isnull)
				elog(ERROR, "a stored result has no key");
			keys[s].key[k] = DatumGetTextPP(d);
		}
	}
	sort_nkeys = nkeys;
	qsort(keys, nstored, sizeof(StoredKey), key_cmp_stored);
	return keys;
}

/*
 * Compares the computed rows with the stored ones (the SPI result of a
 * stored_*_plan): marks in "insert" the rows that are new or differ, and
 * appends to "gone" (one array per key column) the keys of the stored rows
 * that differ or have no computed row.  Returns the number of rows to
 * insert.
 */

static int
compare_with_stored(const NewRows *rows, SPITupleTable *stored, uint64 nstored, bool *insert,
					Column *gone)
{
	TupleDesc	desc = stored->tupdesc;
	int		   *order = palloc(sizeof(int) * Max(rows->n, 1));
	int			i = 0;
	uint64		s = 0;
	uint64		deformed = PG_UINT64_MAX;	/* the stored row in vals/nulls */
	Datum	   *vals = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	int			ninsert = 0;
	StoredKey  *sorted = stored_in_key_order(stored, nstored, rows->nkeys);

	for (int r = 0; r < rows->n; r++)
		order[r] = r;
	sort_rows = rows;
	qsort(order, rows->n, sizeof(int), key_cmp_new);
	sort_rows = NULL;
	while (i < rows->n || s < nstored)
	{
		int			cmp = 0;

		if (s < nstored && deformed != s)
		{
			/* each stored row deformed once (not a column at a time) */
			heap_deform_tuple(stored->vals[sorted[s].row], desc, vals, nulls);
			deformed = s;
		}
		if (i >= rows->n)
			cmp = 1;
		else if (s >= nstored)
			cmp = -1;
		else
			for (int k = 0; k < rows->nkeys && cmp == 0; k++)
				cmp = cstring_text_cmp(rows->key[k][order[i]], vals[k]);
		if (cmp == 0)
		{
			int			r = order[i];
			bool		same = true;

			for (int j = 0; j < rows->ncols + rows->nconstants && same; j++)
				same = j < rows->ncols
					? same_value(rows->cols[j].type, rows->cols[j].values[r], rows->cols[j].nulls[r], vals[j], nulls[j])
					: same_value(rows->constant_types[j - rows->ncols], rows->constants[j - rows->ncols], false,
								 vals[j], nulls[j]);
			insert[r] = !same;
		}
		if (cmp < 0 || (cmp == 0 && insert[order[i]]))
		{
			insert[order[i]] = true;
			ninsert++;
		}
		if (cmp > 0 || (cmp == 0 && insert[order[i]]))
			for (int k = 0; k < rows->nkeys; k++)
				column_add(&gone[k], datumCopy(vals[k], false, -1), false);	/* outlives the SPI result */
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			s++;
	}
	return ninsert;
}

/* The array of the rows of a column marked in "keep". */
static Datum
column_array_of(Column *col, const bool *keep)
{
	Column		sub = *col;

	sub.values = palloc(sizeof(Datum) * Max(col->n, 1));
	sub.nulls = palloc(sizeof(bool) * Max(col->n, 1));
	sub.n = 0;
	for (int i = 0; i < col->n; i++)
		if (keep[i])
			column_add(&sub, col->values[i], col->nulls[i]);
	return column_array(&sub);
}

/*
 * Writes what changed of one table's rows of a period: the stored rows are
 * read (stored_plan), those that differ or went are deleted (delete_plan,
 * their keys after the three period arguments) and the new or different ones
 * inserted (insert_plan, the columns after "nargs" leading arguments).
 * Returns the number of rows deleted and inserted.
 */
static int64
write_changes(const NewRows *rows, SPIPlanPtr stored_plan, SPIPlanPtr delete_plan, SPIPlanPtr insert_plan,
			  Datum *args, int nargs, const char *what, const char *scheme)
{
	bool	   *insert = palloc0(sizeof(bool) * Max(rows->n, 1));
	Column		gone[2];
	int			ninsert;
	int64		changed = 0;
	MemoryContext period_cxt = CurrentMemoryContext;

	for (int k = 0; k < rows->nkeys; k++)
		column_init(&gone[k], TEXTOID, 0);
	if (SPI_execute_plan(stored_plan, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the stored %s of scheme \"%s\" failed", what, scheme);
	/* SPI returns in its procedure context: what follows is the period's */
	MemoryContextSwitchTo(period_cxt);
	{
		uint64		nstored = SPI_processed;
		SPITupleTable *stored = SPI_tuptable;

		for (int k = 0; k < rows->nkeys; k++)
		{
			gone[k].values = palloc(sizeof(Datum) * Max(nstored, 1));
			gone[k].nulls = palloc(sizeof(bool) * Max(nstored, 1));
		}
		ninsert = compare_with_stored(rows, stored, nstored, insert, gone);
		SPI_freetuptable(stored);
	}
	if (gone[0].n > 0)
	{
		Datum		del_args[5] = {args[0], args[1], args[2], 0, 0};

		for (int k = 0; k < rows->nkeys; k++)
			del_args[3 + k] = column_array(&gone[k]);
		if (SPI_execute_plan(delete_plan, del_args, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "replacing the %s of scheme \"%s\" failed", what, scheme);
		MemoryContextSwitchTo(period_cxt);
		changed += SPI_processed;
	}
	if (ninsert > 0)
	{
		for (int j = 0; j < rows->ncols; j++)
			args[nargs + j] = column_array_of(&rows->cols[j], insert);
		if (SPI_execute_plan(insert_plan, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "writing the %s of scheme \"%s\" failed", what, scheme);
		MemoryContextSwitchTo(period_cxt);
		changed += SPI_processed;
	}
	return changed;
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
	const Scored *s_ = s;
	Column		rcol[NRESULT];
	Column		ncol[NNODE];
	Datum		args[5 + NNODE];
	const char **codes = palloc(sizeof(char *) * Max(n, 1));
	const char **node_codes = palloc(sizeof(char *) * Max(n * nn, 1));
	const char **node_names = palloc(sizeof(char *) * Max(n * nn, 1));
	static const Oid constant_types[2] = {TEXTOID, TEXTOID};
	NewRows		region_rows = {0};
	NewRows		node_rows = {0};

	/* the region results */
	for (int j = 0; j < NRESULT; j++)
		column_init(&rcol[j], result_types[j], n);
	for (int i = 0; i < n; i++)
	{
		int			code = tree->region[i];
		int			parent = tree->parent_code[code];

		codes[i] = k->codes[code];
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
	region_rows.cols = rcol;
	region_rows.ncols = NRESULT;
	region_rows.nkeys = 1;
	region_rows.key[0] = codes;
	region_rows.n = n;
	region_rows.constants = &args[3];	/* version, status */
	region_rows.constant_types = constant_types;
	region_rows.nconstants = 2;
	c->rewritten += write_changes(&region_rows, c->stored_result_plan, c->delete_result_plan, c->result_plan,
								  args, 5, "results", k->scheme);
	c->written += n;

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

			node_codes[i * nn + node] = k->codes[tree->region[i]];
			node_names[i * nn + node] = nd->name;
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
				column_float(&ncol[N_EXPECTED], s_->expected[x]);
				column_float(&ncol[N_P_VALUE], s_->p_value[x]);
				column_text(&ncol[N_SIGNIFICANCE], s_->significance[x] < 0 ? NULL
							: excess_state_names[s_->significance[x]]);
				column_float(&ncol[N_SMOOTHED], s_->smoothed[x]);
			}
			else
			{
				for (int j = N_EVENTS; j <= N_RATIO; j++)
					column_float(&ncol[j], NAN);
				column_add(&ncol[N_STATUS], (Datum) 0, true);
				column_float(&ncol[N_EXPECTED], NAN);
				column_float(&ncol[N_P_VALUE], NAN);
				column_text(&ncol[N_SIGNIFICANCE], NULL);
				column_float(&ncol[N_SMOOTHED], NAN);
			}
			column_float(&ncol[N_SCORE], s);
			column_float(&ncol[N_POINTS], isnan(s) ? NAN : s * nd->weight);
		}
	}
	node_rows.cols = ncol;
	node_rows.ncols = NNODE;
	node_rows.nkeys = 2;
	node_rows.key[0] = node_codes;
	node_rows.key[1] = node_names;
	node_rows.n = n * nn;
	node_rows.nconstants = 0;
	c->rewritten += write_changes(&node_rows, c->stored_node_plan, c->delete_node_plan, c->node_plan,
								  args, 3, "indicator results", k->scheme);
}
