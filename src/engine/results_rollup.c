/*
 * results_rollup.c
 *		Rolling one period up its region tree: the cells of the period read
 *		once (own values per source, NaN for a source without a cell), then
 *		bottom-up, children in code order, the events of each region and
 *		everything below it, the residents it counts (the population rule,
 *		doc/engine.md), the leaf values and why a leaf has none, and whether
 *		every source of a leaf delivered the period.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

/* ---------------------------------------------------------------------
 * Completeness
 * --------------------------------------------------------------------- */

/*
 * Every source of a leaf delivered the local dates [from, to), or, for the
 * period in progress, [from, today]: its results are then provisional
 * (index_result.status), computed from every row so far.
 */
bool
leaf_delivered(const Kernel *k, const KLeaf *leaf, DateADT from, DateADT to)
{
	DateADT		last = Min(to - 1, k->today);

	for (int j = 0; j < leaf->nnum + leaf->nden; j++)
	{
		const KSource *s = &k->sources[j < leaf->nnum ? leaf->num[j] : leaf->den[j - leaf->nnum]];

		if (!(s->delivered_from <= from && s->delivered_through >= last))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Rolling a period up its region tree
 * --------------------------------------------------------------------- */

static int
source_of(const Kernel *k, const char *name)
{
	int			lo = 0,
				hi = k->nsources - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			cmp = strcmp(name, k->sources[mid].name);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * The cells of a period coded to regions of its tree: per position and
 * source, the cell's value (NaN where there is no cell or only NULLs), and
 * in *only_nulls whether there is a cell whose rows all had a NULL value.
 */
static double *
read_cells(Computation *c, Rollup *r, bool **only_nulls)
{
	Kernel	   *k = c->k;
	int			ns = k->nsources;
	double	   *own = palloc(sizeof(double) * Max(r->tree.n * ns, 1));
	bool	   *nulls = palloc0(sizeof(bool) * Max(r->tree.n * ns, 1));
	Datum		values[3] = {CStringGetTextDatum(k->scheme), CStringGetTextDatum(k->period),
							 DateADTGetDatum(r->start)};

	MemoryContext period_cxt = CurrentMemoryContext;

	for (int i = 0; i < r->tree.n * ns; i++)
		own[i] = NAN;
	if (SPI_execute_plan(c->cells_plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the cells of scheme \"%s\" failed", k->scheme);
	/* SPI returns in its procedure context: what follows is the period's */
	MemoryContextSwitchTo(period_cxt);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *code = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
		char	   *source = TextDatumGetCString(SPI_getbinval(tuple, desc, 2, &isnull));
		Datum		value = SPI_getbinval(tuple, desc, 3, &isnull);
		int			region = kernel_code(k, code);
		int			s = source_of(k, source);
		int			i;

		if (region < 0 || s < 0)
			continue;			/* unknown code, unread source */
		i = r->tree.slot[region];
		if (i < 0)
			continue;
		if (isnull)
			nulls[i * ns + s] = true;	/* rows, but only NULL values */
		else
			own[i * ns + s] = DatumGetFloat8(value);
	}
	SPI_freetuptable(SPI_tuptable);
	*only_nulls = nulls;
	return own;
}

/* The own population figure of a region in the month of a date, or NaN. */
static double
own_figure(const Computation *c, int code, DateADT at)
{
	int			month;
	int			y,
				m,
				d,
				y0,
				m0,
				d0;

	j2date(at + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	j2date(c->population_first + POSTGRES_EPOCH_JDATE, &y0, &m0, &d0);
	month = (y - y0) * 12 + (m - m0);
	if (month < 0 || month >= c->population_months)
		return NAN;
	return c->population[month * c->k->ncodes + code];
}

/*
 * The value of a leaf from its sums; NaN with the status when it has none.
 * A sum whose rows all had a NULL measured value (seen: num_seen, or
 * counted_seen for a rate) is no value, never 0.
 */
static double
leaf_value(const KLeaf *leaf, double num_all, double den_all, double num_counted,
		   double exposure, bool own_has, double own_num, uint8 seen, uint8 *status)
{
	bool		is_null;
	double		value;

	if (leaf->measure != 'v' && ONLY_NULLS(seen) && !(leaf->measure == 'r' && isnan(exposure)))
	{
		*status = LEAF_NO_VALUE;
		return NAN;
	}
	switch (leaf->measure)
	{
		case 'r':
			if (isnan(exposure))
			{
				*status = LEAF_NO_RESIDENTS;
				return NAN;
			}
			value = rate_of(num_counted, exposure, leaf->per, &is_null);
			if (is_null)
				*status = LEAF_NO_RESIDENTS;
			return is_null ? NAN : value;
		case 'c':
			return num_all;
		case 'q':
			if (den_all == 0)
			{
				*status = LEAF_NO_DENOMINATOR;
				return NAN;
			}
			if (den_all < leaf->min_denominator)
			{
				*status = LEAF_BELOW_MIN_DENOMINATOR;
				return NAN;
			}
			return finite_result(num_all / den_all * leaf->per, "ratio");
		default:				/* 'v': the region's own value */
			if (!own_has)
				*status = LEAF_NO_VALUE;
			return own_has ? own_num : NAN;
	}
}

/*
 * Rolls a period up its tree: own cells, then bottom-up (positions in
 * reverse) the sums below each region, the population rule, leaf values.
 */
void
roll_up(Computation *c, Rollup *r)
{
	Kernel	   *k = c->k;
	KVersion   *v = c->v;
	int			nl = v->nleaves;
	int			ns = k->nsources;
	int			n;
	double	   *own;
	bool	   *own_nulls;

	tree_at(k, r->start, &r->tree);
	n = r->tree.n;
	own = read_cells(c, r, &own_nulls);
	r->num_all = palloc0(sizeof(double) * Max(n * nl, 1));
	r->den_all = palloc0(sizeof(double) * Max(n * nl, 1));
	r->num_counted = palloc0(sizeof(double) * Max(n * nl, 1));
	r->own_num = palloc0(sizeof(double) * Max(n * nl, 1));
	r->own_has = palloc0(sizeof(bool) * Max(n * nl, 1));
	r->num_seen = palloc0(sizeof(uint8) * Max(n * nl, 1));
	r->counted_seen = palloc0(sizeof(uint8) * Max(n * nl, 1));
	r->value = palloc(sizeof(double) * Max(n * nl, 1));
	r->status = palloc0(sizeof(uint8) * Max(n * nl, 1));
	r->exposure = palloc(sizeof(double) * Max(n, 1));
	r->missing = palloc0(sizeof(int) * Max(n, 1));
	r->complete = palloc(sizeof(bool) * Max(nl, 1));
	for (int l = 0; l < nl; l++)
		r->complete[l] = leaf_delivered(k, &v->leaves[l], r->start, r->end);

	for (int i = n - 1; i >= 0; i--)
	{
		int			first = r->tree.first_child[i];
		int			last = first + r->tree.nchildren[i];
		double		figure = own_figure(c, r->tree.region[i], r->start);
		double		child_exposure = 0;
		bool		child_has_exposure = false;
		int			child_missing = 0;

		/* the population rule: own figure, else the children's */
		for (int ch = first; ch < last; ch++)
		{
			if (!isnan(r->exposure[ch]))
			{
				child_exposure += r->exposure[ch];
				child_has_exposure = true;
			}
			child_missing += r->missing[ch];
		}
		r->exposure[i] = !isnan(figure) ? figure : child_has_exposure ? child_exposure : NAN;
		r->missing[i] = !isnan(figure) ? 0 : (last == first) ? 1 : child_missing;

		for (int l = 0; l < nl; l++)
		{
			const KLeaf *leaf = &v->leaves[l];
			int			x = i * nl + l;
			double		own_num = 0,
						own_den = 0,
						ch_num = 0,
						ch_den = 0,
						ch_counted = 0;
			bool		own_has = false;
			uint8		own_seen = 0,
						ch_seen = 0,
						ch_counted_seen = 0;

			/* sources in the order the indicator names them */
			for (int j = 0; j < leaf->nnum; j++)
			{
				double		cell = own[i * ns + leaf->num[j]];

				if (!isnan(cell))
				{
					own_num += cell;
					own_has = true;
					own_seen |= SEEN_VALUE;
				}
				else if (own_nulls[i * ns + leaf->num[j]])
					own_seen |= SEEN_NULL;
			}
			for (int j = 0; j < leaf->nden; j++)
			{
				double		cell = own[i * ns + leaf->den[j]];

				if (!isnan(cell))
					own_den += cell;
			}
			/* children in code order */
			for (int ch = first; ch < last; ch++)
			{
				ch_num += r->num_all[ch * nl + l];
				ch_den += r->den_all[ch * nl + l];
				ch_counted += r->num_counted[ch * nl + l];
				ch_seen |= r->num_seen[ch * nl + l];
				ch_counted_seen |= r->counted_seen[ch * nl + l];
			}
			r->own_num[x] = own_num;
			r->own_has[x] = own_has;
			r->num_all[x] = own_num + ch_num;
			r->den_all[x] = own_den + ch_den;
			r->num_counted[x] = !isnan(figure) ? r->num_all[x]
				: child_has_exposure ? own_num + ch_counted : 0;
			r->num_seen[x] = own_seen | ch_seen;
			r->counted_seen[x] = !isnan(figure) ? r->num_seen[x]
				: child_has_exposure ? own_seen | ch_counted_seen : 0;

			r->status[x] = LEAF_SCORED;
			if (!r->complete[l])
			{
				r->status[x] = LEAF_NO_DATA;
				r->value[x] = NAN;
			}
			else
				r->value[x] = leaf_value(leaf, r->num_all[x], r->den_all[x], r->num_counted[x],
										 r->exposure[i], own_has, own_num,
										 leaf->measure == 'r' ? r->counted_seen[x] : r->num_seen[x],
										 &r->status[x]);
		}
	}
	pfree(own);
	pfree(own_nulls);
}
