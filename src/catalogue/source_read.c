/*
 * source_read.c
 *		Reading a departmental table with the rights of the sources' owner,
 *		never the caller's (also on other servers: source_remote.c).
 *
 * source_cells(sources, period, from, to, tz, codes) returns the measure of
 * sources bound to one departmental table per region code and period.  The
 * query is built, as the caller, by source_cells_sql() from the stored
 * definitions (which also checks that the owner may read what they name);
 * it then runs as the sources' owner inside a security-restricted
 * operation, the way PostgreSQL refreshes a materialized view as its owner:
 * the functions of a filter, of a department's view or of a cast run with
 * the owner's rights and cannot change the session (SET ROLE, temporary
 * objects, settings), whoever calls -- an administrator, or pg_cron as a
 * superuser.  Only aggregated cells come back.
 */
#include "safeidx.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The schema safeidx is installed in (this function's), for the SQL run here. */
static const char *
extension_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

/*
 * The query reading the sources, their owner, the first source's name and
 * the relation (for source_run_as_owner), built as the caller.
 */
static char *
cells_query(FunctionCallInfo fcinfo, Oid *owner, char **source, Oid *relid)
{
	Oid			argtypes[6] = {TEXTARRAYOID, TEXTOID, DATEOID, DATEOID, TEXTOID, INT4OID};
	Datum		values[6] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2),
							 PG_GETARG_DATUM(3), PG_GETARG_DATUM(4), (Datum) 0};
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', 'n'};
	bool		isnull;
	Datum		sql_datum;
	char	   *sql;

	/* how many codes the query will be given (source_cells_sql reads few one by one) */
	if (!PG_ARGISNULL(5))
	{
		ArrayType  *codes = PG_GETARG_ARRAYTYPE_P(5);

		values[5] = Int32GetDatum(ArrayGetNItems(ARR_NDIM(codes), ARR_DIMS(codes)));
		nulls[5] = ' ';
	}
	if (SPI_execute_with_args(psprintf("SELECT q.sql, q.owner, s.source, %1$s.source_relation(s)::oid"
									   "  FROM %1$s.source_cells_sql($1, $2, $3, $4, $5, $6) q, %1$s.source s"
									   " WHERE s.source = (SELECT min(x) FROM pg_catalog.unnest($1) x)",
									   extension_schema(fcinfo)),
							  6, argtypes, values, nulls, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "source_cells_sql() gave no query");
	sql_datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "source_cells_sql() gave no query");
	sql = TextDatumGetCString(sql_datum);
	*owner = get_role_oid(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
																&isnull))), false);
	*source = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	*relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	return sql;
}

/*
 * Runs the query as the owner, restricted, with search_path pinned
 * (source_remote.c, roles.c); the user, security context and settings are
 * restored after it (and by the (sub)transaction's abort on error, as for
 * REFRESH MATERIALIZED VIEW).
 */
static void
run_as_owner(const char *sql, Oid owner, const char *source, Oid relid, FunctionCallInfo fcinfo)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1] = {PG_ARGISNULL(5) ? (Datum) 0 : PG_GETARG_DATUM(5)};
	char		nulls[1] = {PG_ARGISNULL(5) ? 'n' : ' '};

	source_run_as_owner(sql, owner, source, relid, 1, argtypes, values, nulls, false, true);
}

PG_FUNCTION_INFO_V1(source_cells);
Datum
source_cells(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			owner;
	Oid			relid;
	char	   *source;
	char	   *sql;

	InitMaterializedSRF(fcinfo, 0);
	/* not STRICT (codes may be NULL): no rows when anything else is NULL */
	for (int i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			return (Datum) 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	sql = cells_query(fcinfo, &owner, &source, &relid);
	run_as_owner(sql, owner, source, relid, fcinfo);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		values[7];
		bool		nulls[7];

		if (SPI_tuptable->tupdesc->natts != lengthof(values))
			elog(ERROR, "source_cells_sql() gave %d columns, not %d", SPI_tuptable->tupdesc->natts,
				 (int) lengthof(values));
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
