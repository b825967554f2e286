/*
 * safeidx.c
 *		Module entry point of safeidx: the library's magic block.
 *
 * The computations live in one file per concern: rate.c (per-capita rates and
 * their summary), poisson.c (exact Poisson intervals), scoring.c (indicator
 * scoring rules), groupstats.c (min-max and z-score over a group),
 * weighted.c (weighted index aggregate), grade.c (grade scales) and
 * summary_io.c (text form shared by the summary types).
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
