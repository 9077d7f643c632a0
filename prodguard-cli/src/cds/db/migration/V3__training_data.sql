INSERT INTO account (email, state) VALUES ('a@example.com', 'active'), ('b@example.com', 'new');
UPDATE account SET state = 'active' WHERE email LIKE '%@example.com';
DELETE FROM account WHERE state = 'gone';
ALTER TABLE account RENAME COLUMN state TO status;
DROP INDEX IF EXISTS account_state_idx;
ALTER TABLE account DROP COLUMN token;
SELECT setval('account_id_seq', 10);
