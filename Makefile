# safeidx: PGXS build.  The version lives only in safeidx.control.
#
# The product lives under src/, one folder per layer, in the order data flows:
#   kernel     C functions and aggregates: rates, scores, indices, grades
#   catalogue  periods, regions, population, sources (departmental tables)
#   scheme     grade scales, schemes, versions, indicator trees
#   engine     change capture -> cells -> results; rebuild and refresh
#   results    the result views
#   governance warnings, stars, awards, releases, notices, the public view
#   report     the monthly HTML report of a release
#   upgrade    the frozen 0.1.0 install script and the state migrations
EXTENSION  = safeidx
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

# META.json repeats the version for PGXN; the build refuses a mismatch.
META_VERSION = $(shell sed -n 's/^ *"version": *"\([^"]*\)",*$$/\1/p' META.json | sort -u)
ifneq ($(META_VERSION),$(EXTVERSION))
$(error META.json gives version(s) "$(META_VERSION)" but $(EXTENSION).control gives $(EXTVERSION))
endif

PG_CONFIG ?= pg_config

# Supported: PostgreSQL 15 (tested), 16 and 17 (built against, untested).
# The SQL needs 15: UNIQUE NULLS NOT DISTINCT, security_invoker views.
PG_MAJOR = $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
ifeq ($(filter 15 16 17,$(PG_MAJOR)),)
$(error safeidx needs PostgreSQL 15, 16 or 17; $(PG_CONFIG) is PostgreSQL "$(PG_MAJOR)")
endif

MODULE_big = safeidx
OBJS = \
	src/kernel/module.o \
	src/kernel/checks.o \
	src/kernel/summary_io.o \
	src/kernel/poisson.o \
	src/kernel/rate.o \
	src/kernel/scoring.o \
	src/kernel/scoring_rules.o \
	src/kernel/proportion.o \
	src/kernel/groupstats.o \
	src/kernel/weighted.o \
	src/kernel/grade.o \
	src/kernel/period.o \
	src/kernel/rounding.o \
	src/kernel/local_period.o \
	src/kernel/series.o \
	src/kernel/intervals.o \
	src/kernel/significance.o \
	src/kernel/ebayes.o \
	src/kernel/funnel.o \
	src/kernel/rankci.o \
	src/kernel/ears.o \
	src/kernel/cusum.o \
	src/kernel/seasonal.o \
	src/catalogue/roles.o \
	src/catalogue/source.o \
	src/catalogue/filter.o \
	src/catalogue/source_remote.o \
	src/catalogue/source_read.o \
	src/catalogue/reference.o \
	src/catalogue/csv.o \
	src/governance/star.o \
	src/engine/poll.o \
	src/engine/results_load.o \
	src/engine/results_tree.o \
	src/engine/results_rollup.o \
	src/engine/results_baseline.o \
	src/engine/results_pool.o \
	src/engine/results_score.o \
	src/engine/results_write.o \
	src/engine/results.o \
	src/engine/sensitivity.o
PG_CPPFLAGS = -I$(srcdir)/src/kernel
# -Wextra without -Wunused-parameter, which PostgreSQL's own headers (funcapi.h) trip.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Werror

# The install script: every layer's SQL in load order.  Each file marks its
# state (types, tables, built-in rows: run once, changed by migrations) apart
# from its code (CREATE OR REPLACE, re-run by every upgrade): src/upgrade/code.awk.
SQL_SOURCES = \
	src/kernel/rate.sql \
	src/kernel/proportion.sql \
	src/kernel/groupstats.sql \
	src/kernel/scoring.sql \
	src/kernel/weighted.sql \
	src/kernel/grade.sql \
	src/kernel/rounding.sql \
	src/kernel/local_period.sql \
	src/kernel/intervals.sql \
	src/kernel/significance.sql \
	src/kernel/ebayes.sql \
	src/kernel/funnel.sql \
	src/kernel/rankci.sql \
	src/kernel/ears.sql \
	src/kernel/cusum.sql \
	src/kernel/seasonal.sql \
	src/catalogue/roles.sql \
	src/catalogue/guard.sql \
	src/catalogue/period.sql \
	src/catalogue/region.sql \
	src/catalogue/population.sql \
	src/catalogue/source.sql \
	src/catalogue/source_remote.sql \
	src/catalogue/source_read.sql \
	src/catalogue/reference.sql \
	src/catalogue/loader.sql \
	src/scheme/grade_scale.sql \
	src/scheme/scheme.sql \
	src/scheme/version.sql \
	src/scheme/indicator.sql \
	src/scheme/indicator_source.sql \
	src/scheme/validate.sql \
	src/engine/capture.sql \
	src/engine/cells.sql \
	src/engine/poll.sql \
	src/engine/results.sql \
	src/engine/scheme_follow.sql \
	src/engine/build.sql \
	src/engine/delivery.sql \
	src/engine/preview.sql \
	src/engine/sensitivity.sql \
	src/results/index_result.sql \
	src/results/indicator_result.sql \
	src/results/node_result.sql \
	src/results/unknown_region_rows.sql \
	src/results/leaf_rate.sql \
	src/results/rank_uncertainty.sql \
	src/results/funnel_result.sql \
	src/governance/rule_check.sql \
	src/governance/warning.sql \
	src/governance/star.sql \
	src/governance/award.sql \
	src/governance/release.sql \
	src/governance/verify.sql \
	src/governance/notice.sql \
	src/governance/notice_issue.sql \
	src/governance/notice_lifecycle.sql \
	src/governance/public.sql \
	src/report/html.sql \
	src/report/sections.sql \
	src/report/report.sql \
	src/governance/access.sql

# Upgrades (doc/upgrades.md): for every earlier version V, the script
# safeidx--V--$(EXTVERSION).sql runs the state migrations src/upgrade/A--B.sql
# from V up to this version in chain order, then the code of this version,
# then the migrations' A--B.post.sql parts (state that needs the new code).
UPGRADE_FROM = 0.1.0 0.2.0 0.3.0 0.4.0 0.5.0
MIGRATIONS = $(wildcard src/upgrade/[0-9]*--*.sql)
UPGRADES = $(foreach v,$(UPGRADE_FROM),$(EXTENSION)--$(v)--$(EXTVERSION).sql)

# The frozen install script of 0.1.0, for the upgrade test.
DATA = src/upgrade/$(EXTENSION)--0.1.0.sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADES)
DOCS := $(wildcard doc/*.md)

# Every file of sql/ stands alone (its set-up from test/fixtures/).
REGRESS = $(sort $(patsubst sql/%.sql,%,$(wildcard sql/*.sql)))

EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header (after the include: the first rule stays PGXS's
# "all"): every object is rebuilt when the kernel's header changes, the
# engine's when the results kernel's does.
$(OBJS): src/kernel/safeidx.h
$(filter src/engine/%,$(OBJS)): src/engine/results.h

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(EXTENSION).control Makefile
	( printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $(SQL_SOURCES); do printf '\n-- ==== %s ====\n' "$$f"; cat "$$f"; done ) > $@

$(UPGRADES): $(EXTENSION)--%--$(EXTVERSION).sql: $(SQL_SOURCES) $(MIGRATIONS) src/upgrade/code.awk $(EXTENSION).control Makefile
	( printf '%s\n' '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE" to load this file. \quit'; \
	  v=$*; chain=; \
	  while [ "$$v" != "$(EXTVERSION)" ]; do \
	      m=$$(ls src/upgrade/$$v--*.sql 2>/dev/null | grep -v '\.post\.sql$$'); \
	      [ -n "$$m" ] || { echo "no migration from $$v in src/upgrade" >&2; exit 1; }; \
	      printf '\n-- ==== %s ====\n' "$$m"; cat "$$m"; \
	      chain="$$chain $${m%.sql}"; v=$$(basename "$$m" .sql); v=$${v#*--}; \
	  done; \
	  for f in $(SQL_SOURCES); do \
	      printf '\n-- ==== %s (code) ====\n' "$$f"; \
	      awk -f src/upgrade/code.awk "$$f"; \
	  done; \
	  for m in $$chain; do \
	      [ ! -f "$$m.post.sql" ] || { printf '\n-- ==== %s ====\n' "$$m.post.sql"; cat "$$m.post.sql"; }; \
	  done ) > $@.tmp && mv $@.tmp $@

# The doc pages go to their own folder, $(docdir)/extension/safeidx/ (their
# names are generic); PGXS's uninstall misses them there (it keeps the doc/
# prefix of DOCS), so they are removed here.
docmoduledir = extension/$(EXTENSION)
uninstall: uninstall-docs
uninstall-docs:
	rm -f $(addprefix '$(DESTDIR)$(docdir)/$(docmoduledir)'/, $(notdir $(DOCS)))
	-rmdir '$(DESTDIR)$(docdir)/$(docmoduledir)'
.PHONY: uninstall-docs
