/*
 * filter.c
 *		check_filter(text): a source's filter must parse as one SQL
 *		expression and nothing else.
 *
 * Filters are stored as text and pasted into the WHERE clause of the
 * queries that read departmental tables.  They are checked with the raw
 * parser, which executes nothing, so that a filter such as
 * "true; DROP TABLE x" or "true LIMIT 1" is refused before it is stored.
 */
#include "safeidx.h"

#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/builtins.h"

static void
refuse(const char *filter, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("filter \"%s\" is not a single SQL expression", filter),
			 errdetail("%s", why)));
}

PG_FUNCTION_INFO_V1(check_filter);
Datum
check_filter(PG_FUNCTION_ARGS)
{
	char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext context = CurrentMemoryContext;
	List	   *statements = NIL;
	SelectStmt *select;

	/*
	 * A syntax error is reported as the filter's, without the position in
	 * our wrapper text, which would point into the wrong statement.  Only
	 * the raw parser runs here, so catching its error is safe.
	 */
	PG_TRY();
	{
		statements = raw_parser(psprintf("SELECT WHERE %s", filter)
#if PG_VERSION_NUM >= 140000
								,RAW_PARSE_DEFAULT
#endif
			);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		refuse(filter, error->message);
	}
	PG_END_TRY();
	if (list_length(statements) != 1)
		refuse(filter, "It holds more than one statement.");
	select = (SelectStmt *) ((RawStmt *) linitial(statements))->stmt;
	if (!IsA(select, SelectStmt) || select->op != SETOP_NONE ||
		select->whereClause == NULL || select->targetList != NIL ||
		select->fromClause != NIL || select->groupClause != NIL ||
		select->havingClause != NULL || select->windowClause != NIL ||
		select->sortClause != NIL || select->limitOffset != NULL ||
		select->limitCount != NULL || select->lockingClause != NIL ||
		select->withClause != NULL || select->intoClause != NULL)
		refuse(filter, "It continues past the expression with other clauses.");
	PG_RETURN_VOID();
}
