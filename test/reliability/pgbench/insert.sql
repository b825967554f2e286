-- pgbench (test/reliability/pgbench.sh): a department reports a new row: a
-- police incident or a fire alarm, most of them now, one in four late (up to
-- 700 days back, into last year's baselines), in a random community or with
-- an unknown code.
\set late random(0, 3)
\set days random(1, 700)
\set cat random(1, 6)
\set c random(1, 97)
\set table random(1, 4)
\if :table = 4
INSERT INTO demo.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm)
SELECT nextval('rel.new_id'),
       CASE WHEN :late = 0 THEN now() - :days * interval '1 day' ELSE now() - random() * interval '2 hours' END,
       (SELECT codes[:c] FROM rel.communities), 'electrical', random() < 0.3;
\else
INSERT INTO demo.police_incident (id, reported_at, community_code, category, is_criminal)
SELECT nextval('rel.new_id'),
       CASE WHEN :late = 0 THEN now() - :days * interval '1 day' ELSE now() - random() * interval '2 hours' END,
       CASE WHEN :c = 97 THEN '420106099999' ELSE (SELECT codes[:c] FROM rel.communities) END,
       ('{burglary,ebike_theft,other_theft,fraud,telecom_fraud,assault}'::text[])[:cat], random() < 0.6;
\endif
