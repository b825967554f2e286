-- pgbench (test/reliability/pgbench.sh): the scheduler refreshes Wuchang,
-- then waits (as a pg_cron job every few seconds would).
SELECT sum(results) FROM safeidx.refresh('wuchang');
\sleep 500 ms
