/*
 * csv.c
 *		Splitting CSV text into rows of fields, for the reference-data loader
 *		(loader.sql).
 *
 * csv_rows(content) returns one row per record of a CSV file given as text
 * (RFC 4180): its line (the physical line the record starts on, from 1),
 * its fields (text[]) and a problem, or NULL.  Fields are separated by
 * commas; a field may be quoted with double quotes, inside which commas,
 * line breaks and doubled quotes ("") stand for themselves.  Lines end with
 * LF, CRLF or CR.  A UTF-8 byte-order mark at the start is skipped (in a
 * UTF-8 database).  Blanks (spaces, tabs) around a field are dropped; an
 * empty unquoted field is NULL, an empty quoted one ''.  Lines holding
 * nothing are skipped.  Never an error: an unterminated quote (the rest of
 * the text becomes the field), text after a closing quote, or a quote inside
 * an unquoted field are reported as the record's problem, so that the loader
 * can list every bad record.  Commas, quotes and line breaks are ASCII,
 * which no byte of a multibyte character of a server encoding can be.
 */
#include "safeidx.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

PG_FUNCTION_INFO_V1(csv_rows);
Datum
csv_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *content = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(content);
	int			len = VARSIZE_ANY_EXHDR(content);
	int			pos = 0;
	int			line = 1;
	StringInfoData field;
	MemoryContext record_cxt;
	MemoryContext outer_cxt;

	InitMaterializedSRF(fcinfo, 0);
	initStringInfo(&field);

	/*
	 * What a record needs (its fields, its array) lives in a context reset
	 * before the next one: the tuplestore keeps its own copy of each row, so
	 * memory stays that of one record, whatever the number of records or of
	 * lines holding nothing.
	 */
	record_cxt = AllocSetContextCreate(CurrentMemoryContext, "csv_rows record", ALLOCSET_DEFAULT_SIZES);
	outer_cxt = MemoryContextSwitchTo(record_cxt);
	if (GetDatabaseEncoding() == PG_UTF8 && len >= 3 &&
		(unsigned char) s[0] == 0xEF && (unsigned char) s[1] == 0xBB && (unsigned char) s[2] == 0xBF)
		pos = 3;

	while (pos < len)
	{
		int			start_line = line;
		const char *problem = NULL;
		ArrayBuildState *fields;
		int			nfields = 0;
		bool		only_null = true;

		MemoryContextReset(record_cxt);
		fields = initArrayResult(TEXTOID, record_cxt, false);

		for (;;)
		{
			bool		quoted = false;
			int			p = pos;

			resetStringInfo(&field);
			while (p < len && is_blank(s[p]))
				p++;
			if (p < len && s[p] == '"')
			{
				quoted = true;
				pos = p + 1;
				for (;;)
				{
					if (pos >= len)
					{
						if (problem == NULL)
							problem = "a quoted field is not closed before the end of the file";
						break;
					}
					if (s[pos] == '"')
					{
						if (pos + 1 < len && s[pos + 1] == '"')
						{
							appendStringInfoChar(&field, '"');
							pos += 2;
							continue;
						}
						pos++;
						break;
					}
					if (s[pos] == '\n' || (s[pos] == '\r' && !(pos + 1 < len && s[pos + 1] == '\n')))
						line++;
					appendStringInfoChar(&field, s[pos]);
					pos++;
				}
				while (pos < len && is_blank(s[pos]))
					pos++;
				if (pos < len && s[pos] != ',' && s[pos] != '\n' && s[pos] != '\r')
				{
					if (problem == NULL)
						problem = "text after the closing quote of a field";
					while (pos < len && s[pos] != ',' && s[pos] != '\n' && s[pos] != '\r')
						pos++;
				}
			}
			else
			{
				pos = p;
				while (pos < len && s[pos] != ',' && s[pos] != '\n' && s[pos] != '\r')
				{
					if (s[pos] == '"' && problem == NULL)
						problem = "a quote inside a field that does not start with one";
					appendStringInfoChar(&field, s[pos]);
					pos++;
				}
				while (field.len > 0 && is_blank(field.data[field.len - 1]))
					field.data[--field.len] = '\0';
			}
			if (!quoted && field.len == 0)
				accumArrayResult(fields, (Datum) 0, true, TEXTOID, record_cxt);
			else
			{
				accumArrayResult(fields, PointerGetDatum(cstring_to_text_with_len(field.data, field.len)),
								 false, TEXTOID, record_cxt);
				only_null = false;
			}
			nfields++;
			if (pos < len && s[pos] == ',')
			{
				pos++;
				continue;
			}
			if (pos < len && s[pos] == '\r')
			{
				pos++;
				if (pos < len && s[pos] == '\n')
					pos++;
				line++;
			}
			else if (pos < len && s[pos] == '\n')
			{
				pos++;
				line++;
			}
			break;
		}
		if (nfields == 1 && only_null && problem == NULL)
			continue;			/* a line holding nothing */
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, problem == NULL};

			values[0] = Int32GetDatum(start_line);
			values[1] = makeArrayResult(fields, record_cxt);
			values[2] = problem ? CStringGetTextDatum(problem) : (Datum) 0;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	MemoryContextSwitchTo(outer_cxt);
	MemoryContextDelete(record_cxt);
	return (Datum) 0;
}
