MERGE INTO orders o USING incoming s ON o.id = s.id WHEN MATCHED AND o.status <> s.status THEN UPDATE SET status = s.status WHEN NOT MATCHED THEN INSERT (id, status) VALUES (s.id, s.status);
UPDATE orders SET status = 'x' WHERE id = 1 OR id = 2;
MERGE INTO orders o USING incoming s ON o.id = s.id WHEN MATCHED THEN UPDATE SET status = s.status;
