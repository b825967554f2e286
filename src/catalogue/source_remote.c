/*
 * source_remote.c
 *		Reading a source whose rows live on other servers (postgres_fdw
 *		foreign tables, or a table partitioned into foreign tables), as its
 *		owner: the shared runner of the queries that read sources, and the
 *		plan of a source's cell query.
 *
 * source_run_as_owner() runs a query reading a source as the source's owner,
 * in a security-restricted operation with search_path pinned (roles.c):
 * postgres_fdw then picks the OWNER's user mapping (or PUBLIC's), never the
 * caller's, because it asks for the current user's mapping.  For a table
 * partitioned into foreign tables it turns on enable_partitionwise_aggregate
 * for the query alone, so that each shard groups its own rows (only cells
 * cross the network; the partition key must be the region column, which the
 * cell query groups by).  An error while reading such a source (a server
 * down, a remote role without SELECT) is re-thrown with the source and its
 * servers named in front of the message, with its SQLSTATE and detail kept;
 * the transaction is aborted as before, so nothing is half-written.
 *
 * source_plan(sources, period, from, to, tz) is EXPLAIN (VERBOSE, COSTS OFF)
 * of the query source_cells() runs, planned as the owner: where postgres_fdw
 * shows "Remote SQL: ... GROUP BY", the grouping runs on the department's
 * server.  Planning opens no connection (no remote estimates are asked).
 */
#include "safeidx.h"

#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

/*
 * "foreign table T on server S" or "partitioned table T, partitions on
 * servers S1, S2"; NULL for a relation reading no foreign table.
 */
static char *
remote_description(Oid relid, bool *sharded)
{
	char		kind = get_rel_relkind(relid);
	StringInfoData buf;
	List	   *servers = NIL;
	ListCell   *lc;

	*sharded = false;
	if (kind == RELKIND_FOREIGN_TABLE)
		return psprintf("foreign table %s on server \"%s\"",
						quote_identifier(get_rel_name(relid)),
						GetForeignServer(GetForeignTable(relid)->serverid)->servername);
	if (kind != RELKIND_PARTITIONED_TABLE)
		return NULL;
	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_FOREIGN_TABLE)
			servers = list_append_unique_oid(servers, GetForeignTable(lfirst_oid(lc))->serverid);
	}
	if (servers == NIL)
		return NULL;
	*sharded = true;
	initStringInfo(&buf);
	appendStringInfo(&buf, "partitioned table %s, partitions on server%s ",
					 quote_identifier(get_rel_name(relid)), list_length(servers) > 1 ? "s" : "");
	foreach(lc, servers)
		appendStringInfo(&buf, "%s\"%s\"", foreach_current_index(lc) > 0 ? ", " : "",
						 GetForeignServer(lfirst_oid(lc))->servername);
	return buf.data;
}

void
source_run_as_owner(const char *sql, Oid owner, const char *source, Oid relid,
					int nargs, Oid *argtypes, Datum *values, const char *nulls, bool explain, bool cells)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	bool		sharded;
	char	   *remote = OidIsValid(relid) ? remote_description(relid, &sharded) : NULL;
	AsRole		saved;
	int			status = 0;

	as_role_begin(&saved, owner);
	if (remote != NULL && sharded)
		(void) set_config_option("enable_partitionwise_aggregate", "on", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	/*
	 * A local cell query groups many rows of each heap page: by bitmap or
	 * sequential scans each page is read once, where a plain index scan on
	 * the time column visits a page again for every row of it that is not
	 * in time order (a month of the demo's incidents: 552,000 buffer visits
	 * against 6,600, 3 times the time).  Few codes read one at a time keep
	 * their index as a bitmap scan.
	 */
	if (remote == NULL && cells)
		(void) set_config_option("enable_indexscan", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		/* EXPLAIN (never ANALYZE) is refused by a read-only SPI call */
		status = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, !explain, 0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		if (remote == NULL)
			PG_RE_THROW();
		/* the error again, the source and its servers named first */
		MemoryContextSwitchTo(caller_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		edata->message = psprintf("source \"%s\" (%s) could not be read: %s", source, remote,
								  edata->message ? edata->message : "unknown error");
		if (edata->hint == NULL)
			edata->hint = pstrdup("A source on another server is read there with its owner's user mapping; "
								  "nothing was written: once the cause is mended, the next refresh takes every change in.");
		ReThrowError(edata);
	}
	PG_END_TRY();
	as_role_end(&saved);
	if (status != SPI_OK_SELECT && status != SPI_OK_UTILITY)
		elog(ERROR, "reading source \"%s\" failed: %s", source, SPI_result_code_string(status));
}

/* The schema safeidx is installed in (this function's). */
static const char *
extension_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

PG_FUNCTION_INFO_V1(source_plan);
Datum
source_plan(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			argtypes[5] = {TEXTARRAYOID, TEXTOID, DATEOID, DATEOID, TEXTOID};
	Datum		values[5] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2),
							 PG_GETARG_DATUM(3), PG_GETARG_DATUM(4)};
	Oid			param_type[1] = {TEXTARRAYOID};
	Datum		param_value[1] = {(Datum) 0};
	char		param_null[1] = {'n'};
	bool		isnull;
	Datum		sql_datum;
	char	   *sql;
	char	   *source;
	Oid			owner;
	Oid			relid;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(psprintf("SELECT q.sql, q.owner, s.source, %1$s.source_relation(s)::oid"
									   "  FROM %1$s.source_cells_sql($1, $2, $3, $4, $5) q, %1$s.source s"
									   " WHERE s.source = (SELECT min(x) FROM pg_catalog.unnest($1) x)",
									   extension_schema(fcinfo)),
							  5, argtypes, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "source_cells_sql() gave no query");
	sql_datum = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "source_cells_sql() gave no query");
	sql = TextDatumGetCString(sql_datum);
	owner = get_role_oid(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
															   &isnull))), false);
	source = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	source_run_as_owner(psprintf("EXPLAIN (VERBOSE, COSTS OFF) %s", sql), owner, source, relid,
						1, param_type, param_value, param_null, true, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		line = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		Datum		out[1];
		bool		out_null[1] = {isnull};

		out[0] = isnull ? (Datum) 0 : CStringGetTextDatum(TextDatumGetCString(line));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, out_null);
	}
	SPI_finish();
	return (Datum) 0;
}
