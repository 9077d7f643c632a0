CREATE OR REPLACE FUNCTION touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_at = now();
  IF NEW.state IS NULL THEN
    NEW.state := 'new';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER account_touch BEFORE UPDATE ON account FOR EACH ROW EXECUTE FUNCTION touch();
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reporting') THEN
    RAISE NOTICE 'no role';
  END IF;
END
$$;
CREATE VIEW active_account AS SELECT id, email FROM account WHERE state = 'active';
