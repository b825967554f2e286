-- The checks of test/tap/kernel_memory.sh: the results kernel's peak private
-- memory over a year of days is that of a month (within 16 MB), and both
-- computations computed every region of every day they were given.
SELECT plan(4);
CREATE TEMP TABLE t_regions AS SELECT count(DISTINCT code) AS n FROM safeidx.region;
SELECT is(:'month_n'::bigint, (SELECT 31 * n FROM t_regions),
          'January 2025: every region of each of its 31 days computed');
SELECT is(:'year_n'::bigint, (SELECT 365 * n FROM t_regions),
          '2025: every region of each of its 365 days computed');
SELECT cmp_ok(:'month_kb'::bigint, '>', 0::bigint, 'the month''s backend memory was sampled');
SELECT cmp_ok(:'year_kb'::bigint, '<=', :'month_kb'::bigint + 16384,
              format('a year of days peaks at a month''s memory plus at most 16 MB (%s kB against %s kB)',
                     :'year_kb', :'month_kb'));
SELECT * FROM finish();
