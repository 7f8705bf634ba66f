-- Roles for a tracker database shared on PostgreSQL. Run as a superuser, in the tracker
-- database, after `tracker db upgrade` has created the schema as tracker_owner.
--   tracker_owner  owns the schema and runs upgrades (tracker db upgrade)
--   tracker_app    project managers and support: read and change governance data; the audit
--                  trail is insert-only, so nobody can edit or delete what it records
--   tracker_board  board members and assurance: read everything, change nothing
-- Replace the role names if yours differ; add PASSWORD '...' or use your usual authentication.

CREATE ROLE tracker_app LOGIN;
CREATE ROLE tracker_board LOGIN;

GRANT CONNECT ON DATABASE tracker TO tracker_app, tracker_board;
GRANT USAGE ON SCHEMA public TO tracker_app, tracker_board;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tracker_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tracker_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM tracker_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM tracker_app;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO tracker_board;
ALTER ROLE tracker_board SET default_transaction_read_only = on;

-- Tables added by later upgrades get the same rights.
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tracker_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO tracker_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO tracker_board;
