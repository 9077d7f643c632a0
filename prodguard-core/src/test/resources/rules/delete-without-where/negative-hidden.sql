MERGE INTO orders o USING incoming s ON o.id = s.id WHEN MATCHED AND s.cancelled THEN DELETE;
CREATE RULE keep AS ON DELETE TO orders DO INSTEAD NOTHING;
DELETE FROM orders WHERE id IS NOT NULL;
DELETE FROM orders WHERE 1 = 1 AND status = 'void';
DELETE FROM orders WHERE id BETWEEN 1 AND 10;
WITH d AS (DELETE FROM orders WHERE id = 3 RETURNING *) SELECT * FROM d;
CREATE FUNCTION purge_one(n int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE id = n $$;
SELECT purge_one(3);
MERGE INTO orders o USING incoming s ON o.id = s.id WHEN MATCHED THEN DELETE;
