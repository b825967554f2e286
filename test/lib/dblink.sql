-- test/lib/dblink.sql: reaching the other databases of the test cluster
-- through dblink, for the pgTAP SQL of the tests under test/tap/.  Include it
-- with  \i test/lib/dblink.sql  (psql runs from the repo root) in a database
-- that has the dblink extension.  It defines, for this session only:
--
--   pg_temp.conn(db [, who])      a libpq connection string to database db
--                                 of this server, as the same user or as
--                                 role who (the test cluster trusts local
--                                 connections);
--   pg_temp.value_in(db, query)   the one text value query returns in db,
--                                 NULL when db does not exist or refuses the
--                                 connection (so that a missing set-up
--                                 fails the assertions that use it);
--   pg_temp.digest(db, rel, cond) "<n> rows <md5>" of the rows of relation
--                                 rel in db (WHERE cond), ordered by their
--                                 text: a checksum to compare two copies.
--
-- dblink's statements commit on their own, outside the caller's transaction.

CREATE FUNCTION pg_temp.conn(db text, who name DEFAULT current_user) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s',
                  coalesce(host(inet_server_addr()),
                           split_part(current_setting('unix_socket_directories'), ',', 1)),
                  current_setting('port'), db, who)
$$;

CREATE FUNCTION pg_temp.value_in(db text, query text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN (SELECT v FROM dblink(pg_temp.conn(db), query) AS t(v text));
EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR invalid_catalog_name THEN
    RETURN NULL;
END $$;

CREATE FUNCTION pg_temp.digest(db text, rel text, cond text DEFAULT 'true') RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT pg_temp.value_in(db, format('SELECT count(*) || '' rows '' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) FROM %s t WHERE %s', rel, cond));
$$;
