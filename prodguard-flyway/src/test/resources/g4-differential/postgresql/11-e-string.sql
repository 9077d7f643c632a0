SELECT E'it\'s; DROP TABLE orders; --';
DELETE FROM users WHERE id = 1;
