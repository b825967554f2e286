/*
 * reference.c
 *		Reading regions and population where they are kept, with the
 *		binding owner's rights (reference.sql).
 *
 * reference_relation(binding, missing_ok) resolves the relation a reference
 * binding names as its owner would, with search_path pinned to pg_catalog,
 * pg_temp (as source_relation() does for sources, source.c): the owner, not
 * the caller, needs USAGE on the schema.
 *
 * reference_rows(binding) returns the rows of a binding's relation in the
 * catalogue's columns.  The query is built and checked, as the caller, by
 * reference_sql() from the stored binding; it then runs as the owner inside
 * a security-restricted operation (roles.c), the way source_cells() reads a
 * departmental table: the functions of a view or of a foreign server's user
 * mapping are the owner's, whoever calls (an administrator, pg_cron).  The
 * result columns are those of the SQL declaration (reference_region_rows,
 * reference_population_rows), checked against the query's.  An error while
 * reading (a foreign server down, a privilege revoked) names the binding,
 * the relation and the owner.
 */
#include "safeidx.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(reference_relation);
Datum
reference_relation(PG_FUNCTION_ARGS)
{
	Oid			relid = relation_as_owner(PG_GETARG_HEAPTUPLEHEADER(0), "binding", "binding", "relation",
										  PG_GETARG_BOOL(1));

	if (!OidIsValid(relid))
		PG_RETURN_NULL();
	PG_RETURN_OID(relid);
}

/* What an error while reading a binding is about. */
typedef struct ReadingBinding
{
	const char *binding;
	const char *owner;
	const char *sql;
} ReadingBinding;

static void
reading_binding_context(void *arg)
{
	ReadingBinding *r = (ReadingBinding *) arg;

	errcontext("reading reference binding \"%s\" as role %s: %s", r->binding, r->owner, r->sql);
}

PG_FUNCTION_INFO_V1(reference_rows);
Datum
reference_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PG_GETARG_DATUM(0)};
	bool		isnull;
	char	   *sql;
	char	   *owner_name;
	Oid			owner;
	AsRole		saved;
	int			status;
	ErrorContextCallback errcallback;
	ReadingBinding reading;
	TupleDesc	want;
	TupleDesc	got;

	InitMaterializedSRF(fcinfo, 0);
	want = rsinfo->setDesc;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT q.sql, q.owner FROM %s.reference_sql($1) q",
									   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)))),
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reference_sql() gave no query");
	sql = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	owner_name = pstrdup(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull))));
	owner = get_role_oid(owner_name, false);

	reading.binding = TextDatumGetCString(PG_GETARG_DATUM(0));
	reading.owner = owner_name;
	reading.sql = sql;
	errcallback.callback = reading_binding_context;
	errcallback.arg = &reading;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	as_role_begin(&saved, owner);
	status = SPI_execute(sql, true, 0);
	as_role_end(&saved);
	error_context_stack = errcallback.previous;
	if (status != SPI_OK_SELECT)
		elog(ERROR, "reading reference binding \"%s\" failed: %s", reading.binding, SPI_result_code_string(status));

	got = SPI_tuptable->tupdesc;
	if (got->natts != want->natts)
		elog(ERROR, "reference_sql() gave %d columns, not %d", got->natts, want->natts);
	for (int i = 0; i < got->natts; i++)
		if (TupleDescAttr(got, i)->atttypid != TupleDescAttr(want, i)->atttypid)
			elog(ERROR, "reference_sql() gave column %d of type %s, not %s", i + 1,
				 format_type_be(TupleDescAttr(got, i)->atttypid), format_type_be(TupleDescAttr(want, i)->atttypid));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum	   *row = palloc(sizeof(Datum) * got->natts);
		bool	   *nulls = palloc(sizeof(bool) * got->natts);

		heap_deform_tuple(SPI_tuptable->vals[i], got, row, nulls);
		tuplestore_putvalues(rsinfo->setResult, want, row, nulls);
		pfree(row);
		pfree(nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
