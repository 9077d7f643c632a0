UPDATE users SET active = true WHERE id = 42;
UPDATE t SET a = b.a FROM b WHERE t.id = b.id AND b.batch = 7;
UPDATE t SET (a, b) = (1, 2) WHERE id = 1 RETURNING *;
