-- windows
DELETE FROM orders WHERE id = 2;
CREATE TABLE added (id int);
