MERGE INTO orders o USING incoming s ON true WHEN MATCHED THEN UPDATE SET status = s.status;
MERGE INTO orders o USING incoming s ON 1 = 1 WHEN MATCHED AND true THEN UPDATE SET status = 'x';
UPDATE orders SET status = 'x' WHERE 1 = 1;
UPDATE orders o SET status = 'x' WHERE o.id = o.id;
WITH u AS (UPDATE orders SET status = 'x' RETURNING id) SELECT count(*) FROM u;
CREATE RULE r AS ON INSERT TO log DO ALSO UPDATE orders SET touched = now();
