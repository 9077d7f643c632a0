CREATE VIEW v1 AS SELECT id, name AS label FROM users;
CREATE VIEW v2 AS SELECT * FROM v1;
UPDATE v2 SET label = 'x' WHERE id = 1;
