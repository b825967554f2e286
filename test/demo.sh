#!/usr/bin/env bash
# test/demo.sh: the safeidx demo on a throw-away PostgreSQL 15 cluster.
#
#   bash test/demo.sh [SCALE]      SCALE: small (default) or city
#
# Root, or a user with sudo (it re-runs itself through sudo).  Installs what is
# missing, builds and installs the extension, starts a cluster (test/lib/cluster.sh),
# generates the demo city (test/demo/city.sql, demo.generate(SCALE, 42)) in a
# database "safeidx_demo", loads the example schemes (test/demo/schemes.sql:
# Wuchang 1.0/2.0, Zhuhai-style daily + monthly), builds them with the engine
# and prints rankings, explanations, warnings and an incremental refresh
# (test/demo/engine_demo.sql).
# The cluster is stopped and removed at the end.

set -euo pipefail

case ${1:-} in
    -h|--help)
        sed -n '2,13s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
esac
scale=${1:-small}
if [[ ! $scale =~ ^[A-Za-z0-9_]+$ ]]; then
    echo "usage: bash test/demo.sh [small|city]" >&2
    exit 2
fi

# shellcheck source=test/lib/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"
# Now in the repo root, with PGHOST, PGPORT and PGUSER pointing at the cluster.

demo_dir=test/demo

say "database safeidx_demo"
safeidx_psql -q -d postgres -c 'CREATE DATABASE safeidx_demo'
safeidx_psql -q -d safeidx_demo -c 'CREATE EXTENSION safeidx'

say "loading $demo_dir/city.sql"
safeidx_psql -q -d safeidx_demo -f "$demo_dir/city.sql"

say "demo.generate('$scale', 42)"
safeidx_psql -q -d safeidx_demo -v scale="$scale" <<'SQL'
SELECT demo.generate(:'scale', 42);
SQL

say "example schemes ($demo_dir/schemes.sql)"
safeidx_psql -q -1 -d safeidx_demo -f "$demo_dir/schemes.sql"

say "the engine ($demo_dir/engine_demo.sql)"
safeidx_psql -d safeidx_demo -f "$demo_dir/engine_demo.sql"
