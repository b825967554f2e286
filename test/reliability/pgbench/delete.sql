-- pgbench (test/reliability/pgbench.sh): a department withdraws a row (a
-- police incident, a fire alarm or a mediation), old or new.
\set id random(1, 160000)
\set what random(1, 3)
\if :what = 1
DELETE FROM demo.police_incident WHERE id = :id;
\elif :what = 2
DELETE FROM demo.fire_alarm WHERE id = :id % 3400 + 1;
\else
DELETE FROM demo.mediation WHERE id = :id % 12000 + 1;
\endif
