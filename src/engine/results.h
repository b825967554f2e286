/*
 * results.h
 *		The results kernel: what compute_results() loads, the region tree of
 *		a period, and the values it computes (src/engine/results*.c).
 *
 * A computation covers one scheme, one period kind and a set of period
 * starts.  Everything it needs is loaded once (results_load.c); the cells
 * are then read in period order and each period is rolled up the region
 * tree (results_tree.c, results_rollup.c); the periods asked for are
 * scored, aggregated, graded and ranked (results_score.c) and written
 * (results_write.c), the others only feed baselines (results_baseline.c);
 * results.c plans the periods each version needs and is the entry point.
 */
#ifndef SAFEIDX_RESULTS_H
#define SAFEIDX_RESULTS_H

#include "safeidx.h"

#include "utils/date.h"
#include "utils/datetime.h"
#include "executor/spi.h"
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
	double		significance_level; /* NaN: significance-aware scoring off */
	double		min_expected;	/* 0 without one */
	char		smoothing;		/* 'n' none, 'g' global over the level, 'l' local over siblings */
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
	bool		read_only;		/* nothing written: the scheme row is not locked (sensitivity.c) */

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
extern double *kernel_population(Kernel *k, DateADT first, DateADT last, const DateADT *months, int nasked,
								  int *nmonths);

extern const char *SCHEMA_NAME;

/* results_tree.c */
extern void tree_at(const Kernel *k, DateADT at, KTree *tree);
extern int	tree_ancestor(const KTree *tree, int i, int depth);
extern void tree_free(KTree *tree);

/* ---- the computation of one version (results*.c) ---- */

/* Coverage and min_coverage compare with this tolerance (1/3 * 3 < 1). */
#define COVERAGE_TOLERANCE 1e-9

/*
 * What the numerator cells of a sum held (bits): some value, and some cell
 * whose rows all had a NULL measured value.  A sum that saw only the
 * latter is unknown -- its rows exist but none says how much -- not 0 (no
 * rows at all is 0: the source delivered and nothing happened).
 */
#define SEEN_VALUE	1
#define SEEN_NULL	2
#define ONLY_NULLS(seen) ((seen) == SEEN_NULL)

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
	uint8	   *num_seen;		/* SEEN_* of the numerator cells at and below */
	uint8	   *counted_seen;	/* SEEN_* of those of the residents counted */
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
	uint8	   *num_seen;		/* SEEN_* over the year's periods */
	uint8	   *counted_seen;
	double	   *num_all;
	double	   *den_all;
	double	   *value_sum;
	int		   *periods;		/* periods the region was in the tree */
	int		   *values;			/* periods with a value */
	bool		stored;			/* read from baseline_pool: complete, not added to */
} YearPool;

struct Scored;

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
	SPIPlanPtr	stored_result_plan;	/* the rows a period has, to compare */
	SPIPlanPtr	stored_node_plan;
	SPIPlanPtr	delete_result_plan;	/* the rows that changed or went */
	SPIPlanPtr	delete_node_plan;
	int64		written;		/* region results computed */
	int64		rewritten;		/* rows (region and node) that changed */

	/*
	 * Instead of writing: a scored period asked for is handed to this
	 * function (sensitivity.c), and nothing is prepared for writing.
	 */
	void		(*on_scored) (struct Computation *c, Rollup *r, struct Scored *s);
	void	   *on_scored_arg;
} Computation;

/* A scored period: arrays by position (i), leaf (i * nleaves + l) or node
 * (i * nnodes + node), NaN for no value, rank 0 for none. */
typedef struct Scored
{
	double	   *baseline;
	double	   *expected;		/* by leaf: events expected at the baseline */
	double	   *p_value;		/* by leaf: worse-side Poisson p of the events */
	int8	   *significance;	/* by leaf: ExcessState, -1 without significance */
	double	   *smoothed;		/* by leaf: the EB smoothed rate scored */
	double	   *score;
	double	   *unrounded;		/* the index as computed */
	double	   *index;			/* as published (index_decimals) */
	double	   *coverage;
	int		   *rank_siblings;
	int		   *rank_level;
	bool		complete;		/* every source delivered the whole period */
	bool		baselines_given;	/* baseline[] is filled: not looked up again */
} Scored;

/* results_rollup.c */
extern bool leaf_delivered(const Kernel *k, const KLeaf *leaf, DateADT from, DateADT to);
extern void roll_up(Computation *c, Rollup *r);

/* results_baseline.c */
extern void keep_values(Computation *c, const Rollup *r, int uses);
extern void release_kept(Computation *c, DateADT start);
extern YearPool *pool_of(Computation *c, int year, bool create);
extern void pool_period(Computation *c, const Rollup *r);
extern double baseline_of(Computation *c, const Rollup *r, int i, int l);

/* results.c */
extern void compute_version(Computation *c, const DateADT *asked, int nasked);

/* results_pool.c */
extern void load_pools(Computation *c, const DateADT *asked, int nasked);
extern bool pool_stored(Computation *c, int year);
extern void store_pools(Computation *c, const DateADT *asked, int nasked);

/* results_score.c */
extern void scored_alloc(Scored *s, int n, const KVersion *v);
extern void score_into(Computation *c, Rollup *r, Scored *s);
extern void score_period(Computation *c, Rollup *r);

/* results_write.c */
extern void prepare_writes(Computation *c);
extern void write_period(Computation *c, const Rollup *r, const Scored *s);

#endif							/* SAFEIDX_RESULTS_H */
