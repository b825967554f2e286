-- test/detection/measure.sql: the measures of every method and setting in det.alarm (run by
-- test/detection.sh after detect.sql and engine.sql): hotspots detected (an alarm in one of
-- their months), the delay from onset to the first alarm, false alarms per 1,000
-- community-months outside every hotspot, from the second year on.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS det.result;
-- each hotspot's first alarm is looked up by community (a scan per method, setting and
-- hotspot otherwise: minutes at city scale)
CREATE INDEX IF NOT EXISTS alarm_code ON det.alarm (code, method, setting, mi);
ANALYZE det.alarm;
-- the measures of every method and setting
CREATE TABLE det.result AS
WITH settings AS (SELECT DISTINCT method, setting FROM det.alarm),
ev AS (SELECT count(*) AS cm_outside FROM det.cm c
        WHERE c.mi >= 12 AND NOT EXISTS (SELECT 1 FROM det.hot h WHERE h.code = c.code AND c.mi BETWEEN h.onset AND h.last)),
first_alarm AS (
    SELECT s.method, s.setting, h.code, h.onset,
           (SELECT min(a.mi) FROM det.alarm a WHERE a.method = s.method AND a.setting = s.setting
               AND a.code = h.code AND a.mi BETWEEN h.onset AND h.last) - h.onset AS delay,
           h.last - h.onset + 1 AS months
      FROM settings s CROSS JOIN det.hot h),
fa AS (
    SELECT a.method, a.setting, count(*) AS false_alarms FROM det.alarm a
     WHERE a.mi >= 12 AND NOT EXISTS (SELECT 1 FROM det.hot h WHERE h.code = a.code AND a.mi BETWEEN h.onset AND h.last)
     GROUP BY 1, 2)
SELECT f.method, f.setting, count(*) AS hotspots, count(f.delay) AS detected,
       count(f.delay)::float8 / count(*) AS share, count(*) FILTER (WHERE f.delay = 0) AS in_onset_month,
       count(*) FILTER (WHERE f.delay <= 1) AS within_a_month,
       avg(f.delay) AS mean_delay, avg(coalesce(f.delay, f.months)) AS mean_delay_censored,
       coalesce(fa.false_alarms, 0) * 1000.0 / ev.cm_outside AS fa_per_1000
  FROM first_alarm f CROSS JOIN ev LEFT JOIN fa USING (method, setting)
 GROUP BY f.method, f.setting, fa.false_alarms, ev.cm_outside;
