UPDATE users SET last_login_at = now() WHERE id = 1;
SELECT * FROM payments;
INSERT INTO users_archive SELECT * FROM users;
CREATE VIEW v AS SELECT * FROM payments;
CREATE TABLE payments (id bigint);
CREATE INDEX payments_id ON payments (id);
INSERT INTO payments (id) VALUES (1);
