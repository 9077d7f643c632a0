DO $$
DECLARE r record;
BEGIN
  FOR r IN DELETE FROM orders WHERE id = 1 RETURNING * LOOP
    RAISE NOTICE 'gone %', r.id;
  END LOOP;
END
$$;
