CREATE EXTENSION safeidx;
SELECT extname, extversion FROM pg_extension WHERE extname = 'safeidx';
