# shellcheck shell=bash
# test/lib/cluster.sh: shared set-up for test/demo.sh and test/check.sh.
#
# Sourced, never run.  On sourcing it:
#   0. re-executes the calling script through sudo when not root;
#   1. installs the Debian packages it needs when any is missing;
#   2. builds and installs the extension (make, make install) from the repo root;
#   3. creates a throw-away PostgreSQL 15 cluster in a mktemp -d directory, owned
#      by the unprivileged system user "safeidx" (initdb refuses root), and
#      starts it on 127.0.0.1 on a free port, with pg_cron preloaded
#      (cron.database_name = 'postgres', jobs in background workers, so they
#      need no connection or password) and CREATE EXTENSION pg_cron done in
#      database postgres;
#   4. exports PGHOST, PGPORT and PGUSER for what follows;
#   5. installs traps on EXIT, INT and TERM that stop the cluster and remove the
#      directory, whatever happens.
#
# The current directory is the repo root afterwards.
#
# With SAFEIDX_CLUSTER_FUNCTIONS_ONLY=1 it does only step 0 and defines the
# functions: no packages, build, cluster or traps.  For a test run by
# test/check.sh (which did steps 1 and 2) that needs a cluster of its own (one
# it may crash, or one under valgrind): it calls safeidx_start_cluster and
# arranges for safeidx_teardown to run at its exit.
#
# Environment (optional):
#   SAFEIDX_PG_PREFIX  a directory for a private copy of the PostgreSQL 15
#                     installation (binaries, share, lib; headers linked), made
#                     on first use and used instead of the system's: the
#                     extension is installed there, so several checkouts can
#                     build and test at once without replacing each other's
#                     safeidx.so.  PostgreSQL finds its files relative to its
#                     binaries, so the copy works from any directory.
# Settings of safeidx_start_cluster (optional):
#   SAFEIDX_PG_WRAPPER  a command prefix (words split on blanks) that runs the
#                     server: pg_ctl starts (pg_ctl -p) a script in the
#                     cluster's directory that execs WRAPPER... postgres ARGS,
#                     as user safeidx (e.g. valgrind with its options; the
#                     files they name must be readable by that user).
#   SAFEIDX_PG_CONF   lines appended to postgresql.conf after the cluster's own.
#   SAFEIDX_PG_CRON   0: no pg_cron (not preloaded; CREATE EXTENSION pg_cron is
#                     not possible then).  Default 1.
#   SAFEIDX_PG_START_TIMEOUT  seconds pg_ctl waits for the start (default 60).
#
# Hooks for the sourcing script (all optional):
#   SAFEIDX_ON_ABORT  name of a function run at the very end of an exit that
#                     did not come through safeidx_teardown (a failure, set -e,
#                     Ctrl-C); it gets the exit status as $1.
# Functions for the sourcing script:
#   safeidx_start_cluster  step 3 (PGHOST, PGPORT, PGUSER exported; the data
#                     directory in $SAFEIDX_PGDATA, the server's log in
#                     $SAFEIDX_LOG).
#   safeidx_setup_cron  CREATE EXTENSION pg_cron in database postgres.
#   safeidx_teardown  stops the cluster and removes its directory now (silent,
#                     idempotent); call it before printing a last line.
#   safeidx_psql      psql -X -v ON_ERROR_STOP=1 with the arguments given.
#   safeidx_start_extra_cluster NAME
#                     another throw-away cluster beside the main one (a
#                     department's server in test/tap/fdw.sh): started as
#                     step 3 does (no pg_cron), its port in
#                     SAFEIDX_EXTRA_PORT[NAME], its data directory in
#                     SAFEIDX_EXTRA_PGDATA[NAME]; PGHOST, PGPORT and the main
#                     cluster's variables are left as they were.
#                     safeidx_teardown stops and removes it too.
#   safeidx_extra_ctl NAME stop|start
#                     stops it (-m fast) or starts it again on its port.
#   safeidx_as_invoker CMD...  runs CMD as the user who called sudo when that
#                     user owns the repo (so results/ etc. stay theirs), else
#                     as root.

set -euo pipefail

# ---- 0. root, through sudo if need be ---------------------------------------
if [[ $EUID -ne 0 ]]; then
    _safeidx_script=${BASH_SOURCE[1]:-$0}
    _safeidx_script="$(cd "$(dirname "$_safeidx_script")" && pwd)/$(basename "$_safeidx_script")"
    if ! command -v sudo >/dev/null 2>&1; then
        echo "ERROR: $(basename "$_safeidx_script") must run as root (it installs packages and the extension), and sudo is not installed." >&2
        echo "       Run it as root: su -c 'bash $_safeidx_script'" >&2
        exit 1
    fi
    # Carry the SAFEIDX_* settings across sudo's environment reset.
    _safeidx_env=()
    while IFS= read -r _safeidx_name; do
        [[ $_safeidx_name == SAFEIDX_* ]] && _safeidx_env+=("$_safeidx_name=${!_safeidx_name}")
    done < <(compgen -e)
    echo "==> not root: re-running through sudo" >&2
    exec sudo -- env "${_safeidx_env[@]}" bash "$_safeidx_script" "$@"
fi

SAFEIDX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SAFEIDX_PG_VERSION=15
SAFEIDX_PGBIN=${SAFEIDX_PG_PREFIX:+$SAFEIDX_PG_PREFIX}/usr/lib/postgresql/$SAFEIDX_PG_VERSION/bin
SAFEIDX_PG_CONFIG=$SAFEIDX_PGBIN/pg_config
SAFEIDX_OS_USER=safeidx
# make and gcc are on every machine of this project's kind; listed so that a
# bare Debian 12 gets them too.
SAFEIDX_PACKAGES=(
    postgresql-15
    postgresql-server-dev-15
    postgresql-15-pgtap
    postgresql-15-cron
    libtap-parser-sourcehandler-pgtap-perl
    make
    gcc
    # test/check.sh renders a release report in headless Chromium (with a
    # small Chinese font) and decodes the screenshot with python3's zlib.
    chromium
    fonts-wqy-microhei
    python3-minimal
    # the reliability checks (test/reliability/, doc/reliability.md); pgbench
    # comes with postgresql-15.
    sqlsmith
    valgrind
)
export PATH="$SAFEIDX_PGBIN:$PATH"
# Keep connection settings from the caller's environment out of the way.
unset PGDATABASE PGSERVICE PGSERVICEFILE PGOPTIONS PGHOSTADDR PGPASSWORD PGSSLMODE
cd "$SAFEIDX_ROOT"

SAFEIDX_TMP=
SAFEIDX_PGDATA=
SAFEIDX_LOG=
_safeidx_torn_down=0
declare -A SAFEIDX_EXTRA_PORT=() SAFEIDX_EXTRA_PGDATA=()
_safeidx_extra_tmp=()

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# ---- 5. clean-up, installed before anything is created ----------------------
# Stops the postmaster of a data directory (fast, else immediate, else by pid).
_safeidx_stop_pgdata() {
    local pgdata=$1 pid
    [[ -n $pgdata && -f $pgdata/postmaster.pid ]] || return 0
    if ! (cd / && runuser -u "$SAFEIDX_OS_USER" -- \
            "$SAFEIDX_PGBIN/pg_ctl" stop -D "$pgdata" -m fast -w -t 30) >/dev/null 2>&1; then
        echo "WARNING: pg_ctl stop -m fast failed; stopping immediately" >&2
        (cd / && runuser -u "$SAFEIDX_OS_USER" -- \
            "$SAFEIDX_PGBIN/pg_ctl" stop -D "$pgdata" -m immediate -w -t 30) >/dev/null 2>&1 || true
    fi
    if [[ -f $pgdata/postmaster.pid ]]; then
        pid=$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
}

safeidx_teardown() {
    local extra
    for extra in "${_safeidx_extra_tmp[@]}"; do
        _safeidx_stop_pgdata "$extra/data"
        [[ $extra != /tmp/safeidx.* || ! -d $extra ]] || rm -rf -- "$extra"
    done
    _safeidx_extra_tmp=()
    if [[ -n $SAFEIDX_PGDATA && -f $SAFEIDX_PGDATA/postmaster.pid ]]; then
        if ! (cd / && runuser -u "$SAFEIDX_OS_USER" -- \
                "$SAFEIDX_PGBIN/pg_ctl" stop -D "$SAFEIDX_PGDATA" -m fast -w -t 30) >/dev/null 2>&1; then
            echo "WARNING: pg_ctl stop -m fast failed; stopping immediately" >&2
            (cd / && runuser -u "$SAFEIDX_OS_USER" -- \
                "$SAFEIDX_PGBIN/pg_ctl" stop -D "$SAFEIDX_PGDATA" -m immediate -w -t 30) >/dev/null 2>&1 || true
        fi
        # Last resort: the postmaster of this data directory, by its pid.
        if [[ -f $SAFEIDX_PGDATA/postmaster.pid ]]; then
            local pid
            pid=$(head -n 1 "$SAFEIDX_PGDATA/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -n $SAFEIDX_TMP && $SAFEIDX_TMP == /tmp/safeidx.* && -d $SAFEIDX_TMP ]]; then
        rm -rf -- "$SAFEIDX_TMP"
    fi
    SAFEIDX_PGDATA=
    SAFEIDX_TMP=
    _safeidx_torn_down=1
}

_safeidx_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    local came_through_teardown=$_safeidx_torn_down
    safeidx_teardown
    if [[ $came_through_teardown -eq 0 && -n ${SAFEIDX_ON_ABORT:-} ]]; then
        "$SAFEIDX_ON_ABORT" "$rc" || true
    fi
    return "$rc"
}

_safeidx_on_signal() {
    local sig=$1
    trap - EXIT INT TERM
    echo >&2
    echo "==> caught SIG$sig: stopping the cluster and cleaning up" >&2
    safeidx_teardown
    if [[ -n ${SAFEIDX_ON_ABORT:-} ]]; then
        "$SAFEIDX_ON_ABORT" 130 || true
    fi
    # Die of the same signal, so that callers see how we ended.
    kill -s "$sig" "$$"
    exit 130
}

if [[ ${SAFEIDX_CLUSTER_FUNCTIONS_ONLY:-0} != 1 ]]; then
    trap _safeidx_on_exit EXIT
    trap '_safeidx_on_signal INT' INT
    trap '_safeidx_on_signal TERM' TERM
fi

safeidx_as_invoker() {
    if [[ -n ${SUDO_USER:-} && $SUDO_USER != root && -n ${SUDO_UID:-} \
          && $(stat -c %u "$SAFEIDX_ROOT") == "$SUDO_UID" ]]; then
        runuser -u "$SUDO_USER" -- "$@"
    else
        "$@"
    fi
}

safeidx_psql() {
    psql -X -v ON_ERROR_STOP=1 "$@"
}

# ---- 1. packages -------------------------------------------------------------
# Prints the names of the packages given that dpkg does not have installed.
safeidx_missing_packages() {
    local p st
    for p in "$@"; do
        st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || st=
        [[ $st == installed ]] || printf '%s\n' "$p"
    done
}

safeidx_install_packages() {
    local missing=() aptlog
    mapfile -t missing < <(safeidx_missing_packages "$@")
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    say "installing missing packages: ${missing[*]}"
    aptlog=$(mktemp /tmp/safeidx-apt.XXXXXX)
    if ! apt-get -q -o DPkg::Lock::Timeout=300 update >"$aptlog" 2>&1; then
        cat "$aptlog" >&2; rm -f "$aptlog"
        die "apt-get update failed"
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
            install --no-install-recommends "${missing[@]}" >"$aptlog" 2>&1; then
        cat "$aptlog" >&2; rm -f "$aptlog"
        die "apt-get install ${missing[*]} failed"
    fi
    rm -f "$aptlog"
    missing=()
    mapfile -t missing < <(safeidx_missing_packages "$@")
    [[ ${#missing[@]} -eq 0 ]] || die "still not installed after apt-get: ${missing[*]}"
}

# A private copy of the installed PostgreSQL under $SAFEIDX_PG_PREFIX (see
# the header), refreshed from the system's when the system's is newer.
safeidx_private_pg() {
    local prefix=$1 v=$SAFEIDX_PG_VERSION
    [[ $prefix == /* ]] || die "SAFEIDX_PG_PREFIX must be an absolute path, not '$prefix'"
    if [[ ! -x $prefix/usr/lib/postgresql/$v/bin/postgres \
          || /usr/lib/postgresql/$v/bin/postgres -nt $prefix/usr/lib/postgresql/$v/bin/postgres ]]; then
        say "copying the PostgreSQL $v installation to $prefix"
        mkdir -p "$prefix/usr/lib/postgresql" "$prefix/usr/share/postgresql" "$prefix/usr/include"
        cp -a "/usr/lib/postgresql/$v" "$prefix/usr/lib/postgresql/"
        cp -a "/usr/share/postgresql/$v" "$prefix/usr/share/postgresql/"
        ln -sfn /usr/include/postgresql "$prefix/usr/include/postgresql"
    fi
}

# ---- 2. build ----------------------------------------------------------------
safeidx_build() {
    say "building the extension (make)"
    safeidx_as_invoker make PG_CONFIG="$SAFEIDX_PG_CONFIG" \
        || die "make failed: the extension does not build"
    say "installing the extension (make install)"
    make install PG_CONFIG="$SAFEIDX_PG_CONFIG" >/dev/null \
        || die "make install failed"
}

# ---- 3. cluster --------------------------------------------------------------
# True when nothing accepts connections on 127.0.0.1:$1.
_safeidx_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a free port at or after $1, wrapping within 20000-60000.
_safeidx_find_port() {
    local p=$1 i
    for ((i = 0; i < 500; i++)); do
        if ((p > 60000)); then p=20000; fi
        if _safeidx_port_free "$p"; then
            echo "$p"
            return 0
        fi
        p=$((p + 1))
    done
    return 1
}

safeidx_start_cluster() {
    local locale_opt
    if ! id -u "$SAFEIDX_OS_USER" >/dev/null 2>&1; then
        say "creating system user $SAFEIDX_OS_USER"
        useradd --system --user-group --create-home --home-dir "/var/lib/$SAFEIDX_OS_USER" \
                --shell /usr/sbin/nologin "$SAFEIDX_OS_USER" 2>/dev/null \
            || id -u "$SAFEIDX_OS_USER" >/dev/null 2>&1 \
            || die "could not create user $SAFEIDX_OS_USER"
    fi

    SAFEIDX_TMP=$(mktemp -d /tmp/safeidx.XXXXXX)
    chown "$SAFEIDX_OS_USER:" "$SAFEIDX_TMP"
    chmod 0755 "$SAFEIDX_TMP"
    SAFEIDX_PGDATA=$SAFEIDX_TMP/data
    SAFEIDX_LOG=$SAFEIDX_TMP/server.log

    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale_opt=--locale=C.UTF-8
    else
        locale_opt=--no-locale
    fi
    say "initdb in $SAFEIDX_PGDATA ($locale_opt)"
    if ! (cd "$SAFEIDX_TMP" && runuser -u "$SAFEIDX_OS_USER" -- \
            "$SAFEIDX_PGBIN/initdb" -D "$SAFEIDX_PGDATA" --auth=trust -U postgres \
            --encoding=UTF8 "$locale_opt") >"$SAFEIDX_TMP/initdb.log" 2>&1; then
        cat "$SAFEIDX_TMP/initdb.log" >&2
        die "initdb failed"
    fi

    cat >>"$SAFEIDX_PGDATA/postgresql.conf" <<EOF

# --- safeidx test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SAFEIDX_TMP'
fsync = off
max_parallel_workers = 4
logging_collector = off
max_worker_processes = 16
EOF
    if [[ ${SAFEIDX_PG_CRON:-1} != 0 ]]; then
        cat >>"$SAFEIDX_PGDATA/postgresql.conf" <<EOF
# pg_cron: its scheduler runs in database postgres and starts each job as a
# background worker (no libpq connection, so no host, port or password).  Its
# launcher and up to cron.max_running_jobs jobs take background-worker slots
# beside the parallel workers and the logical replication launcher.
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
cron.max_running_jobs = 4
EOF
    fi
    if [[ -n ${SAFEIDX_PG_CONF:-} ]]; then
        printf '%s\n' "# --- SAFEIDX_PG_CONF ---" "$SAFEIDX_PG_CONF" >>"$SAFEIDX_PGDATA/postgresql.conf"
    fi
    local wrapper=()
    if [[ -n ${SAFEIDX_PG_WRAPPER:-} ]]; then
        printf '#!/bin/sh\n# SAFEIDX_PG_WRAPPER (test/lib/cluster.sh)\nexec %s %q "$@"\n' \
            "$SAFEIDX_PG_WRAPPER" "$SAFEIDX_PGBIN/postgres" >"$SAFEIDX_TMP/postgres-wrapper"
        chmod 0755 "$SAFEIDX_TMP/postgres-wrapper"
        wrapper=(-p "$SAFEIDX_TMP/postgres-wrapper")
    fi

    local attempt port=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
    for attempt in 1 2 3 4 5; do
        port=$(_safeidx_find_port "$port") || die "no free port found in 20000-60000"
        say "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
        if (cd "$SAFEIDX_TMP" && runuser -u "$SAFEIDX_OS_USER" -- \
                "$SAFEIDX_PGBIN/pg_ctl" start -D "$SAFEIDX_PGDATA" -l "$SAFEIDX_LOG" \
                "${wrapper[@]}" -o "-p $port" -w -t "${SAFEIDX_PG_START_TIMEOUT:-60}") >/dev/null 2>&1; then
            export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
            return 0
        fi
        echo "WARNING: the server did not start on port $port; log tail:" >&2
        tail -n 20 "$SAFEIDX_LOG" >&2 2>/dev/null || true
        if [[ -f $SAFEIDX_PGDATA/postmaster.pid ]]; then
            (cd / && runuser -u "$SAFEIDX_OS_USER" -- "$SAFEIDX_PGBIN/pg_ctl" stop \
                -D "$SAFEIDX_PGDATA" -m immediate -w -t 30) >/dev/null 2>&1 || true
        fi
        port=$((port + 1))
    done
    die "PostgreSQL did not start (log above)"
}

# Another cluster (see the header): safeidx_start_cluster with the main
# cluster's variables saved and given back.
safeidx_start_extra_cluster() {
    local name=$1 saved_tmp=$SAFEIDX_TMP saved_pgdata=$SAFEIDX_PGDATA saved_log=$SAFEIDX_LOG
    local saved_host=${PGHOST-} saved_port=${PGPORT-} saved_user=${PGUSER-} saved_cron=${SAFEIDX_PG_CRON-}
    local status=0
    SAFEIDX_PG_CRON=0
    safeidx_start_cluster || status=$?
    [[ -z $SAFEIDX_TMP ]] || _safeidx_extra_tmp+=("$SAFEIDX_TMP")
    SAFEIDX_EXTRA_PORT[$name]=$PGPORT
    SAFEIDX_EXTRA_PGDATA[$name]=$SAFEIDX_PGDATA
    SAFEIDX_TMP=$saved_tmp SAFEIDX_PGDATA=$saved_pgdata SAFEIDX_LOG=$saved_log
    if [[ -n $saved_cron ]]; then SAFEIDX_PG_CRON=$saved_cron; else unset SAFEIDX_PG_CRON; fi
    if [[ -n $saved_port ]]; then
        export PGHOST=$saved_host PGPORT=$saved_port PGUSER=$saved_user
    else
        unset PGHOST PGPORT PGUSER
    fi
    return "$status"
}

safeidx_extra_ctl() {
    local name=$1 action=$2 pgdata=${SAFEIDX_EXTRA_PGDATA[$1]}
    case $action in
        stop) _safeidx_stop_pgdata "$pgdata" ;;
        start) (cd "$(dirname "$pgdata")" && runuser -u "$SAFEIDX_OS_USER" -- \
                   "$SAFEIDX_PGBIN/pg_ctl" start -D "$pgdata" -l "$(dirname "$pgdata")/server.log" \
                   -o "-p ${SAFEIDX_EXTRA_PORT[$name]}" -w -t "${SAFEIDX_PG_START_TIMEOUT:-60}") >/dev/null ;;
        *) die "safeidx_extra_ctl: stop or start, not '$action'" ;;
    esac
}

# pg_cron keeps its tables (cron.job, cron.job_run_details) in
# cron.database_name; its scheduler waits until the extension exists there.
safeidx_setup_cron() {
    say "CREATE EXTENSION pg_cron in database postgres"
    safeidx_psql -q -d postgres -c 'CREATE EXTENSION pg_cron' \
        || die "CREATE EXTENSION pg_cron failed (is postgresql-15-cron installed and preloaded?)"
}

# ---- run ----------------------------------------------------------------------
if [[ ${SAFEIDX_CLUSTER_FUNCTIONS_ONLY:-0} == 1 ]]; then
    return 0
fi
safeidx_install_packages "${SAFEIDX_PACKAGES[@]}"
[[ -z ${SAFEIDX_PG_PREFIX:-} ]] || safeidx_private_pg "$SAFEIDX_PG_PREFIX"
safeidx_build
safeidx_start_cluster
[[ ${SAFEIDX_PG_CRON:-1} == 0 ]] || safeidx_setup_cron
say "cluster up: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER"
