/*
 * results_score.c
 *		Scoring a period asked for: each leaf against its baseline by its
 *		rule (scores rounded as the version publishes them), inner nodes as
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
void
score_period(Computation *c, Rollup *r)
{
	KVersion   *v = c->v;
	KTree	   *tree = &r->tree;
	int			n = tree->n;
	Scored		s;

	s.baseline = palloc(sizeof(double) * Max(n * v->nleaves, 1));
	s.score = palloc(sizeof(double) * Max(n * v->nnodes, 1));
	s.unrounded = palloc(sizeof(double) * Max(n, 1));
	s.index = palloc(sizeof(double) * Max(n, 1));
	s.coverage = palloc(sizeof(double) * Max(n, 1));
	s.rank_siblings = palloc(sizeof(int) * Max(n, 1));
	s.rank_level = palloc(sizeof(int) * Max(n, 1));
	s.complete = true;

	score_leaves(c, r, s.baseline, s.score);
	score_inner_nodes(v, n, s.score);
	for (int i = 0; i < n; i++)
	{
		s.unrounded[i] = index_of(v, s.score, i, &s.coverage[i]);
		s.index[i] = isnan(s.unrounded[i]) ? NAN : round_published(s.unrounded[i], v->index_decimals);
	}
	rank_within(tree, s.index, true, s.rank_siblings);
	rank_within(tree, s.index, false, s.rank_level);
	for (int l = 0; l < v->nleaves; l++)
		s.complete &= r->complete[l];
	write_period(c, r, &s);
}
