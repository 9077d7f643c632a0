CREATE FUNCTION tidy() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- keep everythingDELETE FROM orders;
END
$$;
SELECT tidy();
