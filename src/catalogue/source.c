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
 * for those too with missing_ok.  relation_as_owner() does it for any
 * catalogue row that names a relation and an owner: reference bindings
 * (reference.c) resolve theirs the same way.
 */
#include "safeidx.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

/*
 * The relation a catalogue row names in its "relation" column (a source, a
 * reference binding: "kind", named by its "key" column), resolved as the
 * row's "owner" resolves it; "object" is what it reads ("table",
 * "relation") for the hint.  InvalidOid when the row names none, when no such
 * relation exists, and with missing_ok when the owner is gone or may not use
 * the schema (else 42704, 42501).
 */
Oid
relation_as_owner(HeapTupleHeader row, const char *kind, const char *key, const char *object, bool missing_ok)
{
	bool		isnull;
	Datum		name = GetAttributeByName(row, key, &isnull);
	const char *row_name = isnull ? "" : TextDatumGetCString(name);
	Datum		relation = GetAttributeByName(row, "relation", &isnull);
	Datum		owner_name;
	Oid			owner;
	RangeVar   *rv;
	AsRole		saved;
	Oid			relid;

	if (isnull)
		return InvalidOid;
	owner_name = GetAttributeByName(row, "owner", &isnull);
	owner = isnull ? InvalidOid : get_role_oid(NameStr(*DatumGetName(owner_name)), true);
	if (!OidIsValid(owner))
	{
		if (missing_ok)
			return InvalidOid;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the owner of %s \"%s\", role %s, does not exist", kind, row_name,
						isnull ? "NULL" : NameStr(*DatumGetName(owner_name))),
				 errhint("A %s is read with its owner's rights: give it an existing owner.", kind)));
	}
	rv = makeRangeVarFromNameList(textToQualifiedNameList(DatumGetTextPP(relation)));
	if (rv->schemaname != NULL)
	{
		Oid			schema = get_namespace_oid(rv->schemaname, true);

		if (OidIsValid(schema) && pg_namespace_aclcheck(schema, owner, ACL_USAGE) != ACLCHECK_OK)
		{
			if (missing_ok)
				return InvalidOid;
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the owner of %s \"%s\", role %s, may not use schema %s", kind, row_name,
							NameStr(*DatumGetName(owner_name)), quote_identifier(rv->schemaname)),
					 errhint("A %s is read with its owner's rights: grant the owner USAGE on the schema, or give the %s an owner who may read the %s.",
							 kind, kind, object)));
		}
	}
	as_role_begin(&saved, owner);
	relid = RangeVarGetRelid(rv, NoLock, true);
	as_role_end(&saved);
	return relid;
}

PG_FUNCTION_INFO_V1(source_relation);
Datum
source_relation(PG_FUNCTION_ARGS)
{
	Oid			relid = relation_as_owner(PG_GETARG_HEAPTUPLEHEADER(0), "source", "source", "table",
										  PG_GETARG_BOOL(1));

	if (!OidIsValid(relid))
		PG_RETURN_NULL();
	PG_RETURN_OID(relid);
}
