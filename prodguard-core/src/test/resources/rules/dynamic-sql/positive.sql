DO $$
BEGIN
  EXECUTE 'DROP TABLE ' || quote_ident('x');
END $$;
CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS $$ plpy.execute('DELETE FROM t') $$;
CREATE FUNCTION g() RETURNS void AS 'DELETE FROM t' LANGUAGE sql;
