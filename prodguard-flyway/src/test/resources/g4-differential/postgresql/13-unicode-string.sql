SELECT U&'d\0061t; DROP TABLE orders; --' AS x;
TRUNCATE users;
