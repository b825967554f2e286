/*
 * results_tree.c
 *		The region tree in force on a date, as the results kernel walks it:
 *		the regions of the scheme's subtree (all of the catalogue without a
 *		root region), parents before children, children in code order, each
 *		with its parent, depth (1 = the top of the catalogue) and ancestors.
 *
 * The tree of a date is the one regions_at(date) returns, cut to the root's
 * subtree; a region whose parent is not in force is left out with its
 * subtree, as there.
 */
#include "results.h"

/* The row of a region code in force on a date, or NULL. */
static const KRegionRow *
row_at(const Kernel *k, int code, DateADT at)
{
	/* rows are sorted by code, then from: a binary search on the code */
	int			lo = 0,
				hi = k->nrows;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (k->rows[mid].region < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < k->nrows && k->rows[lo].region == code; lo++)
		if (k->rows[lo].from <= at && at < k->rows[lo].to)
			return &k->rows[lo];
	return NULL;
}

/*
 * Builds the tree of a date.  Positions run parents before children (a
 * breadth-first order from the top, children in code order), so a pass in
 * reverse position order rolls values up.
 */
void
tree_at(const Kernel *k, DateADT at, KTree *tree)
{
	int		   *parent_code = palloc(sizeof(int) * Max(k->ncodes, 1));
	int		   *first = palloc(sizeof(int) * Max(k->ncodes, 1));	/* by code: first child code */
	int		   *next = palloc(sizeof(int) * Max(k->ncodes, 1));	/* by code: next sibling code */
	int		   *last = palloc(sizeof(int) * Max(k->ncodes, 1));
	int		   *top = palloc(sizeof(int) * Max(k->ncodes, 1));
	int			ntop = 0;
	int			head;

	/* the regions in force and their child lists, in code order */
	for (int c = 0; c < k->ncodes; c++)
	{
		first[c] = next[c] = last[c] = -1;
		parent_code[c] = -2;	/* not in force */
	}
	for (int c = 0; c < k->ncodes; c++)
	{
		const KRegionRow *row = row_at(k, c, at);

		if (row == NULL)
			continue;
		parent_code[c] = row->parent;
	}
	for (int c = 0; c < k->ncodes; c++)
	{
		int			p = parent_code[c];

		if (p == -2)
			continue;
		if ((k->root >= 0 && c == k->root) || (k->root < 0 && p == -1))
			top[ntop++] = c;
		else if (p >= 0 && parent_code[p] != -2)
		{
			if (last[p] < 0)
				first[p] = c;
			else
				next[last[p]] = c;
			last[p] = c;
		}
	}

	/* breadth-first from the top */
	tree->slot = palloc(sizeof(int) * Max(k->ncodes, 1));
	for (int c = 0; c < k->ncodes; c++)
		tree->slot[c] = -1;
	tree->region = palloc(sizeof(int) * Max(k->ncodes, 1));
	tree->parent = palloc(sizeof(int) * Max(k->ncodes, 1));
	tree->depth = palloc(sizeof(int) * Max(k->ncodes, 1));
	tree->first_child = palloc(sizeof(int) * Max(k->ncodes, 1));
	tree->nchildren = palloc(sizeof(int) * Max(k->ncodes, 1));
	tree->n = 0;
	tree->max_depth = 0;
	for (int i = 0; i < ntop; i++)
	{
		int			c = top[i];
		int			depth = 1;

		/* the catalogue depth of the root: its ancestors in force */
		for (int p = parent_code[c]; p >= 0 && parent_code[p] != -2; p = parent_code[p])
			depth++;
		tree->slot[c] = tree->n;
		tree->region[tree->n] = c;
		tree->parent[tree->n] = -1;
		tree->depth[tree->n] = depth;
		tree->n++;
	}
	for (head = 0; head < tree->n; head++)
	{
		tree->first_child[head] = tree->n;
		for (int c = first[tree->region[head]]; c >= 0; c = next[c])
		{
			tree->slot[c] = tree->n;
			tree->region[tree->n] = c;
			tree->parent[tree->n] = head;
			tree->depth[tree->n] = tree->depth[head] + 1;
			tree->n++;
		}
		tree->nchildren[head] = tree->n - tree->first_child[head];
	}
	for (int i = 0; i < tree->n; i++)
		tree->max_depth = Max(tree->max_depth, tree->depth[i]);
	tree->parent_code = parent_code;
	pfree(first);
	pfree(next);
	pfree(last);
	pfree(top);
}

/* The position of the ancestor of position i at a catalogue depth, or -1. */
int
tree_ancestor(const KTree *tree, int i, int depth)
{
	while (i >= 0 && tree->depth[i] > depth)
		i = tree->parent[i];
	return (i >= 0 && tree->depth[i] == depth) ? i : -1;
}

void
tree_free(KTree *tree)
{
	pfree(tree->slot);
	pfree(tree->region);
	pfree(tree->parent);
	pfree(tree->depth);
	pfree(tree->first_child);
	pfree(tree->nchildren);
	pfree(tree->parent_code);
}
