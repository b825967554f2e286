/*
 * summary_io.c
 *		Text and binary form shared by safeidx's summary types (ratesum,
 *		groupstats, indexsum).
 *
 * A summary is a fixed-size struct of named numeric fields.  Its text form is
 *		(v1,name=value,name=value,...)
 * with every field present, in declaration order; its binary form is the
 * version byte followed by the fields as float8 or int8.  Both start with the
 * format version so that a later release can still read what an earlier one
 * stored in a table or materialized view.  Input is validated field by field;
 * each type then checks the relations between its fields.
 */
#include "safeidx.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "libpq/pqformat.h"
#include "utils/float.h"

static void
syntax_error(const char *type_name, const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type_name, input),
			 errdetail("%s", detail)));
}

static void
check_field(const char *type_name, const SummaryField *field, double value,
			int64 count)
{
	if (field->kind == SUMMARY_COUNT)
	{
		if (count < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s: field \"%s\" must not be negative",
							type_name, field->name)));
		return;
	}
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: field \"%s\" must be finite",
						type_name, field->name)));
	if (field->kind == SUMMARY_AMOUNT && value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: field \"%s\" must not be negative",
						type_name, field->name)));
}

static void
store_field(const SummaryField *field, void *summary, double value, int64 count)
{
	char	   *place = (char *) summary + field->offset;

	if (field->kind == SUMMARY_COUNT)
		*(int64 *) place = count;
	else
		*(double *) place = value;
}

static void
check_version(const char *type_name, int version)
{
	if (version != SAFEIDX_SUMMARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported format version %d of type %s", version,
						type_name),
				 errhint("This build of safeidx reads version %d.",
						 SAFEIDX_SUMMARY_VERSION)));
}

void
summary_parse(const char *input, const char *type_name,
			  const SummaryField *fields, int nfields, void *summary)
{
	const char *p = input;
	char	   *end;
	long		version;
	int			i;

	while (isspace((unsigned char) *p))
		p++;
	if (p[0] != '(' || p[1] != 'v' || !isdigit((unsigned char) p[2]))
		syntax_error(type_name, input, "A summary starts with \"(v\" and its format version, as in \"(v1,\".");
	errno = 0;
	version = strtol(p + 2, &end, 10);
	if (errno != 0 || version > INT_MAX)
		syntax_error(type_name, input, "The format version is not a valid number.");
	check_version(type_name, (int) version);
	p = end;

	for (i = 0; i < nfields; i++)
	{
		const SummaryField *field = &fields[i];
		size_t		len = strlen(field->name);
		double		value = 0;
		int64		count = 0;

		if (*p != ',' || strncmp(p + 1, field->name, len) != 0 || p[1 + len] != '=')
			syntax_error(type_name, input,
						 psprintf("Expected \",%s=\" at this place; every field must be present, in order.",
								  field->name));
		p += len + 2;
		errno = 0;
		if (field->kind == SUMMARY_COUNT)
		{
			if (!isdigit((unsigned char) *p) && *p != '-')
				syntax_error(type_name, input,
							 psprintf("Field \"%s\" must be a whole number.", field->name));
			count = strtoll(p, &end, 10);
		}
		else
			value = strtod(p, &end);
		/* as float8in: a subnormal value is read, an underflow to 0 or an overflow is not */
		if (end == p || (errno == ERANGE && (field->kind == SUMMARY_COUNT || value == 0 || isinf(value))) ||
			(*end != ',' && *end != ')'))
			syntax_error(type_name, input,
						 psprintf(field->kind == SUMMARY_COUNT
								  ? "Field \"%s\" is not a valid whole number."
								  : "Field \"%s\" is not a valid number.",
								  field->name));
		check_field(type_name, field, value, count);
		store_field(field, summary, value, count);
		p = end;
	}
	if (*p != ')')
		syntax_error(type_name, input, "Expected \")\" after the last field.");
	p++;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		syntax_error(type_name, input, "Unexpected characters after \")\".");
}

char *
summary_format(const SummaryField *fields, int nfields, const void *summary)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(v%d", SAFEIDX_SUMMARY_VERSION);
	for (i = 0; i < nfields; i++)
	{
		const char *place = (const char *) summary + fields[i].offset;

		if (fields[i].kind == SUMMARY_COUNT)
			appendStringInfo(&buf, ",%s=" INT64_FORMAT, fields[i].name,
							 *(const int64 *) place);
		else
			appendStringInfo(&buf, ",%s=%s", fields[i].name,
							 float8out_internal(*(const double *) place));
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

void
summary_send(StringInfo buf, const SummaryField *fields, int nfields,
			 const void *summary)
{
	int			i;

	pq_sendbyte(buf, SAFEIDX_SUMMARY_VERSION);
	for (i = 0; i < nfields; i++)
	{
		const char *place = (const char *) summary + fields[i].offset;

		if (fields[i].kind == SUMMARY_COUNT)
			pq_sendint64(buf, *(const int64 *) place);
		else
			pq_sendfloat8(buf, *(const double *) place);
	}
}

void
summary_recv(StringInfo buf, const char *type_name,
			 const SummaryField *fields, int nfields, void *summary)
{
	int			i;

	check_version(type_name, pq_getmsgbyte(buf));
	for (i = 0; i < nfields; i++)
	{
		double		value = 0;
		int64		count = 0;

		if (fields[i].kind == SUMMARY_COUNT)
			count = pq_getmsgint64(buf);
		else
			value = pq_getmsgfloat8(buf);
		check_field(type_name, &fields[i], value, count);
		store_field(&fields[i], summary, value, count);
	}
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary %s: %d bytes left over", type_name,
						buf->len - buf->cursor)));
}

/*
 * The summary in argument argno, ready to be changed.  Called as an
 * aggregate's transition or combine function the state is ours and is
 * updated in place (as float8_accum does); called directly, it is copied, and
 * a NULL state starts from zero.
 */
void *
summary_state_for_update(FunctionCallInfo fcinfo, int argno, Size size)
{
	void	   *state;

	if (PG_ARGISNULL(argno))
		return palloc0(size);
	state = PG_GETARG_POINTER(argno);
	if (AggCheckCallContext(fcinfo, NULL))
		return state;
	return memcpy(palloc(size), state, size);
}
