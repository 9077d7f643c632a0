-- drop it
DROP DATABASE shop;
DROP DATABASE IF EXISTS old_shop;
