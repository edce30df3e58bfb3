-- sql/004_roles.sql — who may do what, enforced by PostgreSQL itself.
--
-- Six group roles (NOLOGIN). Logins are granted one of them; every dmpremb
-- command also does SET ROLE to the one it needs (cli/main.c), so a login
-- holding several roles still runs each command with only its own rights.
--   dmpremb_owner    owns every object; migrations run as it. No one works as it.
--   dmpremb_ingest   loads batches, referentials and lifecycle events; ages data
--                    out (purge). Reads no document; destroys a deleted
--                    dossier's data only through dossier_destroy().
--   dmpremb_feed     reads claims, identities, referentials, version metadata;
--                    stores documents only through document_store(). Cannot
--                    read a document, its XML or the dossier's traces.
--   dmpremb_reader   the DMP side that displays documents: the current
--                    documents, nothing else.
--   dmpremb_analyst  the analytics schema (its views), nothing else.
--   dmpremb_ops      runs, batches, per-file counts, rejects without their raw
--                    values, SLA figures without any identifier.
-- The first migration that runs this file needs a superuser or a role with
-- CREATEROLE; every later migration sets itself to dmpremb_owner.
-- docs/security.md explains the choices.

SET LOCAL search_path TO dmpremb;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['dmpremb_owner', 'dmpremb_ingest', 'dmpremb_feed', 'dmpremb_reader',
                             'dmpremb_analyst', 'dmpremb_ops'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    -- the migrating login must be able to hand objects over to the owner
    IF NOT pg_has_role(current_user, 'dmpremb_owner', 'MEMBER') THEN
        EXECUTE format('GRANT dmpremb_owner TO %I', current_user);
    END IF;
    -- later migrations, run as the owner, create schemas (analytics) and extensions
    EXECUTE format('GRANT CREATE ON DATABASE %I TO dmpremb_owner', current_database());
END $$;

-- Hand every object of the schema to the owner (sequences follow their table).
DO $$
DECLARE
    o record;
BEGIN
    EXECUTE 'ALTER SCHEMA dmpremb OWNER TO dmpremb_owner';
    FOR o IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'dmpremb' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
        EXECUTE format('ALTER %s %s OWNER TO dmpremb_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       o.name);
    END LOOP;
    FOR o IN SELECT p.oid::regprocedure AS name FROM pg_proc p
               JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'dmpremb' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO dmpremb_owner', o.name);
    END LOOP;
END $$;

SET LOCAL ROLE dmpremb_owner;

-- Nothing by default: a function is executable only by the roles named below.
REVOKE ALL ON SCHEMA dmpremb FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA dmpremb FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE dmpremb_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT USAGE ON SCHEMA dmpremb TO dmpremb_ingest, dmpremb_feed, dmpremb_reader, dmpremb_ops;
GRANT SELECT ON schema_migration TO dmpremb_ingest, dmpremb_feed, dmpremb_ops;
