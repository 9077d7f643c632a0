-- a procedure may commit when an application calls it; creating it commits nothing
CREATE PROCEDURE nightly() LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sessions WHERE expires_at < now();
  COMMIT;
END $$;
CREATE PROCEDURE tidy() LANGUAGE sql BEGIN ATOMIC DELETE FROM sessions WHERE id = 1; END;
CALL tidy();
SET LOCAL lock_timeout = '5s';
SET search_path TO app, public;
SELECT pg_advisory_xact_lock(42);
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
