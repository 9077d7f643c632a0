UPDATE mysql.proc SET body = 'BEGIN END';
DELETE FROM mysql.event;
INSERT INTO performance_schema.setup_consumers VALUES ('x', 'NO');
SELECT * FROM mysql.user;
USE mysql;
