SELECT count(*) FROM users;
