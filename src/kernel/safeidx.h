/*
 * safeidx.h
 *		Declarations shared by safeidx's C files: argument checks, the
 *		generic text/binary form of the summary types, the Poisson interval
 *		used by the rate accessors, the group summary, the registry of
 *		scoring rules and running safeidx's own code as another role.
 */
#ifndef SAFEIDX_H
#define SAFEIDX_H

#include "postgres.h"
#include "access/htup.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/date.h"
#include "utils/array.h"
#include "utils/jsonb.h"

/* Format version written first in every summary's text and binary form. */
#define SAFEIDX_SUMMARY_VERSION 1

/* checks.c: reject NaN, infinities and out-of-range arguments. */
extern double finite_arg(double value, const char *what);
extern double nonnegative_arg(double value, const char *what);
extern double finite_result(double value, const char *what);
extern double level_arg(double level);

/* summary_io.c: one field of a summary type, for its text and binary form. */
typedef enum SummaryFieldKind
{
	SUMMARY_FLOAT,				/* double, any finite value */
	SUMMARY_AMOUNT,				/* double, finite and not negative */
	SUMMARY_COUNT				/* int64, not negative */
} SummaryFieldKind;

typedef struct SummaryField
{
	const char *name;
	SummaryFieldKind kind;
	size_t		offset;			/* offsetof() in the summary struct */
} SummaryField;

extern void summary_parse(const char *input, const char *type_name,
						  const SummaryField *fields, int nfields, void *summary);
extern char *summary_format(const SummaryField *fields, int nfields,
							const void *summary);
extern void summary_send(StringInfo buf, const SummaryField *fields,
						 int nfields, const void *summary);
extern void summary_recv(StringInfo buf, const char *type_name,
						 const SummaryField *fields, int nfields, void *summary);
extern void *summary_state_for_update(FunctionCallInfo fcinfo, int argno,
									  Size size);

/* poisson.c: exact (Garwood) limits for the mean of a Poisson count. */
extern double poisson_mean_lower(double events, double level);
extern double poisson_mean_upper(double events, double level);
extern double poisson_tail_at_least(double k, double mu);
extern double poisson_tail_at_most(double k, double mu);

/*
 * significance.c: the significance-aware rule, shared by
 * excess_state() and the results kernel.  The p-value of a result at least
 * as bad as the observed count under the expected one: the upper tail
 * P(X >= observed) where more is worse, the lower tail P(X <= observed)
 * where more is better (poisson.c's tails take any real count >= 0, the
 * continuous extension of the regularised incomplete gamma).
 */
typedef enum ExcessState
{
	EXCESS_INSUFFICIENT = 0,	/* expected < min_expected, or 0: grey */
	EXCESS_SIGNIFICANT,			/* p < level */
	EXCESS_NOT_SIGNIFICANT
} ExcessState;

extern const char *const excess_state_names[];
extern double poisson_p_worse(double observed, double expected, bool higher_is_better);
extern ExcessState excess_state_of(double p, double expected, double level, double min_expected);

/*
 * ebayes.c: Empirical Bayes smoothing (Marshall 1991) of a group of units'
 * rates, the ebsum summary (its SQL type's storage) and the smoothed rate.
 */
typedef struct EbSum
{
	int64		units;			/* units with exposure > 0 */
	int64		missing;		/* rows with a NULL or a zero exposure */
	double		events;			/* sum of events */
	double		exposure;		/* sum of exposure */
	double		mean;			/* exposure-weighted mean rate (per 1) */
	double		m2;				/* sum of n_i (r_i - mean)^2 */
} EbSum;

extern void ebsum_add_unit(EbSum *s, double events, double exposure);
extern double eb_smoothed_rate(const EbSum *s, double events, double exposure, double per, bool *is_null);

/* proportion.c: the standard normal quantile. */
extern double normal_quantile(double p);

/*
 * series.c: a float8[] argument as a C array (one dimension; NULL elements
 * flagged in *nulls; NaN and infinities refused, negatives too when
 * nonnegative), and the arguments shared by the statistics.
 */
extern double *series_arg(ArrayType *array, const char *what, bool nonnegative,
						  int *n, bool **nulls);
extern double probability_arg(double p, const char *what);
extern double whole_count_arg(double value, const char *what);

/*
 * rankci.c: the random generator of the simulations (xoshiro256** seeded by
 * splitmix64; uniform in [0, 1) from 53 bits; Marsaglia-Tsang gamma), so
 * that every simulation of safeidx draws the same way from a seed.
 */
typedef struct Rng
{
	uint64		s[4];
} Rng;

extern void rng_seed(Rng *r, uint64 seed);
extern double rng_uniform(Rng *r);
extern double rng_gamma(Rng *r, double a);

/* period.c: period starts of a kind, as src/catalogue/period.sql computes them. */
typedef enum PeriodKind
{
	PERIOD_DAY,
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_YEAR
} PeriodKind;

extern PeriodKind period_kind_from_name(const char *name);
extern DateADT date_add_months(DateADT date, int months);
extern DateADT period_trunc(PeriodKind kind, DateADT date);
extern DateADT period_add(PeriodKind kind, DateADT start, int n);
extern int	date_year(DateADT date);
extern DateADT year_start(int year);

/* rounding.c: a value as published with some decimals (numeric rounding). */
extern double round_published(double value, int decimals);

/* grade.c: the level of an index on a scale of cut points, best first. */
extern int	grade_level_of(double index, const double *cuts, int ncuts);

/* rate.c: events / exposure * per; NULL (is_null) without exposure. */
extern double rate_of(double events, double exposure, double per, bool *is_null);

/* weighted.c: the weighted scores of a region's indicators (indexsum). */
typedef struct IndexSum
{
	int64		scored;			/* indicators with a score */
	int64		unscored;		/* indicators whose score is NULL */
	double		weight;			/* total weight of scored indicators */
	double		weight_unscored;	/* total weight of unscored ones */
	double		weighted_scores;	/* sum of weight * score */
	double		weighted_logs;	/* sum of weight * ln(score), score > 0 */
	int64		zeros;			/* scores of 0 carrying weight > 0 */
	int64		negatives;		/* scores below 0 carrying weight > 0 */
} IndexSum;

extern void indexsum_add_score(IndexSum *s, double score, bool has_score, double weight);
extern double indexsum_mean(const IndexSum *s, bool geometric, double min_coverage, bool *is_null);

/* groupstats.c: a group's count, extremes, mean and squared deviations. */
typedef struct GroupStats
{
	int64		n;				/* values seen */
	double		min;
	double		max;
	double		mean;
	double		m2;				/* sum of squared deviations from the mean */
} GroupStats;

extern void groupstats_add_value(GroupStats *g, double value);
extern void groupstats_merge(GroupStats *a, const GroupStats *b);
extern double minmax_score(double value, const GroupStats *group,
						   bool higher_is_better, bool *is_null);

/* scoring.c: the rules, as plain C, with the checks of their parameters. */
extern double ratio_to_baseline(double value, double baseline);
extern void ratio_band_check(double lower, double upper, double middle_share);
extern double ratio_band_score(double value, double baseline, double lower,
							   double upper, bool higher_is_better, bool linear,
							   double middle_share);
extern void goalposts_check(double minimum, double maximum, bool log_scale);
extern double goalposts_score(double value, double minimum, double maximum,
							  bool higher_is_better, bool log_scale, bool capped);
extern void target_check(double target, bool higher_is_better);
extern double target_score(double value, double target, bool higher_is_better);

/*
 * scoring_rules.c: the registry of scoring rules.  A rule is a name, its
 * parameters (with JSON type and default), whether it reads a baseline or
 * the group of values scored together, a check of its parameters and its
 * score function; adding a rule is one function in scoring.c and one entry
 * in the registry.
 */
#define SCORING_MAX_PARAMS 4

typedef enum ScoringParamKind
{
	SCORING_NUMBER,				/* JSON number, double */
	SCORING_BOOLEAN,			/* JSON boolean, 0 or 1 */
	SCORING_CHOICE				/* JSON string, one of choices (its index) */
} ScoringParamKind;

typedef struct ScoringParam
{
	const char *name;
	ScoringParamKind kind;
	bool		required;
	double		default_value;	/* number, 0/1, or index of the choice */
	const char *const *choices; /* SCORING_CHOICE: NULL-terminated */
} ScoringParam;

typedef struct ScoringArgs
{
	double		value[SCORING_MAX_PARAMS];	/* in the rule's parameter order */
	bool		given[SCORING_MAX_PARAMS];	/* false: the default was taken */
} ScoringArgs;

typedef struct ScoringInput
{
	double		value;
	double		baseline;
	bool		has_baseline;
	bool		higher_is_better;
	const GroupStats *group;	/* the values scored together, or NULL */
} ScoringInput;

typedef enum ScoringBaseline
{
	BASELINE_UNUSED,
	BASELINE_OPTIONAL,			/* used when a parameter does not replace it */
	BASELINE_REQUIRED
} ScoringBaseline;

typedef struct ScoringRule
{
	const char *name;
	const char *description;
	ScoringBaseline baseline;
	const char *baseline_param; /* BASELINE_OPTIONAL: the parameter replacing it */
	bool		needs_group;
	int			nparams;
	ScoringParam params[SCORING_MAX_PARAMS];
	/* refuses parameters that can never score (at definition and scoring) */
	void		(*check) (const ScoringArgs *args, bool higher_is_better);
	/* the score; *is_null when the input cannot be scored */
	double		(*score) (const ScoringInput *in, const ScoringArgs *args, bool *is_null);
} ScoringRule;

extern const ScoringRule *scoring_rule(const char *name);
extern void scoring_args_from_jsonb(const ScoringRule *rule, Jsonb *params,
									ScoringArgs *args);
extern void scoring_args_from_call(const ScoringRule *rule, FunctionCallInfo fcinfo,
								   const int *argnos, ScoringArgs *args);

/*
 * roles.c: run safeidx's own code as another role, in a security-restricted
 * operation with search_path pinned, and back.
 */
typedef struct AsRole
{
	Oid			user;			/* the caller's, restored by as_role_end */
	int			sec_context;
	int			nest_level;		/* of the settings pinned */
} AsRole;

extern void as_role_begin(AsRole *saved, Oid role);
extern void as_role_end(AsRole *saved);

/* source.c: the relation a source or reference binding names, found as its owner finds it. */
extern Oid	relation_as_owner(HeapTupleHeader row, const char *kind, const char *key, const char *object,
							  bool missing_ok);

/*
 * source_remote.c: runs a query reading a source as its owner (SPI connected
 * by the caller; explain: the query is an EXPLAIN, run read-write as SPI
 * requires; cells: a cell query, read locally without plain index scans);
 * an error reading a source on other servers names it.
 */
extern void source_run_as_owner(const char *sql, Oid owner, const char *source, Oid relid,
								int nargs, Oid *argtypes, Datum *values, const char *nulls, bool explain, bool cells);

#endif							/* SAFEIDX_H */
