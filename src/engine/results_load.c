/*
 * results_load.c
 *		What a results computation reads before the cells: the scheme, its
 *		grade cut points, the region rows, the sources with the dates they
 *		are delivered through, the versions with their indicator trees, and
 *		the population figures.  All through SPI, as the caller.
 */
#include "results.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

/* The schema safeidx is installed in, set by compute_results(). */
const char *SCHEMA_NAME;

/* The value of column n (1-based) of row i of the last SPI result. */
static Datum
col(int i, int n, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, n, isnull);
}

static char *
col_text(int i, int n)
{
	bool		isnull;
	Datum		d = col(i, n, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static double
col_float(int i, int n, double if_null)
{
	bool		isnull;
	Datum		d = col(i, n, &isnull);

	return isnull ? if_null : DatumGetFloat8(d);
}

static int
col_int(int i, int n, int if_null)
{
	bool		isnull;
	Datum		d = col(i, n, &isnull);

	return isnull ? if_null : DatumGetInt32(d);
}

static DateADT
col_date(int i, int n, DateADT if_null)
{
	bool		isnull;
	Datum		d = col(i, n, &isnull);

	return isnull ? if_null : DatumGetDateADT(d);
}

/* Runs a query of the kernel's, with arguments, and checks it returned rows;
 * "locks" for a query that takes row locks (so not read-only). */
static void
run_locking(const char *query, int nargs, Oid *types, Datum *values, bool locks)
{
	char	   *sql = psprintf(query, SCHEMA_NAME);

	if (SPI_execute_with_args(sql, nargs, types, values, NULL, !locks, 0) != SPI_OK_SELECT)
		elog(ERROR, "results kernel query failed: %s", sql);
}

static void
run(const char *query, int nargs, Oid *types, Datum *values)
{
	run_locking(query, nargs, types, values, false);
}


void
kernel_load_scheme(Kernel *k, const char *scheme, const char *period)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(scheme), CStringGetTextDatum(period)};
	bool		isnull;

	k->scheme = pstrdup(scheme);
	k->period = pstrdup(period);
	run_locking(psprintf("%s%s", "SELECT s.population_kind, s.root_region, $2 = ANY (s.periods),"
		"       (SELECT coalesce(array_agg(b.min_index ORDER BY b.level) FILTER (WHERE b.min_index IS NOT NULL), '{}')"
		"          FROM %1$s.grade_band b WHERE b.scale = s.grade_scale),"
		"       (pg_catalog.now() AT TIME ZONE s.time_zone)::date"
		"  FROM %1$s.scheme s WHERE s.scheme = $1",
		/* the scheme stays until the results are written (scheme_follow.sql); read_only: none are */
		k->read_only ? "" : "   FOR KEY SHARE OF s"), 2, types, values, !k->read_only);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown scheme \"%s\"", scheme)));
	if (!DatumGetBool(col(0, 3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scheme \"%s\" is not computed by %s", scheme, period)));
	k->population_kind = col_text(0, 1);
	k->root_code = col_text(0, 2);
	k->today = DatumGetDateADT(col(0, 5, &isnull));
	{
		ArrayType  *cuts = DatumGetArrayTypeP(col(0, 4, &isnull));
		Datum	   *elems;
		int			n;

		deconstruct_array(cuts, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elems, NULL, &n);
		k->ncuts = n;
		k->cuts = palloc(sizeof(double) * Max(n, 1));
		for (int i = 0; i < n; i++)
			k->cuts[i] = DatumGetFloat8(elems[i]);
	}

	/* every region code, sorted, and every row of table region */
	run("SELECT r.code, r.valid_from, r.valid_to, r.parent_code FROM %1$s.region r"
		" ORDER BY r.code COLLATE \"C\", r.valid_from", 0, NULL, NULL);
	{
		HASHCTL		ctl = {0};
		int			n = (int) SPI_processed;

		ctl.keysize = NAMEDATALEN * 2;
		ctl.entrysize = ctl.keysize + sizeof(int);
		k->code_index = hash_create("safeidx region codes", Max(n, 16), &ctl, HASH_ELEM | HASH_STRINGS);
		k->codes = palloc(sizeof(char *) * Max(n, 1));
		k->rows = palloc(sizeof(KRegionRow) * Max(n, 1));
		k->ncodes = 0;
		k->nrows = n;
		for (int i = 0; i < n; i++)
		{
			char	   *code = col_text(i, 1);

			if (k->ncodes == 0 || strcmp(k->codes[k->ncodes - 1], code) != 0)
			{
				k->codes[k->ncodes] = code;
				*(int *) ((char *) hash_search(k->code_index, code, HASH_ENTER, NULL) + ctl.keysize) = k->ncodes;
				k->ncodes++;
			}
			k->rows[i].region = k->ncodes - 1;
			k->rows[i].from = col_date(i, 2, DATEVAL_NOBEGIN);
			k->rows[i].to = col_date(i, 3, DATEVAL_NOEND);
			k->rows[i].parent = -1;
		}
		for (int i = 0; i < n; i++)
		{
			char	   *parent = col_text(i, 4);

			if (parent != NULL)
				k->rows[i].parent = kernel_code(k, parent);
		}
	}
	k->root = k->root_code == NULL ? -1 : kernel_code(k, k->root_code);
	if (k->root_code != NULL && k->root < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the root region \"%s\" of scheme \"%s\" does not exist", k->root_code, scheme)));

	/* the sources the scheme reads, with the dates delivered */
	run("SELECT d.source, d.delivered_from, d.delivered_through FROM %1$s.source_delivery($1) d"
		" ORDER BY d.source COLLATE \"C\"", 1, types, values);
	k->nsources = (int) SPI_processed;
	k->sources = palloc0(sizeof(KSource) * Max(k->nsources, 1));
	for (int i = 0; i < k->nsources; i++)
	{
		k->sources[i].name = col_text(i, 1);
		k->sources[i].delivered_from = col_date(i, 2, DATEVAL_NOEND);
		k->sources[i].delivered_through = col_date(i, 3, DATEVAL_NOBEGIN);
	}
}

/* The index of a region code, -1 for a code the catalogue does not know. */
int
kernel_code(Kernel *k, const char *code)
{
	char		key[NAMEDATALEN * 2] = {0};
	void	   *entry;

	if (strlen(code) >= sizeof(key))
		return -1;
	strcpy(key, code);
	entry = hash_search(k->code_index, key, HASH_FIND, NULL);
	return entry == NULL ? -1 : *(int *) ((char *) entry + sizeof(key));
}

static int
source_index(Kernel *k, const char *name)
{
	for (int i = 0; i < k->nsources; i++)
		if (strcmp(k->sources[i].name, name) == 0)
			return i;
	elog(ERROR, "source \"%s\" is not read by scheme \"%s\"", name, k->scheme);
	return -1;
}

static int *
source_list(Kernel *k, int i, int n, int *count)
{
	bool		isnull;
	Datum		d = col(i, n, &isnull);
	Datum	   *elems;
	int		   *list;

	*count = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, NULL, count);
	list = palloc(sizeof(int) * Max(*count, 1));
	for (int j = 0; j < *count; j++)
		list[j] = source_index(k, TextDatumGetCString(elems[j]));
	return list;
}

static char
first_char_of(const char *s, const char *const *words, const char *codes)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return codes[i];
	elog(ERROR, "unexpected value \"%s\"", s);
	return 0;
}

/* One leaf of a version: row i of the nodes query. */
static void
load_leaf(Kernel *k, KLeaf *leaf, int i)
{
	static const char *const measures[] = {"rate", "count", "ratio", "value", NULL};
	static const char *const baselines[] = {"none", "prior_years", "same_period_last_year", "previous_period", NULL};
	static const char *const bases_of[] = {"self", "parent", "depth", NULL};
	static const char *const smoothings[] = {"none", "global", "local", NULL};
	bool		isnull;

	leaf->measure = first_char_of(col_text(i, 6), measures, "rcqv");
	leaf->per = col_float(i, 7, 10000);
	leaf->min_denominator = col_float(i, 8, 0);
	leaf->num = source_list(k, i, 9, &leaf->nnum);
	leaf->den = source_list(k, i, 10, &leaf->nden);
	leaf->rule = scoring_rule(col_text(i, 11));
	scoring_args_from_jsonb(leaf->rule, DatumGetJsonbP(col(i, 12, &isnull)), &leaf->args);
	leaf->higher_is_better = strcmp(col_text(i, 5), "positive") == 0;
	leaf->baseline = first_char_of(col_text(i, 13), baselines, "npyb");
	leaf->baseline_of = first_char_of(col_text(i, 14), bases_of, "spd");
	leaf->baseline_depth = col_int(i, 15, 0);
	leaf->baseline_years = col_int(i, 16, 1);
	leaf->significance_level = col_float(i, 17, NAN);
	leaf->min_expected = col_float(i, 18, 0);
	leaf->smoothing = first_char_of(col_text(i, 19), smoothings, "ngl");
}

/* The nodes of a version, parents before children, children in name order. */
static void
load_nodes(Kernel *k, KVersion *v)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(k->scheme), CStringGetTextDatum(v->name)};

	run("WITH RECURSIVE tree AS ("
		"    SELECT i.*, 1 AS level FROM %1$s.indicator i"
		"     WHERE i.scheme = $1 AND i.version = $2 AND i.parent_node IS NULL"
		"    UNION ALL"
		"    SELECT i.*, t.level + 1 FROM tree t JOIN %1$s.indicator i"
		"      ON i.scheme = t.scheme AND i.version = t.version AND i.parent_node = t.node)"
		"SELECT t.node, t.parent_node, t.weight, t.aggregation = 'geometric', t.direction, t.measure, t.per,"
		"       t.min_denominator, t.sources, t.denominator_sources, t.scoring, t.scoring_params, t.baseline,"
		"       t.baseline_of, t.baseline_depth, t.baseline_years, t.significance_level, t.min_expected,"
		"       t.smoothing,"
		"       NOT EXISTS (SELECT FROM %1$s.indicator c WHERE c.scheme = t.scheme AND c.version = t.version"
		"                                                    AND c.parent_node = t.node) AS is_leaf"
		"  FROM tree t ORDER BY t.level, t.node COLLATE \"C\"", 2, types, values);
	v->nnodes = (int) SPI_processed;
	v->nodes = palloc0(sizeof(KNode) * Max(v->nnodes, 1));
	v->leaves = palloc0(sizeof(KLeaf) * Max(v->nnodes, 1));
	v->nleaves = 0;
	for (int i = 0; i < v->nnodes; i++)
	{
		KNode	   *node = &v->nodes[i];
		char	   *parent = col_text(i, 2);
		bool		isnull;

		node->name = col_text(i, 1);
		node->weight = col_float(i, 3, 0);
		node->geometric = DatumGetBool(col(i, 4, &isnull));
		node->parent = -1;
		node->leaf = -1;
		node->children = palloc(sizeof(int) * Max(v->nnodes, 1));
		for (int j = 0; parent != NULL && j < i; j++)
			if (strcmp(v->nodes[j].name, parent) == 0)
				node->parent = j;
		if (node->parent >= 0)
			v->nodes[node->parent].children[v->nodes[node->parent].nchildren++] = i;
		if (DatumGetBool(col(i, 20, &isnull)))
		{
			node->leaf = v->nleaves;
			v->leaves[v->nleaves].node = i;
			load_leaf(k, &v->leaves[v->nleaves++], i);
		}
	}
}

/* The versions of the scheme, by valid_from, each with its tree. */
int
kernel_load_versions(Kernel *k, KVersion **versions)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(k->scheme)};
	int			n;
	KVersion   *v;

	run("SELECT v.version, v.valid_from, v.valid_to, v.total, v.aggregation = 'geometric', v.min_coverage,"
		"       v.index_decimals, v.score_decimals"
		"  FROM %1$s.scheme_version v WHERE v.scheme = $1 ORDER BY v.valid_from", 1, types, values);
	n = (int) SPI_processed;
	v = palloc0(sizeof(KVersion) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		v[i].name = col_text(i, 1);
		v[i].valid_from = col_date(i, 2, DATEVAL_NOBEGIN);
		v[i].valid_to = col_date(i, 3, DATEVAL_NOEND);
		v[i].total = col_float(i, 4, 100);
		v[i].geometric = DatumGetBool(col(i, 5, &isnull));
		v[i].min_coverage = col_float(i, 6, 1);
		v[i].index_decimals = col_int(i, 7, 2);
		v[i].score_decimals = col_int(i, 8, -1);
	}
	for (int i = 0; i < n; i++)
		load_nodes(k, &v[i]);
	*versions = v;
	return n;
}

/*
 * The own population figure of every region for the months given (sorted
 * month starts within [first, last]; population_figures(): the month's
 * figure, else the year's): a matrix over every month of [first, last] x
 * ncodes, NaN where a region has none or the month was not asked for.
 * Each run of consecutive months is read with one call.
 */
double *
kernel_population(Kernel *k, DateADT first, DateADT last, const DateADT *months, int nasked, int *nmonths)
{
	Oid			types[3] = {TEXTOID, DATEOID, DATEOID};
	int			y0,
				m0,
				d0,
				y1,
				m1,
				d1;
	double	   *persons;

	j2date(first + POSTGRES_EPOCH_JDATE, &y0, &m0, &d0);
	j2date(last + POSTGRES_EPOCH_JDATE, &y1, &m1, &d1);
	*nmonths = (y1 - y0) * 12 + (m1 - m0) + 1;
	persons = palloc(sizeof(double) * (*nmonths) * Max(k->ncodes, 1));
	for (int i = 0; i < (*nmonths) * k->ncodes; i++)
		persons[i] = NAN;
	for (int run_from = 0, run_to; run_from < nasked; run_from = run_to)
	{
		Datum		values[3];

		for (run_to = run_from + 1;
			 run_to < nasked && months[run_to] <= date_add_months(months[run_to - 1], 1); run_to++)
			;
		values[0] = CStringGetTextDatum(k->population_kind);
		values[1] = DateADTGetDatum(months[run_from]);
		values[2] = DateADTGetDatum(date_add_months(months[run_to - 1], 1));
		run("SELECT f.month, f.region_code, f.persons FROM %1$s.population_figures($1, $2, $3) f", 3, types, values);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			int			y,
						m,
						d;
			int			code = kernel_code(k, col_text(i, 2));

			j2date(col_date(i, 1, 0) + POSTGRES_EPOCH_JDATE, &y, &m, &d);
			if (code >= 0)
				persons[((y - y0) * 12 + (m - m0)) * k->ncodes + code] = col_float(i, 3, NAN);
		}
	}
	return persons;
}
