/*
 * results_baseline.c
 *		Baselines: the values of periods a later period's baseline reads
 *		(same period last year, previous period) kept by region code while
 *		needed, and yearly pools of sums for prior-years baselines; the
 *		baseline of a leaf at a region of a period asked for.
 */
#include "results.h"

#include <math.h>

/* ---------------------------------------------------------------------
 * Baselines: kept periods and yearly pools
 * --------------------------------------------------------------------- */

void
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
void
release_kept(Computation *c, DateADT start)
{
	for (int j = 0; j < c->nkept; j++)
		if (c->kept[j].start == start && c->kept[j].value != NULL && --c->kept[j].uses <= 0)
		{
			pfree(c->kept[j].value);
			c->kept[j].value = NULL;
		}
}

YearPool *
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
	p->num_seen = palloc0(sizeof(uint8) * Max(cells, 1));
	p->counted_seen = palloc0(sizeof(uint8) * Max(cells, 1));
	p->num_all = palloc0(sizeof(double) * Max(cells, 1));
	p->den_all = palloc0(sizeof(double) * Max(cells, 1));
	p->value_sum = palloc0(sizeof(double) * Max(cells, 1));
	p->periods = palloc0(sizeof(int) * Max(cells, 1));
	p->values = palloc0(sizeof(int) * Max(cells, 1));
	p->stored = false;
	return p;
}

/* Adds a period to its year's pool (periods come in date order). */
void
pool_period(Computation *c, const Rollup *r)
{
	int			nl = c->v->nleaves;
	YearPool   *p = pool_of(c, date_year(r->start), true);

	if (p->stored)
		return;					/* complete as read (results_pool.c) */
	for (int i = 0; i < r->tree.n; i++)
	{
		for (int l = 0; l < nl; l++)
		{
			int			x = i * nl + l;
			int			y = r->tree.region[i] * nl + l;

			if (c->v->leaves[l].baseline != 'p')
				continue;
			p->num_counted[y] += r->num_counted[x];
			p->num_seen[y] |= r->num_seen[x];
			p->counted_seen[y] |= r->counted_seen[x];
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
	uint8		num_seen = 0,
				counted_seen = 0;
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
		num_seen |= p->num_seen[y];
		counted_seen |= p->counted_seen[y];
		num_all += p->num_all[y];
		den_all += p->den_all[y];
		value_sum += p->value_sum[y];
		periods += p->periods[y];
		values += p->values[y];
	}
	if (periods == 0)
		return NAN;
	/* rows over those years, but only NULL values: no baseline, not 0 */
	if (leaf->measure != 'v' && ONLY_NULLS(leaf->measure == 'r' ? counted_seen : num_seen))
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
double
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

