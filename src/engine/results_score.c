/*
 * results_score.c
 *		Scoring a period asked for: each leaf against its baseline by its
 *		rule (scores rounded as the version publishes them), optionally its
 *		Empirical Bayes smoothed rate and only a significant excess scored
 *		as one, inner nodes as
 *		weighted arithmetic or geometric means of their children in node
 *		order, the index (no index below the version's minimum coverage),
 *		its published rounding, the grade and competition ranks among
 *		siblings and within the level by the published index.
 */
#include "results.h"

#include <math.h>

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


/*
 * The Empirical Bayes smoothed rates (Marshall 1991, ebayes.c) of the rate
 * leaves that ask for them, NaN for the others: each group -- the regions of
 * the same depth (global) or the children of the same parent (local) --
 * is summarised from its regions with a rate (events counted, residents
 * counted; a negative count is left out), added in tree order.
 */
static void
smooth_leaves(const KVersion *v, const Rollup *r, double *smoothed)
{
	int			n = r->tree.n;
	int			nl = v->nleaves;

	for (int x = 0; x < n * nl; x++)
		smoothed[x] = NAN;
	for (int l = 0; l < nl; l++)
	{
		const KLeaf *leaf = &v->leaves[l];
		bool		global = leaf->smoothing == 'g';
		int			ngroups = global ? r->tree.max_depth + 1 : n + 1;
		EbSum	   *groups;

		if (leaf->smoothing == 'n' || leaf->measure != 'r')
			continue;
		groups = palloc0(sizeof(EbSum) * ngroups);
		for (int i = 0; i < n; i++)
		{
			int			x = i * nl + l;

			if (!isnan(r->value[x]) && r->num_counted[x] >= 0 && r->exposure[i] > 0)
				ebsum_add_unit(&groups[global ? r->tree.depth[i] : r->tree.parent[i] + 1],
							   r->num_counted[x], r->exposure[i]);
		}
		for (int i = 0; i < n; i++)
		{
			int			x = i * nl + l;
			bool		is_null;
			double		eb;

			if (isnan(r->value[x]) || !(r->num_counted[x] >= 0) || !(r->exposure[i] > 0))
				continue;
			eb = eb_smoothed_rate(&groups[global ? r->tree.depth[i] : r->tree.parent[i] + 1],
								  r->num_counted[x], r->exposure[i], leaf->per, &is_null);
			smoothed[x] = is_null ? NAN : eb;
		}
		pfree(groups);
	}
}

/*
 * The events expected at the baseline of a rate or count leaf at position i
 * (baseline x residents / per, or the count baseline) and the worse-side
 * Poisson p-value of the events observed (counted events for a rate);
 * both NaN for other leaves, without a value or baseline, or with a
 * negative count.
 */
static void
expected_events(const KLeaf *leaf, const Rollup *r, int i, int x, double baseline,
				double *expected, double *p_value)
{
	double		observed,
				e;

	*expected = NAN;
	*p_value = NAN;
	if ((leaf->measure != 'r' && leaf->measure != 'c') || isnan(r->value[x]) || isnan(baseline))
		return;
	observed = leaf->measure == 'r' ? r->num_counted[x] : r->num_all[x];
	e = leaf->measure == 'r' ? baseline * r->exposure[i] / leaf->per : baseline;
	if (!isfinite(e) || e < 0 || !(observed >= 0) || !isfinite(observed))
		return;
	*expected = e;
	*p_value = poisson_p_worse(observed, e, leaf->higher_is_better);
}

/*
 * Scores the leaves of a period asked for: baselines, expected events and
 * p-values, smoothing, the significance rule, rules, rounding.  The value
 * scored is the smoothed rate when the leaf asks for it, else the value;
 * with a significance level, a leaf expecting fewer events than its minimum
 * (or none) is not scored (insufficient_data), and a value worse than the
 * baseline whose events are no significant excess is scored as the
 * baseline.
 */
static void
score_leaves(Computation *c, Rollup *r, Scored *sc)
{
	KVersion   *v = c->v;
	int			n = r->tree.n;
	int			nl = v->nleaves;
	int			nn = v->nnodes;
	int			ndepths = r->tree.max_depth + 1;
	double	   *baseline = sc->baseline;
	double	   *score = sc->score;
	GroupStats *groups = palloc0(sizeof(GroupStats) * Max(nl * ndepths, 1));

	smooth_leaves(v, r, sc->smoothed);

	/* the values scored together: a leaf's values at one depth, in tree order */
	for (int l = 0; l < nl; l++)
		if (v->leaves[l].rule->needs_group)
			for (int i = 0; i < n; i++)
			{
				int			x = i * nl + l;
				double		value = !isnan(sc->smoothed[x]) ? sc->smoothed[x] : r->value[x];

				if (!isnan(value))
					groupstats_add_value(&groups[l * ndepths + r->tree.depth[i]], value);
			}

	for (int i = 0; i < n; i++)
	{
		for (int l = 0; l < nl; l++)
		{
			const KLeaf *leaf = &v->leaves[l];
			int			x = i * nl + l;
			ScoringInput in;
			bool		is_null;
			double		s;

			if (!sc->baselines_given)
				baseline[x] = leaf->baseline != 'n' ? baseline_of(c, r, i, l) : NAN;
			score[i * nn + leaf->node] = NAN;
			expected_events(leaf, r, i, x, baseline[x], &sc->expected[x], &sc->p_value[x]);
			sc->significance[x] = -1;
			if (isnan(r->value[x]))
				continue;
			in.value = !isnan(sc->smoothed[x]) ? sc->smoothed[x] : r->value[x];
			in.baseline = isnan(baseline[x]) ? 0 : baseline[x];
			in.has_baseline = !isnan(baseline[x]);
			in.higher_is_better = leaf->higher_is_better;
			in.group = leaf->rule->needs_group ? &groups[l * ndepths + r->tree.depth[i]] : NULL;
			if (!isnan(leaf->significance_level))
			{
				ExcessState state;

				if (!in.has_baseline)
				{
					r->status[x] = LEAF_NO_BASELINE;
					continue;
				}
				state = isnan(sc->expected[x]) ? EXCESS_INSUFFICIENT
					: excess_state_of(sc->p_value[x], sc->expected[x], leaf->significance_level,
									  leaf->min_expected);
				sc->significance[x] = (int8) state;
				if (state == EXCESS_INSUFFICIENT)
				{
					r->status[x] = LEAF_NO_DATA;
					continue;
				}
				if (state == EXCESS_NOT_SIGNIFICANT &&
					(leaf->higher_is_better ? in.value < in.baseline : in.value > in.baseline))
					in.value = in.baseline;
			}
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

/* The arrays of a scored period of n positions of version v. */
void
scored_alloc(Scored *s, int n, const KVersion *v)
{
	s->baseline = palloc(sizeof(double) * Max(n * v->nleaves, 1));
	s->score = palloc(sizeof(double) * Max(n * v->nnodes, 1));
	s->unrounded = palloc(sizeof(double) * Max(n, 1));
	s->index = palloc(sizeof(double) * Max(n, 1));
	s->coverage = palloc(sizeof(double) * Max(n, 1));
	s->rank_siblings = palloc(sizeof(int) * Max(n, 1));
	s->rank_level = palloc(sizeof(int) * Max(n, 1));
	s->expected = palloc(sizeof(double) * Max(n * v->nleaves, 1));
	s->p_value = palloc(sizeof(double) * Max(n * v->nleaves, 1));
	s->significance = palloc(sizeof(int8) * Max(n * v->nleaves, 1));
	s->smoothed = palloc(sizeof(double) * Max(n * v->nleaves, 1));
	s->baselines_given = false;
}

/*
 * Scores a rolled-up period into s (allocated by scored_alloc): leaves,
 * inner nodes, the index and its published rounding, the ranks.  With
 * s->baselines_given, the baselines in s are used as they are.
 */
void
score_into(Computation *c, Rollup *r, Scored *s)
{
	KVersion   *v = c->v;
	KTree	   *tree = &r->tree;
	int			n = tree->n;

	s->complete = true;
	score_leaves(c, r, s);
	score_inner_nodes(v, n, s->score);
	for (int i = 0; i < n; i++)
	{
		s->unrounded[i] = index_of(v, s->score, i, &s->coverage[i]);
		s->index[i] = isnan(s->unrounded[i]) ? NAN : round_published(s->unrounded[i], v->index_decimals);
	}
	rank_within(tree, s->index, true, s->rank_siblings);
	rank_within(tree, s->index, false, s->rank_level);
	for (int l = 0; l < v->nleaves; l++)
		s->complete &= r->complete[l];
}

/*
 * Scores a period asked for and writes its region and node results (or
 * hands them to c->on_scored, which writes nothing).
 */
void
score_period(Computation *c, Rollup *r)
{
	Scored		s;

	scored_alloc(&s, r->tree.n, c->v);
	score_into(c, r, &s);
	if (c->on_scored != NULL)
		c->on_scored(c, r, &s);
	else
		write_period(c, r, &s);
}
