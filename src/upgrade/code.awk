# src/upgrade/code.awk: the code of one install-script source file, which
# every upgrade script re-runs after its migrations (see the Makefile).
#
# A file is code (CREATE OR REPLACE functions, aggregates, views, triggers,
# grants) except between a line "-- [state]" and the next "-- [code]": types,
# tables, indexes, constraint triggers and built-in rows run once, at install,
# and change only through a migration.  COMMENT statements are re-run
# wherever they stand, so that documentation changes need no migration.
FNR == 1 { code = 1; comment = 0 }
/^-- \[state\]$/ { code = 0; next }
/^-- \[code\]$/ { code = 1; next }
!code && /^COMMENT ON / { comment = 1 }
code || comment { print }
comment && /;$/ { comment = 0 }
