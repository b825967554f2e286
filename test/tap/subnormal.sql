-- Summary values with subnormal fields (issue 9).  Run by
-- test/tap/subnormal.sh in database safeidx_sub (safeidx, pgtap, dblink),
-- with psql variable work naming a directory for files; database
-- safeidx_sub_restore (safeidx only) receives the restore.  No enclosing
-- transaction: pg_dump must see the table.
--
-- The kernel's aggregates make subnormal fields from ordinary inputs (a
-- rate over a tiny exposure, the mean of tiny values, a tiny weighted
-- score); their output function prints them as float8out does, e.g.
-- 1e-310.  0.2.0 refused that text on input (strtod's ERANGE), so such a
-- value could be stored but not read back from its text, copied back in as
-- text, nor restored from a dump: those checks failed there (binary COPY
-- carries the bits and passed).  Values that underflow to zero are still
-- refused, as float8in refuses them.
\set ON_ERROR_STOP 1
\i test/lib/dblink.sql
SET client_min_messages = warning;
SELECT current_database() AS db \gset

SELECT plan(20);

-- Row 1: a rate of 1e-310 events over 1 resident; the stats of 1e-310 and
-- 3e-310; the scores 1e-310 (weight 1) and 0.5 (weight 1e-310), weighted
-- sum 1e-310 + 0.5 x 1e-310.  Row 2: an exposure of 1e-310 + 1e-310; the
-- stats of the smallest subnormal, 5e-324 alone; a score 0.25 of weight
-- 1e-310 and its logarithm.  Row 3: typed in, with the smallest (5e-324) and
-- the largest subnormal (2.2250738585072009e-308).
CREATE TABLE public.summaries (id integer PRIMARY KEY, r safeidx.ratesum, g safeidx.groupstats, i safeidx.indexsum);
INSERT INTO public.summaries
SELECT 1, (SELECT safeidx.rate_agg(1e-310, 1)),
       (SELECT safeidx.group_stats(x) FROM (VALUES (1e-310::float8), (3e-310)) v(x)),
       (SELECT safeidx.index_agg(s, w) FROM (VALUES (1e-310::float8, 1::float8), (0.5, 1e-310)) v(s, w))
UNION ALL
SELECT 2, (SELECT safeidx.rate_agg(0, x) FROM (VALUES (1e-310::float8), (1e-310)) v(x)),
       (SELECT safeidx.group_stats('5e-324'::float8)),
       (SELECT safeidx.index_agg(0.25, 1e-310))
UNION ALL
SELECT 3, '(v1,events=5e-324,exposure=2.2250738585072009e-308,units=1,missing=0)',
       '(v1,n=2,min=5e-324,max=2.2250738585072009e-308,mean=1e-308,m2=0)',
       '(v1,scored=1,unscored=0,weight=5e-324,weight_unscored=0,weighted_scores=5e-324,weighted_logs=0,zeros=0,negatives=0)';

-- Every value holds a subnormal field: a number in its text strictly
-- between 0 and the smallest normal double, 2.2250738585072014e-308.
CREATE FUNCTION pg_temp.has_subnormal(v text) RETURNS boolean LANGUAGE sql AS $$
    SELECT EXISTS (SELECT FROM regexp_matches(v, '=([-0-9.e+]+)', 'g') m
                    WHERE abs(m[1]::float8) > 0 AND abs(m[1]::float8) < 2.2250738585072014e-308) $$;
SELECT ok(bool_and(pg_temp.has_subnormal(r::text) AND pg_temp.has_subnormal(g::text) AND pg_temp.has_subnormal(i::text)),
          'every stored ratesum, groupstats and indexsum has a subnormal field')
  FROM public.summaries;
-- The aggregates' fields, against the same arithmetic in float8.
SELECT is(safeidx.events(r), 1e-310::float8, 'row 1: events 1e-310 (rate_agg)') FROM public.summaries WHERE id = 1;
SELECT is(safeidx.exposure(r), 1e-310::float8 + 1e-310::float8, 'row 2: exposure 1e-310 + 1e-310 (rate_agg)')
  FROM public.summaries WHERE id = 2;
SELECT is(safeidx.group_min(g)::text || ' ' || safeidx.group_max(g)::text, '1e-310 3e-310', 'row 1: min 1e-310, max 3e-310 (group_stats)')
  FROM public.summaries WHERE id = 1;
SELECT is(safeidx.group_mean(g), '5e-324'::float8, 'row 2: the mean of 5e-324 alone is 5e-324') FROM public.summaries WHERE id = 2;
SELECT is(g::text, '(v1,n=1,min=5e-324,max=5e-324,mean=5e-324,m2=0)', 'row 2: groupstats prints the smallest subnormal as 5e-324')
  FROM public.summaries WHERE id = 2;
SELECT is(safeidx.weighted_sum(i), 1e-310::float8 + 0.5::float8 * 1e-310::float8, 'row 1: weighted sum 1e-310 + 0.5 x 1e-310 (index_agg)')
  FROM public.summaries WHERE id = 1;

-- Text: the output is read back to the same value (same text again).
SELECT is(count(*) FILTER (WHERE r::text::safeidx.ratesum::text = r::text), 3::bigint, 'ratesum: text out, in, out again: unchanged')
  FROM public.summaries;
SELECT is(count(*) FILTER (WHERE g::text::safeidx.groupstats::text = g::text), 3::bigint, 'groupstats: text round trip')
  FROM public.summaries;
SELECT is(count(*) FILTER (WHERE i::text::safeidx.indexsum::text = i::text), 3::bigint, 'indexsum: text round trip')
  FROM public.summaries;
-- An underflow to zero is refused, as by float8in.
SELECT throws_ok($$SELECT '(v1,events=1e-400,exposure=1,units=1,missing=0)'::safeidx.ratesum$$, '22P02', NULL,
                 'ratesum: 1e-400, which underflows to 0, is refused (22P02)');
SELECT throws_ok($$SELECT '(v1,n=1,min=1e-400,max=1e-400,mean=1e-400,m2=0)'::safeidx.groupstats$$, '22P02', NULL,
                 'groupstats: likewise');

-- COPY out and back in, binary (the types' send and receive functions)
-- and text, client-side through psql.
\set bin_file :work '/summaries.bin'
\set txt_file :work '/summaries.txt'
CREATE TABLE public.summaries_bin (LIKE public.summaries);
CREATE TABLE public.summaries_txt (LIKE public.summaries);
-- (\copy takes no variable: each runs in a psql of its own.)
\set copy_out_bin '\\copy public.summaries TO ' :'bin_file' ' (FORMAT binary)'
\set copy_in_bin '\\copy public.summaries_bin FROM ' :'bin_file' ' (FORMAT binary)'
\set copy_out_txt '\\copy public.summaries TO ' :'txt_file'
\set copy_in_txt '\\copy public.summaries_txt FROM ' :'txt_file'
\set copied_1 `psql -X -q -v ON_ERROR_STOP=1 -d :'db' -c :'copy_out_bin' 2>&1 || echo failed`
\set copied_2 `psql -X -q -v ON_ERROR_STOP=1 -d :'db' -c :'copy_in_bin' 2>&1 || echo failed`
\set copied_3 `psql -X -q -v ON_ERROR_STOP=1 -d :'db' -c :'copy_out_txt' 2>&1 || echo failed`
\set copied_4 `psql -X -q -v ON_ERROR_STOP=1 -d :'db' -c :'copy_in_txt' 2>&1 || echo failed`
SELECT is(concat_ws('|', :'copied_1', :'copied_2', :'copied_3', :'copied_4'), '|||',
          'the four copies, binary and text, out and in, ran without a message');
CREATE FUNCTION pg_temp.same_rows(other text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    diff bigint;
BEGIN
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE (a.r::text, a.g::text, a.i::text) IS DISTINCT FROM (b.r::text, b.g::text, b.i::text))
                      FROM public.summaries a FULL JOIN %s b USING (id)', other) INTO n, diff;
    RETURN format('%s rows, %s differ', n, diff);
END $$;
SELECT is(pg_temp.same_rows('public.summaries_bin'), '3 rows, 0 differ', 'COPY (FORMAT binary) out and in: every value unchanged');
SELECT is(pg_temp.same_rows('public.summaries_txt'), '3 rows, 0 differ', 'COPY (text) out and in: every value unchanged');
SELECT is((SELECT safeidx.events(r) FROM public.summaries_bin WHERE id = 3), '5e-324'::float8,
          'the smallest subnormal came back through binary COPY');
SELECT is((SELECT safeidx.exposure(r) FROM public.summaries_bin WHERE id = 3), '2.2250738585072009e-308'::float8,
          'and the largest');

-- pg_dump -Fc of the table, pg_restore --exit-on-error into a database
-- that has safeidx (the data travels as COPY text).
\set dump_file :work '/summaries.pgdump'
\set dump_out `pg_dump -Fc -t public.summaries -d :'db' -f :'dump_file' 2>&1 && pg_restore --exit-on-error -d safeidx_sub_restore :'dump_file' 2>&1; echo "exit $?"`
SELECT is(:'dump_out'::text, 'exit 0', 'pg_dump and pg_restore of the table succeed, without a message');
SELECT is(pg_temp.digest('safeidx_sub_restore', 'public.summaries'), pg_temp.digest(:'db', 'public.summaries'),
          'the restored table holds the same values');
SELECT is(pg_temp.value_in('safeidx_sub_restore', 'SELECT safeidx.group_mean(g)::text FROM public.summaries WHERE id = 2'), '5e-324',
          'the restored mean is the smallest subnormal');

SELECT * FROM finish();
