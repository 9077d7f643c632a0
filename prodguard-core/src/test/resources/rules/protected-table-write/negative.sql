UPDATE users SET last_login_at = now() WHERE id = 1;
SELECT * FROM payments;
INSERT INTO users_archive SELECT * FROM users;
CREATE VIEW v AS SELECT * FROM payments;
