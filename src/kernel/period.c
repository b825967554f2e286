/*
 * period.c
 *		Calendar arithmetic on period starts (day, month, quarter, year) in
 *		C, as the SQL period helpers of src/catalogue/period.sql do it:
 *		truncating a date to its period, stepping periods, and adding
 *		months the way PostgreSQL adds an interval of months to a date (the
 *		day clamped to the end of a shorter month).
 */
#include "safeidx.h"

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
