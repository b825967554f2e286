-- Warning notices (预警通知书) over the engine fixture (test/fixtures/engine.sql:
-- scheme fix, streets s1 一街 and s2 二街), built as sql/engine.sql builds it
-- (test/fixtures/engine_build.sql: months 2025-01..03; the fixtures' output is
-- kept out of this file).  In one transaction rolled back at the end: nothing
-- of this test is left behind (checked last).
--
-- The fixture's warnings used here (expected/engine.out):
--  rule        | kind        | severity  | period_start | region_code | value   | threshold
--  red         | grade       | warning   | 01-01-2025   | s1          | 10.0000 | 4
--  red         | grade       | warning   | 02-01-2025   | s1          | 30.0000 | 4
--  red         | grade       | warning   | 02-01-2025   | s2          |  0.0000 | 4
--  red         | grade       | warning   | 03-01-2025   | s2          |  0.0000 | 4
--  red_twice   | consecutive | notice    | 02-01-2025   | s1          |  2.0000 | 2
--  red_twice   | consecutive | notice    | 03-01-2025   | s2          |  2.0000 | 2
--  fell        | rank_drop   | attention | 02-01-2025   | s2          |  2.0000 | 1
--  theft_worst | worst_band  | attention | 01-01-2025   | s1          | 15.0000 |
--  theft_worst | worst_band  | attention | 02-01-2025   | s2          | 15.0000 |
-- (fell and theft_worst get no notice rule below, so they never give a notice.)
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
\set ON_ERROR_ROLLBACK on
BEGIN;

-- Runs a statement; returns 'ok' or its SQLSTATE, message and hint.
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || CASE WHEN h <> '' THEN ' [hint: ' || h || ']' ELSE '' END;
END $$;

-- The built-in lifecycle.
SELECT from_state, action, to_state, via FROM notice_transition ORDER BY from_state NULLS FIRST, action;

-- Rules: a red street gets a warning notice (3 days to acknowledge, 30 to
-- rectify); two red months in a row a summons (2 and 15 days).
INSERT INTO notice_rule (scheme, warning_rule, notice_kind, acknowledge_within, rectify_within, addressed_to, subject) VALUES
    ('fix', 'red', 'notice', '3 days', '30 days', '{region_zh}街道办事处', '平安指数红色预警：{region_zh}（{period_start}）'),
    ('fix', 'red_twice', 'summons', '2 days', '15 days', '{region_zh}党工委', NULL);

-- January, issued on 5 February: red s1 starts a run -> 2025-001, a notice
-- to 一街街道办事处, acknowledge by 8 Feb, rectify by 7 Mar (5 Feb + 30 days).
-- theft_worst s1 has no rule: no notice.
SELECT number, kind, region_code, region_zh, period_start, warning_rule, addressed_to, subject,
       issued_on, acknowledge_by, rectify_by, round(warning_value::numeric, 4) AS warning_value, previous_id
  FROM issue_notices('fix', '2025-01-01', '2025-02-05');
-- idempotent: the same call, or with another issue date, issues nothing
SELECT count(*) AS issued_again FROM issue_notices('fix', '2025-01-01', '2025-02-05');
SELECT count(*) AS issued_again FROM issue_notices('fix', '2025-01-01', '2025-02-20');

-- February, issued on 5 March, in order of kind, then region:
--   red s1: same run as January (Jan, Feb), already noticed -> nothing;
--   red s2: starts a run -> 2025-002, notice to 二街街道办事处, ack by 8 Mar,
--           rectify by 4 Apr (5 Mar + 30 days = 4 Apr);
--   red_twice s1 (run 2, first month it fires) -> 2025-003, summons to
--           一街党工委, ack by 7 Mar, rectify by 20 Mar; subject by default
--           "red_twice: " and the warning's detail; escalates 2025-001 (the
--           notice of a lower kind for s1 in the red run January-February).
SELECT number, kind, region_code, period_start, warning_rule, addressed_to, subject,
       issued_on, acknowledge_by, rectify_by, warning_value, warning_threshold
  FROM issue_notices('fix', '2025-02-01', '2025-03-05') ORDER BY number;
-- March, issued on 7 April: red s2 continues the February run -> nothing;
-- red_twice s2 -> 2025-004, summons to 二街党工委, ack by 9 Apr, rectify by
-- 22 Apr, escalates 2025-002.
SELECT number, kind, region_code, period_start, warning_rule, addressed_to, acknowledge_by, rectify_by
  FROM issue_notices('fix', '2025-03-01', '2025-04-07');
SELECT count(*) AS issued_again
  FROM (SELECT issue_notices('fix', m::date, '2025-05-01')
          FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 month') m) x;

-- Escalation: the summonses point at the notices of their runs.
SELECT number, kind, region_code, period_start, warning_rule, severity, state, previous_number, previous_kind
  FROM notice_status WHERE scheme = 'fix' ORDER BY number;

SELECT id AS n1 FROM notice WHERE scheme = 'fix' AND number = '2025-001' \gset
SELECT id AS n2 FROM notice WHERE scheme = 'fix' AND number = '2025-002' \gset
SELECT id AS n3 FROM notice WHERE scheme = 'fix' AND number = '2025-003' \gset
SELECT id AS n4 FROM notice WHERE scheme = 'fix' AND number = '2025-004' \gset

-- Overdue, everything still issued.
-- As of 10 March: 2025-001 acknowledgement due 8 Feb: 20 + 10 = 30 days;
--   its rectification due 7 Mar: 3 days; 2025-002 acknowledgement due 8 Mar:
--   2 days; 2025-003 acknowledgement due 7 Mar: 3 days; 2025-004 not yet due.
SELECT number, kind, region_code, state, deadline, due, days_overdue FROM notices_overdue('2025-03-10');
-- As of 7 March only 2025-001's acknowledgement (8 Feb -> 7 Mar = 27 days):
-- on its due day a deadline is not missed yet (2025-001 rectify, 2025-003
-- acknowledge are due that day).
SELECT number, deadline, due, days_overdue FROM notices_overdue('2025-03-07');
SELECT count(*) AS overdue_on_8_february FROM notices_overdue('2025-02-08');
-- on 9 February 2025-001's acknowledgement is one day late
SELECT number, deadline, days_overdue FROM notices_overdue('2025-02-09');
-- the view is the function as of today
SELECT (SELECT count(*) FROM notice_overdue) = (SELECT count(*) FROM notices_overdue(current_date)) AS view_is_today;

-- The lifecycle of 2025-001: illegal steps first (55000, with the steps
-- allowed now in the hint).
SELECT pg_temp.try(format('SELECT report_rectification(%s, %L)', :n1, '整改报告'));
SELECT pg_temp.try(format('SELECT verify_notice(%s, true)', :n1));
SELECT step, prev_step, from_state, action, to_state, note FROM acknowledge_notice(:n1, '已签收');
SELECT pg_temp.try(format('SELECT acknowledge_notice(%s)', :n1));
SELECT pg_temp.try(format('SELECT verify_notice(%s, true)', :n1));
-- bad arguments: 22023 / 22004
SELECT pg_temp.try(format('SELECT report_rectification(%s, %L)', :n1, '  '));
SELECT pg_temp.try(format('SELECT report_rectification(%s, NULL)', :n1));
SELECT step, from_state, action, to_state, note FROM report_rectification(:n1, '整改报告一：加强夜间巡逻');
SELECT pg_temp.try(format('SELECT report_rectification(%s, %L)', :n1, '又一份'));
SELECT pg_temp.try(format('SELECT verify_notice(%s, false)', :n1));
SELECT pg_temp.try(format('SELECT verify_notice(%s, NULL, %L)', :n1, 'x'));
-- rejected: back to acknowledged, the unit must report again
SELECT step, from_state, action, to_state, note FROM verify_notice(:n1, false, '整改不到位');
SELECT pg_temp.try(format('SELECT verify_notice(%s, true)', :n1));
SELECT step, from_state, action, to_state, note FROM report_rectification(:n1, '整改报告二：增设监控');
SELECT step, from_state, action, to_state, note FROM verify_notice(:n1, true, '验收通过');
-- closed: nothing more is allowed
SELECT pg_temp.try(format('SELECT acknowledge_notice(%s)', :n1));
SELECT pg_temp.try(format('SELECT withdraw_notice(%s, %L)', :n1, '撤回'));
SELECT pg_temp.try(format('SELECT verify_notice(%s, false, %L)', :n1, '再查'));
-- no such notice: 42704
SELECT pg_temp.try('SELECT acknowledge_notice(-1)');
SELECT pg_temp.try('SELECT withdraw_notice(NULL, ''x'')');

-- 2025-003 (summons to s1) acknowledged; 2025-002 and 2025-004 stay issued.
SELECT step, from_state, action, to_state FROM acknowledge_notice(:n3);
-- As of 23 April: 2025-001 verified: nothing; 2025-002 acknowledge (8 Mar:
-- 23 + 23 = 46 days) and rectify (4 Apr: 19 days); 2025-003 rectify
-- (20 Mar: 11 + 23 = 34 days); 2025-004 acknowledge (9 Apr: 14 days) and
-- rectify (22 Apr: 1 day).
SELECT number, kind, state, deadline, due, days_overdue FROM notices_overdue('2025-04-23');
-- 2025-003 reports: its rectification is no longer overdue ...
SELECT step, from_state, action, to_state FROM report_rectification(:n3, '已约谈整改');
SELECT number, deadline, days_overdue FROM notices_overdue('2025-04-23') WHERE number = '2025-003';
-- ... until the report is rejected: overdue again, 34 days
SELECT step, from_state, action, to_state FROM verify_notice(:n3, false, '未见成效');
SELECT number, state, deadline, days_overdue FROM notices_overdue('2025-04-23') WHERE number = '2025-003';

-- By hand: theft_worst s2 February has no rule; the police station gets a
-- notice issued on 10 March, rectify by 15 April, acknowledge by default
-- three days after issue (13 March) -> 2025-005.
SELECT number, kind, region_code, region_zh, period, period_start, warning_rule, addressed_to, subject,
       issued_on, acknowledge_by, rectify_by, previous_id
  FROM issue_notice('fix', 's2', '2025-02-01', 'notice', '二街盗窃警情处于最差档', '2025-04-15',
                    addressed_to => '二街派出所', issued_on => '2025-03-10');
-- the addressee defaults to the region's name; a deadline shorter than
-- three days caps the acknowledgement date.  Issued in January 2026: the
-- numbering starts again at 2026-001.  An accountability notice escalating
-- the summons 2025-003 by hand.
SELECT number, kind, region_code, addressed_to, issued_on, acknowledge_by, rectify_by
  FROM issue_notice('fix', 's1', '2025-02-01', 'accountability', '一街连续两月红色预警问责',
                    '2026-01-06', issued_on => '2026-01-05', previous_id => :n3);
SELECT number, kind, previous_number, previous_kind FROM notice_status WHERE scheme = 'fix' AND number = '2026-001';
-- errors: 42704 unknown scheme / region / previous notice, 22023 bad
-- kind, period start, subject, deadlines, escalation of another region,
-- 22004 no rectification deadline
SELECT pg_temp.try($$SELECT issue_notice('nosuch', 's1', '2025-02-01', 'notice', 'x', '2025-04-01', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 'zz', '2025-02-01', 'notice', 'x', '2025-04-01', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'notice', 'x', '2025-04-01', issued_on => '2025-03-01', previous_id => -1)$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'warning', 'x', '2025-04-01', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-15', 'notice', 'x', '2025-04-01', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'notice', ' ', '2025-04-01', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'notice', 'x', '2025-02-28', issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'notice', 'x', '2025-04-01', acknowledge_by => '2025-04-02', issued_on => '2025-03-01')$$);
SELECT pg_temp.try(format($$SELECT issue_notice('fix', 's1', '2025-03-01', 'summons', 'x', '2025-05-01', issued_on => '2025-04-07', previous_id => %s)$$, :n4));
SELECT pg_temp.try($$SELECT issue_notice('fix', 's1', '2025-02-01', 'notice', 'x', NULL, issued_on => '2025-03-01')$$);
SELECT pg_temp.try($$SELECT issue_notices('nosuch', '2025-02-01')$$);

-- Withdrawal needs a reason; a withdrawn notice is closed.
SELECT id AS n5 FROM notice WHERE scheme = 'fix' AND number = '2025-005' \gset
SELECT pg_temp.try(format('SELECT withdraw_notice(%s, %L)', :n5, ''));
SELECT step, from_state, action, to_state, note FROM withdraw_notice(:n5, '数据更正：重复通知');
SELECT pg_temp.try(format('SELECT acknowledge_notice(%s)', :n5));
SELECT pg_temp.try(format('SELECT withdraw_notice(%s, %L)', :n5, '再撤'));

-- every_period: a red street gets a notice every red month.  February now
-- adds red s1 (2025-006, issued 6 March; s2 already has 2025-002), March red
-- s2 (2025-007, issued 8 April); neither escalates anything (a notice is the
-- lowest kind).  Idempotent again.
UPDATE notice_rule SET every_period = true WHERE scheme = 'fix' AND warning_rule = 'red';
SELECT number, kind, region_code, period_start, warning_rule, issued_on, previous_id
  FROM issue_notices('fix', '2025-02-01', '2025-03-06');
SELECT number, kind, region_code, period_start, warning_rule, issued_on, previous_id
  FROM issue_notices('fix', '2025-03-01', '2025-04-08');
SELECT count(*) AS issued_again FROM issue_notices('fix', '2025-02-01', '2025-03-06');

-- The log: 2025-001 six steps (issue, acknowledge, report, reject, report,
-- accept), 2025-003 four (issue, acknowledge, report, reject), 2025-005 two
-- (issue, withdraw), the others one; every step by this session's user,
-- with a clock time.
SELECT n.number, l.step, l.prev_step, l.from_state, l.action, l.to_state, l.note,
       l.logged_at IS NOT NULL AS has_time, l.logged_by = current_user AS by_current_user,
       l.session_by = session_user AS by_session_user
  FROM notice_log l JOIN notice n ON n.id = l.notice_id
 WHERE n.scheme = 'fix' ORDER BY n.number, l.step;
-- times increase along each notice's steps
SELECT bool_and(l.logged_at > p.logged_at) AS times_increase
  FROM notice_log l JOIN notice_log p ON p.notice_id = l.notice_id AND p.step = l.step - 1;
-- the current state is the last step's, and each step starts where the
-- previous one ended
SELECT s.number, s.state, s.open, s.steps, s.acknowledged_at IS NOT NULL AS acknowledged,
       s.reported_at IS NOT NULL AS reported, s.issued_by = current_user AS issued_by_current_user
  FROM notice_status s WHERE s.scheme = 'fix' ORDER BY s.number;
SELECT count(*) AS broken_links
  FROM notice_log l LEFT JOIN notice_log p ON p.notice_id = l.notice_id AND p.step = l.step - 1
 WHERE l.step > 1 AND p.to_state IS DISTINCT FROM l.from_state;

-- The log and the notices cannot be changed (42501), not even by their
-- owner; the log's keys refuse a step the lifecycle does not allow (23503)
-- or a second step with the same number (23505); the lifecycle is built in.
SELECT pg_temp.try('UPDATE notice_log SET note = ''x''');
SELECT pg_temp.try('DELETE FROM notice_log');
SELECT pg_temp.try('TRUNCATE notice_log');
SELECT pg_temp.try('UPDATE notice SET rectify_by = rectify_by + 30');
SELECT pg_temp.try('DELETE FROM notice WHERE number = ''2025-004''');
SELECT pg_temp.try(format($$INSERT INTO notice_log (notice_id, step, prev_step, from_state, action, to_state)
                            VALUES (%s, 2, 1, 'issued', 'accept', 'verified')$$, :n2));
SELECT pg_temp.try(format($$INSERT INTO notice_log (notice_id, step, prev_step, from_state, action, to_state)
                            VALUES (%s, 2, 1, 'rectification_reported', 'accept', 'verified')$$, :n2));
SELECT pg_temp.try(format($$INSERT INTO notice_log (notice_id, step, prev_step, from_state, action, to_state)
                            VALUES (%s, 2, 1, 'issued', 'acknowledge', 'acknowledged')$$, :n1));
SELECT pg_temp.try(format($$INSERT INTO notice_log (notice_id, step, action, to_state)
                            VALUES (%s, 3, 'acknowledge', 'acknowledged')$$, :n2));
-- a notice may only escalate a notice to the same region (23503)
SELECT pg_temp.try(format($$INSERT INTO notice (scheme, year, seq, kind, region_code, period, period_start, subject,
                                                addressed_to, issued_on, acknowledge_by, rectify_by, previous_id)
                            VALUES ('fix', 2025, 99, 'summons', 's1', 'month', '2025-03-01', 'x', 'x',
                                    '2025-04-01', '2025-04-01', '2025-04-01', %s)$$, :n2));
SELECT pg_temp.try($$INSERT INTO notice (scheme, year, seq, kind, region_code, period, period_start, subject,
                                         addressed_to, issued_on, acknowledge_by, rectify_by, previous_id)
                     VALUES ('fix', 2025, 99, 'summons', 's1', 'month', '2025-03-01', 'x', 'x',
                             '2025-04-01', '2025-04-01', '2025-04-01', -1)$$);
SELECT pg_temp.try($$INSERT INTO notice_transition VALUES ('verified', 'reopen', 'issued', 'x', 'x')$$);
SELECT pg_temp.try('DELETE FROM notice_transition');

ROLLBACK;
-- nothing of this test is left behind
SELECT count(*) AS notices, (SELECT count(*) FROM notice_log) AS log_rows, (SELECT count(*) FROM notice_rule) AS rules
  FROM notice;
