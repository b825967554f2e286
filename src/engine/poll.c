/*
 * poll.c
 *		Changes without triggers: the rows of a source past its watermark,
 *		read with the rights of the source's owner.
 *
 * source_changes(source) runs the query source_changes_sql() builds (as the
 * caller, from the stored definitions and watermark) as the source's owner,
 * in a security-restricted operation (source_run_as_owner, source_remote.c):
 * one GROUP BY region code and UTC day of the rows whose watermark column
 * is past the stored watermark, which postgres_fdw ships to the
 * department's server, so only one row per region and day comes back.
 */
#include "safeidx.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(source_changes);
Datum
source_changes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PG_GETARG_DATUM(0)};
	bool		isnull;
	char	   *sql;
	char	   *source;
	Oid			owner;
	Oid			relid;
	const char *schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT q.sql, q.owner, s.source, %1$s.source_relation(s)::oid"
									   "  FROM %1$s.source_changes_sql($1) q, %1$s.source s WHERE s.source = $1",
									   schema),
							  1, argtypes, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "source_changes_sql() gave no query");
	sql = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	owner = get_role_oid(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
															   &isnull))), false);
	source = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	source_run_as_owner(sql, owner, source, relid, 0, NULL, NULL, NULL, false, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		row[6];
		bool		nulls[6];

		if (SPI_tuptable->tupdesc->natts != lengthof(row))
			elog(ERROR, "source_changes_sql() gave %d columns, not %d", SPI_tuptable->tupdesc->natts,
				 (int) lengthof(row));
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, row, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
