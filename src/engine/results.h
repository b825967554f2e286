/*
 * results.h
 *		The results kernel: what compute_results() loads, the region tree of
 *		a period, and the values it computes (src/engine/results*.c).
 *
 * A computation covers one scheme, one period kind and a set of period
 * starts.  Everything it needs is loaded once (results_load.c); the cells
 * are then read in period order and each period is rolled up the region
 * tree (results_tree.c); the periods asked for are scored, aggregated,
 * graded, ranked and written (results.c), the others only feed baselines.
 */
#ifndef SAFEIDX_RESULTS_H
#define SAFEIDX_RESULTS_H

#include "safeidx.h"

#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"

/* Why a leaf indicator of a region and period has no score. */
typedef enum LeafStatus
{
	LEAF_SCORED = 0,
	LEAF_NO_DATA,				/* a source has not delivered the whole period */
	LEAF_NO_RESIDENTS,			/* a rate without residents counted */
	LEAF_NO_DENOMINATOR,		/* a ratio whose denominator is 0 */
	LEAF_BELOW_MIN_DENOMINATOR, /* a ratio below its minimum denominator */
	LEAF_NO_VALUE,				/* a region's own value: no row for the period */
	LEAF_NO_BASELINE,			/* the baseline's periods are missing or incomplete */
	LEAF_NOT_SCORABLE			/* the rule gives no score (e.g. min-max without spread) */
} LeafStatus;

extern const char *const leaf_status_names[];

/* A source a version reads, with the dates its department has delivered. */
typedef struct KSource
{
	char	   *name;
	DateADT		delivered_from;		/* DATEVAL_NOEND when nothing delivered */
	DateADT		delivered_through;	/* DATEVAL_NOBEGIN when nothing delivered */
} KSource;

/* A node of a version's indicator tree; children in node-name order. */
typedef struct KNode
{
	char	   *name;
	int			parent;			/* index in Version.nodes, -1 at level 1 */
	double		weight;
	bool		geometric;
	int			nchildren;
	int		   *children;
	int			leaf;			/* index in Version.leaves, -1 for an inner node */
} KNode;

typedef struct KLeaf
{
	int			node;
	char		measure;		/* 'r' rate, 'c' count, 'q' ratio, 'v' value */
	double		per;
	double		min_denominator;	/* 0 without one */
	int			nnum;
	int		   *num;			/* numerator sources (index in Kernel.sources) */
	int			nden;
	int		   *den;
	const ScoringRule *rule;
	ScoringArgs args;
	bool		higher_is_better;
	char		baseline;		/* 'n' none, 'p' prior years, 'y' same period last year, 'b' previous period */
	char		baseline_of;	/* 's' self, 'p' parent, 'd' ancestor at baseline_depth */
	int			baseline_depth;
	int			baseline_years;
} KLeaf;

typedef struct KVersion
{
	char	   *name;
	DateADT		valid_from;
	DateADT		valid_to;
	double		total;
	bool		geometric;
	double		min_coverage;
	int			index_decimals;
	int			score_decimals; /* -1: scores unrounded */
	int			nnodes;
	KNode	   *nodes;			/* parents before children */
	int			nleaves;
	KLeaf	   *leaves;
} KVersion;

/* A row of table region: one code over [from, to). */
typedef struct KRegionRow
{
	int			region;			/* index in Kernel.codes */
	DateADT		from;
	DateADT		to;
	int			parent;			/* index in Kernel.codes, -1 at the top */
} KRegionRow;

/* The region tree in force on one date, within the scheme's root. */
typedef struct KTree
{
	int			n;				/* regions in the tree */
	int		   *region;			/* position -> index in Kernel.codes; parents first */
	int		   *slot;			/* Kernel.codes index -> position, or -1 */
	int		   *parent;			/* position of the parent, -1 at the top */
	int		   *depth;			/* catalogue depth, 1 at the top */
	int		   *first_child;	/* position of the first child (children are contiguous) */
	int		   *nchildren;
	int		   *parent_code;	/* Kernel.codes index -> its parent's, -1 top, -2 not in force */
	int			max_depth;
} KTree;

typedef struct Kernel
{
	/* the scheme */
	char	   *scheme;
	char	   *period;			/* the period kind computed */
	char	   *population_kind;
	char	   *root_code;		/* the scheme's root region, or NULL */
	int			root;			/* its index in codes, -1 without one */
	int			ncuts;
	double	   *cuts;			/* grade cut points, best first */
	DateADT		today;			/* the local date in the scheme's time zone */

	/* the catalogue */
	int			ncodes;
	char	  **codes;			/* every region code, sorted */
	HTAB	   *code_index;		/* code -> index in codes */
	int			nrows;
	KRegionRow *rows;			/* by region, then from */
	int			nsources;
	KSource    *sources;
} Kernel;

/* results_load.c */
extern void kernel_load_scheme(Kernel *k, const char *scheme, const char *period);
extern int	kernel_load_versions(Kernel *k, KVersion **versions);
extern int	kernel_code(Kernel *k, const char *code);
extern double *kernel_population(Kernel *k, DateADT first, DateADT last, int *nmonths);

extern const char *SCHEMA_NAME;

/* results_tree.c */
extern void tree_at(const Kernel *k, DateADT at, KTree *tree);
extern int	tree_ancestor(const KTree *tree, int i, int depth);
extern void tree_free(KTree *tree);

#endif							/* SAFEIDX_RESULTS_H */
