CREATE TABLE orders (id int PRIMARY KEY, item varchar(100));
INSERT INTO orders VALUES (1, 'book'), (2, 'pen'), (3, 'ink');
CREATE TABLE users (id int PRIMARY KEY, name varchar(100));
INSERT INTO users VALUES (1, 'ada'), (2, 'bob');
