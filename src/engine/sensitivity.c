/*
 * sensitivity.c
 *		index_rank_draws(), behind index_sensitivity(): rank intervals of
 *		the composite index.  How far each region's published index rank
 *		(and grade) could move under the
 *		Poisson uncertainty of its rates and under random perturbations of
 *		the scheme -- its weights and its grade cut points -- within stated
 *		ranges (the sensitivity analysis COINr does for composite indicators).
 *
 * The period is computed once by the results kernel itself (results.c's
 * compute_version(), with on_scored set: nothing is prepared for writing and
 * nothing is written), which gives the published index, grade and ranks.
 * Then each depth asked for is drawn D times on its own: a region's level
 * and siblings are at its depth, and so are the values scored together
 * (minmax) and smoothed with its own, while its baselines (other periods)
 * are not redrawn; so a depth's draws are the same whether the other depths
 * are drawn too or not.  The generator is rankci.c's (xoshiro256** seeded
 * by splitmix64), in two kinds of streams:
 *
 *	 the scheme  (seeded seed + 0x5851F42D4C957F2D, so every depth sees the
 *				 same weights and cut points in draw d), each draw:
 *	   weights	 every node of the version, in node order, draws a factor
 *				 u = 1 - w + 2 w U (U uniform in [0, 1)); each sibling group
 *				 (the level-1 nodes, then the children of each inner node,
 *				 parents first) is rescaled so that it adds up to its
 *				 parent's weight as perturbed (the version's total at level
 *				 1): w'_j = w_j u_j * P' / sum_k w_k u_k.  The tree stays
 *				 consistent (children add up to their parent) and only the
 *				 shares within each group move.
 *	   cuts		 every grade cut point, best first, moves by b (2U - 1) index
 *				 points; the cut points are then sorted again (best first).
 *	 the rates of depth h (seeded seed + (h - 1) x 0xD1B54A32D192ED03: the
 *				 seed itself at depth 1, as rank_interval() seeds it), each
 *				 draw: every rate or count leaf value of the depth's regions,
 *				 in tree order (children in code order) and leaf order, is
 *				 redrawn from the Jeffreys posterior of its events:
 *				 x' ~ Gamma(x + 1/2, 1) events (the counted events of a rate,
 *				 the sum of a count), the rate x' / n * per.  Ratios and own
 *				 values are not redrawn.
 *
 * The whole chain of the engine then runs again on the draw (score_into() of
 * results_score.c): the value scored against its baseline (not redrawn:
 * the baselines read other periods) by its rule, smoothing, the
 * significance rule, inner nodes, the index and its published rounding,
 * competition ranks.  The grade of a draw is the level of its index on its
 * cut points.
 *
 * Per region: the lower_q, 0.5 and upper_q quantiles of its ranks within its
 * level and among its siblings over the draws in which it has an index (the
 * ceil(qR)-th smallest of R ranks, as rank_interval() takes them), the mean
 * rank within the level, the share of draws whose grade differs from the
 * published one (a draw without an index differs from a published grade),
 * and R.  A region's ranks are kept as a histogram over the size of its
 * group when that is smaller than D, else as the D ranks themselves: memory
 * is sum over the regions of min(D, level size) + min(D, siblings) integers.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* The most ranks kept over all regions (256 MB). */
#define MAX_KEPT_RANKS (64 * 1024 * 1024)

/* The ranks of one region in one kind of group over the draws. */
typedef struct Tally
{
	bool		histogram;		/* slot[r - 1] counts rank r; else the ranks */
	int			size;
	int32	   *slot;
	int			ranked;			/* draws with a rank */
	int64		sum;			/* of the ranks */
} Tally;

typedef struct SensOptions
{
	int			draws;
	uint64		seed;
	bool		rates;
	double		weight_range;
	double		cut_range;
	int			depth;			/* 0: every depth */
	double		lower_q;
	double		upper_q;
	ReturnSetInfo *rsinfo;
} SensOptions;

static void
tally_init(Tally *t, int group_size, int draws)
{
	t->histogram = group_size < draws;
	t->size = t->histogram ? group_size : draws;
	t->slot = palloc0(sizeof(int32) * Max(t->size, 1));
	t->ranked = 0;
	t->sum = 0;
}

static void
tally_add(Tally *t, int rank)
{
	if (rank <= 0)
		return;
	if (t->histogram)
	{
		Assert(rank <= t->size);
		t->slot[rank - 1]++;
	}
	else
		t->slot[t->ranked] = rank;
	t->ranked++;
	t->sum += rank;
}

static int
cmp_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* The k-th smallest rank (1-based), k in [1, ranked]; the ranks sorted first. */
static int
tally_kth(const Tally *t, int k)
{
	if (!t->histogram)
		return t->slot[k - 1];
	for (int r = 0, seen = 0; r < t->size; r++)
	{
		seen += t->slot[r];
		if (seen >= k)
			return r + 1;
	}
	return t->size;				/* not reached */
}

/* The q-quantile of the ranks: the ceil(qR)-th smallest of R (rank_interval's). */
static int
tally_quantile(const Tally *t, double q)
{
	int			k = (int) ceil(q * t->ranked - 1e-9);

	return tally_kth(t, Max(1, Min(t->ranked, k)));
}

/* Perturbed weights into v2 (see the header), u: a factor per node. */
static void
perturb_weights(const KVersion *v, KVersion *v2, Rng *rng, double w, double *u,
				const int *top, int ntop)
{
	int			nn = v->nnodes;

	for (int node = 0; node < nn; node++)
		u[node] = 1 - w + 2 * w * rng_uniform(rng);
	for (int g = -1; g < nn; g++)
	{
		const int  *members = g < 0 ? top : v->nodes[g].children;
		int			m = g < 0 ? ntop : v->nodes[g].nchildren;
		double		target = g < 0 ? v->total : v2->nodes[g].weight;
		double		sum = 0;

		if (g >= 0 && v->nodes[g].leaf >= 0)
			continue;
		for (int j = 0; j < m; j++)
			sum += v->nodes[members[j]].weight * u[members[j]];
		for (int j = 0; j < m; j++)
			v2->nodes[members[j]].weight = sum > 0
				? v->nodes[members[j]].weight * u[members[j]] * (target / sum)
				: v->nodes[members[j]].weight;
	}
}

/* Cut points moved by b (2U - 1) each, sorted best (highest) first again. */
static void
perturb_cuts(const double *cuts, int ncuts, double *out, Rng *rng, double b)
{
	for (int i = 0; i < ncuts; i++)
		out[i] = cuts[i] + b * (2 * rng_uniform(rng) - 1);
	for (int i = 1; i < ncuts; i++)
		for (int j = i; j > 0 && out[j] > out[j - 1]; j--)
		{
			double		t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
}

/* Every rate and count leaf value redrawn from its Jeffreys posterior. */
static void
redraw_rates(const KVersion *v, const Rollup *r, Rollup *r2, Rng *rng)
{
	int			nl = v->nleaves;

	for (int i = 0; i < r->tree.n; i++)
		for (int l = 0; l < nl; l++)
		{
			const KLeaf *leaf = &v->leaves[l];
			int			x = i * nl + l;
			double		events;
			bool		is_null;

			if (isnan(r->value[x]) || (leaf->measure != 'r' && leaf->measure != 'c'))
				continue;
			events = leaf->measure == 'r' ? r->num_counted[x] : r->num_all[x];
			if (!(events >= 0) || !isfinite(events))
				continue;
			events = rng_gamma(rng, events + 0.5);
			if (leaf->measure == 'r')
			{
				double		rate = rate_of(events, r->exposure[i], leaf->per, &is_null);

				r2->num_counted[x] = events;
				r2->value[x] = is_null ? NAN : rate;
			}
			else
			{
				r2->num_all[x] = events;
				r2->value[x] = events;
			}
		}
}

/* The seeds of the draws' two kinds of streams (see the header). */
#define SCHEME_STREAM UINT64CONST(0x5851F42D4C957F2D)
#define DEPTH_STREAM UINT64CONST(0xD1B54A32D192ED03)

/*
 * The positions of one depth as a rollup of their own (positions 0..m-1 in
 * tree order; parents numbered by first appearance, as groups only), with
 * the copies of the arrays a draw changes.
 */
static void
depth_rollup(const Rollup *r, const int *pos, int m, int nl, Rollup *d)
{
	const KTree *tree = &r->tree;
	int		   *parent_id = palloc(sizeof(int) * Max(tree->n, 1));
	int			nparents = 0;

	*d = *r;
	d->tree.n = m;
	d->tree.region = palloc(sizeof(int) * Max(m, 1));
	d->tree.parent = palloc(sizeof(int) * Max(m, 1));
	d->tree.depth = palloc(sizeof(int) * Max(m, 1));
	d->exposure = palloc(sizeof(double) * Max(m, 1));
	d->value = palloc(sizeof(double) * Max(m * nl, 1));
	d->num_counted = palloc(sizeof(double) * Max(m * nl, 1));
	d->num_all = palloc(sizeof(double) * Max(m * nl, 1));
	d->status = palloc(sizeof(uint8) * Max(m * nl, 1));
	for (int i = 0; i < tree->n; i++)
		parent_id[i] = -1;
	for (int j = 0; j < m; j++)
	{
		int			i = pos[j];
		int			p = tree->parent[i];

		if (p >= 0 && parent_id[p] < 0)
			parent_id[p] = nparents++;
		d->tree.region[j] = tree->region[i];
		d->tree.parent[j] = p < 0 ? -1 : parent_id[p];
		d->tree.depth[j] = tree->depth[i];
		d->exposure[j] = r->exposure[i];
		memcpy(&d->value[j * nl], &r->value[i * nl], sizeof(double) * nl);
		memcpy(&d->num_counted[j * nl], &r->num_counted[i * nl], sizeof(double) * nl);
		memcpy(&d->num_all[j * nl], &r->num_all[i * nl], sizeof(double) * nl);
		memcpy(&d->status[j * nl], &r->status[i * nl], sizeof(uint8) * nl);
	}
	pfree(parent_id);
}

/*
 * The draws of one depth's positions pos[0..m-1] (ranked only among
 * themselves: a region's level and siblings are all at its depth, and so
 * are the values scored together and smoothed with its own), tallied into
 * level[], siblings[] and changed[].
 */
static void
draw_depth(Computation *c, const Rollup *r, const Scored *published, const int *pos, int m, int depth,
		   const int *grade, Tally *level, Tally *siblings, int *changed)
{
	SensOptions *o = c->on_scored_arg;
	Kernel	   *k = c->k;
	KVersion   *v = c->v;
	int			nl = v->nleaves;
	int			nn = v->nnodes;
	int		   *top = palloc(sizeof(int) * Max(nn, 1));
	int			ntop = 0;
	KVersion	v2 = *v;
	Computation c2 = *c;
	Rollup		base,
				r2;
	Scored		s2;
	double	   *cuts = palloc(sizeof(double) * Max(k->ncuts, 1));
	double	   *u = palloc(sizeof(double) * Max(nn, 1));
	Rng			scheme_rng,
				rate_rng;
	MemoryContext draw_context;

	for (int node = 0; node < nn; node++)
		if (v->nodes[node].parent < 0)
			top[ntop++] = node;
	v2.nodes = palloc(sizeof(KNode) * Max(nn, 1));
	memcpy(v2.nodes, v->nodes, sizeof(KNode) * nn);
	c2.v = &v2;
	depth_rollup(r, pos, m, nl, &base);
	depth_rollup(r, pos, m, nl, &r2);
	scored_alloc(&s2, m, v);
	for (int j = 0; j < m; j++)
		memcpy(&s2.baseline[j * nl], &published->baseline[pos[j] * nl], sizeof(double) * nl);
	s2.baselines_given = true;
	memcpy(cuts, k->cuts, sizeof(double) * k->ncuts);

	draw_context = AllocSetContextCreate(CurrentMemoryContext, "safeidx index sensitivity draw",
										 ALLOCSET_DEFAULT_SIZES);
	rng_seed(&scheme_rng, o->seed + SCHEME_STREAM);
	rng_seed(&rate_rng, o->seed + (uint64) (depth - 1) * DEPTH_STREAM);
	for (int d = 0; d < o->draws; d++)
	{
		MemoryContext outer;

		CHECK_FOR_INTERRUPTS();
		if (o->weight_range > 0)
			perturb_weights(v, &v2, &scheme_rng, o->weight_range, u, top, ntop);
		if (o->cut_range > 0)
			perturb_cuts(k->cuts, k->ncuts, cuts, &scheme_rng, o->cut_range);
		memcpy(r2.value, base.value, sizeof(double) * m * nl);
		memcpy(r2.num_counted, base.num_counted, sizeof(double) * m * nl);
		memcpy(r2.num_all, base.num_all, sizeof(double) * m * nl);
		memcpy(r2.status, base.status, sizeof(uint8) * m * nl);
		if (o->rates)
			redraw_rates(v, &base, &r2, &rate_rng);

		outer = MemoryContextSwitchTo(draw_context);
		score_into(&c2, &r2, &s2);
		MemoryContextSwitchTo(outer);
		MemoryContextReset(draw_context);

		for (int j = 0; j < m; j++)
		{
			int			g = isnan(s2.index[j]) ? 0 : grade_level_of(s2.index[j], cuts, k->ncuts);

			tally_add(&level[j], s2.rank_level[j]);
			tally_add(&siblings[j], s2.rank_siblings[j]);
			changed[j] += g != grade[pos[j]];
		}
	}
	MemoryContextDelete(draw_context);
}

/* The draws of a scored period and its rows (Computation.on_scored). */
static void
run_draws(Computation *c, Rollup *r, Scored *published)
{
	SensOptions *o = c->on_scored_arg;
	Kernel	   *k = c->k;
	KTree	   *tree = &r->tree;
	int			n = tree->n;
	int		   *level_size = palloc0(sizeof(int) * (tree->max_depth + 1));
	int		   *sibling_size = palloc0(sizeof(int) * (n + 1));
	int		   *sel = palloc(sizeof(int) * Max(n, 1));
	int			nsel = 0;
	int		   *grade = palloc(sizeof(int) * Max(n, 1));
	int		   *changed;
	Tally	   *level,
			   *siblings;
	int64		kept = 0;

	/* the positions shown, by depth, in tree order within each */
	for (int i = 0; i < n; i++)
	{
		level_size[tree->depth[i]]++;
		sibling_size[tree->parent[i] + 1]++;
	}
	for (int depth = 1; depth <= tree->max_depth; depth++)
		for (int i = 0; i < n; i++)
			if (tree->depth[i] == depth && (o->depth == 0 || depth == o->depth))
				sel[nsel++] = i;
	for (int p = 0; p < nsel; p++)
	{
		int			i = sel[p];

		kept += Min(o->draws, level_size[tree->depth[i]]) + Min(o->draws, sibling_size[tree->parent[i] + 1]);
	}
	if (kept > MAX_KEPT_RANKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many regions times draws for index rank intervals (%lld ranks to keep, at most %d)",
						(long long) kept, MAX_KEPT_RANKS),
				 errhint("Ask for fewer draws or for one depth (at_depth).")));
	level = palloc(sizeof(Tally) * Max(nsel, 1));
	siblings = palloc(sizeof(Tally) * Max(nsel, 1));
	changed = palloc0(sizeof(int) * Max(nsel, 1));
	for (int p = 0; p < nsel; p++)
	{
		int			i = sel[p];

		tally_init(&level[p], level_size[tree->depth[i]], o->draws);
		tally_init(&siblings[p], sibling_size[tree->parent[i] + 1], o->draws);
	}
	for (int i = 0; i < n; i++)
		grade[i] = isnan(published->index[i]) ? 0 : grade_level_of(published->index[i], k->cuts, k->ncuts);

	for (int from = 0, to; from < nsel; from = to)
	{
		int			depth = tree->depth[sel[from]];

		for (to = from; to < nsel && tree->depth[sel[to]] == depth; to++)
			;
		draw_depth(c, r, published, &sel[from], to - from, depth, grade, &level[from], &siblings[from],
				   &changed[from]);
	}

	for (int p = 0; p < nsel; p++)
	{
		int			i = sel[p];
		Datum		values[16];
		bool		nulls[16] = {0};
		bool		has_index = !isnan(published->index[i]);

		if (!level[p].histogram)
			qsort(level[p].slot, level[p].ranked, sizeof(int32), cmp_int32);
		if (!siblings[p].histogram)
			qsort(siblings[p].slot, siblings[p].ranked, sizeof(int32), cmp_int32);
		values[0] = CStringGetTextDatum(k->codes[tree->region[i]]);
		nulls[1] = tree->parent[i] < 0;
		if (!nulls[1])
			values[1] = CStringGetTextDatum(k->codes[tree->region[tree->parent[i]]]);
		values[2] = Int32GetDatum(tree->depth[i]);
		nulls[3] = nulls[4] = nulls[5] = nulls[10] = !has_index;
		values[3] = Float8GetDatum(published->index[i]);
		values[4] = Int32GetDatum(grade[i]);
		values[5] = Int32GetDatum(published->rank_level[i]);
		values[10] = Int32GetDatum(published->rank_siblings[i]);
		nulls[6] = nulls[7] = nulls[8] = nulls[9] = nulls[11] = nulls[12] = nulls[13] = level[p].ranked == 0;
		if (level[p].ranked > 0)
		{
			values[6] = Int32GetDatum(tally_quantile(&level[p], o->lower_q));
			values[7] = Int32GetDatum(tally_quantile(&level[p], 0.5));
			values[8] = Int32GetDatum(tally_quantile(&level[p], o->upper_q));
			values[9] = Float8GetDatum((double) level[p].sum / level[p].ranked);
			values[11] = Int32GetDatum(tally_quantile(&siblings[p], o->lower_q));
			values[12] = Int32GetDatum(tally_quantile(&siblings[p], 0.5));
			values[13] = Int32GetDatum(tally_quantile(&siblings[p], o->upper_q));
		}
		values[14] = Float8GetDatum((double) changed[p] / o->draws);
		values[15] = Int32GetDatum(level[p].ranked);
		tuplestore_putvalues(o->rsinfo->setResult, o->rsinfo->setDesc, values, nulls);
	}
}

static void
not_null(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("index rank intervals need %s, not NULL", what)));
}

/*
 * index_rank_draws(scheme, period_start, at_depth, period, draws, seed,
 *					rates, weight_range, cut_range, lower_q, upper_q)
 * RETURNS TABLE (region_code, parent_code, depth, index, grade_level,
 *				  rank_level, rank_level_lower, rank_level_median,
 *				  rank_level_upper, rank_level_mean, rank_siblings,
 *				  rank_siblings_lower, rank_siblings_median,
 *				  rank_siblings_upper, grade_change_share, draws_ranked)
 * at_depth NULL: every depth.  Reads the scheme's cells, writes nothing;
 * index_sensitivity() (sensitivity.sql) adds the regions' names.
 */
PG_FUNCTION_INFO_V1(index_rank_draws);
Datum
index_rank_draws(PG_FUNCTION_ARGS)
{
	SensOptions o = {0};
	char	   *scheme;
	char	   *period;
	DateADT		start;
	PeriodKind	kind;
	Kernel		k = {0};
	KVersion   *versions;
	int			nversions;
	KVersion   *version = NULL;
	Computation c = {0};

	not_null(fcinfo, 0, "a scheme");
	not_null(fcinfo, 1, "a period start");
	not_null(fcinfo, 3, "a period kind");
	not_null(fcinfo, 4, "a number of draws");
	not_null(fcinfo, 5, "a seed");
	not_null(fcinfo, 6, "rates (whether the rates are redrawn)");
	not_null(fcinfo, 7, "a weight range (0: weights as they are)");
	not_null(fcinfo, 8, "a cut point range (0: cut points as they are)");
	not_null(fcinfo, 9, "a lower quantile");
	not_null(fcinfo, 10, "an upper quantile");
	scheme = text_to_cstring(PG_GETARG_TEXT_PP(0));
	start = PG_GETARG_DATEADT(1);
	period = text_to_cstring(PG_GETARG_TEXT_PP(3));
	kind = period_kind_from_name(period);
	o.depth = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2);
	o.draws = PG_GETARG_INT32(4);
	o.seed = (uint64) PG_GETARG_INT64(5);
	o.rates = PG_GETARG_BOOL(6);
	o.weight_range = PG_GETARG_FLOAT8(7);
	o.cut_range = PG_GETARG_FLOAT8(8);
	o.lower_q = probability_arg(PG_GETARG_FLOAT8(9), "lower quantile");
	o.upper_q = probability_arg(PG_GETARG_FLOAT8(10), "upper quantile");

	if (DATE_NOT_FINITE(start) || period_trunc(kind, start) != start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is not the start of a %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(start))), period)));
	if (!PG_ARGISNULL(2) && o.depth < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a depth is 1 or more, not %d", o.depth)));
	if (o.draws < 1 || o.draws > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of draws must be between 1 and 100000, not %d", o.draws)));
	if (!(o.weight_range >= 0 && o.weight_range < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the weight range must be at least 0 and below 1, not %g", o.weight_range),
				 errhint("Each weight is multiplied by a factor in [1 - weight_range, 1 + weight_range].")));
	if (!(o.cut_range >= 0 && isfinite(o.cut_range)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the cut point range must be a finite number of index points, at least 0, not %g",
						o.cut_range)));
	if (o.lower_q > o.upper_q)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the lower quantile must not be above the upper quantile")));

	InitMaterializedSRF(fcinfo, 0);
	o.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	SCHEMA_NAME = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	k.read_only = true;
	kernel_load_scheme(&k, scheme, period);
	nversions = kernel_load_versions(&k, &versions);
	for (int j = 0; j < nversions && version == NULL; j++)
		if (versions[j].valid_from <= start && start < versions[j].valid_to)
			version = &versions[j];
	if (version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scheme \"%s\" has no version in force for the %s starting %s", scheme, period,
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(start))))));
	c.k = &k;
	c.v = version;
	c.kind = kind;
	c.on_scored = run_draws;
	c.on_scored_arg = &o;
	compute_version(&c, &start, 1);
	SPI_finish();
	SCHEMA_NAME = NULL;
	return (Datum) 0;
}
