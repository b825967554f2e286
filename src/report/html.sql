-- html.sql: HTML helpers of the report.

CREATE OR REPLACE FUNCTION @extschema@.html_escape(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT replace(replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                           '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION @extschema@.html_escape(text) IS
'text made safe for HTML element content and quoted attribute values: & < > " and '' replaced by entities';

-- Black or white text, whichever reads better on a background colour #RRGGBB.
CREATE OR REPLACE FUNCTION @extschema@.text_colour_on(colour text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN colour !~ '^#[0-9A-Fa-f]{6}$' THEN '#212121'
                WHEN 0.2126 * ('x' || substr(colour, 2, 2))::bit(8)::integer
                   + 0.7152 * ('x' || substr(colour, 4, 2))::bit(8)::integer
                   + 0.0722 * ('x' || substr(colour, 6, 2))::bit(8)::integer > 150 THEN '#000000'
                ELSE '#FFFFFF' END
$$;
COMMENT ON FUNCTION @extschema@.text_colour_on(text) IS
'#000000 or #FFFFFF: the text colour that reads better on the background colour given (#RRGGBB; #212121 for anything else, NULL included)';
