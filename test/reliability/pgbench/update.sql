-- pgbench (test/reliability/pgbench.sh): a department corrects one of its
-- rows: a police incident moved to another community and a few days back
-- (across a month's boundary at times), or its category changed (entering or
-- leaving a source's filter); or a complaint's key-sector flag flipped.
\set id random(1, 160000)
\set c random(1, 96)
\set what random(1, 3)
\if :what = 1
UPDATE demo.police_incident
   SET community_code = (SELECT codes[:c] FROM rel.communities), reported_at = reported_at - random() * interval '5 days'
 WHERE id = :id;
\elif :what = 2
UPDATE demo.police_incident
   SET category = CASE WHEN category = 'burglary' THEN 'assault' ELSE 'burglary' END
 WHERE id = :id;
\else
UPDATE demo.complaint SET is_key_sector = NOT is_key_sector WHERE id = :id % 31000 + 1;
\endif
