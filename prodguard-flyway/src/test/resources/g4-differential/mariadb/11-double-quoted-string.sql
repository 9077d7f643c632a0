INSERT INTO orders (id, item) VALUES (101, "a;b");
DELETE FROM users WHERE id = 1;
