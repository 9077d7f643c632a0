-- windows line ends
DELETE FROM orders WHERE id = 1;
CREATE TABLE added (id int);
