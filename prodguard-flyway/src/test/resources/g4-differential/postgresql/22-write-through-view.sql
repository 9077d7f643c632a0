CREATE VIEW recent AS SELECT * FROM orders WHERE id > 0;
DELETE FROM recent WHERE id < 3;
