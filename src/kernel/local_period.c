/*
 * local_period.c
 *		local_period(at, period, zone): the start of the local period (day,
 *		month, quarter, year) holding a timestamptz in a time zone, in one
 *		call per departmental row.  The same date as
 *		date_trunc(period, at AT TIME ZONE zone)::date, without the three
 *		function calls and the time zone lookup of each row: the zone is
 *		looked up once per query (cached in fn_extra).
 *
 *		local_period(at, spec jsonb), spec {"period": ..., "zone": ...}: the
 *		same, with no collatable argument, so that postgres_fdw ships it to a
 *		server whose foreign server lists safeidx in its "extensions" option
 *		(postgres_fdw sends no function whose text input's collation does not
 *		come from a column of the foreign table: a text constant such as
 *		'month' keeps local_period(at, period, zone) on this side; doc/
 *		deployments.md).
 */
#include "safeidx.h"

#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

typedef struct LocalPeriodCache
{
	char		zone[TZ_STRLEN_MAX + 1];
	char		period[16];
	pg_tz	   *tz;
	PeriodKind	kind;
	Jsonb	   *spec;			/* local_period(at, spec): the spec parsed last */
} LocalPeriodCache;

/* The cached zone and period kind of a call site, looked up when they change. */
static LocalPeriodCache *
local_period_cache(FunctionCallInfo fcinfo, text *period, text *zone)
{
	LocalPeriodCache *cache = fcinfo->flinfo->fn_extra;
	char		zone_name[TZ_STRLEN_MAX + 1];
	char		period_name[16];

	/* a name too long for the buffers is no zone or period (not cut to one) */
	if (VARSIZE_ANY_EXHDR(zone) >= sizeof(zone_name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" is not known", text_to_cstring(zone)),
				 errhint("Use a name of pg_timezone_names, e.g. Asia/Shanghai.")));
	if (VARSIZE_ANY_EXHDR(period) >= sizeof(period_name))
		(void) period_kind_from_name(text_to_cstring(period));	/* the error */
	text_to_cstring_buffer(zone, zone_name, sizeof(zone_name));
	text_to_cstring_buffer(period, period_name, sizeof(period_name));
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LocalPeriodCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->tz == NULL || strcmp(cache->zone, zone_name) != 0)
	{
		pg_tz	   *tz = pg_tzset(zone_name);

		if (tz == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time zone \"%s\" is not known", zone_name),
					 errhint("Use a name of pg_timezone_names, e.g. Asia/Shanghai.")));
		cache->tz = tz;
		strlcpy(cache->zone, zone_name, sizeof(cache->zone));
	}
	if (cache->period[0] == '\0' || strcmp(cache->period, period_name) != 0)
	{
		cache->kind = period_kind_from_name(period_name);
		strlcpy(cache->period, period_name, sizeof(cache->period));
	}
	return cache;
}

PG_FUNCTION_INFO_V1(safeidx_local_period);
Datum
safeidx_local_period(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(0);
	LocalPeriodCache *cache = local_period_cache(fcinfo, PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2));
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	if (TIMESTAMP_IS_NOBEGIN(at))
		PG_RETURN_DATEADT(DATEVAL_NOBEGIN);
	if (TIMESTAMP_IS_NOEND(at))
		PG_RETURN_DATEADT(DATEVAL_NOEND);
	if (timestamp2tm(at, &offset, &tm, &fsec, NULL, cache->tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	PG_RETURN_DATEADT(period_trunc(cache->kind,
								   date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE));
}

/* floor(a / b) for a positive b, also for negative a */
static int64
floor_div(int64 a, int64 b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/*
 * local_day_monotone(zone, from, to): whether the local date in a zone never
 * goes back between two dates, that is, no clock change in [from - 1 day,
 * to + 1 day] sets the clock back across a midnight (as America/Sao_Paulo's
 * did, from 00:00 to 23:00 of the day before).  Where it holds, the local day
 * of the latest instant of a set is the latest local day of the set, so a
 * query may convert max(at) once per group instead of every row.
 */
PG_FUNCTION_INFO_V1(safeidx_local_day_monotone);
Datum
safeidx_local_day_monotone(PG_FUNCTION_ARGS)
{
	LocalPeriodCache *cache = local_period_cache(fcinfo, cstring_to_text("day"), PG_GETARG_TEXT_PP(0));
	DateADT		from_date = PG_GETARG_DATEADT(1);
	DateADT		to_date = PG_GETARG_DATEADT(2);
	pg_time_t	t;
	pg_time_t	end;

	if (DATE_NOT_FINITE(from_date) || DATE_NOT_FINITE(to_date))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("local_day_monotone needs finite dates")));
	t = ((pg_time_t) from_date - 1 + POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
	end = ((pg_time_t) to_date + 1 + POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
	while (t < end)
	{
		long int	before_offset;
		long int	after_offset;
		int			before_isdst;
		int			after_isdst;
		pg_time_t	boundary;
		int			found = pg_next_dst_boundary(&t, &before_offset, &before_isdst, &boundary,
												 &after_offset, &after_isdst, cache->tz);

		if (found < 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("the clock changes of time zone \"%s\" cannot be read around these dates", cache->zone)));
		if (found == 0 || boundary >= end)
			break;
		if (after_offset < before_offset &&
			floor_div(boundary + after_offset, SECS_PER_DAY) < floor_div(boundary - 1 + before_offset, SECS_PER_DAY))
			PG_RETURN_BOOL(false);
		if (boundary <= t)
			break;				/* no progress: never expected */
		t = boundary;
	}
	PG_RETURN_BOOL(true);
}

/* A text member of the spec of local_period(at, spec), or an error. */
static text *
spec_member(Jsonb *spec, const char *key)
{
	JsonbValue *v = NULL;

	if (JB_ROOT_IS_OBJECT(spec))
		v = getKeyJsonValueFromContainer(&spec->root, key, strlen(key), NULL);
	if (v == NULL || v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the spec of local_period() needs a string \"%s\"", key),
				 errhint("Give {\"period\": \"month\", \"zone\": \"Asia/Shanghai\"}.")));
	return cstring_to_text_with_len(v->val.string.val, v->val.string.len);
}

PG_FUNCTION_INFO_V1(safeidx_local_period_spec);
Datum
safeidx_local_period_spec(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(0);
	Jsonb	   *spec = PG_GETARG_JSONB_P(1);
	LocalPeriodCache *cache = fcinfo->flinfo->fn_extra;
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	/* the spec is parsed once per call site, not per row, while it stays the same */
	if (cache == NULL || cache->spec == NULL || VARSIZE(cache->spec) != VARSIZE(spec) ||
		memcmp(cache->spec, spec, VARSIZE(spec)) != 0)
	{
		/*
		 * Forget the spec parsed last first: should the lookup fail half-way
		 * (a known zone, an unknown period), the zone cached would no longer
		 * be that spec's.
		 */
		if (cache != NULL && cache->spec != NULL)
		{
			pfree(cache->spec);
			cache->spec = NULL;
		}
		cache = local_period_cache(fcinfo, spec_member(spec, "period"), spec_member(spec, "zone"));
		cache->spec = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(spec));
		memcpy(cache->spec, spec, VARSIZE(spec));
	}

	if (TIMESTAMP_IS_NOBEGIN(at))
		PG_RETURN_DATEADT(DATEVAL_NOBEGIN);
	if (TIMESTAMP_IS_NOEND(at))
		PG_RETURN_DATEADT(DATEVAL_NOEND);
	if (timestamp2tm(at, &offset, &tm, &fsec, NULL, cache->tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	PG_RETURN_DATEADT(period_trunc(cache->kind,
								   date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE));
}
