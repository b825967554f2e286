# safeidx: PGXS build.  The version lives only in safeidx.control.
EXTENSION  = safeidx
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

# META.json repeats the version for PGXN; the build refuses a mismatch.
META_VERSION = $(shell sed -n 's/^ *"version": *"\([^"]*\)",*$$/\1/p' META.json | sort -u)
ifneq ($(META_VERSION),$(EXTVERSION))
$(error META.json gives version(s) "$(META_VERSION)" but $(EXTENSION).control gives $(EXTVERSION))
endif

MODULE_big = safeidx
OBJS = \
	src/safeidx.o \
	src/checks.o \
	src/summary_io.o \
	src/poisson.o \
	src/rate.o \
	src/scoring.o \
	src/groupstats.o \
	src/weighted.o \
	src/grade.o \
	src/filter.o \
	src/proportion.o

# The install script is built from the SQL sources under src/sql, in name order.
SQL_SOURCES = $(sort $(wildcard src/sql/*.sql))
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql

REGRESS      = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))

PG_CFLAGS = -Wall -Wextra -Werror

EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(EXTENSION).control
	cat $(SQL_SOURCES) > $@
