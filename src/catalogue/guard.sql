-- guard.sql: the one guard of every read-only row.


