/*
 * safeidx.h
 *		Declarations shared by safeidx's C files: argument checks, the
 *		generic text/binary form of the summary types, and the Poisson
 *		interval used by the rate accessors.
 */
#ifndef SAFEIDX_H
#define SAFEIDX_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

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

#endif							/* SAFEIDX_H */
