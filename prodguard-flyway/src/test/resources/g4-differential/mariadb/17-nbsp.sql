DROP TABLE users;
