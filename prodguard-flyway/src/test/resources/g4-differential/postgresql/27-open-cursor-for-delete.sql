DO $$
DECLARE c refcursor; r record;
BEGIN
  OPEN c FOR DELETE FROM orders WHERE id = 3 RETURNING *;
  FETCH c INTO r;
  CLOSE c;
END
$$;
