-- Reference data in place and from files (issue 13): regions and population
-- bound to the relations where the statistics office and the civil-affairs
-- bureau keep them (a loopback foreign table, a view, a table), read with
-- the binding owner's rights and reconciled by refresh; every bad row
-- reported and nothing applied; the CSV loader.  Starts from the engine
-- fixture (test/fixtures/engine.sql) with scheme fix built for January to
-- March 2025 (engine_build.sql), whose numbers sql/engine.sql works out.
\set ECHO none
\o /dev/null
\ir test/fixtures/reset.sql
\ir test/fixtures/engine.sql
\ir test/fixtures/engine_build.sql
\o
\set ECHO all
SET search_path = safeidx, public;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;

-- The statistics office's regions (names and columns of its own) and the
-- civil-affairs bureau's population, holding what the catalogue holds now.
CREATE SCHEMA refdata;
CREATE TABLE refdata.quhua (dm varchar(20), qsrq date, zzrq date, sjdm varchar(20), mc text, ywmc text, jb text);
INSERT INTO refdata.quhua SELECT code, valid_from, valid_to, parent_code, name_zh, name_en, kind FROM region;
CREATE TABLE refdata.renkou (dm text, nf integer, lb text, rs numeric);
INSERT INTO refdata.renkou SELECT region_code, extract(year FROM period_start), kind, persons FROM population;
-- the bureau publishes residents through a view
CREATE VIEW refdata.changzhu AS SELECT dm, nf, rs FROM refdata.renkou WHERE lb = 'resident';
-- the office's table reached over postgres_fdw (a loopback server: the same
-- database, as a department's server would be)
DO $$
BEGIN
    EXECUTE format('CREATE SERVER refdata_loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
                   coalesce(host(inet_server_addr()), split_part(current_setting('unix_socket_directories'), ',', 1)),
                   current_setting('port'), current_database());
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER refdata_loop OPTIONS (user %L)', current_user);
END $$;
CREATE FOREIGN TABLE refdata.quhua_remote (dm varchar(20), qsrq date, zzrq date, sjdm varchar(20), mc text, ywmc text, jb text)
    SERVER refdata_loop OPTIONS (schema_name 'refdata', table_name 'quhua');

-- Binding takes the catalogue's rows of the kinds bound over: they equal the
-- relations', so the first reconciliation changes nothing (0 0 0, nothing
-- logged for refresh).
INSERT INTO reference_binding (binding, target, relation, columns, kinds) VALUES
    ('office_regions', 'region', 'refdata.quhua_remote',
     '{"code": "dm", "valid_from": "qsrq", "valid_to": "zzrq", "parent_code": "sjdm", "name_zh": "mc", "name_en": "ywmc", "kind": "jb"}',
     '{district,street,community,village}'),
    ('bureau_residents', 'population', 'refdata.changzhu', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{resident}');
SELECT relation, (SELECT relkind FROM pg_class WHERE oid = relation::regclass) FROM reference_binding ORDER BY binding;
SELECT * FROM sync_reference();
SELECT count(*) AS changes_logged FROM change_log;
CREATE TABLE refdata.before AS SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
       grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status FROM result WHERE scheme = 'fix';

-- A change where the data live: b's residents in 2025 become 4,000 (were
-- 3,000), and village e moves from street s2 to street s1 on 1 March 2025.
UPDATE refdata.renkou SET rs = 4000 WHERE dm = 'b' AND nf = 2025;
UPDATE refdata.quhua SET zzrq = '2025-03-01' WHERE dm = 'e';
INSERT INTO refdata.quhua VALUES ('e', '2025-03-01', 'infinity', 's1', '戊', 'e', 'village');
-- refresh reconciles first (one population row updated, one region row
-- updated and one inserted), then recomputes the three months.
SELECT period, periods, first_period, last_period FROM refresh('fix');
SELECT code, valid_from, valid_to, parent_code FROM region WHERE code = 'e' ORDER BY valid_from;
SELECT persons FROM population WHERE region_code = 'b' AND period_start = '2025-01-01';
-- Seen by the results: b's January thefts, 6 / 4,000 residents x 10,000 =
-- 15 per 10,000 (20 before); e counted under s2 in February, under s1 in March.
SELECT value FROM result_node WHERE scheme = 'fix' AND region_code = 'b' AND period_start = '2025-01-01' AND node = 'theft';
SELECT period_start, parent_code FROM result WHERE scheme = 'fix' AND region_code = 'e' ORDER BY period_start;
CREATE TABLE refdata.bound AS SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
       grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status FROM result WHERE scheme = 'fix';
CREATE TABLE refdata.bound_node AS SELECT * FROM result_node WHERE scheme = 'fix';

-- The same data entered by hand give the same results, compared with =.
-- Unbind (the rows stay, entered by hand from now on), put the old rows
-- back by hand: a rebuild equals the results before the change; make the
-- change by hand: a rebuild equals the refreshed results.
DELETE FROM reference_binding;
BEGIN;
UPDATE population SET persons = 3000 WHERE region_code = 'b' AND period_start = '2025-01-01';
DELETE FROM region WHERE code = 'e' AND valid_from = '2025-03-01';
UPDATE region SET valid_to = 'infinity' WHERE code = 'e';
COMMIT;
SELECT count(*) FROM rebuild('fix', '2025-01-01', '2025-04-01');
SELECT (SELECT count(*) FROM refdata.before) AS results,
       (SELECT count(*) FROM (SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
                                     grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status
                                FROM result WHERE scheme = 'fix' EXCEPT SELECT * FROM refdata.before) x) AS not_before,
       (SELECT count(*) FROM (SELECT * FROM refdata.before
                              EXCEPT SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
                                            grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status
                                       FROM result WHERE scheme = 'fix') x) AS missing;
BEGIN;
UPDATE population SET persons = 4000 WHERE region_code = 'b' AND period_start = '2025-01-01';
UPDATE region SET valid_to = '2025-03-01' WHERE code = 'e';
INSERT INTO region (code, valid_from, parent_code, name_zh, name_en, kind) VALUES ('e', '2025-03-01', 's1', '戊', 'e', 'village');
COMMIT;
SELECT count(*) FROM rebuild('fix', '2025-01-01', '2025-04-01');
SELECT (SELECT count(*) FROM refdata.bound) AS results,
       (SELECT count(*) FROM (SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
                                     grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status
                                FROM result WHERE scheme = 'fix' EXCEPT SELECT * FROM refdata.bound) x) AS not_bound,
       (SELECT count(*) FROM (SELECT * FROM refdata.bound
                              EXCEPT SELECT scheme, period, period_start, region_code, version, parent_code, depth, index, coverage,
                                            grade_level, rank_siblings, rank_level, residents, missing_units, index_unrounded, status
                                       FROM result WHERE scheme = 'fix') x) AS missing,
       (SELECT count(*) FROM refdata.bound_node) AS node_results,
       (SELECT count(*) FROM (SELECT * FROM result_node WHERE scheme = 'fix' EXCEPT SELECT * FROM refdata.bound_node) x) AS nodes_not_bound,
       (SELECT count(*) FROM (SELECT * FROM refdata.bound_node EXCEPT SELECT * FROM result_node WHERE scheme = 'fix') x) AS nodes_missing;

-- Bound again, now to the office's table itself; deletions reach the
-- catalogue too (a community the office drops, with its figures).
INSERT INTO reference_binding (binding, target, relation, columns, kinds) VALUES
    ('office_regions', 'region', 'refdata.quhua',
     '{"code": "dm", "valid_from": "qsrq", "valid_to": "zzrq", "parent_code": "sjdm", "name_zh": "mc", "name_en": "ywmc", "kind": "jb"}',
     '{district,street,community,village}'),
    ('bureau_residents', 'population', 'refdata.changzhu', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{resident}');
INSERT INTO refdata.quhua VALUES ('f', '-infinity', 'infinity', 's2', '己', NULL, 'community');
INSERT INTO refdata.renkou VALUES ('f', 2025, 'resident', 10);
SELECT * FROM sync_reference();
DELETE FROM refdata.renkou WHERE dm = 'f';
DELETE FROM refdata.quhua WHERE dm = 'f';
SELECT * FROM sync_reference();
SELECT count(*) FROM region WHERE code = 'f';

-- Every bad row of a binding is reported, in one error naming the binding,
-- each row's key and its problem, and nothing is applied:
--   x1: unknown parent "nowhere";   s1 a second time: duplicate code;
--   c1 -> c2 -> c1: a cycle;        x2: valid_from not before valid_to;
--   x3: no name;                    x4: kind "county", not the binding's.
CREATE TABLE refdata.catalogue_before AS SELECT * FROM region;
INSERT INTO refdata.quhua VALUES
    ('x1', '-infinity', 'infinity', 'nowhere', '甲一', NULL, 'community'),
    ('s1', '2024-01-01', 'infinity', 'd', '一街重复', NULL, 'street'),
    ('c1', '-infinity', 'infinity', 'c2', '环一', NULL, 'community'),
    ('c2', '-infinity', 'infinity', 'c1', '环二', NULL, 'community'),
    ('x2', '2025-01-01', '2024-01-01', 's1', '日期', NULL, 'community'),
    ('x3', '-infinity', 'infinity', 's1', NULL, NULL, 'community'),
    ('x4', '-infinity', 'infinity', 'd', '县', NULL, 'county');
SELECT * FROM sync_reference('office_regions');
-- refresh reconciles first: it fails the same way, and writes nothing
SELECT count(*) FROM refresh('fix');
SELECT (SELECT count(*) FROM region) AS regions,
       (SELECT count(*) FROM (SELECT * FROM region EXCEPT SELECT * FROM refdata.catalogue_before) x) AS changed,
       (SELECT count(*) FROM change_log) AS changes_logged,
       (SELECT count(*) FROM (SELECT * FROM result_node WHERE scheme = 'fix' EXCEPT SELECT * FROM refdata.bound_node) x) AS results_changed;
DELETE FROM refdata.quhua WHERE dm IN ('x1', 'c1', 'c2', 'x2', 'x3', 'x4') OR mc = '一街重复';
-- population: a negative figure, a missing one, two figures for one year,
-- an unknown region, a year that is no date
INSERT INTO refdata.renkou VALUES ('a', 2026, 'resident', -5), ('c', 2026, 'resident', NULL),
    ('b', 2026, 'resident', 10), ('b', 2026, 'resident', 11), ('zz', 2026, 'resident', 7), ('a', 12345, 'resident', 1);
SELECT * FROM sync_reference('bureau_residents');
DELETE FROM refdata.renkou WHERE nf IN (2026, 12345);
SELECT * FROM sync_reference();

-- A kind is bound or entered by hand, never both: rows of a bound kind are
-- refused by hand (55000); a second binding of a bound kind (23P01); a
-- CSV file of a bound kind is refused row by row.
INSERT INTO region (code, parent_code, name_zh, kind) VALUES ('h1', 's1', '手工', 'community');
UPDATE population SET persons = 1 WHERE region_code = 'a' AND period_start = '2025-01-01';
DELETE FROM population WHERE region_code = 'a';
INSERT INTO reference_binding (binding, target, relation, columns, kinds) VALUES
    ('other', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "rs", "kind": "lb"}', '{migrant,resident}');
SELECT * FROM check_regions_csv(E'code,parent_code,name_zh,kind\nh1,s1,手工,community\n');
-- a kind no binding holds is still entered by hand
INSERT INTO population VALUES ('a', 'year', '2025-01-01', 'registered', 900);
DELETE FROM population WHERE kind = 'registered';

-- Definitions are checked as sources' are.
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.nothing', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{migrant}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "renshu"}', '{migrant}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "lb"}', '{migrant}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf"}', '{migrant}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "rs", "people": "rs"}', '{migrant}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{migrant,registered}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'population', 'refdata.renkou', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{tourist}');
INSERT INTO reference_binding (binding, target, relation, columns, kinds)
VALUES ('bad', 'region', 'refdata.quhua', '{"code": "dm", "name_zh": "mc", "valid_from": "nf"}', '{town}');
SELECT * FROM sync_reference('nothing');

-- The owner's rights, not the caller's.  The civil-affairs role may read
-- its registered-population table; refadmin, an administrator and a member
-- of that role, binds the table with it as owner; refbuilder, an
-- administrator who may not read the table (nor use its schema), reconciles
-- it all the same: it is read as the owner.  A role that is not a member may
-- not make it the owner; a department may not bind (it may not write
-- population); when the owner loses SELECT, the reconciliation is refused
-- naming the binding, and succeeds once it is given back.
CREATE ROLE regress_safeidx_civil NOLOGIN;
CREATE ROLE regress_safeidx_refadmin NOLOGIN IN ROLE safeidx_admin, regress_safeidx_civil;
CREATE ROLE regress_safeidx_refbuilder NOLOGIN IN ROLE safeidx_admin;
CREATE ROLE regress_safeidx_refdept NOLOGIN IN ROLE safeidx_department, regress_safeidx_civil;
CREATE TABLE refdata.huji (dm text, nf smallint, rs bigint);
INSERT INTO refdata.huji VALUES ('a', 2025, 800), ('b', 2025, 2500);
GRANT USAGE ON SCHEMA refdata TO regress_safeidx_civil;
GRANT SELECT ON refdata.huji TO regress_safeidx_civil;
SET ROLE regress_safeidx_refdept;
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds, owner)
VALUES ('huji', 'population', 'refdata.huji', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{registered}', 'regress_safeidx_civil');
SET ROLE regress_safeidx_refbuilder;
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds, owner)
VALUES ('huji', 'population', 'refdata.huji', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{registered}', 'regress_safeidx_civil');
SET ROLE regress_safeidx_refadmin;
INSERT INTO safeidx.reference_binding (binding, target, relation, columns, kinds, owner)
VALUES ('huji', 'population', 'refdata.huji', '{"region_code": "dm", "year": "nf", "persons": "rs"}', '{registered}', 'regress_safeidx_civil');
SET ROLE regress_safeidx_refbuilder;
SELECT count(*) FROM refdata.huji;
SELECT * FROM safeidx.sync_reference('huji');
SELECT region_code, persons FROM safeidx.population WHERE kind = 'registered' ORDER BY 1;
RESET ROLE;
REVOKE SELECT ON refdata.huji FROM regress_safeidx_civil;
UPDATE refdata.huji SET rs = 801 WHERE dm = 'a';
SET ROLE regress_safeidx_refbuilder;
SELECT * FROM safeidx.sync_reference('huji');
RESET ROLE;
GRANT SELECT ON refdata.huji TO regress_safeidx_civil;
SET ROLE regress_safeidx_refbuilder;
SELECT * FROM safeidx.sync_reference('huji');
RESET ROLE;
SELECT region_code, persons FROM population WHERE kind = 'registered' ORDER BY 1;
DELETE FROM reference_binding WHERE binding = 'huji';
DELETE FROM population WHERE kind = 'registered';

-- The CSV loader.  A regions file with a byte-order mark, CRLF line ends,
-- quoted names holding a comma, a doubled quote and a line break, blanks
-- around fields, an empty line, and dates: it loads (regions of kinds no
-- binding holds: the test unbinds the office first).
DELETE FROM reference_binding WHERE binding = 'office_regions';
SELECT * FROM load_regions_csv(E'\xEF\xBB\xBFcode,parent_code,name_zh,name_en,kind,valid_from,valid_to\r\n'
    'g1 , s1 ,"网格一, 东","Grid ""One""",grid,2025-01-01,\r\n'
    '\r\n'
    'g2,s1,"网格\r\n二",,grid,,2026-01-01\r\n');
SELECT code, parent_code, name_zh, name_en, kind, valid_from, valid_to FROM region WHERE kind = 'grid' ORDER BY code;
-- loaded again, one name changed: one row updated, nothing else
SELECT * FROM load_regions_csv(E'code,parent_code,name_zh,name_en,kind,valid_from,valid_to\n'
    'g1,s1,"网格一, 东","Grid ""One""",grid,2025-01-01,\n'
    'g2,s1,网格二,,grid,,2026-01-01\n');
-- Every bad row of a file, by line (1 is the header):
--   2 wrong column count;    3 unparseable date;  4 unknown parent;
--   5, 6 duplicate code;     7 no name;           8 no kind;
--   9 valid_from after valid_to;  10, 11 a cycle; 12 white space in a code;
--   13 a quote inside an unquoted field; 14 text after a closing quote;
--   15 a quoted field never closed (to the end of the file).
CREATE TABLE refdata.grid_before AS SELECT * FROM region;
\set bad_regions 'code,parent_code,name_zh,kind,valid_from,valid_to\ng3,s1,网格三,grid\ng4,s1,网格四,grid,2025-13-01,\ng5,s9,网格五,grid,,\ng6,s1,网格六,grid,,\ng6,s2,网格六乙,grid,,\ng7,s1,,grid,,\ng8,s1,网格八,,,\ng9,s1,网格九,grid,2025-06-01,2025-01-01\nk1,k2,环一,grid,,\nk2,k1,环二,grid,,\ng 10,s1,网格十,grid,,\ng11,s1,网"格,grid,,\ng12,s1,"网格"十二,grid,,\ng13,s1,"网格十三,grid,,\ng14,s1,网格十四,grid,,\n'
SELECT * FROM check_regions_csv(:'bad_regions');
SELECT * FROM load_regions_csv(:'bad_regions');
SELECT count(*) AS changed FROM (SELECT * FROM region EXCEPT SELECT * FROM refdata.grid_before) x;
-- The header: unknown, repeated and missing columns; an empty file.
SELECT * FROM check_regions_csv(E'code,parent,name_zh,code\na,b,c,d\n');
SELECT * FROM check_regions_csv(E'\xEF\xBB\xBF\r\n');

-- Population files: by year and month and kind; without a kind column,
-- every figure of the kind given.  Loaded, then the same file again with
-- one figure changed: one update.
SELECT * FROM load_population_csv(E'region_code,year,month,kind,persons\r\ng1,2025,,migrant,120\r\ng1,2025,3,migrant,"130"\r\n');
SELECT * FROM load_population_csv(E'region_code,year,persons\ng1,2025,125\n', 'migrant');
SELECT region_code, period, period_start, kind, persons FROM population WHERE kind = 'migrant' ORDER BY period_start, period;
-- Every bad row: 2 unknown region; 3 negative; 4 missing; 5 unparseable
-- number; 6 a thousands separator; 7 unparseable year; 8 month 13;
-- 9, 10 duplicate figure; 11 not a kind; 12 wrong column count; 13 no
-- region code; 14 a bound kind (residents).
\set bad_population 'region_code,year,month,kind,persons\nzz,2025,,migrant,1\ng2,2025,,migrant,-1\ng2,2025,1,migrant,\ng2,2025,2,migrant,abc\ng2,2025,3,migrant,"1,200"\ng2,20x5,,migrant,1\ng2,2025,13,migrant,1\ng2,2024,,migrant,5\ng2,2024,,migrant,6\ng2,2025,4,tourist,1\ng2,2025,5,migrant\n,2025,6,migrant,1\ng2,2025,7,resident,1\n'
SELECT * FROM check_population_csv(:'bad_population');
SELECT * FROM load_population_csv(:'bad_population');
SELECT count(*) FROM population WHERE kind = 'migrant';
SELECT * FROM check_population_csv(E'region_code,year,persons\ng1,2025,1\n');
SELECT * FROM check_population_csv(E'region_code,year,persons\ng1,2025,1\n', 'migrant');

-- No input crashes the parser or the checks: 1,000 random strings of
-- commas, quotes, line ends, blanks and letters (fixed seed), and long
-- runs of quotes, each split and checked as a regions file.
SELECT setseed(0.13);
SELECT count(*) AS strings, sum((SELECT count(*) FROM csv_rows(s))) > 0 AS some_records,
       sum((SELECT count(*) FROM check_regions_csv(s))) > 0 AS some_problems
  FROM (SELECT string_agg((ARRAY[',', '"', E'\r', E'\n', ' ', 'a', 'b', 'x'])[1 + floor(random() * 8)::int], '') AS s
          FROM generate_series(1, 1000) i, generate_series(1, 1 + (i % 60)) j GROUP BY i) x;
SELECT (SELECT count(*) FROM csv_rows(repeat('"', n))) AS records,
       (SELECT problem FROM csv_rows(repeat('"', n)) LIMIT 1) AS problem
  FROM unnest('{1,2,3,10001}'::int[]) n;

-- Tidy up.
DROP SCHEMA refdata CASCADE;
DROP SERVER refdata_loop CASCADE;
DROP EXTENSION postgres_fdw;
DROP ROLE regress_safeidx_refadmin, regress_safeidx_refbuilder, regress_safeidx_refdept;
DROP OWNED BY regress_safeidx_civil;
DROP ROLE regress_safeidx_civil;
RESET client_min_messages;
