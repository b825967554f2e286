/*
 * results_pool.c
 *		Stored yearly pools (table baseline_pool): the sums a prior-years
 *		baseline pools over a calendar year, kept between computations so
 *		that computing one period reads its year's pools instead of rolling
 *		up every period of the years before it again.
 *
 * A pool depends on the cells of its year, the regions and population
 * figures in force in it and the version's leaves.  The first two drop the
 * stored pools of the years they change (delete_cells, and the statement
 * triggers on region and population), rebuild drops every pool of its
 * scheme, and the leaves are written into the row ("definition"): a pool
 * whose definition differs is not read.  A pool read is the very bits the
 * roll-up of its periods would sum again (periods in date order, the same
 * code), so results do not depend on whether a pool was stored.
 *
 * The binary form (bytea), native byte order (a cache, never dumped):
 *	 int32 format (POOL_FORMAT), int32 codes stored, int32 leaves,
 *	 the codes (NUL-terminated), then per code and leaf: five float8
 *	 (num_counted, exposure, num_all, den_all, value_sum), two int32
 *	 (periods, values) and three uint8 (has_exposure, num_seen,
 *	 counted_seen).  Only codes that were in the tree in some period of the
 *	 year are stored; any other code pools nothing.  A pool that does not
 *	 parse, or names a code the catalogue no longer has, is not read.
 */
#include "results.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#define POOL_FORMAT 1
#define POOL_ENTRY_SIZE (5 * sizeof(double) + 2 * sizeof(int32) + 3 * sizeof(uint8))

/*
 * The years the prior-years baselines of the periods asked for (sorted)
 * pool: *first .. *last, of which pooled_year() says which are read.
 */
static int
pool_years(const Computation *c, const DateADT *asked, int nasked, int *first, int *last)
{
	int			years = 0;

	for (int l = 0; l < c->v->nleaves; l++)
		if (c->v->leaves[l].baseline == 'p')
			years = Max(years, c->v->leaves[l].baseline_years);
	*first = 1;
	*last = 0;
	if (years > 0 && nasked > 0)
	{
		*first = date_year(asked[0]) - years;
		*last = date_year(asked[nasked - 1]) - 1;
	}
	return years;
}

static bool
pooled_year(const DateADT *asked, int nasked, int years, int year)
{
	for (int i = 0; i < nasked; i++)
		if (date_year(asked[i]) - years <= year && year < date_year(asked[i]))
			return true;
	return false;
}

/*
 * What a pool of this computation depends on besides its data: the period
 * kind, the scheme's root and population kind, and per leaf its node,
 * measure, baseline and sources in order (the order of their sums).
 */
static char *
pool_definition(const Computation *c)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s, "format %d; %s; root %s; population %s", POOL_FORMAT, c->k->period,
					 c->k->root_code ? c->k->root_code : "-", c->k->population_kind);
	for (int l = 0; l < c->v->nleaves; l++)
	{
		const KLeaf *leaf = &c->v->leaves[l];

		appendStringInfo(&s, "; %s %c %c", c->v->nodes[leaf->node].name, leaf->measure, leaf->baseline);
		for (int j = 0; j < leaf->nnum; j++)
			appendStringInfo(&s, " %s", c->k->sources[leaf->num[j]].name);
		appendStringInfoString(&s, " /");
		for (int j = 0; j < leaf->nden; j++)
			appendStringInfo(&s, " %s", c->k->sources[leaf->den[j]].name);
	}
	return s.data;
}

/* A stored pool into a new YearPool of c; false when it cannot be read. */
static bool
pool_from_bytes(Computation *c, int year, const char *data, Size len)
{
	int			nl = c->v->nleaves;
	const char *p = data;
	const char *end = data + len;
	int32		header[3];
	int		   *slots;
	YearPool   *pool;

	if (len < sizeof(header))
		return false;
	memcpy(header, p, sizeof(header));
	p += sizeof(header);
	if (header[0] != POOL_FORMAT || header[1] < 0 || header[2] != nl || header[1] > c->k->ncodes)
		return false;
	slots = palloc(sizeof(int) * Max(header[1], 1));
	for (int i = 0; i < header[1]; i++)
	{
		const char *nul = memchr(p, '\0', end - p);

		if (nul == NULL || (slots[i] = kernel_code(c->k, p)) < 0)
			return false;
		p = nul + 1;
	}
	if ((Size) (end - p) != (Size) header[1] * nl * POOL_ENTRY_SIZE)
		return false;
	pool = pool_of(c, year, true);
	for (int i = 0; i < header[1]; i++)
		for (int l = 0; l < nl; l++)
		{
			int			y = slots[i] * nl + l;
			int32		counts[2];

			memcpy(&pool->num_counted[y], p, sizeof(double));
			memcpy(&pool->exposure[y], p + 8, sizeof(double));
			memcpy(&pool->num_all[y], p + 16, sizeof(double));
			memcpy(&pool->den_all[y], p + 24, sizeof(double));
			memcpy(&pool->value_sum[y], p + 32, sizeof(double));
			memcpy(counts, p + 40, sizeof(counts));
			pool->periods[y] = counts[0];
			pool->values[y] = counts[1];
			pool->has_exposure[y] = p[48] != 0;
			pool->num_seen[y] = (uint8) p[49];
			pool->counted_seen[y] = (uint8) p[50];
			p += POOL_ENTRY_SIZE;
		}
	pool->stored = true;
	return true;
}

/*
 * Reads the stored pools of the years the periods asked for pool (sorted
 * asked), so that plan_periods() need not roll those years up.
 */
void
load_pools(Computation *c, const DateADT *asked, int nasked)
{
	int			first,
				last,
				nyears = 0;
	int			back = pool_years(c, asked, nasked, &first, &last);
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4ARRAYOID};
	Datum		values[5];
	Datum	   *years;

	if (first > last)
		return;
	years = palloc(sizeof(Datum) * (last - first + 1));
	for (int y = first; y <= last; y++)
		if (pooled_year(asked, nasked, back, y))
			years[nyears++] = Int32GetDatum(y);
	values[0] = CStringGetTextDatum(c->k->scheme);
	values[1] = CStringGetTextDatum(c->k->period);
	values[2] = CStringGetTextDatum(c->v->name);
	values[3] = CStringGetTextDatum(pool_definition(c));
	values[4] = PointerGetDatum(construct_array(years, nyears, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	if (SPI_execute_with_args(psprintf("SELECT p.year, p.pool FROM %s.baseline_pool p"
									   " WHERE p.scheme = $1 AND p.period = $2 AND p.version = $3"
									   " AND p.definition = $4 AND p.year = ANY ($5) ORDER BY p.year",
									   SCHEMA_NAME),
							  5, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the stored baseline pools of scheme \"%s\" failed", c->k->scheme);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		bool		isnull;
		int			year = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull));
		bytea	   *pool = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 2, &isnull));

		if (!pool_from_bytes(c, year, VARDATA_ANY(pool), VARSIZE_ANY_EXHDR(pool)))
			ereport(DEBUG1,
					(errmsg_internal("stored baseline pool of scheme \"%s\", version \"%s\", year %d not read",
									 c->k->scheme, c->v->name, year)));
	}
	SPI_freetuptable(SPI_tuptable);
}

/* Whether the pool of a year was read from storage (its periods are not rolled up for it). */
bool
pool_stored(Computation *c, int year)
{
	YearPool   *pool = pool_of(c, year, false);

	return pool != NULL && pool->stored;
}

/* Whether a pool holds a region code: some leaf summed a period of it. */
static bool
pool_holds(const YearPool *pool, int code, int nleaves)
{
	for (int l = 0; l < nleaves; l++)
		if (pool->periods[code * nleaves + l] > 0)
			return true;
	return false;
}

/* A pool in its binary form. */
static bytea *
pool_to_bytes(Computation *c, const YearPool *pool)
{
	int			nl = c->v->nleaves;
	int32		header[3] = {POOL_FORMAT, 0, nl};
	StringInfoData s;
	bytea	   *out;

	initStringInfo(&s);
	appendBinaryStringInfo(&s, (char *) header, sizeof(header));
	for (int code = 0; code < c->k->ncodes; code++)
	{
		if (!pool_holds(pool, code, nl))
			continue;
		appendBinaryStringInfo(&s, c->k->codes[code], strlen(c->k->codes[code]) + 1);
		header[1]++;
	}
	for (int code = 0; code < c->k->ncodes; code++)
	{
		if (!pool_holds(pool, code, nl))
			continue;
		for (int l = 0; l < nl; l++)
		{
			int			y = code * nl + l;
			int32		counts[2] = {pool->periods[y], pool->values[y]};
			uint8		flags[3] = {pool->has_exposure[y], pool->num_seen[y], pool->counted_seen[y]};

			appendBinaryStringInfo(&s, (char *) &pool->num_counted[y], sizeof(double));
			appendBinaryStringInfo(&s, (char *) &pool->exposure[y], sizeof(double));
			appendBinaryStringInfo(&s, (char *) &pool->num_all[y], sizeof(double));
			appendBinaryStringInfo(&s, (char *) &pool->den_all[y], sizeof(double));
			appendBinaryStringInfo(&s, (char *) &pool->value_sum[y], sizeof(double));
			appendBinaryStringInfo(&s, (char *) counts, sizeof(counts));
			appendBinaryStringInfo(&s, (char *) flags, sizeof(flags));
		}
	}
	memcpy(s.data + sizeof(int32), &header[1], sizeof(int32));
	out = palloc(VARHDRSZ + s.len);
	SET_VARSIZE(out, VARHDRSZ + s.len);
	memcpy(VARDATA(out), s.data, s.len);
	pfree(s.data);
	return out;
}

/*
 * Stores the pools this computation summed from every period of their year
 * (the years the periods asked for pool, not read from storage).
 */
void
store_pools(Computation *c, const DateADT *asked, int nasked)
{
	int			first,
				last;
	int			back = pool_years(c, asked, nasked, &first, &last);
	Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, BYTEAOID};
	Datum		values[6];
	SPIPlanPtr	plan = NULL;

	if (c->k->read_only)
		return;					/* nothing is written (sensitivity.c) */
	for (int year = first; year <= last; year++)
	{
		YearPool   *pool = pool_of(c, year, false);

		if (pool == NULL || pool->stored || !pooled_year(asked, nasked, back, year))
			continue;
		if (plan == NULL)
		{
			plan = SPI_prepare(psprintf("INSERT INTO %1$s.baseline_pool AS p (scheme, period, version, year, definition, pool)"
										" VALUES ($1, $2, $3, $4, $5, $6)"
										" ON CONFLICT (scheme, period, version, year) DO UPDATE"
										" SET definition = excluded.definition, pool = excluded.pool,"
										" computed_at = pg_catalog.now()", SCHEMA_NAME),
							   6, types);
			if (plan == NULL)
				elog(ERROR, "preparing the results kernel's pool statement failed: %s",
					 SPI_result_code_string(SPI_result));
			values[0] = CStringGetTextDatum(c->k->scheme);
			values[1] = CStringGetTextDatum(c->k->period);
			values[2] = CStringGetTextDatum(c->v->name);
			values[4] = CStringGetTextDatum(pool_definition(c));
		}
		values[3] = Int32GetDatum(year);
		values[5] = PointerGetDatum(pool_to_bytes(c, pool));
		if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "storing the baseline pool of scheme \"%s\", year %d failed", c->k->scheme, year);
	}
	if (plan != NULL)
		SPI_freeplan(plan);
}
