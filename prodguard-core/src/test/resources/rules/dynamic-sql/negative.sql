DO $$
BEGIN
  UPDATE settings SET v = 1 WHERE k = 'a';
END $$;
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;
