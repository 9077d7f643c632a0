CREATE OR REPLACE TABLE orders (id int PRIMARY KEY, item varchar(100));
