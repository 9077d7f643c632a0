/*!100000 DROP TABLE orders */;
