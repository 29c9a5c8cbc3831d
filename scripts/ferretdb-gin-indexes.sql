-- Makes the indexes the services create through FerretDB v1 usable by its queries (local store only).
--
-- FerretDB v1 on PostgreSQL turns a MongoDB index on `field` into a btree index on (_jsonb -> 'field'),
-- but pushes an equality filter down as (_jsonb -> $1) @> $2: a containment test, which a btree index
-- cannot serve. Every find, even by _id, was a sequential scan that reads (and de-TOASTs) every
-- document: 35 ms per lookup at 1,200 situations, growing with the data, so the platform slowed down
-- as the store filled. This trigger mirrors each such btree index with a GIN (jsonb_path_ops) index on
-- the same expression, which serves @>; with plan_cache_mode=force_custom_plan (set in infra.sh) the
-- planner sees the field name and picks it: the same lookup takes 0.02 ms.
--
-- The planner must also know what a sequential scan costs here: the documents live out of line
-- (TOAST), so the heap looks small and a scan cheap, but every row's `->` de-TOASTs a whole document
-- (10-30 ms per scan of 850 situations). Priced at 100 times a plain operator, the index wins.
--
-- Idempotent: run at every start of the store; also mirrors the indexes created before it existed.

ALTER FUNCTION pg_catalog.jsonb_object_field(jsonb, text) COST 100;

CREATE OR REPLACE FUNCTION cii_mirror_index(btree_index oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  table_oid oid;
  column_count int;
  expression text;
BEGIN
  SELECT indrelid, indnatts INTO table_oid, column_count FROM pg_index WHERE indexrelid = btree_index;
  FOR position IN 1..column_count LOOP
    expression := pg_get_indexdef(btree_index, position, false);
    -- Only FerretDB's top-level field expressions: ((_jsonb -> 'field'::text)).
    CONTINUE WHEN expression NOT LIKE '((_jsonb -> ''%''::text))';
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s jsonb_path_ops)',
                   'gin_' || md5(table_oid::text || expression), table_oid::regclass, expression);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION cii_mirror_created_indexes() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created oid;
BEGIN
  FOR created IN
    SELECT command.objid FROM pg_event_trigger_ddl_commands() command
    JOIN pg_class index_class ON index_class.oid = command.objid
    JOIN pg_am access_method ON access_method.oid = index_class.relam
    WHERE command.object_type = 'index' AND access_method.amname = 'btree'  -- not the GIN ones it creates
  LOOP
    PERFORM cii_mirror_index(created);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS cii_mirror_created_indexes;
CREATE EVENT TRIGGER cii_mirror_created_indexes ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION cii_mirror_created_indexes();

DO $$
DECLARE
  existing oid;
BEGIN
  FOR existing IN
    SELECT index_class.oid FROM pg_class index_class
    JOIN pg_am access_method ON access_method.oid = index_class.relam
    JOIN pg_namespace schema ON schema.oid = index_class.relnamespace
    WHERE index_class.relkind = 'i' AND access_method.amname = 'btree'
      AND schema.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  LOOP
    PERFORM cii_mirror_index(existing);
  END LOOP;
END $$;
