-- names that only look alike, and the word in a comment: -- prodguard_audit
CREATE TABLE prodguard (id int);
CREATE TABLE audit_metadata (id int);
UPDATE orders SET note = 'see docs' WHERE id = 1;
SET session_timeout = 0;
SELECT 1; -- DELETE FROM prodguard_audit

-- the application's own trigger, named
ALTER TABLE orders DISABLE TRIGGER orders_audit;
ALTER TABLE orders ENABLE ALWAYS TRIGGER orders_audit;
