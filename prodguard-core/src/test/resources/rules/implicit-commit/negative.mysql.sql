-- one DDL, then rows: nothing before the DDL to commit
CREATE TABLE a (id int);
INSERT INTO a VALUES (1);
CREATE TEMPORARY TABLE scratch (id int);
