INSERT INTO payments (id) VALUES (1);
UPDATE users SET email = 'x' WHERE id = 1;
ALTER TABLE public.users ADD COLUMN nickname text;
CREATE INDEX CONCURRENTLY users_email ON users (email);
DELETE FROM "payments" WHERE id = 1;
CREATE TABLE IF NOT EXISTS users (id bigint);
INSERT INTO users (id) VALUES (1);
