-- Warning notices over the demo city (Wuchang example of test/demo/schemes.sql,
-- months 2025-01..12): notices issued month by month by the rules red_3 ->
-- notice, red_4 -> summons, red_5 -> accountability equal, one for one, the
-- qualifying warnings counted from safeidx.warning (a rule firing for a
-- street in a month when it did not fire for that street the month before);
-- their kinds equal the run lengths of red months counted from the results
-- in plain SQL; every summons and accountability notice escalates the notice
-- of the month before; numbering, deadlines, overdue counts and the log.
-- (That issuing again issues nothing is checked by pg_regress, sql/notice.sql.)
--
-- Fixture: runs alone in a fresh copy of safeidx_tap_template (test/check.sh):
-- pgtap, safeidx, dblink and the demo city (test/demo/city.sql, small, seed 42),
-- which this file reads.
BEGIN;
SELECT plan(12);
\o /dev/null
\i test/demo/schemes.sql
SELECT * FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01');
\o

INSERT INTO safeidx.notice_rule (scheme, warning_rule, notice_kind, acknowledge_within, rectify_within, addressed_to) VALUES
    ('wuchang', 'red_3', 'notice', '3 days', '30 days', '{region_zh}街道办事处'),
    ('wuchang', 'red_4', 'summons', '2 days', '15 days', '{region_zh}党工委'),
    ('wuchang', 'red_5', 'accountability', '2 days', '10 days', '{region_zh}党工委');

-- Each month's notices are issued on the 5th of the next month, in order.
CREATE TEMP TABLE issued (LIKE safeidx.notice);
DO $$
DECLARE
    m date;
BEGIN
    FOR m IN SELECT generate_series(date '2025-01-01', date '2025-12-01', interval '1 month')::date LOOP
        INSERT INTO issued SELECT * FROM safeidx.issue_notices('wuchang', m, (m + interval '1 month 4 days')::date);
    END LOOP;
END $$;

-- The demo year (seed 42) has 7 streets reaching 3 red months in a row, 4
-- reaching 4 and 3 reaching 5 (runs up to 8 months long).
SELECT results_eq($$SELECT kind, count(*) FROM issued GROUP BY 1 ORDER BY 1$$,
                  $$VALUES ('accountability', 3::bigint), ('notice', 7), ('summons', 4)$$,
                  'the demo year gives 7 notices, 4 summonses, 3 accountability notices');

-- 1. One for one with the qualifying warnings, counted from safeidx.warning.
SELECT bag_eq(
    $$SELECT period_start, warning_rule, region_code FROM safeidx.notice WHERE scheme = 'wuchang'$$,
    $$SELECT w.period_start, w.rule, w.region_code
        FROM safeidx.warning w
       WHERE w.scheme = 'wuchang' AND w.rule IN ('red_3', 'red_4', 'red_5')
         AND w.period_start BETWEEN '2025-01-01' AND '2025-12-01'
         AND NOT EXISTS (SELECT FROM safeidx.warning p
                          WHERE p.scheme = w.scheme AND p.rule = w.rule AND p.region_code = w.region_code
                            AND p.period_start = (w.period_start - interval '1 month')::date)$$,
    'notices = warnings of red_3/4/5 that fired for a street not firing the month before, one for one');
SELECT results_eq(
    $$SELECT to_char(m, 'YYYY-MM'), (SELECT count(*) FROM issued i WHERE i.period_start = m::date)
        FROM generate_series(date '2025-01-01', date '2025-12-01', interval '1 month') m ORDER BY 1$$,
    $$SELECT to_char(m, 'YYYY-MM'),
             (SELECT count(*) FROM safeidx.warning w
               WHERE w.scheme = 'wuchang' AND w.rule IN ('red_3', 'red_4', 'red_5')
                 AND w.period_start = m::date AND w.value = w.threshold)
        FROM generate_series(date '2025-01-01', date '2025-12-01', interval '1 month') m ORDER BY 1$$,
    'per month: as many notices as consecutive-red warnings whose run just reached the rule''s length');

-- 2. Kinds from the run lengths of red months (grade level 4) of each street,
-- counted in plain SQL from the results: the run at month m is the number of
-- months since the last month before m that was not red (or since 2024-12).
SELECT bag_eq(
    $$SELECT region_code, period_start, kind FROM safeidx.notice WHERE scheme = 'wuchang'$$,
    $$WITH red AS (
          SELECT r.region_code, r.period_start FROM safeidx.result r
           WHERE r.scheme = 'wuchang' AND r.period = 'month' AND r.depth = 3 AND r.grade_level >= 4
             AND r.period_start BETWEEN '2025-01-01' AND '2025-12-01'),
      runs AS (
          SELECT d.region_code, d.period_start,
                 (extract(year FROM age(d.period_start,
                      coalesce((SELECT max(n.period_start) FROM safeidx.result n
                                 WHERE n.scheme = 'wuchang' AND n.period = 'month' AND n.region_code = d.region_code
                                   AND n.period_start < d.period_start AND n.period_start >= '2025-01-01'
                                   AND NOT EXISTS (SELECT FROM red x WHERE x.region_code = n.region_code
                                                                        AND x.period_start = n.period_start)),
                               date '2024-12-01'))) * 12
                  + extract(month FROM age(d.period_start,
                      coalesce((SELECT max(n.period_start) FROM safeidx.result n
                                 WHERE n.scheme = 'wuchang' AND n.period = 'month' AND n.region_code = d.region_code
                                   AND n.period_start < d.period_start AND n.period_start >= '2025-01-01'
                                   AND NOT EXISTS (SELECT FROM red x WHERE x.region_code = n.region_code
                                                                        AND x.period_start = n.period_start)),
                               date '2024-12-01'))))::integer AS run
            FROM red d)
      SELECT region_code, period_start, CASE run WHEN 3 THEN 'notice' WHEN 4 THEN 'summons' ELSE 'accountability' END
        FROM runs WHERE run IN (3, 4, 5)$$,
    'kinds: notice at the 3rd red month in a row, summons at the 4th, accountability at the 5th, nothing after');
SELECT cmp_ok((SELECT count(DISTINCT kind) FROM issued), '=', 3::bigint, 'all three kinds occur in the demo year');

-- 3. Escalation: every summons escalates the notice of the month before for
-- the same street, every accountability notice the summons of the month before.
SELECT is((SELECT count(*) FROM safeidx.notice n
            LEFT JOIN safeidx.notice p ON p.id = n.previous_id
           WHERE n.scheme = 'wuchang' AND n.kind <> 'notice'
             AND (p.id IS NULL OR p.region_code <> n.region_code
                  OR p.period_start <> (n.period_start - interval '1 month')::date
                  OR p.kind <> CASE n.kind WHEN 'summons' THEN 'notice' ELSE 'summons' END)),
          0::bigint, 'each summons links to last month''s notice, each accountability to last month''s summons');
SELECT is((SELECT count(*) FROM safeidx.notice WHERE scheme = 'wuchang' AND kind = 'notice' AND previous_id IS NOT NULL),
          0::bigint, 'a notice escalates nothing');

-- 4. Numbers: 001, 002, ... without gaps per year of issue (December's in 2026),
-- in order of issue; deadlines from the issue date.
SELECT is((SELECT count(*) FROM (
              SELECT number, year || '-' || lpad(row_number() OVER (PARTITION BY year ORDER BY issued_on, id)::text, 3, '0') AS expected
                FROM safeidx.notice WHERE scheme = 'wuchang') x WHERE number <> expected),
          0::bigint, 'numbers run 001, 002, ... per year of issue in the order of issue');
SELECT is((SELECT count(*) FROM safeidx.notice n
            WHERE n.scheme = 'wuchang'
              AND (n.acknowledge_by, n.rectify_by) IS DISTINCT FROM
                  (CASE n.kind WHEN 'notice' THEN n.issued_on + 3 ELSE n.issued_on + 2 END,
                   CASE n.kind WHEN 'notice' THEN n.issued_on + 30 WHEN 'summons' THEN n.issued_on + 15 ELSE n.issued_on + 10 END)),
          0::bigint, 'deadlines are the rule''s days after the issue date');

-- 5. Overdue on 2026-01-10, nothing acknowledged: every notice issued on or
-- before 2026-01-07 (notice) or 2026-01-08 (the others) has missed its
-- acknowledgement; rectification counted likewise.
SELECT results_eq(
    $$SELECT deadline, count(*) FROM safeidx.notices_overdue('2026-01-10') WHERE scheme = 'wuchang' GROUP BY 1 ORDER BY 1$$,
    $$SELECT * FROM (VALUES
        ('acknowledge', (SELECT count(*) FROM issued WHERE issued_on + CASE kind WHEN 'notice' THEN 3 ELSE 2 END < date '2026-01-10')),
        ('rectify', (SELECT count(*) FROM issued
                      WHERE issued_on + CASE kind WHEN 'notice' THEN 30 WHEN 'summons' THEN 15 ELSE 10 END < date '2026-01-10'))) v
       WHERE column2 > 0 ORDER BY 1$$,
    'overdue deadlines on 2026-01-10 counted from the issue dates');

-- 6. The log: one issue step per notice, by this user; after acknowledging
-- every summons the statuses agree with the log.
\o /dev/null
SELECT safeidx.acknowledge_notice(id, 'demo') FROM safeidx.notice WHERE scheme = 'wuchang' AND kind = 'summons';
\o
SELECT results_eq(
    $$SELECT s.kind, s.state, s.steps, count(*) FROM safeidx.notice_status s WHERE s.scheme = 'wuchang'
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3$$,
    $$SELECT n.kind, CASE n.kind WHEN 'summons' THEN 'acknowledged' ELSE 'issued' END,
             CASE n.kind WHEN 'summons' THEN 2 ELSE 1 END, count(*)
        FROM issued n GROUP BY 1, 2, 3 ORDER BY 1, 2, 3$$,
    'states: summonses acknowledged (2 steps), the others issued (1 step)');
SELECT is((SELECT count(*) FROM safeidx.notice_log l JOIN safeidx.notice n ON n.id = l.notice_id
            WHERE n.scheme = 'wuchang' AND l.step = 1 AND l.action = 'issue' AND l.logged_by = current_user
              AND l.note = 'issued by notice rule ' || n.warning_rule),
          (SELECT count(*) FROM issued), 'one issue step per notice, by the current user, naming its rule');

SELECT * FROM finish();
ROLLBACK;
