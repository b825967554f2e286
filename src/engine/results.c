/*
 * results.c
 *		compute_results(scheme, period, starts): the results kernel.  Every
 *		result of a set of periods of one kind, computed in memory from the
 *		scheme's cells in one pass per period, and written with one bulk
 *		INSERT per table and period.
 *
 * For each version of the scheme, the periods it needs (those asked, and
 * those their baselines read) are taken in date order; each is rolled up
 * its region tree (results_tree.c) from the cells: the events of a region
 * and everything below it, the residents it counts (the population rule,
 * doc/engine.md) and the leaf values.  A period asked for is then scored:
 * baselines, scores, inner nodes, the index, its published rounding, the
 * grade and the ranks; a period only read by baselines is kept (values by
 * region code) or pooled (sums per calendar year) as long as needed.
 *
 * Every sum runs in an order fixed by the data -- sources in name order,
 * children in code order, periods in date order, nodes in name order --
 * so that the same cells always give the same bits, whatever plan read
 * them and whatever history of refreshes wrote them.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

const char *const leaf_status_names[] = {
	"scored", "insufficient_data", "no_residents", "no_denominator",
	"below_min_denominator", "no_value", "no_baseline", "not_scorable"
};

/* Coverage and min_coverage compare with this tolerance (1/3 * 3 < 1). */
#define COVERAGE_TOLERANCE 1e-9

/* A period a version needs, and why. */
typedef struct Needed
{
	DateADT		start;
	bool		asked;			/* its results are computed */
	bool		kept;			/* a same-period or previous-period baseline reads it */
	int			uses;			/* asked periods reading it, while kept */
} Needed;

/* A period rolled up: arrays by tree position i and leaf l (i * nleaves + l). */
typedef struct Rollup
{
	DateADT		start;
	DateADT		end;			/* the first day after it */
	KTree		tree;
	double	   *num_all;		/* numerator sources at and below the region */
	double	   *den_all;		/* denominator sources at and below */
	double	   *num_counted;	/* numerator of the residents counted */
	double	   *own_num;		/* numerator sources coded to the region itself */
	bool	   *own_has;		/* some own numerator cell has a value */
	double	   *exposure;		/* by position: residents counted, NaN for none */
	int		   *missing;		/* by position: lowest-level regions without a figure */
	double	   *value;			/* the leaf value, NaN for none */
	uint8	   *status;			/* LeafStatus */
	bool	   *complete;		/* by leaf: every source delivered the whole period */
} Rollup;

/* Values of a kept period by region code: ncodes x nleaves, NaN for none. */
typedef struct Kept
{
	DateADT		start;
	double	   *value;
	int			uses;
} Kept;

/* Sums of a calendar year's periods for prior-years baselines, by code. */
typedef struct YearPool
{
	int			year;
	double	   *num_counted;	/* ncodes x nleaves */
	double	   *exposure;
	bool	   *has_exposure;
	double	   *num_all;
	double	   *den_all;
	double	   *value_sum;
	int		   *periods;		/* periods the region was in the tree */
	int		   *values;			/* periods with a value */
} YearPool;

/* The state of one version's computation. */
typedef struct Computation
{
	Kernel	   *k;
	KVersion   *v;
	PeriodKind	kind;
	Needed	   *needed;
	int			nneeded;
	Kept	   *kept;
	int			nkept;
	YearPool   *pools;
	int			npools;
	double	   *population;		/* months x ncodes, NaN for no figure */
	DateADT		population_first;
	int			population_months;
	SPIPlanPtr	cells_plan;
	SPIPlanPtr	result_plan;
	SPIPlanPtr	node_plan;
	int64		written;
} Computation;

/* ---------------------------------------------------------------------
 * Completeness
 * --------------------------------------------------------------------- */

/*
 * Every source of a leaf delivered the local dates [from, to), or, for the
 * period in progress, [from, today]: its results are then provisional
 * (index_result.status), computed from every row so far.
 */
static bool
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
 * The periods a version needs
 * --------------------------------------------------------------------- */

static int
needed_cmp(const void *a, const void *b)
{
	DateADT		x = ((const Needed *) a)->start;
	DateADT		y = ((const Needed *) b)->start;

	return x < y ? -1 : x > y;
}

static void
need(Needed **list, int *n, int *cap, DateADT start, bool asked, bool kept)
{
	if (*n == *cap)
	{
		*cap *= 2;
		*list = repalloc(*list, sizeof(Needed) * (*cap));
	}
	(*list)[*n].start = start;
	(*list)[*n].asked = asked;
	(*list)[*n].kept = kept;
	(*list)[*n].uses = kept ? 1 : 0;
	(*n)++;
}

/*
 * The periods asked for, the periods their same-period-last-year and
 * previous-period baselines read (kept), and every period of the years
 * their prior-years baselines pool; in date order, each once.
 */
static void
plan_periods(Computation *c, const DateADT *asked, int nasked)
{
	KVersion   *v = c->v;
	bool		last_year = false,
				previous = false;
	int			pool_years = 0;
	int			cap = Max(nasked * 2, 16);
	int			n = 0;
	Needed	   *list = palloc(sizeof(Needed) * cap);
	int			out = 0;

	for (int l = 0; l < v->nleaves; l++)
	{
		last_year |= v->leaves[l].baseline == 'y';
		previous |= v->leaves[l].baseline == 'b';
		if (v->leaves[l].baseline == 'p')
			pool_years = Max(pool_years, v->leaves[l].baseline_years);
	}
	for (int i = 0; i < nasked; i++)
	{
		DateADT		p = asked[i];

		need(&list, &n, &cap, p, true, false);
		if (last_year)
			need(&list, &n, &cap, date_add_months(p, -12), false, true);
		if (previous)
			need(&list, &n, &cap, period_add(c->kind, p, -1), false, true);
		if (pool_years > 0)
		{
			DateADT		to = period_trunc(PERIOD_YEAR, p);

			for (DateADT q = date_add_months(to, -12 * pool_years); q < to; q = period_add(c->kind, q, 1))
				need(&list, &n, &cap, q, false, false);
		}
	}
	qsort(list, n, sizeof(Needed), needed_cmp);
	for (int i = 0; i < n; i++)
	{
		if (out > 0 && list[out - 1].start == list[i].start)
		{
			list[out - 1].asked |= list[i].asked;
			list[out - 1].kept |= list[i].kept;
			list[out - 1].uses += list[i].uses;
		}
		else
			list[out++] = list[i];
	}
	c->needed = list;
	c->nneeded = out;
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
 * source, the cell's value (NaN where there is no cell or only NULLs).
 */
static double *
read_cells(Computation *c, Rollup *r)
{
	Kernel	   *k = c->k;
	int			ns = k->nsources;
	double	   *own = palloc(sizeof(double) * Max(r->tree.n * ns, 1));
	Datum		values[3] = {CStringGetTextDatum(k->scheme), CStringGetTextDatum(k->period),
							 DateADTGetDatum(r->start)};

	for (int i = 0; i < r->tree.n * ns; i++)
		own[i] = NAN;
	if (SPI_execute_plan(c->cells_plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the cells of scheme \"%s\" failed", k->scheme);
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

		if (region < 0 || s < 0 || isnull)
			continue;			/* unknown code, unread source, only NULLs */
		i = r->tree.slot[region];
		if (i >= 0)
			own[i * ns + s] = DatumGetFloat8(value);
	}
	SPI_freetuptable(SPI_tuptable);
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

static double
leaf_value(const KLeaf *leaf, double num_all, double den_all, double num_counted,
		   double exposure, bool own_has, double own_num, uint8 *status)
{
	bool		is_null;
	double		value;

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
static void
roll_up(Computation *c, Rollup *r)
{
	Kernel	   *k = c->k;
	KVersion   *v = c->v;
	int			nl = v->nleaves;
	int			ns = k->nsources;
	int			n;
	double	   *own;

	tree_at(k, r->start, &r->tree);
	n = r->tree.n;
	own = read_cells(c, r);
	r->num_all = palloc0(sizeof(double) * Max(n * nl, 1));
	r->den_all = palloc0(sizeof(double) * Max(n * nl, 1));
	r->num_counted = palloc0(sizeof(double) * Max(n * nl, 1));
	r->own_num = palloc0(sizeof(double) * Max(n * nl, 1));
	r->own_has = palloc0(sizeof(bool) * Max(n * nl, 1));
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

			/* sources in the order the indicator names them */
			for (int j = 0; j < leaf->nnum; j++)
			{
				double		cell = own[i * ns + leaf->num[j]];

				if (!isnan(cell))
				{
					own_num += cell;
					own_has = true;
				}
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
			}
			r->own_num[x] = own_num;
			r->own_has[x] = own_has;
			r->num_all[x] = own_num + ch_num;
			r->den_all[x] = own_den + ch_den;
			r->num_counted[x] = !isnan(figure) ? r->num_all[x]
				: child_has_exposure ? own_num + ch_counted : 0;

			r->status[x] = LEAF_SCORED;
			if (!r->complete[l])
			{
				r->status[x] = LEAF_NO_DATA;
				r->value[x] = NAN;
			}
			else
				r->value[x] = leaf_value(leaf, r->num_all[x], r->den_all[x], r->num_counted[x],
										 r->exposure[i], own_has, own_num, &r->status[x]);
		}
	}
	pfree(own);
}

/* ---------------------------------------------------------------------
 * Baselines: kept periods and yearly pools
 * --------------------------------------------------------------------- */

static void
keep_values(Computation *c, const Rollup *r, int uses)
{
	Kernel	   *k = c->k;
	int			nl = c->v->nleaves;
	Kept	   *kept;

	c->kept = c->nkept == 0 ? palloc(sizeof(Kept)) : repalloc(c->kept, sizeof(Kept) * (c->nkept + 1));
	kept = &c->kept[c->nkept++];
	kept->start = r->start;
	kept->uses = uses;
	kept->value = palloc(sizeof(double) * Max(k->ncodes * nl, 1));
	for (int i = 0; i < k->ncodes * nl; i++)
		kept->value[i] = NAN;
	for (int i = 0; i < r->tree.n; i++)
		memcpy(&kept->value[r->tree.region[i] * nl], &r->value[i * nl], sizeof(double) * nl);
}

/* The kept value of a region code in a period (NaN if none); one use. */
static double
kept_value(Computation *c, DateADT start, int code, int l)
{
	for (int j = 0; j < c->nkept; j++)
		if (c->kept[j].start == start && c->kept[j].value != NULL)
			return c->kept[j].value[code * c->v->nleaves + l];
	return NAN;
}

/* Frees kept periods no asked period still reads. */
static void
release_kept(Computation *c, DateADT start)
{
	for (int j = 0; j < c->nkept; j++)
		if (c->kept[j].start == start && c->kept[j].value != NULL && --c->kept[j].uses <= 0)
		{
			pfree(c->kept[j].value);
			c->kept[j].value = NULL;
		}
}

static YearPool *
pool_of(Computation *c, int year, bool create)
{
	int			cells = c->k->ncodes * c->v->nleaves;
	YearPool   *p;

	for (int j = 0; j < c->npools; j++)
		if (c->pools[j].year == year)
			return &c->pools[j];
	if (!create)
		return NULL;
	c->pools = c->npools == 0 ? palloc(sizeof(YearPool)) : repalloc(c->pools, sizeof(YearPool) * (c->npools + 1));
	p = &c->pools[c->npools++];
	p->year = year;
	p->num_counted = palloc0(sizeof(double) * Max(cells, 1));
	p->exposure = palloc0(sizeof(double) * Max(cells, 1));
	p->has_exposure = palloc0(sizeof(bool) * Max(cells, 1));
	p->num_all = palloc0(sizeof(double) * Max(cells, 1));
	p->den_all = palloc0(sizeof(double) * Max(cells, 1));
	p->value_sum = palloc0(sizeof(double) * Max(cells, 1));
	p->periods = palloc0(sizeof(int) * Max(cells, 1));
	p->values = palloc0(sizeof(int) * Max(cells, 1));
	return p;
}

/* Adds a period to its year's pool (periods come in date order). */
static void
pool_period(Computation *c, const Rollup *r)
{
	int			nl = c->v->nleaves;
	YearPool   *p = pool_of(c, date_year(r->start), true);

	for (int i = 0; i < r->tree.n; i++)
	{
		for (int l = 0; l < nl; l++)
		{
			int			x = i * nl + l;
			int			y = r->tree.region[i] * nl + l;

			if (c->v->leaves[l].baseline != 'p')
				continue;
			p->num_counted[y] += r->num_counted[x];
			if (!isnan(r->exposure[i]))
			{
				p->exposure[y] += r->exposure[i];
				p->has_exposure[y] = true;
			}
			p->num_all[y] += r->num_all[x];
			p->den_all[y] += r->den_all[x];
			p->periods[y]++;
			if (r->own_has[x])
			{
				p->value_sum[y] += r->own_num[x];
				p->values[y]++;
			}
		}
	}
}

/*
 * A prior-years baseline: the region's pooled value over the N calendar
 * years before the period's (rate of the summed events and residents, mean
 * count, ratio of sums, mean own value); NaN unless every source of the
 * leaf delivered all of those years and the region was there.
 */
static double
pooled_baseline(Computation *c, const KLeaf *leaf, int l, int code, DateADT start)
{
	int			year = date_year(start);
	int			y = code * c->v->nleaves + l;
	double		num_counted = 0,
				exposure = 0,
				num_all = 0,
				den_all = 0,
				value_sum = 0;
	bool		has_exposure = false;
	int			periods = 0,
				values = 0;
	bool		is_null;
	double		value;

	if (!leaf_delivered(c->k, leaf, year_start(year - leaf->baseline_years), year_start(year)))
		return NAN;
	for (int py = year - leaf->baseline_years; py < year; py++)
	{
		YearPool   *p = pool_of(c, py, false);

		if (p == NULL)
			continue;
		num_counted += p->num_counted[y];
		if (p->has_exposure[y])
		{
			exposure += p->exposure[y];
			has_exposure = true;
		}
		num_all += p->num_all[y];
		den_all += p->den_all[y];
		value_sum += p->value_sum[y];
		periods += p->periods[y];
		values += p->values[y];
	}
	if (periods == 0)
		return NAN;
	switch (leaf->measure)
	{
		case 'r':
			if (!has_exposure)
				return NAN;
			value = rate_of(num_counted, exposure, leaf->per, &is_null);
			return is_null ? NAN : value;
		case 'c':
			return num_all / periods;
		case 'q':
			return den_all > 0 ? num_all / den_all * leaf->per : NAN;
		default:
			return values > 0 ? value_sum / values : NAN;
	}
}

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

static void
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

/* ---------------------------------------------------------------------
 * Scoring a period asked for
 * --------------------------------------------------------------------- */

typedef struct RankKey
{
	int			group;			/* parent position or depth */
	double		index;
	int			position;
} RankKey;

static int
rank_cmp(const void *a, const void *b)
{
	const RankKey *x = a;
	const RankKey *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->index != y->index)
		return x->index > y->index ? -1 : 1;
	return x->position < y->position ? -1 : x->position > y->position;
}

/*
 * Competition ranks (1 = highest, ties share a rank) of the published
 * indices within groups; positions without an index get none (0).
 */
static void
rank_within(const KTree *tree, const double *index, bool by_parent, int *rank)
{
	RankKey    *keys = palloc(sizeof(RankKey) * Max(tree->n, 1));
	int			n = 0;

	for (int i = 0; i < tree->n; i++)
	{
		rank[i] = 0;
		if (isnan(index[i]))
			continue;
		keys[n].group = by_parent ? tree->parent[i] : tree->depth[i];
		keys[n].index = index[i];
		keys[n].position = i;
		n++;
	}
	qsort(keys, n, sizeof(RankKey), rank_cmp);
	for (int j = 0, group_start = 0; j < n; j++)
	{
		if (j > 0 && keys[j].group != keys[j - 1].group)
			group_start = j;
		if (j > group_start && keys[j].index == keys[j - 1].index)
			rank[keys[j].position] = rank[keys[j - 1].position];
		else
			rank[keys[j].position] = j - group_start + 1;
	}
	pfree(keys);
}

/* The position whose value is a leaf's baseline for position i, or -1. */
static int
base_position(const KTree *tree, int i, const KLeaf *leaf)
{
	switch (leaf->baseline_of)
	{
		case 's':
			return i;
		case 'p':
			return tree->parent[i] >= 0 ? tree->parent[i] : i;
		default:
			return tree_ancestor(tree, i, Min(tree->depth[i], leaf->baseline_depth));
	}
}

/* The baseline of a leaf at position i of a period asked for, or NaN. */
static double
baseline_of(Computation *c, const Rollup *r, int i, int l)
{
	const KLeaf *leaf = &c->v->leaves[l];
	int			b = base_position(&r->tree, i, leaf);
	int			code;

	if (b < 0)
		return NAN;
	code = r->tree.region[b];
	switch (leaf->baseline)
	{
		case 'y':
			return kept_value(c, date_add_months(r->start, -12), code, l);
		case 'b':
			return kept_value(c, period_add(c->kind, r->start, -1), code, l);
		case 'p':
			return pooled_baseline(c, leaf, l, code, r->start);
		default:
			return NAN;
	}
}

/* Scores the leaves of a period asked for: baselines, rules, rounding. */
static void
score_leaves(Computation *c, Rollup *r, double *baseline, double *score)
{
	KVersion   *v = c->v;
	int			n = r->tree.n;
	int			nl = v->nleaves;
	int			nn = v->nnodes;
	int			ndepths = r->tree.max_depth + 1;
	GroupStats *groups = palloc0(sizeof(GroupStats) * Max(nl * ndepths, 1));

	/* the values scored together: a leaf's values at one depth, in tree order */
	for (int l = 0; l < nl; l++)
		if (v->leaves[l].rule->needs_group)
			for (int i = 0; i < n; i++)
				if (!isnan(r->value[i * nl + l]))
					groupstats_add_value(&groups[l * ndepths + r->tree.depth[i]], r->value[i * nl + l]);

	for (int i = 0; i < n; i++)
	{
		for (int l = 0; l < nl; l++)
		{
			const KLeaf *leaf = &v->leaves[l];
			int			x = i * nl + l;
			ScoringInput in;
			bool		is_null;
			double		s;

			baseline[x] = leaf->baseline != 'n' ? baseline_of(c, r, i, l) : NAN;
			score[i * nn + leaf->node] = NAN;
			if (isnan(r->value[x]))
				continue;
			in.value = r->value[x];
			in.baseline = isnan(baseline[x]) ? 0 : baseline[x];
			in.has_baseline = !isnan(baseline[x]);
			in.higher_is_better = leaf->higher_is_better;
			in.group = leaf->rule->needs_group ? &groups[l * ndepths + r->tree.depth[i]] : NULL;
			s = leaf->rule->score(&in, &leaf->args, &is_null);
			if (is_null)
			{
				r->status[x] = (leaf->baseline != 'n' && !in.has_baseline) ? LEAF_NO_BASELINE : LEAF_NOT_SCORABLE;
				continue;
			}
			s = finite_result(s, "indicator score");
			score[i * nn + leaf->node] = v->score_decimals >= 0 ? round_published(s, v->score_decimals) : s;
		}
	}
	pfree(groups);
}

/* Inner nodes, deepest first (nodes run parents before children). */
static void
score_inner_nodes(const KVersion *v, int n, double *score)
{
	int			nn = v->nnodes;

	for (int i = 0; i < n; i++)
	{
		for (int node = nn - 1; node >= 0; node--)
		{
			const KNode *nd = &v->nodes[node];
			IndexSum	sum = {0};
			bool		is_null;
			double		mean;

			if (nd->leaf >= 0)
				continue;
			for (int j = 0; j < nd->nchildren; j++)
			{
				double		s = score[i * nn + nd->children[j]];

				indexsum_add_score(&sum, isnan(s) ? 0 : s, !isnan(s), v->nodes[nd->children[j]].weight);
			}
			mean = indexsum_mean(&sum, nd->geometric, 0, &is_null);
			score[i * nn + node] = is_null ? NAN : mean;
		}
	}
}

/*
 * The index of position i: the version's aggregation of its level-1 nodes
 * times its total, when the scored leaf weight reaches min_coverage; and
 * that coverage.
 */
static double
index_of(const KVersion *v, const double *score, int i, double *coverage)
{
	int			nn = v->nnodes;
	IndexSum	top = {0};
	double		scored = 0;
	bool		is_null;
	double		mean;

	for (int l = 0; l < v->nleaves; l++)
		if (!isnan(score[i * nn + v->leaves[l].node]))
			scored += v->nodes[v->leaves[l].node].weight;
	*coverage = scored / v->total;
	for (int node = 0; node < nn; node++)
	{
		double		s = score[i * nn + node];

		if (v->nodes[node].parent < 0)
			indexsum_add_score(&top, isnan(s) ? 0 : s, !isnan(s), v->nodes[node].weight);
	}
	mean = indexsum_mean(&top, v->geometric, 0, &is_null);
	if (is_null || !(*coverage > 0) || *coverage < v->min_coverage - COVERAGE_TOLERANCE)
		return NAN;
	return finite_result(mean * v->total, "index");
}

/* Scores a period asked for and writes its region and node results. */
static void
score_period(Computation *c, Rollup *r)
{
	Kernel	   *k = c->k;
	KVersion   *v = c->v;
	KTree	   *tree = &r->tree;
	int			n = tree->n;
	int			nl = v->nleaves;
	int			nn = v->nnodes;
	double	   *baseline = palloc(sizeof(double) * Max(n * nl, 1));
	double	   *score = palloc(sizeof(double) * Max(n * nn, 1));
	double	   *unrounded = palloc(sizeof(double) * Max(n, 1));
	double	   *index = palloc(sizeof(double) * Max(n, 1));
	double	   *coverage = palloc(sizeof(double) * Max(n, 1));
	int		   *rank_siblings = palloc(sizeof(int) * Max(n, 1));
	int		   *rank_level = palloc(sizeof(int) * Max(n, 1));
	bool		complete = true;
	Column		rcol[NRESULT];
	Column		ncol[NNODE];
	Datum		args[5 + NNODE];

	score_leaves(c, r, baseline, score);
	score_inner_nodes(v, n, score);
	for (int i = 0; i < n; i++)
	{
		unrounded[i] = index_of(v, score, i, &coverage[i]);
		index[i] = isnan(unrounded[i]) ? NAN : round_published(unrounded[i], v->index_decimals);
	}
	rank_within(tree, index, true, rank_siblings);
	rank_within(tree, index, false, rank_level);
	for (int l = 0; l < nl; l++)
		complete &= r->complete[l];

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
	args[4] = CStringGetTextDatum(complete ? "complete" : "incomplete");
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

				column_float(&ncol[N_EVENTS], leaf->measure == 'v'
							 ? (r->own_has[x] ? r->own_num[x] : NAN) : r->num_all[x]);
				column_float(&ncol[N_COUNTED], leaf->measure == 'v' ? NAN : r->num_counted[x]);
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

/* ---------------------------------------------------------------------
 * One version, then the entry point
 * --------------------------------------------------------------------- */

static void
compute_version(Computation *c, const DateADT *asked, int nasked)
{
	Kernel	   *k = c->k;
	bool		pooling = false;
	MemoryContext per_period = AllocSetContextCreate(CurrentMemoryContext, "safeidx results period",
													 ALLOCSET_DEFAULT_SIZES);
	Oid			cell_types[3] = {TEXTOID, TEXTOID, DATEOID};

	for (int l = 0; l < c->v->nleaves; l++)
		pooling |= c->v->leaves[l].baseline == 'p';
	plan_periods(c, asked, nasked);
	c->population_first = period_trunc(PERIOD_MONTH, c->needed[0].start);
	c->population = kernel_population(k, c->population_first,
									  period_trunc(PERIOD_MONTH, c->needed[c->nneeded - 1].start),
									  &c->population_months);
	c->cells_plan = SPI_prepare(psprintf(
		"SELECT c.region_code, c.source, c.value FROM %1$s.cell c"
		" WHERE c.scheme = $1 AND c.period = $2 AND c.period_start = $3 AND c.region_code IS NOT NULL",
		SCHEMA_NAME), 3, cell_types);
	if (c->cells_plan == NULL)
		elog(ERROR, "preparing the results kernel's cell query failed: %s", SPI_result_code_string(SPI_result));
	prepare_writes(c);

	for (int q = 0; q < c->nneeded; q++)
	{
		Needed	   *p = &c->needed[q];
		Rollup		r = {0};
		MemoryContext outer = MemoryContextSwitchTo(per_period);

		CHECK_FOR_INTERRUPTS();
		r.start = p->start;
		r.end = period_add(c->kind, p->start, 1);
		roll_up(c, &r);
		MemoryContextSwitchTo(outer);
		if (p->kept)
			keep_values(c, &r, p->uses);
		if (pooling)
			pool_period(c, &r);
		if (p->asked)
		{
			bool		last_year = false,
						previous = false;

			MemoryContextSwitchTo(per_period);
			score_period(c, &r);
			MemoryContextSwitchTo(outer);
			for (int l = 0; l < c->v->nleaves; l++)
			{
				last_year |= c->v->leaves[l].baseline == 'y';
				previous |= c->v->leaves[l].baseline == 'b';
			}
			if (last_year)
				release_kept(c, date_add_months(r.start, -12));
			if (previous)
				release_kept(c, period_add(c->kind, r.start, -1));
		}
		MemoryContextReset(per_period);
	}
	MemoryContextDelete(per_period);
}

static int
start_cmp(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return x < y ? -1 : x > y;
}

/*
 * compute_results(scheme, period, starts): recomputes the results of the
 * given period starts of one kind, each with the version in force at its
 * start (none: no result); returns the number of region results written.
 */
PG_FUNCTION_INFO_V1(compute_results);
Datum
compute_results(PG_FUNCTION_ARGS)
{
	char	   *scheme = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *period = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(2);
	PeriodKind	kind = period_kind_from_name(period);
	Datum	   *elems;
	bool	   *nulls;
	int			nstarts;
	int			n = 0;
	DateADT    *starts;
	Kernel		k = {0};
	KVersion   *versions;
	int			nversions;
	int64		written = 0;
	Oid			del_types[3] = {TEXTOID, TEXTOID, DATEARRAYOID};
	Datum		del_args[3];

	deconstruct_array(array, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elems, &nulls, &nstarts);
	starts = palloc(sizeof(DateADT) * Max(nstarts, 1));
	for (int i = 0; i < nstarts; i++)
	{
		DateADT		d;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a period start to compute is NULL")));
		d = DatumGetDateADT(elems[i]);
		if (DATE_NOT_FINITE(d) || period_trunc(kind, d) != d)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s is not the start of a %s", DatumGetCString(DirectFunctionCall1(date_out, elems[i])),
							period)));
		starts[i] = d;
	}
	qsort(starts, nstarts, sizeof(DateADT), start_cmp);
	for (int i = 0; i < nstarts; i++)
		if (n == 0 || starts[n - 1] != starts[i])
			starts[n++] = starts[i];

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	SCHEMA_NAME = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	kernel_load_scheme(&k, scheme, period);
	nversions = kernel_load_versions(&k, &versions);

	del_args[0] = CStringGetTextDatum(scheme);
	del_args[1] = CStringGetTextDatum(period);
	del_args[2] = PointerGetDatum(construct_array(elems, nstarts, DATEOID, sizeof(DateADT), true, TYPALIGN_INT));
	for (int t = 0; t < 2; t++)
		if (SPI_execute_with_args(psprintf("DELETE FROM %s.%s r WHERE r.scheme = $1 AND r.period = $2"
										   " AND r.period_start = ANY ($3)", SCHEMA_NAME,
										   t == 0 ? "result" : "result_node"),
								  3, del_types, del_args, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "deleting the results to recompute failed");

	for (int j = 0; j < nversions; j++)
	{
		Computation c = {0};
		DateADT    *asked = palloc(sizeof(DateADT) * Max(n, 1));
		int			nasked = 0;

		for (int i = 0; i < n; i++)
			if (versions[j].valid_from <= starts[i] && starts[i] < versions[j].valid_to)
				asked[nasked++] = starts[i];
		if (nasked == 0)
			continue;
		c.k = &k;
		c.v = &versions[j];
		c.kind = kind;
		compute_version(&c, asked, nasked);
		written += c.written;
	}
	SPI_finish();
	SCHEMA_NAME = NULL;
	PG_RETURN_INT64(written);
}
