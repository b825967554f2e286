/*
 * source.c
 *		A source's relation, found with its owner's rights.
 *
 * source_relation(src, missing_ok) resolves the name a source stores
 * (schema-qualified by source_check()) as the source's owner would, with
 * search_path pinned to pg_catalog, pg_temp: the owner, not the caller,
 * needs USAGE on the schema.  So an administrator who may not use the
 * departments' schemas still builds every scheme, and what is read is
 * decided by the department's rights alone, as the read itself
 * (source_read.c) is.  NULL when no such relation exists; an error when the
 * owner no longer exists (42704) or may not use the schema (42501), or NULL
 * for those too with missing_ok.
 */
#include "safeidx.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(source_relation);
Datum
source_relation(PG_FUNCTION_ARGS)
{
	HeapTupleHeader src = PG_GETARG_HEAPTUPLEHEADER(0);
	bool		missing_ok = PG_GETARG_BOOL(1);
	bool		isnull;
	Datum		source = GetAttributeByName(src, "source", &isnull);
	const char *source_name = isnull ? "" : TextDatumGetCString(source);
	Datum		relation = GetAttributeByName(src, "relation", &isnull);
	Datum		owner_name;
	Oid			owner;
	RangeVar   *rv;
	AsRole		saved;
	Oid			relid;

	if (isnull)
		PG_RETURN_NULL();
	owner_name = GetAttributeByName(src, "owner", &isnull);
	owner = isnull ? InvalidOid : get_role_oid(NameStr(*DatumGetName(owner_name)), true);
	if (!OidIsValid(owner))
	{
		if (missing_ok)
			PG_RETURN_NULL();
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the owner of source \"%s\", role %s, does not exist", source_name,
						isnull ? "NULL" : NameStr(*DatumGetName(owner_name))),
				 errhint("A source is read with its owner's rights: give it an existing owner.")));
	}
	rv = makeRangeVarFromNameList(textToQualifiedNameList(DatumGetTextPP(relation)));
	if (rv->schemaname != NULL)
	{
		Oid			schema = get_namespace_oid(rv->schemaname, true);

		if (OidIsValid(schema) && pg_namespace_aclcheck(schema, owner, ACL_USAGE) != ACLCHECK_OK)
		{
			if (missing_ok)
				PG_RETURN_NULL();
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the owner of source \"%s\", role %s, may not use schema %s", source_name,
							NameStr(*DatumGetName(owner_name)), quote_identifier(rv->schemaname)),
					 errhint("A source is read with its owner's rights: grant the owner USAGE on the schema, or give the source an owner who may read the table.")));
		}
	}
	as_role_begin(&saved, owner);
	relid = RangeVarGetRelid(rv, NoLock, true);
	as_role_end(&saved);
	if (!OidIsValid(relid))
		PG_RETURN_NULL();
	PG_RETURN_OID(relid);
}
