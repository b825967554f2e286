/*
 * results.c
 *		compute_results(scheme, period, starts): the results kernel.  Every
 *		result of a set of periods of one kind, computed in memory from the
 *		scheme's cells in one pass per period, and written with one bulk
 *		INSERT per table and period.
 *
 * For each version of the scheme, the periods it needs (those asked, and
 * those their baselines read) are taken in date order; each is rolled up
 * its region tree (results_tree.c, results_rollup.c) from the cells: the
 * events of a region and everything below it, the residents it counts (the population rule,
 * doc/engine.md) and the leaf values.  A period asked for is then scored:
 * baselines, scores, inner nodes, the index, its published rounding, the
 * grade and the ranks (results_score.c), then written (results_write.c); a
 * period only read by baselines is kept (values by region code) or pooled
 * (sums per calendar year) as long as needed (results_baseline.c).
 *
 * Every sum runs in an order fixed by the data -- a leaf's sources in the
 * order the indicator lists them, children in code order, periods in date
 * order, nodes in name order -- so that the same cells always give the same bits, whatever plan read
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
 * their prior-years baselines pool but those whose pools were stored
 * (results_pool.c); in date order, each once.
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
				if (!pool_stored(c, date_year(q)))
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
 * One version, then the entry point
 * --------------------------------------------------------------------- */

/* Also run by index_sensitivity() (sensitivity.c), with c->on_scored set. */
void
compute_version(Computation *c, const DateADT *asked, int nasked)
{
	Kernel	   *k = c->k;
	bool		pooling = false;
	MemoryContext per_period = AllocSetContextCreate(CurrentMemoryContext, "safeidx results period",
													 ALLOCSET_DEFAULT_SIZES);
	Oid			cell_types[3] = {TEXTOID, TEXTOID, DATEOID};
	DateADT    *months;
	int			nmonths = 0;

	for (int l = 0; l < c->v->nleaves; l++)
		pooling |= c->v->leaves[l].baseline == 'p';
	if (pooling)
		load_pools(c, asked, nasked);
	plan_periods(c, asked, nasked);
	/* the figures of the months the periods needed start in (own_figure) */
	months = palloc(sizeof(DateADT) * c->nneeded);
	for (int q = 0; q < c->nneeded; q++)
		if (nmonths == 0 || months[nmonths - 1] != period_trunc(PERIOD_MONTH, c->needed[q].start))
			months[nmonths++] = period_trunc(PERIOD_MONTH, c->needed[q].start);
	c->population_first = months[0];
	c->population = kernel_population(k, months[0], months[nmonths - 1], months, nmonths, &c->population_months);
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
	if (pooling)
		store_pools(c, asked, nasked);
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
 * start (none: no result); returns the number of region results computed
 * (rows that come out the same are kept as they are).
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
	int64		rewritten = 0;
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

	/*
	 * A period no version is in force for has no results: its rows go.  The
	 * others are compared with what they have and rewritten where they
	 * changed (results_write.c).
	 */
	{
		Datum	   *uncovered = palloc(sizeof(Datum) * Max(n, 1));
		int			nuncovered = 0;

		for (int i = 0; i < n; i++)
		{
			bool		covered = false;

			for (int j = 0; j < nversions && !covered; j++)
				covered = versions[j].valid_from <= starts[i] && starts[i] < versions[j].valid_to;
			if (!covered)
				uncovered[nuncovered++] = DateADTGetDatum(starts[i]);
		}
		del_args[0] = CStringGetTextDatum(scheme);
		del_args[1] = CStringGetTextDatum(period);
		del_args[2] = PointerGetDatum(construct_array(uncovered, nuncovered, DATEOID, sizeof(DateADT), true,
													  TYPALIGN_INT));
		for (int t = 0; t < 2 && nuncovered > 0; t++)
			if (SPI_execute_with_args(psprintf("DELETE FROM %s.%s r WHERE r.scheme = $1 AND r.period = $2"
											   " AND r.period_start = ANY ($3)", SCHEMA_NAME,
											   t == 0 ? "result" : "result_node"),
									  3, del_types, del_args, NULL, false, 0) != SPI_OK_DELETE)
				elog(ERROR, "deleting the results of periods without a version failed");
	}

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
		rewritten += c.rewritten;
	}
	SPI_finish();
	SCHEMA_NAME = NULL;
	ereport(DEBUG1,
			(errmsg_internal("compute_results(%s, %s): %lld region results computed, %lld rows deleted or inserted",
							 scheme, period, (long long) written, (long long) rewritten)));
	PG_RETURN_INT64(written);
}
