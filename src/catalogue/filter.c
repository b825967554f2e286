/*
 * filter.c
 *		A source's filter, analysed and never trial-run.
 *
 * filter_sql(relation, filter, owner) parses the filter as the WHERE clause
 * of a query over the relation and analyses it as the source's owner (names
 * resolve with its rights, not the caller's), with search_path pinned to
 * pg_catalog and pg_temp, as when the source is read: it must be one boolean
 * expression over the relation's columns, with no subquery, aggregate,
 * window or set-returning function, only immutable functions and operators
 * (so that cells depend on the rows alone) that the source's owner may
 * execute, and only columns the owner may read.  It returns the expression
 * deparsed by PostgreSQL itself, fully parenthesised, which is what the
 * queries reading the source embed: no comment, quote or parenthesis of the
 * text the user wrote ever reaches them.  Nothing is executed.
 */
#include "safeidx.h"

#include "access/sysattr.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/ruleutils.h"

static void
refuse(const char *filter, int sqlstate, const char *why)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("filter \"%s\" is not a single SQL expression", filter),
			 errdetail("%s", why)));
}

/*
 * The raw parse of "SELECT FROM rel WHERE (filter)" (from_items 1), or of
 * "SELECT WHERE filter" (0), checked for its shape.
 */
static RawStmt *
parse_filter(const char *query, const char *filter, int from_items)
{
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
		statements = raw_parser(query, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		refuse(filter, ERRCODE_SYNTAX_ERROR, error->message);
	}
	PG_END_TRY();
	if (list_length(statements) != 1)
		refuse(filter, ERRCODE_SYNTAX_ERROR, "It holds more than one statement.");
	select = (SelectStmt *) ((RawStmt *) linitial(statements))->stmt;
	if (!IsA(select, SelectStmt) || select->op != SETOP_NONE ||
		select->whereClause == NULL || select->targetList != NIL ||
		list_length(select->fromClause) != from_items || select->groupClause != NIL ||
		select->havingClause != NULL || select->windowClause != NIL ||
		select->sortClause != NIL || select->limitOffset != NULL ||
		select->limitCount != NULL || select->lockingClause != NIL ||
		select->withClause != NULL || select->intoClause != NULL ||
		select->distinctClause != NIL)
		refuse(filter, ERRCODE_SYNTAX_ERROR, "It continues past the expression with other clauses.");
	return (RawStmt *) linitial(statements);
}

typedef struct FunctionCheck
{
	Oid			owner;
	Oid			refused;		/* the first function refused, or InvalidOid */
	int			sqlstate;		/* and why, as an error */
	const char *why;
} FunctionCheck;

/* check_functions_in_node() callback: true (stop) at a function refused. */
static bool
refuse_function(Oid funcid, void *context)
{
	FunctionCheck *check = (FunctionCheck *) context;
	char		volatility = func_volatile(funcid);

	check->sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
	if (volatility == PROVOLATILE_VOLATILE)
		check->why = "is volatile: it may change data or give another answer at each call";
	else if (volatility == PROVOLATILE_STABLE)
		check->why = "is not immutable: its answer depends on settings or time, so cells would not depend on the rows alone";
	else if (pg_proc_aclcheck(funcid, check->owner, ACL_EXECUTE) != ACLCHECK_OK)
	{
		check->sqlstate = ERRCODE_INSUFFICIENT_PRIVILEGE;
		check->why = "the source's owner may not execute";
	}
	else
		return false;
	check->refused = funcid;
	return true;
}

static bool
functions_walker(Node *node, FunctionCheck *check)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, refuse_function, check))
		return true;
	return expression_tree_walker(node, functions_walker, check);
}

/* Every column the filter reads must be readable by the owner. */
static void
check_columns(Node *quals, Oid relid, Oid owner, const char *filter)
{
	Bitmapset  *columns = NULL;
	int			i = -1;

	if (pg_class_aclcheck(relid, owner, ACL_SELECT) == ACLCHECK_OK)
		return;
	pull_varattnos(quals, 1, &columns);
	while ((i = bms_next_member(columns, i)) >= 0)
	{
		AttrNumber	attno = i + FirstLowInvalidHeapAttributeNumber;

		if (attno == InvalidAttrNumber ||
			pg_attribute_aclcheck(relid, attno, owner, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("filter \"%s\" reads %s of %s, which role %s may not read",
							filter,
							attno == InvalidAttrNumber ? "the whole row"
							: psprintf("column \"%s\"", get_attname(relid, attno, false)),
							get_rel_name(relid), GetUserNameFromId(owner, false))));
	}
}

/*
 * Errors of the analysis (an unknown column, a non-boolean expression) name
 * the filter, with their position in the query analysed, not in the
 * caller's statement (as SQL functions report errors in their body).
 */
typedef struct FilterContext
{
	const char *filter;
	const char *query;
} FilterContext;

static void
filter_context(void *arg)
{
	FilterContext *fc = (FilterContext *) arg;
	int			position = geterrposition();

	if (position > 0)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(fc->query);
	}
	errcontext("filter \"%s\" of a source", fc->filter);
}

static char *
analysed_filter(Oid relid, const char *filter, Oid owner)
{
	char	   *query = psprintf("SELECT FROM %s WHERE (\n%s\n)",
								 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
															get_rel_name(relid)),
								 filter);
	FilterContext fc = {filter, query};
	ErrorContextCallback context = {error_context_stack, filter_context, (void *) &fc};
	RawStmt    *raw = parse_filter(query, filter, 1);
	Query	   *analysed;
	Node	   *quals;
	FunctionCheck check = {owner, InvalidOid, 0, NULL};

	error_context_stack = &context;
	analysed = parse_analyze_fixedparams(raw, query, NULL, 0, NULL);
	error_context_stack = context.previous;
	quals = analysed->jointree->quals;

	if (analysed->hasSubLinks)
		refuse(filter, ERRCODE_FEATURE_NOT_SUPPORTED, "Subqueries are not allowed in a filter.");
	if (analysed->hasAggs || analysed->hasWindowFuncs || analysed->hasTargetSRFs ||
		expression_returns_set(quals))
		refuse(filter, ERRCODE_GROUPING_ERROR,
			   "Aggregate, window and set-returning functions are not allowed in a filter.");
	if (list_length(analysed->rtable) != 1)
		refuse(filter, ERRCODE_SYNTAX_ERROR, "It reads more than the source's relation.");
	if (functions_walker(quals, &check))
		ereport(ERROR,
				(errcode(check.sqlstate),
				 errmsg("filter \"%s\" calls %s, which %s", filter,
						format_procedure(check.refused), check.why)));
	check_columns(quals, relid, owner, filter);
	return psprintf("(%s)", deparse_expression(quals,
											   deparse_context_for(get_rel_name(relid), relid),
											   false, false));
}

PG_FUNCTION_INFO_V1(filter_sql);
Datum
filter_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Oid			owner = get_role_oid(NameStr(*PG_GETARG_NAME(2)), false);
	AsRole		saved;
	char	   *sql;

	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	/* names resolve as when the source is read: as the owner */
	as_role_begin(&saved, owner);
	sql = analysed_filter(relid, filter, owner);
	as_role_end(&saved);
	PG_RETURN_TEXT_P(cstring_to_text(sql));
}

/*
 * check_filter(filter): the parse-only check of 0.1.0 and 0.2.0, which
 * their install scripts still name; 0.3.0 analyses filters with filter_sql().
 */
PG_FUNCTION_INFO_V1(check_filter);
Datum
check_filter(PG_FUNCTION_ARGS)
{
	char	   *filter = text_to_cstring(PG_GETARG_TEXT_PP(0));

	(void) parse_filter(psprintf("SELECT WHERE %s", filter), filter, 0);
	PG_RETURN_VOID();
}
