/*
 * period.c
 *		Calendar arithmetic on period starts (day, month, quarter, year) in
 *		C, as the SQL period helpers of src/catalogue/period.sql do it:
 *		truncating a date to its period, stepping periods, and adding
 *		months the way PostgreSQL adds an interval of months to a date (the
 *		day clamped to the end of a shorter month).
 */
#include "safeidx.h"

#include "utils/builtins.h"
#include "utils/datetime.h"

PeriodKind
period_kind_from_name(const char *name)
{
	if (strcmp(name, "day") == 0)
		return PERIOD_DAY;
	if (strcmp(name, "month") == 0)
		return PERIOD_MONTH;
	if (strcmp(name, "quarter") == 0)
		return PERIOD_QUARTER;
	if (strcmp(name, "year") == 0)
		return PERIOD_YEAR;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown period \"%s\"", name),
			 errhint("Use day, month, quarter or year.")));
	return PERIOD_DAY;			/* not reached */
}

/* The months a period kind spans (0 for a day). */
static int
period_months(PeriodKind kind)
{
	switch (kind)
	{
		case PERIOD_MONTH:
			return 1;
		case PERIOD_QUARTER:
			return 3;
		case PERIOD_YEAR:
			return 12;
		default:
			return 0;
	}
}

/* A finite date plus some months, its day clamped to the month's last. */
DateADT
date_add_months(DateADT date, int months)
{
	int			y,
				m,
				d;
	int			total;

	j2date(date + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (total < 0 && total % 12 != 0)
	{
		y = (total - 11) / 12;
		m = total - y * 12 + 1;
	}
	d = Min(d, day_tab[isleap(y)][m - 1]);
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

/* The start of the period of a kind holding a finite date. */
DateADT
period_trunc(PeriodKind kind, DateADT date)
{
	int			y,
				m,
				d;

	if (kind == PERIOD_DAY)
		return date;
	j2date(date + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	if (kind == PERIOD_YEAR)
		m = 1;
	else if (kind == PERIOD_QUARTER)
		m = (m - 1) / 3 * 3 + 1;
	return date2j(y, m, 1) - POSTGRES_EPOCH_JDATE;
}

/* The start of the period n periods after (n < 0: before) a period start. */
DateADT
period_add(PeriodKind kind, DateADT start, int n)
{
	if (kind == PERIOD_DAY)
		return start + n;
	return date_add_months(start, n * period_months(kind));
}

/* The calendar year of a finite date. */
int
date_year(DateADT date)
{
	int			y,
				m,
				d;

	j2date(date + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return y;
}

/* January 1st of a year. */
DateADT
year_start(int year)
{
	return date2j(year, 1, 1) - POSTGRES_EPOCH_JDATE;
}

/*
 * The SQL period helpers evaluated per result row (warnings, notices):
 * period_end, period_before and period_number, as period.sql defines them,
 * NULL for a name that is no period kind (as period_interval() gives).
 */
static bool
period_kind_lookup(text *name, PeriodKind *kind)
{
	char		buf[16];

	text_to_cstring_buffer(name, buf, sizeof(buf));
	if (strcmp(buf, "day") == 0)
		*kind = PERIOD_DAY;
	else if (strcmp(buf, "month") == 0)
		*kind = PERIOD_MONTH;
	else if (strcmp(buf, "quarter") == 0)
		*kind = PERIOD_QUARTER;
	else if (strcmp(buf, "year") == 0)
		*kind = PERIOD_YEAR;
	else
		return false;
	return true;
}

/* A period start n periods away; infinite dates stay where they are. */
static Datum
period_step(FunctionCallInfo fcinfo, int n)
{
	PeriodKind	kind;
	DateADT		start = PG_GETARG_DATEADT(1);
	int64		result;

	if (!period_kind_lookup(PG_GETARG_TEXT_PP(0), &kind))
		PG_RETURN_NULL();
	if (DATE_NOT_FINITE(start))
		PG_RETURN_DATEADT(start);
	/* years stay far inside int: dates end in the year 5874897 */
	if (kind == PERIOD_DAY)
		result = (int64) start + n;
	else
		result = period_add(kind, start, n);
	if (!IS_VALID_DATE(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range")));
	PG_RETURN_DATEADT((DateADT) result);
}

PG_FUNCTION_INFO_V1(safeidx_period_end);
Datum
safeidx_period_end(PG_FUNCTION_ARGS)
{
	return period_step(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(safeidx_period_before);
Datum
safeidx_period_before(PG_FUNCTION_ARGS)
{
	return period_step(fcinfo, -1);
}

/* Days since 2000-01-01 for days; else months since year 0 in period units. */
PG_FUNCTION_INFO_V1(safeidx_period_number);
Datum
safeidx_period_number(PG_FUNCTION_ARGS)
{
	PeriodKind	kind;
	DateADT		start = PG_GETARG_DATEADT(1);
	int			y,
				m,
				d;

	if (!period_kind_lookup(PG_GETARG_TEXT_PP(0), &kind))
		PG_RETURN_NULL();
	if (DATE_NOT_FINITE(start))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("an infinite date has no period number")));
	if (kind == PERIOD_DAY)
		PG_RETURN_INT32(start - (date2j(2000, 1, 1) - POSTGRES_EPOCH_JDATE));
	j2date(start + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	PG_RETURN_INT32((y * 12 + m - 1) / period_months(kind));
}
