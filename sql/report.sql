-- The HTML report of a release (release_report) over the releases that
-- release.sql makes, set up by test/fixtures/releases.sql over the built
-- engine fixture (the fixtures' output is kept out of this file): series
-- fix_monthly, 21 = January 2025, 22 = February 2025 (revision 1 as computed
-- in engine.sql, revision 2 the correction after the late theft report).
-- It prints facts pulled out of the HTML, not the HTML itself (the document
-- carries the release time).
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\ir test/fixtures/releases.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set VERBOSITY terse

-- SQLSTATE and message of a statement's error, or 'ok'.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- Every match of a pattern with capture groups, one row each, in document order.
CREATE FUNCTION pg_temp.rows_of(html text, pattern text) RETURNS TABLE (n bigint, m text[]) LANGUAGE sql AS $$
    SELECT n, m FROM regexp_matches(html, pattern, 'g') WITH ORDINALITY AS t(m, n)
$$;

-- Escaping: the five characters that matter in text and quoted attributes.
SELECT html_escape($$<script>alert("x&y")</script> l'été$$) AS escaped,
       html_escape(NULL) IS NULL AS strict;
SELECT text_colour_on('#C62828') AS on_red, text_colour_on('#F9A825') AS on_yellow, text_colour_on(NULL) AS on_null;
SELECT period_label_zh('month', '2025-02-01') AS month, period_label_zh('quarter', '2025-04-01') AS quarter,
       period_label_zh('year', '2025-01-01') AS year, period_label_zh('day', '2025-02-03') AS day;

-- Errors: unknown series, number or revision; NULL arguments; release 21,
-- whose row d was changed behind the triggers' back (as release.sql does),
-- fails its checksum.
SELECT pg_temp.err($$SELECT release_report('nosuch', 22)$$) AS unknown_series;
SELECT pg_temp.err($$SELECT release_report('fix_monthly', 99)$$) AS unknown_number;
SELECT pg_temp.err($$SELECT release_report('fix_monthly', 22, 3)$$) AS unknown_revision;
SELECT pg_temp.err($$SELECT release_report('fix_monthly', NULL)$$) AS null_number;
SELECT pg_temp.err($$SELECT release_report('fix_monthly', 21)$$) AS corrupted;

-- Release 22 can still be reported, but not compared with the corrupted 21.
SELECT position('上期（第21期 第1版）数据与其校验码不符' IN r) > 0 AS says_previous_corrupted,
       (SELECT count(*) FROM pg_temp.rows_of(r, '<td class="num">(—)</td></tr>')) AS rank_changes_unknown,
       position('无可比的上期数据' IN r) > 0 AS no_movers
  FROM release_report('fix_monthly', 22, 1) r;

-- Put release 21 back as it was published (its row d from the January results,
-- which nothing changed since), inside a transaction rolled back at the end so
-- that the database is left as the fixtures made it.
BEGIN;
ALTER TABLE release_result DISABLE TRIGGER release_result_frozen;
UPDATE release_result SET index = (SELECT index FROM result WHERE scheme = 'fix' AND period = 'month'
                                      AND period_start = '2025-01-01' AND region_code = 'd')
 WHERE series = 'fix_monthly' AND number = 21 AND region_code = 'd';
ALTER TABLE release_result ENABLE TRIGGER release_result_frozen;
SELECT count(*) AS release_21_differences FROM verify_release('fix_monthly', 21);

CREATE TEMP TABLE rep AS
SELECT 21 AS number, 1 AS revision, release_report('fix_monthly', 21) AS html
UNION ALL SELECT 22, 1, release_report('fix_monthly', 22, 1)
UNION ALL SELECT 22, 2, release_report('fix_monthly', 22);

-- A document on its own: doctype, UTF-8, no script, stylesheet, image or URL
-- other than the SVG namespace; the title with the series, 第N期 and the month.
SELECT number, revision,
       html LIKE '<!DOCTYPE html>%</html>' || E'\n' AS whole_document,
       html LIKE '%<meta charset="utf-8">%' AS utf8,
       html !~* '<script|<link|<img|<iframe|src=|url\(|@import' AS no_external,
       (SELECT count(*) FROM regexp_matches(html, 'https?://', 'g')) AS urls,
       html ~ '<svg xmlns="http://www.w3.org/2000/svg"' AS svg_namespace,
       substring(html FROM '<h1>(.*)</h1>') AS h1,
       position('<title>' || substring(html FROM '<h1>(.*)</h1>') || '</title>' IN html) > 0 AS title_is_h1
  FROM rep ORDER BY number, revision;

-- The ranking of 22 revision 1 in order: level, rank, region, parent, index
-- as published (d 12.5722, s1 30, s2 0; e 100, b 50, a 30, c 0: engine.out),
-- grade label and colour, rank change within the level since release 21
-- (January: s2 1 -> 2, s1 2 -> 1; c 1 -> 4, a 2 -> 3, e 3 -> 1, b 4 -> 2).
SELECT t.n, t.m[1] AS depth, t.m[2] AS rank, t.m[3] AS region, t.m[4] AS parent, t.m[5] AS index,
       t.m[6] AS colour, t.m[7] AS text, t.m[8] AS grade, t.m[9] AS change
  FROM rep, pg_temp.rows_of(html,
       '<tr class="depth(\d)"><td class="num">\d+</td><td class="num">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>'
       '<td class="num">([^<]*)</td><td class="grade" style="background:(#[0-9A-F]{6});color:(#[0-9A-F]{6})">([^<]*)</td>'
       '<td class="num">(?:<span class="(?:up|down)">)?([^<]*)(?:</span>)?</td></tr>') t
 WHERE number = 22 AND revision = 1 ORDER BY t.n;
-- Every red (预警) grade cell of the ranking has the red background, every other not.
SELECT count(*) FILTER (WHERE t.m[1] = '#C62828') AS red_cells,
       count(*) FILTER (WHERE t.m[2] = '预警') AS red_labels,
       bool_and((t.m[2] = '预警') = (t.m[1] = '#C62828')) AS red_iff_label
  FROM rep, pg_temp.rows_of(substring(html FROM '<table class="ranking">.*?</table>'),
                            '<td class="grade" style="background:(#[0-9A-F]{6});[^"]*">([^<]*)</td>') t
 WHERE number = 22 AND revision = 1;
-- Rank changes in 22 revision 2 (after the correction d is 0 but alone on its level).
SELECT string_agg(t.m[1] || ' ' || t.m[2], ', ' ORDER BY t.n) AS ranking_22_2
  FROM rep, pg_temp.rows_of(html, '<tr class="depth\d"><td class="num">\d+</td><td class="num">[^<]*</td><td>([^<]*)</td><td>[^<]*</td><td class="num">([^<]*)</td>') t
 WHERE number = 22 AND revision = 2;

-- The chart: the streets (level 2), one <rect> each, in rank order, width
-- 500 px per 100 points, coloured by grade; 21 has s2 yellow (平安, 82.0098).
SELECT number, revision, substring(html FROM '<h2>(第\d层指数图)</h2>') AS heading,
       (SELECT count(*) FROM regexp_matches(html, '<rect ', 'g')) AS rects,
       (SELECT string_agg(format('%s w=%s %s', t.m[3], t.m[1], t.m[2]), ', ' ORDER BY t.n)
          FROM pg_temp.rows_of(html, '<rect x="200" y="\d+" width="([0-9.]+)" height="24" fill="(#[0-9A-F]{6})"><title>([^ ]*) [^<]*</title></rect>') t) AS bars
  FROM rep ORDER BY number, revision;

-- Warnings of February from the live view (after the correction: theft
-- scored 0 in s1 too), and the note on revision 1 that it was corrected since.
SELECT number, revision,
       (SELECT string_agg(t.m[1] || ' ' || t.m[2], ', ' ORDER BY t.n)
          FROM pg_temp.rows_of(html, '<table class="warnings">.*?</table>') w(wn, wm),
               pg_temp.rows_of(w.wm[1], '<tr><td>([^<]*)</td><td>([^<]*)</td>') t) AS warnings,
       position('本版已被更正' IN html) > 0 AS corrected_note
  FROM rep ORDER BY number, revision;

-- Biggest movers of 22 revision 1 against 21, largest change first
-- (c 100 -> 0, s2 82.0098 -> 0, e 30 -> 100, ...; d 15 -> 12.5722).
SELECT t.n, t.m[1] AS region, t.m[2] AS before, t.m[3] AS after, t.m[4] AS change
  FROM rep, pg_temp.rows_of(substring(html FROM '<table class="movers">.*?</table>'),
       '<tr><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num"><span class="(?:up|down)">([^<]*)</span></td></tr>') t
 WHERE number = 22 AND revision = 1 ORDER BY t.n;
-- Grade changes since 21: s2 平安 -> 预警, c 优秀 -> 预警, e 预警 -> 优秀, with their colours.
SELECT number, revision, t.m[1] AS region, t.m[3] AS before, t.m[2] AS before_colour, t.m[5] AS after, t.m[4] AS after_colour
  FROM rep, pg_temp.rows_of(substring(html FROM '<table class="changes">.*?</table>'),
       '<tr><td>([^<]*)</td><td class="grade" style="background:(#[0-9A-F]{6});[^"]*">([^<]*)</td><td class="grade" style="background:(#[0-9A-F]{6});[^"]*">([^<]*)</td></tr>') t
 ORDER BY number, revision, t.n;
-- Release 21 is the first here: nothing to compare with.
SELECT position('本期为该系列的首期' IN html) > 0 AS first_of_series,
       html !~ 'class="movers"|class="changes"' AS no_comparison_tables
  FROM rep WHERE number = 21;

-- The correction: revision 2 names itself, gives the reason and what it changed
-- (d 12.5722 -> 0); revision 1 has no correction box.
SELECT number, revision,
       substring(html FROM '<strong>(更正版 第\d版)</strong>') AS marked,
       substring(html FROM '<p class="reason">([^<]*)</p>') AS reason,
       (SELECT string_agg(t.m[1] || ' ' || t.m[2] || ' -> ' || t.m[3], ', ' ORDER BY t.n)
          FROM pg_temp.rows_of(substring(html FROM '<table class="corrected">.*?</table>'),
               '<tr><td>([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>') t) AS corrected
  FROM rep WHERE number = 22 ORDER BY revision;
-- The latest revision by default; the same revision always gives the same document.
SELECT release_report('fix_monthly', 22) = release_report('fix_monthly', 22, 2) AS default_is_latest,
       release_report('fix_monthly', 22, 1) = (SELECT html FROM rep WHERE number = 22 AND revision = 1) AS reproducible;

-- The document is its sections put together: each section function, called
-- alone, gives a part of the document word for word (22 revision 1 against
-- 21, which report_previous() finds intact once row d is put back above;
-- release 21 has no previous, and its note says so).
SELECT (report_previous(r)).prev IS NULL AS first_has_none, (report_previous(r)).note AS first_note
  FROM release r WHERE series = 'fix_monthly' AND number = 21;
SELECT (p).number AS previous_number, (p).revision AS previous_revision, note = '' AS no_note
  FROM (SELECT (report_previous(r)).* FROM release r WHERE series = 'fix_monthly' AND number = 22 AND revision = 1) x(p, note);
SELECT position(report_correction(r) IN h) > 0 AND report_correction(r) = '' AS correction_empty_for_revision_1,
       position(report_chart(r, 'wuchang') IN h) > 0 AS chart,
       position(report_ranking(r, (report_previous(r)).prev, (report_previous(r)).note, 'wuchang') IN h) > 0 AS ranking,
       position(report_warnings(r) IN h) > 0 AS warnings,
       position(report_movers(r, (report_previous(r)).prev) IN h) > 0 AS movers,
       position(report_grade_changes(r, (report_previous(r)).prev, 'wuchang') IN h) > 0 AS grade_changes
  FROM release r, (SELECT html FROM rep WHERE number = 22 AND revision = 1) d(h)
 WHERE r.series = 'fix_monthly' AND r.number = 22 AND r.revision = 1;
SELECT position(report_correction(r) IN (SELECT html FROM rep WHERE number = 22 AND revision = 2)) > 0
       AND report_correction(r) LIKE '<div class="correction">%' AS correction_of_revision_2
  FROM release r WHERE r.series = 'fix_monthly' AND r.number = 22 AND r.revision = 2;

-- A hostile region name, frozen into a release of March, comes out escaped
-- everywhere (ranking, parent column, chart label and tooltip, warnings,
-- and since issue 12 the rank intervals of the index and of the theft rate:
-- 9 places).
-- (The refresh takes the new name in and also computes every month after
-- March up to today; nothing printed depends on those months.)
UPDATE region SET name_zh = $$<i>二街</i> & "s2" 'x'$$ WHERE code = 's2';
SELECT count(*) > 0 AS refreshed FROM refresh('fix');
SELECT number FROM publish_release('fix_monthly', '2025-03-01');
SELECT position($$<i>$$ IN r) = 0 AS no_raw_tag,
       (SELECT count(*) FROM regexp_matches(r, '&lt;i&gt;二街&lt;/i&gt; &amp; &quot;s2&quot; &#39;x&#39;', 'g')) AS escaped_occurrences,
       position('第23期（2025年3月）' IN r) > 0 AS title
  FROM release_report('fix_monthly', 23) r;
ROLLBACK;

-- The first release of a series whose previous period is computed compares
-- with it: a series over fix starting with February 2025 (release 1); its
-- report compares with January's computed results (number 0, 未发布), row
-- for row those of result.  Rolled back.
BEGIN;
INSERT INTO release_series (series, scheme, period, title_zh) VALUES ('fix_feb', 'fix', 'month', '二月起');
SELECT number, period_start FROM publish_release('fix_feb', '2025-02-01');
SELECT (p).number AS previous_number, (p).period_start AS previous_period, note LIKE '%上期未发布%' AS note_says_unpublished
  FROM (SELECT (report_previous(r)).* FROM release r WHERE series = 'fix_feb') x(p, note);
SELECT count(*) AS regions,
       count(*) FILTER (WHERE (p.index, p.grade_level, p.rank_level) IS NOT DISTINCT FROM (c.index, c.grade_level, c.rank_level))
           AS equal_to_january_as_computed
  FROM release r,
       report_previous_rows(r, (report_previous(r)).prev) p
  JOIN result c ON c.scheme = 'fix' AND c.period = 'month' AND c.period_start = '2025-01-01' AND c.region_code = p.region_code
 WHERE r.series = 'fix_feb';
SELECT (SELECT count(*) FROM result WHERE scheme = 'fix' AND period = 'month' AND period_start = '2025-01-01') AS january_regions;
SELECT position('未发布' IN h) > 0 AS report_names_it, position('本期为该系列的首期，无上期可比' IN h) = 0 AS not_without_previous
  FROM release_report('fix_feb', 1) h;
ROLLBACK;
