/*
 * module.c
 *		Module entry point of safeidx: the library's magic block.
 *
 * The kernel's computations live in one file per concern in src/kernel:
 * rate.c (per-capita rates and their summary), poisson.c (exact Poisson
 * intervals), scoring.c and scoring_rules.c (indicator scoring rules and
 * their registry), groupstats.c (min-max and z-score over a group),
 * weighted.c (weighted index aggregate), grade.c (grade scales),
 * proportion.c (Wilson intervals), summary_io.c (text form shared by the
 * summary types) and checks.c (argument checks); the catalogue's in
 * src/catalogue (filter.c).
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
