LOAD DATA INFILE '/var/lib/mysql-files/orders.csv' INTO TABLE orders;
SELECT * FROM orders INTO OUTFILE '/tmp/orders.csv';
SELECT LOAD_FILE('/etc/passwd');
CREATE WIDGET x;
