-- safeidx install script, part 00: guard.  Built by the Makefile from src/sql/*.sql.
\echo Use "CREATE EXTENSION safeidx" to load this file. \quit
