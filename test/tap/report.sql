-- The release report as a browser shows it (run by test/tap/report.sh in its
-- database safeidx_report, which has pgtap and dblink).  The script rendered
-- safeidx.release_report('wuchang_monthly', 2) of database safeidx_report_city
-- (test/fixtures/released_city.sql: the demo city, Wuchang scheme, December
-- 2025) in headless Chromium at 1000 x 2400 px (report.png), and the same
-- document with the red #C62828 changed to #C62829 (wrong.png, a negative
-- control), decoded both PNGs with test/report/png_runs.py and stored the
-- size, the pixels of each colour and the horizontal runs of each colour in
-- table report_png of database safeidx_report (test/report/render.sh).  This
-- checks them against the release rows of safeidx_report_city, through dblink
-- (test/lib/dblink.sql).

\i test/lib/dblink.sql

-- The stored facts of the screenshots (no rows if the render step did not run).
CREATE FUNCTION pg_temp.png() RETURNS TABLE (image text, kind text, colour text, a bigint, b bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY SELECT * FROM dblink(pg_temp.conn('safeidx_report'), 'SELECT image, kind, colour, a, b FROM report_png')
                       AS t(image text, kind text, colour text, a bigint, b bigint);
EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR invalid_catalog_name OR undefined_table THEN
    RETURN;
END $$;
-- The bars the chart must show, from the released rows: the first level with
-- more than one region, 500 px per max(100, highest index), the grade colour.
CREATE FUNCTION pg_temp.bars() RETURNS TABLE (colour text, width numeric, n bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY SELECT * FROM dblink(pg_temp.conn('safeidx_report_city'), $q$
        WITH rel AS (SELECT * FROM safeidx.release WHERE series = 'wuchang_monthly' AND number = 2
                      ORDER BY revision DESC LIMIT 1),
             rows AS (SELECT r.* FROM safeidx.release_result r JOIN rel USING (series, number, revision)),
             lvl AS (SELECT min(depth) AS depth FROM (SELECT depth FROM rows GROUP BY depth HAVING count(*) > 1) d),
             chart AS (SELECT r.* FROM rows r JOIN lvl USING (depth)),
             top AS (SELECT greatest(100, max(index)) AS m FROM chart)
        SELECT b.colour, round((500 * greatest(c.index, 0) / top.m)::numeric, 1), count(*)
          FROM chart c CROSS JOIN top
          JOIN safeidx.release_series s ON s.series = 'wuchang_monthly'
          JOIN safeidx.scheme sc ON sc.scheme = s.scheme
          JOIN safeidx.grade_band b ON b.scale = sc.grade_scale AND b.level = c.grade_level
         GROUP BY 1, 2 $q$) AS t(colour text, width numeric, n bigint);
EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR invalid_catalog_name THEN
    RETURN;
END $$;

BEGIN;
SELECT plan(12);

CREATE TEMP TABLE png AS SELECT * FROM pg_temp.png();
CREATE TEMP TABLE bars AS SELECT * FROM pg_temp.bars();
-- Bars of an image found: w px runs of their colour (+-1 px for anti-aliased
-- edges) in at least 20 rows per bar (bars are 24 px high).
CREATE FUNCTION pg_temp.bars_found(img text, only_colour text DEFAULT NULL) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(x.n), 0)::bigint FROM bars x
     WHERE (only_colour IS NULL OR x.colour = only_colour)
       AND (SELECT coalesce(sum(p.b), 0) FROM png p
             WHERE p.image = img AND p.kind = 'run' AND p.colour = x.colour
               AND p.a BETWEEN floor(x.width) - 1 AND ceil(x.width) + 1) >= 20 * x.n
$$;
CREATE FUNCTION pg_temp.pixels(img text, c text) RETURNS bigint LANGUAGE sql AS $$
    SELECT p.a FROM png p WHERE p.image = img AND p.kind = 'pixels' AND p.colour = c
$$;

SELECT ok((SELECT count(*) FROM png WHERE image IN ('report', 'wrong') AND kind = 'size') = 2,
          'test/tap/report.sh rendered the report and the negative control and stored what the screenshots show');
SELECT is((SELECT a || 'x' || b FROM png WHERE image = 'report' AND kind = 'size'), '1000x2400',
          'the screenshot has the window size asked for');
SELECT cmp_ok((SELECT sum(n)::bigint FROM bars), '>=', 2::bigint, 'the release has a chart level with several regions');
SELECT is(pg_temp.bars_found('report'), (SELECT sum(n)::bigint FROM bars),
          'every bar of the chart is drawn at its length in its grade colour');
SELECT is(pg_temp.bars_found('report', '#C62828'), (SELECT sum(n)::bigint FROM bars WHERE colour = '#C62828'),
          'the red (预警) bars are drawn in #C62828');
SELECT cmp_ok((SELECT count(DISTINCT colour) FROM bars), '>=', 2::bigint, 'the chart shows bars of at least two grades');
SELECT cmp_ok(pg_temp.pixels('report', '#C62828'), '>=', (SELECT sum(24 * floor(width) * n)::bigint FROM bars WHERE colour = '#C62828'),
              'red #C62828 covers at least the area of the red bars');
SELECT cmp_ok(pg_temp.pixels('report', '#2E7D32'), '>', 0::bigint,
              'green #2E7D32 (优秀: the legend and the communities graded excellent) is on the page');
SELECT is(pg_temp.pixels('report', '#1565C0'), 0::bigint,
          'no blue #1565C0: that colour belongs to another grade scale');
-- The negative control: a report with the wrong red must fail the checks above.
SELECT is(pg_temp.pixels('wrong', '#C62828'), 0::bigint, 'negative control: no #C62828 pixel once the HTML says #C62829');
SELECT is(pg_temp.bars_found('wrong'), (SELECT coalesce(sum(n), 0)::bigint FROM bars WHERE colour <> '#C62828'),
          'negative control: the bar check misses exactly the red bars');
SELECT is(pg_temp.pixels('wrong', '#C62829'), pg_temp.pixels('report', '#C62828'),
          'negative control: the wrong colour takes exactly the pixels of the red');

SELECT * FROM finish();
ROLLBACK;
