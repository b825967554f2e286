/*
 * star.c
 *		Star ratings ranked among every unit of a class, whoever reads them.
 *
 * The view star_rating_all ranks the units of a class by window functions
 * over the results its reader sees.  Row-level security shows an official
 * its subtree's results only, so there the ranks, class sizes and the stars
 * of the rank methods would be taken among that subtree: a silent wrong
 * number.  star_rating_rows(), which the view star_rating reads, returns the
 * rows of star_rating_all for the results the caller reads, each ranked
 * among every unit of its class:
 *	- a caller that reads every row of table result (row-level security does
 *	  not apply to it, or reads_all_regions(), for whom the policy
 *	  result_read passes every row) reads star_rating_all with its own
 *	  rights;
 *	- any other caller first reads, with its own rights, the keys (scheme,
 *	  period, period_start, region_code) of the rows of result it may read:
 *	  row-level security alone decides which (an official's subtree).  Then
 *	  star_rating_all is read as safeidx_analyst, which reads every result
 *	  and writes nothing, and only the rows of those keys are kept.
 * Every query runs in a security-restricted operation with search_path
 * pinned (roles.c), so no function or operator the caller puts first on its
 * search_path can change which keys are taken.  What the caller gets is what
 * it read before, with the ranks, class sizes, eligible ranks and stars
 * taken among every unit; nothing of a unit whose result it may not read.
 *
 * Not a SECURITY DEFINER function: a definer cannot tell who called it (it
 * runs as its owner, and session_user or the role setting name someone else
 * inside another definer), so it would have to give every unit's ranks,
 * eligibility (and with it the barring warnings) and stars to anyone allowed
 * to call it.
 */
#include "safeidx.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"

/*
 * Runs a read-only query as role, in a security-restricted operation with
 * search_path pinned; its rows are left in SPI_tuptable.
 */
static void
query_as(Oid role, const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	AsRole		saved;
	int			status;

	as_role_begin(&saved, role);
	status = SPI_execute_with_args(sql, nargs, argtypes, values, NULL, true, 0);
	as_role_end(&saved);
	if (status != SPI_OK_SELECT)
		elog(ERROR, "star_rating_rows: \"%s\" failed: %s", sql, SPI_result_code_string(status));
}

/* Whether the caller reads every row of table result. */
static bool
reads_every_result(const char *schema, Oid result)
{
	bool		isnull;
	Datum		all;

	if (check_enable_rls(result, InvalidOid, true) != RLS_ENABLED)
		return true;
	query_as(GetUserId(), psprintf("SELECT %s.reads_all_regions()", schema), 0, NULL, NULL);
	if (SPI_processed != 1)
		elog(ERROR, "star_rating_rows: reads_all_regions() returned " UINT64_FORMAT " rows", SPI_processed);
	all = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return !isnull && DatumGetBool(all);
}

PG_FUNCTION_INFO_V1(star_rating_rows);
Datum
star_rating_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			namespace = get_func_namespace(fcinfo->flinfo->fn_oid);
	const char *schema = quote_identifier(get_namespace_name(namespace));
	Oid			result = get_relname_relid("result", namespace);

	if (!OidIsValid(result))
		elog(ERROR, "star_rating_rows: table %s.result does not exist", schema);
	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (reads_every_result(schema, result))
		query_as(GetUserId(), psprintf("SELECT s.* FROM %s.star_rating_all s", schema), 0, NULL, NULL);
	else
	{
		Oid			argtypes[4] = {TEXTARRAYOID, TEXTARRAYOID, DATEARRAYOID, TEXTARRAYOID};
		Datum		keys[4];
		bool		isnull;

		/* the keys of the results the caller reads, with its own rights */
		query_as(GetUserId(),
				 psprintf("SELECT coalesce(array_agg(r.scheme), '{}'), coalesce(array_agg(r.period::text), '{}'),"
						  " coalesce(array_agg(r.period_start), '{}'), coalesce(array_agg(r.region_code), '{}')"
						  " FROM %s.result r", schema),
				 0, NULL, NULL);
		if (SPI_processed != 1)
			elog(ERROR, "star_rating_rows: the keys of the results read came in " UINT64_FORMAT " rows",
				 SPI_processed);
		for (int i = 0; i < 4; i++)
			keys[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);
		/* their star ratings, ranked among every unit */
		query_as(get_role_oid("safeidx_analyst", false),
				 psprintf("SELECT s.* FROM %s.star_rating_all s"
						  " WHERE (s.scheme, s.period::text, s.period_start, s.region_code)"
						  " IN (SELECT k.* FROM unnest($1, $2, $3, $4) k)", schema),
				 4, argtypes, keys);
	}

	for (uint64 i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	SPI_finish();
	return (Datum) 0;
}
