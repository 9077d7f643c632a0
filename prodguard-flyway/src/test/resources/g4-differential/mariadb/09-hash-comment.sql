# a comment; DROP TABLE orders;
DELETE FROM users WHERE id = 1;
