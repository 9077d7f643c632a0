/*!99999 DROP TABLE orders */;
