INSERT INTO orders (id, item) VALUES (100, 'it\'s; DROP TABLE users; --');
