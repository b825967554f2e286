-- test/tap/upgrade_catalogue.sql: session functions that describe a database
-- with safeidx, for test/tap/upgrade.sql, which sends this file through
-- dblink to the upgraded database and to the freshly installed one, and
-- compares what they return.  Plain SQL (no psql meta-commands).
--
-- pg_temp.upgrade_describe(ext)  one row (kind, object, attribute, value) per
--     property of the extension's objects that a user or an application can
--     see; nothing that depends on OIDs or on who owns the objects.  Objects
--     are named as pg_identify_object and regprocedure/regclass/format_type
--     name them with search_path = pg_catalog (so always schema-qualified).
--     Every object has an attribute "exists" (so that objects on one side
--     only show once) besides:
--       function, aggregate, procedure, window function: arguments (names,
--         types, defaults), result, language, source (prosrc; the symbol of a
--         C function), sql body, library (probin), volatility, strict,
--         parallel, security definer, leakproof, configuration (proconfig),
--         cost, rows, support; aggregates also their kind, direct arguments,
--         support functions, state types and spaces, final extra/modify,
--         sort operator, initial conditions;
--       base type, composite type, domain, enum, range: their properties;
--         a domain its base type, not null, default, collation and each
--         constraint ("constraint <name>": its definition); an enum its labels;
--       table, partitioned table, view, materialized view, foreign table:
--         persistence, reloptions, row security, replica identity, access
--         method, partition key, parents; a view its definition
--         (pg_get_viewdef); rules other than a view's and policies;
--       column, view column, type column ("<relation>.<column>"): position
--         among the live columns (so dropped columns leave no gap: what a
--         positional INSERT sees), type with typmod, not null, default,
--         generated expression, identity, collation, storage, compression,
--         statistics target, options;
--       constraint ("<name> on <table>"): definition (pg_get_constraintdef);
--       index: definition (pg_get_indexdef), clustered, replica identity;
--       trigger ("<name> on <table>", internal triggers left out):
--         definition (pg_get_triggerdef), enabled;
--       sequence: type, start, increment, minimum, maximum, cache, cycle,
--         owned by;
--       operator, cast: their functions and properties;
--       acl ("<kind> <object>"): the privileges, with the owner written
--         "owner" and PUBLIC "public" (NULL ACLs expanded to the defaults);
--       comment ("<type> <identity>" of pg_identify_object): the text, for
--         every commented object above, their columns, constraints, indexes,
--         triggers, rules and policies, the extension and its schema;
--       extconfig (relation): the pg_dump condition of each table or
--         sequence registered with pg_extension_config_dump;
--       member ("<type> <identity>"): every member of the extension
--         (pg_depend deptype 'e');
--       extension: schema, relocatable, version.
--
-- pg_temp.upgrade_user_data(ext)  (relation, rows, digest) of the user's
--     data: the rows each configuration table keeps for pg_dump (its
--     extcondition), the value of configuration sequences, and every table
--     and sequence outside the extension (the departmental tables).  The
--     first call records the relations, their live columns and conditions in
--     pg_temp.upgrade_user_relations; later calls read the same columns of the
--     same relations (by name), so that a column added by an upgrade is not
--     a change, and one renamed or dropped is ("error: ..." as the digest).
--
-- pg_temp.upgrade_builtin_rows(ext)  (relation, rows, digest) of the rows
--     that come with the extension: rows of member tables outside their
--     extcondition (e.g. the built-in grade scales) and every row of member
--     tables not registered for pg_dump (e.g. the notice lifecycle).

CREATE FUNCTION pg_temp.upgrade_acl(acl aclitem[], objtype "char", owner oid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT string_agg(format('%s:%s%s by %s',
                             CASE a.grantee WHEN owner THEN 'owner' WHEN 0 THEN 'public'
                                  ELSE (SELECT rolname FROM pg_roles WHERE oid = a.grantee) END,
                             a.privilege_type, CASE WHEN a.is_grantable THEN '*' ELSE '' END,
                             CASE a.grantor WHEN owner THEN 'owner'
                                  ELSE (SELECT rolname FROM pg_roles WHERE oid = a.grantor) END),
                      ', ' ORDER BY 1)
      FROM aclexplode(coalesce(acl, acldefault(objtype, owner))) a
$$;

CREATE FUNCTION pg_temp.upgrade_describe(ext name DEFAULT 'safeidx')
RETURNS TABLE (kind text, object text, attribute text, value text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $describe$
WITH e AS (
    SELECT x.oid, x.extname, x.extnamespace, x.extrelocatable, x.extversion, x.extconfig, x.extcondition
      FROM pg_extension x WHERE x.extname = ext),
member AS (
    SELECT d.classid, d.objid
      FROM pg_depend d, e
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'),
fn AS (
    SELECT p.*, p.oid AS fn_oid
      FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid),
typ AS (
    SELECT t.*, t.oid AS typ_oid
      FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid),
rel AS (
    SELECT c.*, c.oid AS rel_oid,
           CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                          WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'composite type'
                          ELSE 'relation ' || c.relkind::text END AS rkind
      FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
-- relations with columns: member relations and the row types of member composite types
colrel AS (
    SELECT rel_oid AS oid, oid::regclass::text AS name,
           CASE WHEN relkind IN ('v', 'm') THEN 'view column' ELSE 'column' END AS ckind
      FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'f')
    UNION ALL
    SELECT typrelid, format_type(typ_oid, NULL), 'type column' FROM typ WHERE typtype = 'c'),
col AS (
    SELECT r.name || '.' || quote_ident(a.attname) AS object, r.ckind, a.*,
           row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS position,
           pg_get_expr(ad.adbin, ad.adrelid) AS expr
      FROM colrel r
      JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum),
con AS (
    SELECT c.*, c.oid AS con_oid, quote_ident(c.conname) || ' on ' || c.conrelid::regclass::text AS object
      FROM pg_constraint c JOIN rel r ON r.rel_oid = c.conrelid
     WHERE c.contype <> 't'),
idx AS (
    SELECT i.*, i.indexrelid::regclass::text AS object
      FROM pg_index i JOIN rel r ON r.rel_oid = i.indrelid),
trg AS (
    SELECT t.*, t.oid AS trg_oid, quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass::text AS object
      FROM pg_trigger t JOIN rel r ON r.rel_oid = t.tgrelid
     WHERE NOT t.tgisinternal),
rul AS (
    SELECT w.*, w.oid AS rule_oid, quote_ident(w.rulename) || ' on ' || w.ev_class::regclass::text AS object
      FROM pg_rewrite w JOIN rel r ON r.rel_oid = w.ev_class
     WHERE w.rulename <> '_RETURN'),
pol AS (
    SELECT p.*, p.oid AS pol_oid, quote_ident(p.polname) || ' on ' || p.polrelid::regclass::text AS object
      FROM pg_policy p JOIN rel r ON r.rel_oid = p.polrelid),
-- every object whose comment counts: members, their sub-objects, the extension and its schema
commented AS (
    SELECT classid, objid FROM member
    UNION SELECT 'pg_class'::regclass, typrelid FROM typ WHERE typtype = 'c'
    UNION SELECT 'pg_constraint'::regclass, c.oid FROM pg_constraint c
           WHERE c.conrelid IN (SELECT rel_oid FROM rel) OR c.contypid IN (SELECT typ_oid FROM typ)
    UNION SELECT 'pg_class'::regclass, indexrelid FROM idx
    UNION SELECT 'pg_trigger'::regclass, trg_oid FROM trg
    UNION SELECT 'pg_rewrite'::regclass, rule_oid FROM rul
    UNION SELECT 'pg_policy'::regclass, pol_oid FROM pol
    UNION SELECT 'pg_extension'::regclass, oid FROM e
    UNION SELECT 'pg_namespace'::regclass, extnamespace FROM e)

-- ---- functions, aggregates, procedures ----------------------------------------
SELECT CASE f.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' WHEN 'w' THEN 'window function'
                      ELSE 'function' END,
       f.fn_oid::regprocedure::text, v.attribute, v.value
  FROM fn f
  JOIN pg_language l ON l.oid = f.prolang
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('arguments', pg_get_function_arguments(f.fn_oid)),
    ('result', pg_get_function_result(f.fn_oid)),
    ('language', l.lanname::text),
    ('source', f.prosrc),
    ('sql body', pg_get_function_sqlbody(f.fn_oid)),
    ('library', f.probin),
    ('volatility', CASE f.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END),
    ('strict', f.proisstrict::text),
    ('parallel', CASE f.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END),
    ('security definer', f.prosecdef::text),
    ('leakproof', f.proleakproof::text),
    ('configuration', f.proconfig::text),
    ('cost', f.procost::text),
    ('rows', f.prorows::text),
    ('support', NULLIF(f.prosupport::oid, 0)::regprocedure::text)) v (attribute, value)
UNION ALL
SELECT 'aggregate', a.aggfnoid::oid::regprocedure::text, v.attribute, v.value
  FROM pg_aggregate a JOIN fn f ON f.fn_oid = a.aggfnoid
 CROSS JOIN LATERAL (VALUES
    ('aggregate kind', a.aggkind::text),
    ('direct arguments', a.aggnumdirectargs::text),
    ('transition function', NULLIF(a.aggtransfn::oid, 0)::regprocedure::text),
    ('final function', NULLIF(a.aggfinalfn::oid, 0)::regprocedure::text),
    ('combine function', NULLIF(a.aggcombinefn::oid, 0)::regprocedure::text),
    ('serial function', NULLIF(a.aggserialfn::oid, 0)::regprocedure::text),
    ('deserial function', NULLIF(a.aggdeserialfn::oid, 0)::regprocedure::text),
    ('moving transition function', NULLIF(a.aggmtransfn::oid, 0)::regprocedure::text),
    ('moving inverse function', NULLIF(a.aggminvtransfn::oid, 0)::regprocedure::text),
    ('moving final function', NULLIF(a.aggmfinalfn::oid, 0)::regprocedure::text),
    ('final extra', a.aggfinalextra::text),
    ('moving final extra', a.aggmfinalextra::text),
    ('final modify', a.aggfinalmodify::text),
    ('moving final modify', a.aggmfinalmodify::text),
    ('sort operator', NULLIF(a.aggsortop, 0)::regoperator::text),
    ('state type', format_type(a.aggtranstype, NULL)),
    ('state space', a.aggtransspace::text),
    ('moving state type', NULLIF(a.aggmtranstype, 0)::regtype::text),
    ('moving state space', a.aggmtransspace::text),
    ('initial condition', a.agginitval),
    ('moving initial condition', a.aggminitval)) v (attribute, value)

-- ---- types and domains ----------------------------------------------------------
UNION ALL
SELECT CASE t.typtype WHEN 'b' THEN 'base type' WHEN 'c' THEN 'composite type' WHEN 'd' THEN 'domain'
                      WHEN 'e' THEN 'enum' WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange'
                      ELSE 'pseudo-type' END,
       format_type(t.typ_oid, NULL), v.attribute, v.value
  FROM typ t
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('input', NULLIF(t.typinput::oid, 0)::regprocedure::text),
    ('output', NULLIF(t.typoutput::oid, 0)::regprocedure::text),
    ('receive', NULLIF(t.typreceive::oid, 0)::regprocedure::text),
    ('send', NULLIF(t.typsend::oid, 0)::regprocedure::text),
    ('typmod input', NULLIF(t.typmodin::oid, 0)::regprocedure::text),
    ('typmod output', NULLIF(t.typmodout::oid, 0)::regprocedure::text),
    ('analyze', NULLIF(t.typanalyze::oid, 0)::regprocedure::text),
    ('subscript', NULLIF(t.typsubscript::oid, 0)::regprocedure::text),
    ('length', t.typlen::text),
    ('by value', t.typbyval::text),
    ('alignment', t.typalign::text),
    ('storage', t.typstorage::text),
    ('category', t.typcategory::text),
    ('preferred', t.typispreferred::text),
    ('delimiter', t.typdelim::text),
    ('element', NULLIF(t.typelem, 0)::regtype::text),
    ('base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END),
    ('not null', t.typnotnull::text),
    ('default', t.typdefault),
    ('collation', (SELECT collname FROM pg_collation WHERE oid = t.typcollation)::text),
    ('labels', (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder)
                  FROM pg_enum WHERE enumtypid = t.typ_oid)),
    ('range', (SELECT format('subtype %s, opclass %s, collation %s, canonical %s, subdiff %s',
                             format_type(rngsubtype, NULL), rngsubopc::regclass, rngcollation,
                             rngcanonical, rngsubdiff)
                 FROM pg_range WHERE rngtypid = t.typ_oid))) v (attribute, value)
UNION ALL
SELECT 'domain', format_type(t.typ_oid, NULL), 'constraint ' || quote_ident(c.conname), pg_get_constraintdef(c.oid)
  FROM typ t JOIN pg_constraint c ON c.contypid = t.typ_oid

-- ---- relations ----------------------------------------------------------------------
UNION ALL
SELECT r.rkind, r.rel_oid::regclass::text, v.attribute, v.value
  FROM rel r
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('persistence', r.relpersistence::text),
    ('reloptions', r.reloptions::text),
    ('row security', r.relrowsecurity::text),
    ('force row security', r.relforcerowsecurity::text),
    ('replica identity', r.relreplident::text),
    ('access method', (SELECT amname FROM pg_am WHERE oid = r.relam)::text),
    ('partition key', CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.rel_oid) END),
    ('partition bound', pg_get_expr(r.relpartbound, r.rel_oid)),
    ('parents', (SELECT string_agg(inhparent::regclass::text, ', ' ORDER BY inhseqno)
                   FROM pg_inherits WHERE inhrelid = r.rel_oid)),
    ('definition', CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.rel_oid) END)) v (attribute, value)
 WHERE r.relkind <> 'S'
UNION ALL
SELECT 'sequence', r.rel_oid::regclass::text, v.attribute, v.value
  FROM rel r JOIN pg_sequence s ON s.seqrelid = r.rel_oid
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('type', format_type(s.seqtypid, NULL)),
    ('start', s.seqstart::text),
    ('increment', s.seqincrement::text),
    ('minimum', s.seqmin::text),
    ('maximum', s.seqmax::text),
    ('cache', s.seqcache::text),
    ('cycle', s.seqcycle::text),
    ('owned by', (SELECT string_agg(d.refobjid::regclass::text || '.' || quote_ident(a.attname), ', ')
                    FROM pg_depend d
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = r.rel_oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))) v (attribute, value)
UNION ALL
SELECT c.ckind, c.object, v.attribute, v.value
  FROM col c
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('position', c.position::text),
    ('type', format_type(c.atttypid, c.atttypmod)),
    ('not null', c.attnotnull::text),
    ('default', CASE WHEN c.attgenerated = '' THEN c.expr END),
    ('generated', CASE WHEN c.attgenerated <> '' THEN c.attgenerated::text || ': ' || c.expr END),
    ('identity', NULLIF(c.attidentity, '')::text),
    ('collation', (SELECT collname FROM pg_collation WHERE oid = c.attcollation)::text),
    ('storage', c.attstorage::text),
    ('compression', NULLIF(c.attcompression, '')::text),
    ('statistics target', c.attstattarget::text),
    -- (some builds stamp every column with an option pg_attver=<number>
    -- that differs from one CREATE to the next: left out)
    ('options', (SELECT array_agg(o ORDER BY o) FROM unnest(c.attoptions) o
                  WHERE o NOT LIKE 'pg\_attver=%')::text)) v (attribute, value)
UNION ALL
SELECT 'constraint', c.object, v.attribute, v.value
  FROM con c
 CROSS JOIN LATERAL (VALUES ('exists', 'yes'), ('definition', pg_get_constraintdef(c.con_oid))) v (attribute, value)
UNION ALL
SELECT 'index', i.object, v.attribute, v.value
  FROM idx i
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('definition', pg_get_indexdef(i.indexrelid)),
    ('clustered', i.indisclustered::text),
    ('replica identity', i.indisreplident::text)) v (attribute, value)
UNION ALL
SELECT 'trigger', t.object, v.attribute, v.value
  FROM trg t
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('definition', pg_get_triggerdef(t.trg_oid)),
    ('enabled', CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                                 WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END)) v (attribute, value)
UNION ALL
SELECT 'rule', r.object, v.attribute, v.value
  FROM rul r
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('definition', pg_get_ruledef(r.rule_oid)),
    ('enabled', r.ev_enabled::text)) v (attribute, value)
UNION ALL
SELECT 'policy', p.object, v.attribute, v.value
  FROM pol p
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('command', p.polcmd::text),
    ('permissive', p.polpermissive::text),
    ('roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE (SELECT rolname FROM pg_roles WHERE oid = r) END,
                                 ', ' ORDER BY 1) FROM unnest(p.polroles) r)),
    ('using', pg_get_expr(p.polqual, p.polrelid)),
    ('with check', pg_get_expr(p.polwithcheck, p.polrelid))) v (attribute, value)

-- ---- operators and casts ------------------------------------------------------------
UNION ALL
SELECT 'operator', o.oid::regoperator::text, v.attribute, v.value
  FROM pg_operator o JOIN member m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('function', o.oprcode::oid::regprocedure::text),
    ('result', format_type(o.oprresult, NULL)),
    ('commutator', NULLIF(o.oprcom, 0)::regoperator::text),
    ('negator', NULLIF(o.oprnegate, 0)::regoperator::text),
    ('restrict', NULLIF(o.oprrest::oid, 0)::regprocedure::text),
    ('join', NULLIF(o.oprjoin::oid, 0)::regprocedure::text),
    ('hashes', o.oprcanhash::text),
    ('merges', o.oprcanmerge::text)) v (attribute, value)
UNION ALL
SELECT 'cast', format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)), v.attribute, v.value
  FROM pg_cast c JOIN member m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
 CROSS JOIN LATERAL (VALUES
    ('exists', 'yes'),
    ('function', NULLIF(c.castfunc, 0)::regprocedure::text),
    ('context', c.castcontext::text),
    ('method', c.castmethod::text)) v (attribute, value)

-- ---- privileges -------------------------------------------------------------------------
UNION ALL
SELECT 'acl', 'function ' || f.fn_oid::regprocedure::text, 'privileges', pg_temp.upgrade_acl(f.proacl, 'f', f.proowner)
  FROM fn f
UNION ALL
SELECT 'acl', 'type ' || format_type(t.typ_oid, NULL), 'privileges', pg_temp.upgrade_acl(t.typacl, 'T', t.typowner)
  FROM typ t
UNION ALL
SELECT 'acl', r.rkind || ' ' || r.rel_oid::regclass::text, 'privileges',
       pg_temp.upgrade_acl(r.relacl, (CASE WHEN r.relkind = 'S' THEN 's' ELSE 'r' END)::"char", r.relowner)
  FROM rel r WHERE r.relkind <> 'c'
UNION ALL
SELECT 'acl', 'column ' || c.object, 'privileges', pg_temp.upgrade_acl(c.attacl, 'c', r.relowner)
  FROM col c JOIN pg_class r ON r.oid = c.attrelid
 WHERE c.attacl IS NOT NULL
UNION ALL
SELECT 'acl', 'schema ' || quote_ident(n.nspname), 'privileges', pg_temp.upgrade_acl(n.nspacl, 'n', n.nspowner)
  FROM e JOIN pg_namespace n ON n.oid = e.extnamespace

-- ---- comments ---------------------------------------------------------------------------
UNION ALL
SELECT 'comment', i.type || ' ' || i.identity, 'text', d.description
  FROM pg_description d
  JOIN commented c ON c.classid = d.classoid AND c.objid = d.objoid
 CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i

-- ---- the extension ----------------------------------------------------------------------
UNION ALL
SELECT 'extconfig', x.relid::regclass::text, 'condition', x.cond
  FROM e CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) x (relid, cond)
UNION ALL
SELECT 'member', i.type || ' ' || i.identity, 'exists', 'yes'
  FROM member m CROSS JOIN LATERAL pg_identify_object(m.classid, m.objid, 0) i
UNION ALL
SELECT 'extension', e.extname::text, v.attribute, v.value
  FROM e
 CROSS JOIN LATERAL (VALUES
    ('schema', (SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = e.extnamespace)),
    ('relocatable', e.extrelocatable::text),
    ('version', e.extversion)) v (attribute, value)
$describe$;

-- The relations whose rows belong to the user, recorded once (see above).
CREATE FUNCTION pg_temp.upgrade_user_data(ext name DEFAULT 'safeidx')
RETURNS TABLE (relation text, rows bigint, digest text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r record;
BEGIN
    IF to_regclass('pg_temp.upgrade_user_relations') IS NULL THEN
        CREATE TEMP TABLE upgrade_user_relations AS
        WITH e AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = ext),
        config AS (
            SELECT x.relid, x.cond FROM e CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) x (relid, cond)),
        own AS (   -- tables and sequences of no extension outside the system schemas
            SELECT c.oid AS relid, '' AS cond
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'S') AND c.relpersistence <> 't'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                        AND d.deptype = 'e'))
        SELECT u.relid::regclass::text AS relation, c.relkind,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a WHERE a.attrelid = u.relid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
               u.cond
          FROM (SELECT * FROM config UNION SELECT * FROM own) u
          JOIN pg_class c ON c.oid = u.relid;
    END IF;
    FOR r IN SELECT * FROM pg_temp.upgrade_user_relations ORDER BY 1 LOOP
        relation := r.relation;
        BEGIN
            IF r.relkind = 'S' THEN
                EXECUTE format('SELECT 1::bigint, last_value || '' '' || is_called FROM %s', r.relation)
                   INTO rows, digest;
            ELSE
                EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), ''''))'
                               ' FROM (SELECT %s FROM %s %s) t', r.columns, r.relation, r.cond)
                   INTO rows, digest;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            rows := NULL;
            digest := 'error: ' || SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;

CREATE FUNCTION pg_temp.upgrade_builtin_rows(ext name DEFAULT 'safeidx')
RETURNS TABLE (relation text, rows bigint, digest text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        WITH e AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = ext),
        config AS (
            SELECT x.relid, x.cond FROM e CROSS JOIN LATERAL unnest(e.extconfig, e.extcondition) x (relid, cond))
        SELECT c.oid::regclass::text AS relation,
               CASE WHEN cf.relid IS NULL THEN 'true'
                    ELSE 'NOT (' || regexp_replace(cf.cond, '^\s*WHERE\s+', '', 'i') || ')' END AS cond
          FROM e
          JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
                          AND d.classid = 'pg_class'::regclass
          JOIN pg_class c ON c.oid = d.objid AND c.relkind IN ('r', 'p')
          LEFT JOIN config cf ON cf.relid = c.oid
         WHERE cf.relid IS NULL OR cf.cond ~ '\S'
         ORDER BY 1
    LOOP
        relation := r.relation;
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), ''''))'
                       ' FROM %s t WHERE %s', r.relation, r.cond)
           INTO rows, digest;
        RETURN NEXT;
    END LOOP;
END $$;
