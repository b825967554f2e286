/*
 * funnel.c
 *		Funnel plots (Spiegelhalter 2005) for rates and observed / expected
 *		ratios: exact Poisson control limits at any level, each unit's
 *		position, z-scores, and the overdispersion adjustment (winsorised
 *		z-scores, phi, the additive random-effects tau^2 and its limits).
 *
 * Everything is on the ratio scale O / E, with E = target * exposure / per
 * (for a rate with a target rate) or the expected count itself (target 1,
 * per 1); a rate's limit is the target times the ratio's.
 *
 *	exact limit at tail probability p: y_p the smallest count with
 *		F(y_p) >= p (F the Poisson CDF of mean E), interpolated as
 *		(y_p - a) / E,  a = (F(y_p) - p) / (F(y_p) - F(y_p - 1)),
 *		floored at 0;
 *	z_i = (O_i - E_i) / sqrt(E_i);  w_i = E_i  (1 / variance of O/E under the target)
 *	phi = mean of z^2 after winsorising z at the q and 1 - q quantiles
 *		(type 7, linear interpolation);
 *	tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w));
 *	random-effects limit = 1 +- z_(level) sqrt(1 / E + tau^2).
 *
 * The group's summary, funnelset, keeps every unit's (observed, expected)
 * pair, because winsorising needs the quantiles of all z-scores: its size
 * grows with the group (16 bytes a unit: 48 kB for 3,000 communities).  The
 * accessors sort the z-scores first, so the result does not depend on the
 * order in which rows were added or summaries combined.
 */
#include "safeidx.h"

#include <math.h>
#include <stdlib.h>
#include <ctype.h>
#include <errno.h>

#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/builtins.h"
#include "utils/float.h"

/* ---- exact limits and positions --------------------------------------------- */

/* The interpolated count limit at tail probability p for a Poisson mean mu > 0. */
static double
poisson_limit_count(double mu, double p)
{
	double		y = floor(mu + normal_quantile(p) * sqrt(mu));
	double		f,
				fprev;

	if (y < 0)
		y = 0;
	/* smallest y with F(y) >= p */
	while (poisson_tail_at_most(y, mu) < p)
	{
		CHECK_FOR_INTERRUPTS();
		y += 1;
	}
	while (y > 0 && poisson_tail_at_most(y - 1, mu) >= p)
	{
		CHECK_FOR_INTERRUPTS();
		y -= 1;
	}
	f = poisson_tail_at_most(y, mu);
	fprev = y > 0 ? poisson_tail_at_most(y - 1, mu) : 0;
	return fmax(0, y - (f - p) / (f - fprev));
}

static double
per_arg(double per)
{
	finite_arg(per, "the rate base (per)");
	if (per <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the rate base (per) must be positive")));
	return per;
}

/* E = target * exposure / per, with the arguments checked. */
static double
funnel_expected(double target, double exposure, double per)
{
	nonnegative_arg(target, "target");
	nonnegative_arg(exposure, "exposure");
	per_arg(per);
	return finite_result(target * exposure / per, "expected count");
}

/* The exact limit of the indicator (rate, or ratio when target = per = 1). */
static double
exact_limit(double target, double e, double level, bool upper)
{
	double		p = upper ? 1 - (1 - level) / 2 : (1 - level) / 2;

	return target * poisson_limit_count(e, p) / e;
}

/* funnel_lower/upper(target, exposure, level, per): NULL without an expected count */
static Datum
funnel_limit(FunctionCallInfo fcinfo, bool upper)
{
	double		target = PG_GETARG_FLOAT8(0);
	double		exposure = PG_GETARG_FLOAT8(1);
	double		level = level_arg(PG_GETARG_FLOAT8(2));
	double		e = funnel_expected(target, exposure, PG_GETARG_FLOAT8(3));

	if (e == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(exact_limit(target, e, level, upper), "funnel limit"));
}

PG_FUNCTION_INFO_V1(funnel_lower);
Datum
funnel_lower(PG_FUNCTION_ARGS)
{
	return funnel_limit(fcinfo, false);
}

PG_FUNCTION_INFO_V1(funnel_upper);
Datum
funnel_upper(PG_FUNCTION_ARGS)
{
	return funnel_limit(fcinfo, true);
}

/* The random-effects limit target * (1 +- z sqrt(1/E + tau2)), floored at 0. */
static double
re_limit(double target, double e, double tau2, double level, bool upper)
{
	double		z = normal_quantile(1 - (1 - level) / 2);
	double		half = z * sqrt(1 / e + tau2);

	return target * (upper ? 1 + half : fmax(0, 1 - half));
}

static double
tau2_arg(double tau2)
{
	return nonnegative_arg(tau2, "between-unit variance tau^2");
}

/* funnel_re_lower/upper(target, exposure, tau2, level, per) */
static Datum
funnel_re(FunctionCallInfo fcinfo, bool upper)
{
	double		target = PG_GETARG_FLOAT8(0);
	double		exposure = PG_GETARG_FLOAT8(1);
	double		tau2 = tau2_arg(PG_GETARG_FLOAT8(2));
	double		level = level_arg(PG_GETARG_FLOAT8(3));
	double		e = funnel_expected(target, exposure, PG_GETARG_FLOAT8(4));

	if (e == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result(re_limit(target, e, tau2, level, upper), "funnel limit"));
}

PG_FUNCTION_INFO_V1(funnel_re_lower);
Datum
funnel_re_lower(PG_FUNCTION_ARGS)
{
	return funnel_re(fcinfo, false);
}

PG_FUNCTION_INFO_V1(funnel_re_upper);
Datum
funnel_re_upper(PG_FUNCTION_ARGS)
{
	return funnel_re(fcinfo, true);
}

static Datum
position_text(double value, double lower, double upper)
{
	if (value > upper)
		PG_RETURN_TEXT_P(cstring_to_text("above"));
	if (value < lower)
		PG_RETURN_TEXT_P(cstring_to_text("below"));
	PG_RETURN_TEXT_P(cstring_to_text("inside"));
}

/*
 * funnel_position(observed, target, exposure, level, per): 'above', 'below'
 * or 'inside' the exact limits; NULL without an expected count.
 */
PG_FUNCTION_INFO_V1(funnel_position);
Datum
funnel_position(PG_FUNCTION_ARGS)
{
	double		observed = nonnegative_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		target = PG_GETARG_FLOAT8(1);
	double		exposure = PG_GETARG_FLOAT8(2);
	double		level = level_arg(PG_GETARG_FLOAT8(3));
	double		e = funnel_expected(target, exposure, PG_GETARG_FLOAT8(4));
	double		ratio;

	if (e == 0)
		PG_RETURN_NULL();
	ratio = observed / e;
	return position_text(ratio, exact_limit(1, e, level, false), exact_limit(1, e, level, true));
}

/* funnel_re_position(observed, target, exposure, tau2, level, per) */
PG_FUNCTION_INFO_V1(funnel_re_position);
Datum
funnel_re_position(PG_FUNCTION_ARGS)
{
	double		observed = nonnegative_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		target = PG_GETARG_FLOAT8(1);
	double		exposure = PG_GETARG_FLOAT8(2);
	double		tau2 = tau2_arg(PG_GETARG_FLOAT8(3));
	double		level = level_arg(PG_GETARG_FLOAT8(4));
	double		e = funnel_expected(target, exposure, PG_GETARG_FLOAT8(5));
	double		ratio;

	if (e == 0)
		PG_RETURN_NULL();
	ratio = observed / e;
	return position_text(ratio, re_limit(1, e, tau2, level, false), re_limit(1, e, tau2, level, true));
}

/* funnel_z(observed, expected) = (O - E) / sqrt(E); NULL when E = 0 */
PG_FUNCTION_INFO_V1(funnel_z);
Datum
funnel_z(PG_FUNCTION_ARGS)
{
	double		o = nonnegative_arg(PG_GETARG_FLOAT8(0), "observed count");
	double		e = nonnegative_arg(PG_GETARG_FLOAT8(1), "expected count");

	if (e == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(finite_result((o - e) / sqrt(e), "z-score"));
}

/* ---- the funnelset summary ---------------------------------------------------- */

typedef struct FunnelPair
{
	double		observed;
	double		expected;
} FunnelPair;

typedef struct FunnelSet
{
	int32		vl_len_;		/* varlena header */
	int32		n;				/* pairs */
	int64		missing;		/* rows with a NULL or an expected count of 0 */
	FunnelPair	pairs[FLEXIBLE_ARRAY_MEMBER];
} FunnelSet;

#define FUNNELSET_SIZE(n) (offsetof(FunnelSet, pairs) + sizeof(FunnelPair) * (n))
#define FUNNELSET_MAX_PAIRS ((int32) ((MaxAllocSize - offsetof(FunnelSet, pairs)) / sizeof(FunnelPair)))
#define PG_GETARG_FUNNELSET(n) ((FunnelSet *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

static FunnelSet *
funnelset_new(int32 n, int64 missing)
{
	FunnelSet  *s;

	if (n < 0 || n > FUNNELSET_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a funnelset holds at most %d units", FUNNELSET_MAX_PAIRS)));
	s = palloc0(FUNNELSET_SIZE(n));
	SET_VARSIZE(s, FUNNELSET_SIZE(n));
	s->n = n;
	s->missing = missing;
	return s;
}

static void
funnel_pair_check(const char *type_name, double o, double e)
{
	if (!isfinite(o) || o < 0 || !isfinite(e) || e <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: observed counts must be finite and not negative, expected counts finite and positive",
						type_name)));
}

static void
funnelset_syntax(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type funnelset: \"%s\"", input),
			 errdetail("%s", detail)));
}

/* one number of a ;-separated list, ended by sep */
static double
funnelset_number(const char *input, const char **p, char sep)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(*p, &end);
	if (end == *p || (errno == ERANGE && (v == 0 || isinf(v))) || *end != sep)
		funnelset_syntax(input, "Expected a number in the list of observed or expected counts.");
	*p = end + 1;
	return v;
}

/*
 * Text form: (v1,missing=M,n=N,observed=o1;o2;...,expected=e1;e2;...) with
 * N numbers in each list (empty lists when N = 0).
 */
PG_FUNCTION_INFO_V1(funnelset_in);
Datum
funnelset_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	char	   *end;
	long long	version,
				missing,
				n;
	FunnelSet  *s;
	int32		i;

	while (isspace((unsigned char) *p))
		p++;
	if (strncmp(p, "(v", 2) != 0 || !isdigit((unsigned char) p[2]))
		funnelset_syntax(input, "A summary starts with \"(v\" and its format version, as in \"(v1,\".");
	errno = 0;
	version = strtoll(p + 2, &end, 10);
	if (errno != 0 || version != SAFEIDX_SUMMARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported format version of type funnelset"),
				 errhint("This build of safeidx reads version %d.", SAFEIDX_SUMMARY_VERSION)));
	p = end;
	if (strncmp(p, ",missing=", 9) != 0 || !isdigit((unsigned char) p[9]))
		funnelset_syntax(input, "Expected \",missing=\" and a whole number.");
	errno = 0;
	missing = strtoll(p + 9, &end, 10);
	if (errno != 0)
		funnelset_syntax(input, "Field \"missing\" is not a valid whole number.");
	p = end;
	if (strncmp(p, ",n=", 3) != 0 || !isdigit((unsigned char) p[3]))
		funnelset_syntax(input, "Expected \",n=\" and a whole number.");
	errno = 0;
	n = strtoll(p + 3, &end, 10);
	if (errno != 0 || n > FUNNELSET_MAX_PAIRS)
		funnelset_syntax(input, "Field \"n\" is not a valid number of units.");
	p = end;
	s = funnelset_new((int32) n, missing);
	if (strncmp(p, ",observed=", 10) != 0)
		funnelset_syntax(input, "Expected \",observed=\".");
	p += 10;
	for (i = 0; i < s->n; i++)
		s->pairs[i].observed = funnelset_number(input, &p, i + 1 < s->n ? ';' : ',');
	if (s->n == 0)
	{
		if (*p != ',')
			funnelset_syntax(input, "Expected an empty list of observed counts for n=0.");
		p++;
	}
	if (strncmp(p, "expected=", 9) != 0)
		funnelset_syntax(input, "Expected \"expected=\" after the observed counts.");
	p += 9;
	for (i = 0; i < s->n; i++)
		s->pairs[i].expected = funnelset_number(input, &p, i + 1 < s->n ? ';' : ')');
	if (s->n == 0)
	{
		if (*p != ')')
			funnelset_syntax(input, "Expected \")\" after an empty list of expected counts.");
		p++;
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		funnelset_syntax(input, "Unexpected characters after \")\".");
	for (i = 0; i < s->n; i++)
		funnel_pair_check("funnelset", s->pairs[i].observed, s->pairs[i].expected);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(funnelset_out);
Datum
funnelset_out(PG_FUNCTION_ARGS)
{
	FunnelSet  *s = PG_GETARG_FUNNELSET(0);
	StringInfoData buf;
	int32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(v%d,missing=" INT64_FORMAT ",n=%d,observed=",
					 SAFEIDX_SUMMARY_VERSION, s->missing, s->n);
	for (i = 0; i < s->n; i++)
		appendStringInfo(&buf, "%s%s", i ? ";" : "", float8out_internal(s->pairs[i].observed));
	appendStringInfoString(&buf, ",expected=");
	for (i = 0; i < s->n; i++)
		appendStringInfo(&buf, "%s%s", i ? ";" : "", float8out_internal(s->pairs[i].expected));
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary form: version byte, missing int8, n int4, then n (observed, expected) float8 pairs. */
PG_FUNCTION_INFO_V1(funnelset_send);
Datum
funnelset_send(PG_FUNCTION_ARGS)
{
	FunnelSet  *s = PG_GETARG_FUNNELSET(0);
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SAFEIDX_SUMMARY_VERSION);
	pq_sendint64(&buf, s->missing);
	pq_sendint32(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendfloat8(&buf, s->pairs[i].observed);
		pq_sendfloat8(&buf, s->pairs[i].expected);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(funnelset_recv);
Datum
funnelset_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int64		missing;
	int32		n;
	FunnelSet  *s;
	int32		i;

	if (version != SAFEIDX_SUMMARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported format version %d of type funnelset", version)));
	missing = pq_getmsgint64(buf);
	n = pq_getmsgint(buf, 4);
	if (missing < 0 || n < 0 || (int64) n * 16 > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary funnelset: bad counts")));
	s = funnelset_new(n, missing);
	for (i = 0; i < n; i++)
	{
		s->pairs[i].observed = pq_getmsgfloat8(buf);
		s->pairs[i].expected = pq_getmsgfloat8(buf);
		funnel_pair_check("funnelset", s->pairs[i].observed, s->pairs[i].expected);
	}
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary funnelset: %d bytes left over", buf->len - buf->cursor)));
	PG_RETURN_POINTER(s);
}

/*
 * The state of funnel_agg grows by doubling: its varlena length covers the
 * pairs allocated (the capacity), n the pairs in use, so that PostgreSQL's
 * copies of a transition value keep the room (a copy of VARSIZE bytes) and a
 * transition that finds room writes in place and returns the same pointer,
 * which is then not copied at all.  The final function trims the slack.
 * Called outside an aggregate, the input is copied, never changed.
 */
static int32
funnelset_capacity(const FunnelSet *s)
{
	return (int32) ((VARSIZE(s) - offsetof(FunnelSet, pairs)) / sizeof(FunnelPair));
}

static FunnelSet *
funnelset_append(FunctionCallInfo fcinfo, FunnelSet *s, int32 extra)
{
	MemoryContext aggcontext;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcontext);
	int64		need = (int64) s->n + extra;
	int64		cap;
	FunnelSet  *bigger;

	if (need > FUNNELSET_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a funnelset holds at most %d units", FUNNELSET_MAX_PAIRS)));
	if (in_agg && funnelset_capacity(s) >= need)
		return s;
	cap = in_agg ? Max(need, Min((int64) FUNNELSET_MAX_PAIRS, Max((int64) 16, (int64) s->n * 2))) : need;
	bigger = in_agg ? MemoryContextAllocZero(aggcontext, FUNNELSET_SIZE(cap))
		: palloc0(FUNNELSET_SIZE(cap));
	memcpy(bigger, s, FUNNELSET_SIZE(s->n));
	SET_VARSIZE(bigger, FUNNELSET_SIZE(cap));
	return bigger;
}

/* The state in argument argno (ours in an aggregate: see above). */
static FunnelSet *
funnelset_state(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return funnelset_new(0, 0);
	return PG_GETARG_FUNNELSET(argno);
}

/* funnel_agg's final function: the set without the slack of its capacity. */
PG_FUNCTION_INFO_V1(funnelset_final);
Datum
funnelset_final(PG_FUNCTION_ARGS)
{
	FunnelSet  *s = PG_GETARG_FUNNELSET(0);
	FunnelSet  *out = palloc(FUNNELSET_SIZE(s->n));

	memcpy(out, s, FUNNELSET_SIZE(s->n));
	SET_VARSIZE(out, FUNNELSET_SIZE(s->n));
	PG_RETURN_POINTER(out);
}

/* funnel_agg transition: (state, observed, expected) */
PG_FUNCTION_INFO_V1(funnelset_add);
Datum
funnelset_add(PG_FUNCTION_ARGS)
{
	FunnelSet  *s = funnelset_state(fcinfo, 0);
	double		o,
				e;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		s = funnelset_append(fcinfo, s, 0);
		s->missing++;
		PG_RETURN_POINTER(s);
	}
	o = nonnegative_arg(PG_GETARG_FLOAT8(1), "observed count");
	e = nonnegative_arg(PG_GETARG_FLOAT8(2), "expected count");
	s = funnelset_append(fcinfo, s, e > 0 ? 1 : 0);
	if (e == 0)
		s->missing++;
	else
	{
		s->pairs[s->n].observed = o;
		s->pairs[s->n].expected = e;
		s->n++;
	}
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(funnelset_combine);
Datum
funnelset_combine(PG_FUNCTION_ARGS)
{
	FunnelSet  *s = funnelset_state(fcinfo, 0);
	FunnelSet  *other = PG_GETARG_FUNNELSET(1);

	s = funnelset_append(fcinfo, s, other->n);
	memcpy(&s->pairs[s->n], other->pairs, sizeof(FunnelPair) * other->n);
	s->n += other->n;
	s->missing += other->missing;
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(funnelset_units);
Datum
funnelset_units(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_FUNNELSET(0)->n);
}

PG_FUNCTION_INFO_V1(funnelset_missing);
Datum
funnelset_missing(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_FUNNELSET(0)->missing);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static int
cmp_pair_by_z(const void *a, const void *b)
{
	const double *x = (const double *) a;
	const double *y = (const double *) b;
	int			c = cmp_double(&x[0], &y[0]);

	return c ? c : cmp_double(&x[1], &y[1]);
}

/* Type-7 quantile of sorted values. */
static double
quantile7(const double *sorted_pairs, int n, double q)
{
	double		h = (n - 1) * q;
	int			lo = (int) floor(h);
	int			hi = Min(lo + 1, n - 1);

	return sorted_pairs[2 * lo] + (h - lo) * (sorted_pairs[2 * hi] - sorted_pairs[2 * lo]);
}

/*
 * phi and tau^2 of a funnelset with winsorising fraction q in [0, 0.5).
 * false when the set is empty.  The (z, w) pairs are sorted first and
 * summed in that order.
 */
static bool
funnel_dispersion(const FunnelSet *s, double q, double *phi, double *tau2)
{
	double	   *zw;
	double		lo,
				hi,
				sumz2 = 0,
				sumw = 0,
				sumw2 = 0,
				denom;
	int32		i;

	if (isnan(q) || q < 0 || q >= 0.5)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the winsorising fraction must be at least 0 and below 0.5"),
				 errhint("Use 0.1 to winsorise 10%% in each tail, as Spiegelhalter (2005).")));
	if (s->n == 0)
		return false;
	zw = palloc(sizeof(double) * 2 * s->n);
	for (i = 0; i < s->n; i++)
	{
		double		o = s->pairs[i].observed;
		double		e = s->pairs[i].expected;

		zw[2 * i] = (o - e) / sqrt(e);
		zw[2 * i + 1] = e;
	}
	qsort(zw, s->n, 2 * sizeof(double), cmp_pair_by_z);
	lo = quantile7(zw, s->n, q);
	hi = quantile7(zw, s->n, 1 - q);
	for (i = 0; i < s->n; i++)
	{
		double		z = fmin(hi, fmax(lo, zw[2 * i]));

		sumz2 += z * z;
		sumw += zw[2 * i + 1];
		sumw2 += zw[2 * i + 1] * zw[2 * i + 1];
	}
	*phi = finite_result(sumz2 / s->n, "overdispersion phi");
	denom = sumw - sumw2 / sumw;
	if (s->n * *phi <= s->n - 1 || denom <= 0)
		*tau2 = 0;
	else
		*tau2 = finite_result((s->n * *phi - (s->n - 1)) / denom, "tau^2");
	pfree(zw);
	return true;
}

PG_FUNCTION_INFO_V1(funnel_phi);
Datum
funnel_phi(PG_FUNCTION_ARGS)
{
	double		phi,
				tau2;

	if (!funnel_dispersion(PG_GETARG_FUNNELSET(0), PG_GETARG_FLOAT8(1), &phi, &tau2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(phi);
}

PG_FUNCTION_INFO_V1(funnel_tau2);
Datum
funnel_tau2(PG_FUNCTION_ARGS)
{
	double		phi,
				tau2;

	if (!funnel_dispersion(PG_GETARG_FUNNELSET(0), PG_GETARG_FLOAT8(1), &phi, &tau2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(tau2);
}
