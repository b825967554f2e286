#!/usr/bin/env bash
# test/tap/fdw.sh: sources on the departments' own servers, over postgres_fdw
# (doc/deployments.md).
#
# Beside the cluster test/check.sh started (PGHOST, PGPORT), this test starts
# two more throw-away clusters (test/lib/cluster.sh, safeidx_start_extra_cluster;
# stopped and removed at exit, however it ends):
#   police  the police department's server: database police (safeidx
#           installed, so the foreign server lists it in "extensions":
#           safeidx.local_period ships) with dept.police_incident, and
#           database fire (no safeidx: built-in width_bucket ships) with
#           dept.fire_alarm and its last-modified column; remote roles
#           police_reader (SELECT) and police_nosel (none), password
#           (scram-sha-256) logins as postgres_fdw requires of non-superusers;
#   civil   the civil-affairs server: database civil with the population
#           table (bound in place by reference_binding in safeidx_fdw), and database shard, the
#           second shard of a police table partitioned by region code.
# On the main cluster:
#   safeidx_fdw_local  the small demo city (seed 42) and the example schemes,
#                      every table local (capture triggers): the reference;
#   safeidx_fdw        the same city with demo.police_incident and
#                      demo.fire_alarm as foreign tables on the police
#                      server (the police sources owned by the department's
#                      role, whose user mapping reads as police_reader; the
#                      caller's own mapping reads as police_nosel), both with
#                      watermark columns (id; modified_at);
#   safeidx_fdw_shard  the same city with demo.police_incident partitioned by
#                      region code into two foreign tables on two servers.
# It checks, each result against the local reference bit for bit (md5 of
# every row of cell, result without computed_at, and result_node, in text,
# whose float8 form is exact): the built results; the grouping pushed to the
# remote servers (source_plan: Remote SQL with GROUP BY, safeidx.local_period
# or width_bucket, Async Foreign Scans per shard); refresh after remote inserts,
# a late row in an old month and an update (watermarks), deletes
# (compare_cells) and a row moved to another month (mark_changed); a server
# down (an error naming the source and the server, nothing written, the
# next refresh completes once it is back); the owner's remote role without
# SELECT refused although the caller's own mapping could read.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
# shellcheck source=test/lib/cluster.sh
SAFEIDX_CLUSTER_FUNCTIONS_ONLY=1 source "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"

fdw_cleanup() { safeidx_teardown; }
TAP_CLEANUP=fdw_cleanup
trap 'exit 130' INT TERM

dept=tap_safeidx_fdw_dept
n=0
failed=0
ok() {  # ok STATUS NAME: STATUS 0 or t passes
    n=$((n + 1))
    if [[ $1 == 0 || $1 == t ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
main() { tap_psql -At -d "$@"; }
police() { psql -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p "${SAFEIDX_EXTRA_PORT[police]}" -U postgres -d "$@"; }
civil() { psql -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p "${SAFEIDX_EXTRA_PORT[civil]}" -U postgres -d "$@"; }
# every row the engine wrote, as text (float8 exactly), in one md5 per table
checksum() {
    main "$1" -c "SET extra_float_digits = 1" -c "
        SELECT (SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM safeidx.cell t WHERE t.scheme ~ '$2')
            || ' ' || (SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), ''))
                         FROM (SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
                                      grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status
                                 FROM safeidx.result WHERE scheme ~ '$2') t)
            || ' ' || (SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM safeidx.result_node t WHERE t.scheme ~ '$2')
            || ' ' || (SELECT count(*) FROM safeidx.result WHERE scheme ~ '$2')"
}
same_as_local() {  # same_as_local DB NAME [SCHEMES-REGEX]
    local a b
    a=$(checksum safeidx_fdw_local "${3:-.}") || a=
    b=$(checksum "$1" "${3:-.}") || b=
    [[ -n $a && $a == "$b" && ${a##* } -gt 0 ]]
    ok $? "$2"
    [[ $a == "$b" ]] || tap_note "local: $a; $1: $b"
}
refresh_both() {
    local db
    for db in safeidx_fdw_local safeidx_fdw; do
        main "$db" -c "SELECT count(*) FROM safeidx.refresh('wuchang')" -c "SELECT count(*) FROM safeidx.refresh('zhuhai')" \
            >/dev/null || tap_note "refresh failed in $db"
    done
}

# ---- servers ------------------------------------------------------------------
safeidx_start_extra_cluster police >&2 || tap_fail_setup "the police cluster starts"
safeidx_start_extra_cluster civil >&2 || tap_fail_setup "the civil-affairs cluster starts"
for c in police civil; do
    hba=${SAFEIDX_EXTRA_PGDATA[$c]}/pg_hba.conf
    printf '%s\n' "host all postgres 127.0.0.1/32 trust" "host all all 127.0.0.1/32 scram-sha-256" >"$hba"
    psql -X -q -h 127.0.0.1 -p "${SAFEIDX_EXTRA_PORT[$c]}" -U postgres -d postgres -c "SELECT pg_reload_conf()" >/dev/null
done
tap_note "police on port ${SAFEIDX_EXTRA_PORT[police]}, civil affairs on port ${SAFEIDX_EXTRA_PORT[civil]}"

police postgres >&2 <<'SQL' || tap_fail_setup "the police server's databases and roles are made"
CREATE ROLE police_reader LOGIN PASSWORD 'reader-pw';
CREATE ROLE police_nosel LOGIN PASSWORD 'nosel-pw';
CREATE DATABASE police;
CREATE DATABASE fire;
SQL
police police >&2 <<'SQL' || tap_fail_setup "the police database is made"
CREATE EXTENSION safeidx;
CREATE SCHEMA dept;
GRANT USAGE ON SCHEMA dept, safeidx TO police_reader, police_nosel;
CREATE TABLE dept.police_incident (id bigint NOT NULL PRIMARY KEY, reported_at timestamptz NOT NULL, community_code text,
                                   category text NOT NULL, is_criminal boolean NOT NULL);
CREATE TABLE dept.police_shard (LIKE dept.police_incident INCLUDING ALL);
GRANT SELECT ON dept.police_incident, dept.police_shard TO police_reader;
SQL
police fire >&2 <<'SQL' || tap_fail_setup "the fire database is made"
CREATE SCHEMA dept;
GRANT USAGE ON SCHEMA dept TO police_reader;
CREATE TABLE dept.fire_alarm (id bigint NOT NULL PRIMARY KEY, alarm_at timestamptz NOT NULL, community_code text, cause text NOT NULL,
                              is_false_alarm boolean NOT NULL, modified_at timestamptz NOT NULL DEFAULT clock_timestamp());
SQL
civil postgres -c "CREATE DATABASE civil" -c "CREATE DATABASE shard" >&2 || tap_fail_setup "the civil-affairs databases are made"
civil civil -c "CREATE SCHEMA civil" \
      -c "CREATE TABLE civil.population (region_code text, year int, resident int, registered int, PRIMARY KEY (region_code, year))" >&2
civil shard -c "CREATE SCHEMA dept" \
      -c "CREATE TABLE dept.police_incident (id bigint NOT NULL PRIMARY KEY, reported_at timestamptz NOT NULL, community_code text, category text NOT NULL, is_criminal boolean NOT NULL)" >&2

# ---- the main cluster's databases ----------------------------------------------
tap_createrole "$dept" >&2 || tap_fail_setup "role $dept is made"
for db in safeidx_fdw_local safeidx_fdw safeidx_fdw_shard; do
    tap_createdb "$db" safeidx postgres_fdw || tap_fail_setup "database $db is made"
    main "$db" -f test/demo/city.sql -c "SELECT demo.generate('small', 42)" >/dev/null 2>&1 \
        || tap_fail_setup "the demo city is generated in $db"
done
# the departments' rows, moved to their servers
main safeidx_fdw -c "COPY demo.police_incident TO STDOUT" | police police -c "COPY dept.police_incident FROM STDIN"
main safeidx_fdw -c "COPY demo.fire_alarm TO STDOUT" \
    | police fire -c "COPY dept.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm) FROM STDIN"
main safeidx_fdw -c "COPY demo.population (region_code, year, resident, registered) TO STDOUT" \
    | civil civil -c "COPY civil.population (region_code, year, resident, registered) FROM STDIN"
main safeidx_fdw_shard -c "COPY (SELECT * FROM demo.police_incident WHERE community_code < '420106005') TO STDOUT" \
    | police police -c "COPY dept.police_shard FROM STDIN"
main safeidx_fdw_shard -c "COPY (SELECT * FROM demo.police_incident WHERE NOT community_code < '420106005' OR community_code IS NULL) TO STDOUT" \
    | civil shard -c "COPY dept.police_incident FROM STDIN"
police police -c "ANALYZE" && police fire -c "ANALYZE" && civil shard -c "ANALYZE"

PP=${SAFEIDX_EXTRA_PORT[police]}
CP=${SAFEIDX_EXTRA_PORT[civil]}
main safeidx_fdw -v pp="$PP" -v dept="$dept" >&2 <<'SQL' || tap_fail_setup "the foreign tables of safeidx_fdw are made"
DROP TABLE demo.police_incident, demo.fire_alarm;
CREATE SERVER police FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police', extensions 'safeidx');
CREATE SERVER fire FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'pp', dbname 'fire');
-- the department's mapping reads; the caller's own (postgres) may not
CREATE USER MAPPING FOR :"dept" SERVER police OPTIONS (user 'police_reader', password 'reader-pw');
CREATE USER MAPPING FOR postgres SERVER police OPTIONS (user 'police_nosel', password 'nosel-pw');
CREATE USER MAPPING FOR postgres SERVER fire OPTIONS (user 'postgres');
CREATE FOREIGN TABLE demo.police_incident (id bigint NOT NULL, reported_at timestamptz NOT NULL, community_code text,
                                           category text NOT NULL, is_criminal boolean NOT NULL)
    SERVER police OPTIONS (schema_name 'dept', table_name 'police_incident');
CREATE FOREIGN TABLE demo.fire_alarm (id bigint NOT NULL, alarm_at timestamptz NOT NULL, community_code text, cause text NOT NULL,
                                      is_false_alarm boolean NOT NULL, modified_at timestamptz NOT NULL)
    SERVER fire OPTIONS (schema_name 'dept', table_name 'fire_alarm');
GRANT USAGE ON SCHEMA demo TO :"dept";
GRANT SELECT ON demo.police_incident TO :"dept";
GRANT safeidx_department TO :"dept";
ANALYZE demo.fire_alarm;   -- (police_incident: the caller's own mapping may not read it)
SQL
main safeidx_fdw_shard -v pp="$PP" -v cp="$CP" >&2 <<'SQL' || tap_fail_setup "the sharded table of safeidx_fdw_shard is made"
DROP TABLE demo.police_incident;
CREATE SERVER police FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'pp', dbname 'police', extensions 'safeidx', async_capable 'true');
CREATE SERVER police_shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port :'cp', dbname 'shard', async_capable 'true');
CREATE USER MAPPING FOR postgres SERVER police OPTIONS (user 'postgres');
CREATE USER MAPPING FOR postgres SERVER police_shard2 OPTIONS (user 'postgres');
-- partitioned by region code (a district's codes share a prefix): NULL and
-- unknown codes go to the default partition
CREATE TABLE demo.police_incident (id bigint NOT NULL, reported_at timestamptz NOT NULL, community_code text,
                                   category text NOT NULL, is_criminal boolean NOT NULL) PARTITION BY RANGE (community_code);
CREATE FOREIGN TABLE demo.police_incident_1 PARTITION OF demo.police_incident FOR VALUES FROM (MINVALUE) TO ('420106005')
    SERVER police OPTIONS (schema_name 'dept', table_name 'police_shard');
CREATE FOREIGN TABLE demo.police_incident_2 PARTITION OF demo.police_incident DEFAULT
    SERVER police_shard2 OPTIONS (schema_name 'dept', table_name 'police_incident');
ANALYZE demo.police_incident;
SQL
for db in safeidx_fdw_local safeidx_fdw safeidx_fdw_shard; do
    main "$db" -1 -f test/demo/schemes.sql >/dev/null || tap_fail_setup "the example schemes load in $db"
done
main safeidx_fdw -v dept="$dept" >&2 <<'SQL'
UPDATE safeidx.source SET owner = :'dept', watermark_column = 'id' WHERE relation = 'demo.police_incident';
UPDATE safeidx.source SET watermark_column = 'modified_at' WHERE relation = 'demo.fire_alarm';
SQL
# population kept by the civil-affairs bureau, bound in place (reference_binding):
# the figures schemes.sql entered by hand are taken over, the same rows
main safeidx_fdw -v cp="$CP" >&2 <<'SQL' || tap_fail_setup "the population of safeidx_fdw is bound to the civil-affairs server"
CREATE SERVER civil FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port :'cp', dbname 'civil');
CREATE USER MAPPING FOR postgres SERVER civil OPTIONS (user 'postgres');
CREATE FOREIGN TABLE demo.civil_population (region_code text, year int, resident int, registered int)
    SERVER civil OPTIONS (schema_name 'civil', table_name 'population');
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds) VALUES
    ('civil_resident', 'population', 'demo.civil_population',
     '{"region_code": "region_code", "year": "year", "persons": "resident"}', '{resident}'),
    ('civil_registered', 'population', 'demo.civil_population',
     '{"region_code": "region_code", "year": "year", "persons": "registered"}', '{registered}');
SELECT * FROM safeidx.sync_reference();
SQL
for db in safeidx_fdw_local safeidx_fdw; do
    main "$db" -c "SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01')" \
               -c "SELECT count(*) FROM safeidx.rebuild('zhuhai', '2025-01-01', '2026-01-01')" >/dev/null \
        || tap_note "rebuild failed in $db"
done
main safeidx_fdw_shard -c "SELECT count(*) FROM safeidx.rebuild('wuchang', '2025-01-01', '2026-01-01')" >/dev/null \
    || tap_note "rebuild failed in safeidx_fdw_shard"

# The assertions test statuses themselves (ok $?): a failing one must be
# reported, not end the script (errexit, set by test/lib/tap.sh, stays on
# for the set-up above).
set +e

# ---- built results, push-down ---------------------------------------------------
same_as_local safeidx_fdw "rebuild over postgres_fdw equals the local rebuild (cells, results, node results), bit for bit"
same_as_local safeidx_fdw_shard "rebuild over a table sharded on two servers equals the local rebuild (wuchang)" '^wuchang$'

plan=$(main safeidx_fdw -c "SELECT * FROM safeidx.source_plan('{police_criminal,police_four_category,police_telecom_fraud}', 'month', '2025-01-01', '2026-01-01')")
grep -q 'Relations: Aggregate on (demo.police_incident)' <<<"$plan" \
    && grep -Eq 'Remote SQL: SELECT community_code, safeidx\.local_period\(reported_at, .*GROUP BY 1, 2' <<<"$plan"
st=$?
ok $st "police (safeidx listed in extensions): the GROUP BY and safeidx.local_period run on the police server"
[[ $st -eq 0 ]] || tap_note "$plan"
plan=$(main safeidx_fdw -c "SELECT * FROM safeidx.source_plan('{fire_alarm,fire_real}', 'day', '2024-01-01', '2026-01-01')")
grep -q 'Relations: Aggregate on (demo.fire_alarm)' <<<"$plan" \
    && grep -Eq 'Remote SQL: SELECT community_code, width_bucket\(alarm_at, .*GROUP BY 1, 2' <<<"$plan" \
    && ! grep -q 'local_period' <<<"$plan"
ok $? "fire (no safeidx there): the GROUP BY runs there with the built-in width_bucket over the local day starts"
plan=$(main safeidx_fdw_shard -c "SELECT * FROM safeidx.source_plan('{police_criminal}', 'month', '2025-01-01', '2026-01-01')")
[[ $(grep -c 'Async Foreign Scan' <<<"$plan") -eq 2 && $(grep -Ec 'Remote SQL: SELECT .* GROUP BY 1, 2' <<<"$plan") -eq 2 ]] \
    && grep -q 'FROM dept.police_shard' <<<"$plan"
st=$?
ok $st "sharded: partition-wise aggregation, one Async Foreign Scan per shard, each grouping its own rows"
[[ $st -eq 0 ]] || tap_note "$plan"
main safeidx_fdw -c "SELECT safeidx.source_shipping('demo.police_incident'), safeidx.source_shipping('demo.fire_alarm'), safeidx.source_shipping('demo.complaint')" \
    | grep -qx 'safeidx|builtin|local'
ok $? "source_shipping: safeidx where the server lists it, builtin where not, local for a local table"

# ---- changes without triggers -----------------------------------------------------
# the same changes in the reference (capture triggers) and on the servers
change() {  # change SQL-ON-POLICE-DB SQL-ON-FIRE-DB: run remotely and, on demo.*, locally
    [[ -z $1 ]] || { police police -c "$1" && main safeidx_fdw_local -c "${1//dept./demo.}"; }
    [[ -z $2 ]] || { police fire -c "$2" && main safeidx_fdw_local -c "$(sed -e 's/dept\./demo./g' -e 's/, *modified_at = clock_timestamp()//' <<<"$2")"; }
}
# new rows, a late row in an old month (2024-03), and an update of a row's
# category (fire: modified_at moves)
change "INSERT INTO dept.police_incident VALUES
            (90000001, '2025-06-10 09:00+08', '420106001001', 'burglary', true),
            (90000002, '2025-06-30 23:59:59+08', '420106002001', 'fraud', false),
            (90000003, '2024-03-15 12:00+08', '420106001001', 'ebike_theft', true)" \
       "INSERT INTO dept.fire_alarm (id, alarm_at, community_code, cause, is_false_alarm) VALUES
            (90000001, '2025-05-01 00:00:00+08', '420106001001', 'electrical', false);
        UPDATE dept.fire_alarm SET is_false_alarm = NOT is_false_alarm, modified_at = clock_timestamp()
         WHERE id = (SELECT min(id) FROM dept.fire_alarm WHERE alarm_at >= '2025-02-01')" >/dev/null
refresh_both
same_as_local safeidx_fdw "refresh after remote inserts, a late row in March 2024 and an update (watermarks id, modified_at) equals the local refresh"
main safeidx_fdw -c "SELECT high FROM safeidx.source_watermark WHERE source = 'police_criminal'" | grep -qx 90000003
ok $? "the police sources' watermark moved to the highest id taken in"

# deletes: no watermark sees them; compare_cells does (cells only cross the network)
change "DELETE FROM dept.police_incident WHERE id = (SELECT min(id) FROM dept.police_incident WHERE reported_at >= '2025-04-01' AND is_criminal)" \
       "DELETE FROM dept.fire_alarm WHERE id = (SELECT max(id) FROM dept.fire_alarm WHERE alarm_at < '2025-09-01')" >/dev/null
found=$(main safeidx_fdw -c "SELECT safeidx.compare_cells('wuchang') + safeidx.compare_cells('zhuhai')")
[[ $found -ge 2 ]]
ok $? "compare_cells finds the cells of the deleted rows ($found)"
refresh_both
same_as_local safeidx_fdw "refresh after remote deletes found by compare_cells equals the local refresh"
found=$(main safeidx_fdw -c "SELECT safeidx.compare_cells('wuchang') + safeidx.compare_cells('zhuhai')")
[[ $found -eq 0 ]]
ok $? "compare_cells finds nothing once refreshed ($found)"

# a row moved to another month: the id watermark does not see it; mark_changed
change "UPDATE dept.police_incident SET reported_at = reported_at - interval '2 months'
         WHERE id = (SELECT min(id) FROM dept.police_incident WHERE reported_at >= '2025-05-01' AND is_criminal)" "" >/dev/null
main safeidx_fdw -c "SELECT safeidx.mark_changed('police_criminal', '2025-03-01', '2025-07-01')" >/dev/null
refresh_both
same_as_local safeidx_fdw "a row moved two months back, reported by mark_changed: refresh equals the local refresh"

# population changed where the civil-affairs bureau keeps it: seen by refresh
# (sync_reference over postgres_fdw), as the same change entered by hand locally
civil civil -c "UPDATE civil.population SET resident = resident + 1000 WHERE region_code = '420106001001' AND year = 2025" >&2
main safeidx_fdw_local -c "UPDATE safeidx.population SET persons = persons + 1000
                            WHERE region_code = '420106001001' AND kind = 'resident' AND period_start = '2025-01-01'" >&2
refresh_both
[[ $(main safeidx_fdw -c "SELECT persons FROM safeidx.population WHERE region_code = '420106001001' AND kind = 'resident' AND period_start = '2025-01-01'") == \
   $(main safeidx_fdw_local -c "SELECT persons FROM safeidx.population WHERE region_code = '420106001001' AND kind = 'resident' AND period_start = '2025-01-01'") ]]
ok $? "a population figure changed on the civil-affairs server is taken into the catalogue by refresh"
same_as_local safeidx_fdw "refresh after a remote population change (bound population) equals the local refresh after the same change by hand"

# ---- a server down -------------------------------------------------------------------
change "INSERT INTO dept.police_incident VALUES (90000004, '2025-07-02 08:00+08', '420106003001', 'other_theft', true)" "" >/dev/null
before=$(main safeidx_fdw -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM safeidx.cell UNION ALL SELECT scheme, '', null, relation, region_code, null, null, null, null FROM safeidx.change_log) t")
before="$before $(main safeidx_fdw -c "SELECT count(*) FROM safeidx.refresh_log")|$(main safeidx_fdw -c "SELECT string_agg(high, ',' ORDER BY source) FROM safeidx.source_watermark")"
safeidx_extra_ctl police stop
err=$(main safeidx_fdw -c "SELECT count(*) FROM safeidx.refresh('wuchang')" 2>&1 >/dev/null) && err=
tap_note "server down: $err"
grep -Eq 'source "[a-z_]+" \(foreign table [a-z_]+ on server "(police|fire)"\) could not be read: could not connect to server "(police|fire)"' <<<"$err"
ok $? "police server down: refresh fails with an error naming the source and the server"
after=$(main safeidx_fdw -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM safeidx.cell UNION ALL SELECT scheme, '', null, relation, region_code, null, null, null, null FROM safeidx.change_log) t")
after="$after $(main safeidx_fdw -c "SELECT count(*) FROM safeidx.refresh_log")|$(main safeidx_fdw -c "SELECT string_agg(high, ',' ORDER BY source) FROM safeidx.source_watermark")"
[[ $before == "$after" ]]
ok $? "nothing half-written: cells, change log, refresh log and watermarks unchanged"
safeidx_extra_ctl police start
refresh_both
same_as_local safeidx_fdw "once the server is back, the next refresh takes the change in and equals the local refresh"

# ---- the owner's user mapping, never the caller's --------------------------------------
main safeidx_fdw -v dept="$dept" >&2 <<'SQL'
ALTER USER MAPPING FOR :"dept" SERVER police OPTIONS (SET user 'police_nosel', SET password 'nosel-pw');
ALTER USER MAPPING FOR postgres SERVER police OPTIONS (SET user 'police_reader', SET password 'reader-pw');
SQL
err=$(main safeidx_fdw -v VERBOSITY=verbose -c "SELECT count(*) FROM safeidx.refresh('wuchang')" 2>&1 >/dev/null) && err=
tap_note "owner's remote role without SELECT: $err"
grep -Eq 'ERROR:  42501: source "police_[a-z_]+" \(foreign table police_incident on server "police"\) could not be read: .*permission denied for table police_incident' <<<"$err"
ok $? "the owner's remote role has no SELECT: refused (42501), although the caller's own mapping could read"
main safeidx_fdw -v dept="$dept" >&2 <<'SQL'
ALTER USER MAPPING FOR :"dept" SERVER police OPTIONS (SET user 'police_reader', SET password 'reader-pw');
ALTER USER MAPPING FOR postgres SERVER police OPTIONS (SET user 'police_nosel', SET password 'nosel-pw');
SQL
main safeidx_fdw -c "SELECT count(*) FROM safeidx.refresh('wuchang')" >/dev/null
ok $? "with the owner's mapping reading again (the caller's may not), refresh works"

echo "1..$n"
[[ $failed -eq 0 ]]
