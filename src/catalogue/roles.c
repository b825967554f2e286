/*
 * roles.c
 *		Running safeidx's own code with another role's rights.
 *
 * as_role_begin(&saved, role) makes role the current user inside a
 * security-restricted operation, the way PostgreSQL refreshes a
 * materialized view as its owner: what runs cannot SET ROLE, create
 * temporary objects or change settings, and names resolve with search_path
 * pinned to pg_catalog, pg_temp.  as_role_end(&saved) gives the caller back
 * its user, security context and settings; an error in between is undone by
 * the (sub)transaction's abort.  Used to read a source as its owner
 * (source_read.c), to resolve its relation and analyse its filter as its
 * owner (source.c, filter.c), and to rank star ratings as safeidx_analyst
 * after reading, as the caller itself with search_path pinned, which
 * results it may read (star.c).
 */
#include "safeidx.h"

#include "miscadmin.h"
#include "utils/guc.h"

void
as_role_begin(AsRole *saved, Oid role)
{
	GetUserIdAndSecContext(&saved->user, &saved->sec_context);
	SetUserIdAndSecContext(role, saved->sec_context | SECURITY_RESTRICTED_OPERATION);
	saved->nest_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

void
as_role_end(AsRole *saved)
{
	AtEOXact_GUC(false, saved->nest_level);
	SetUserIdAndSecContext(saved->user, saved->sec_context);
}
