INSERT INTO audit_log VALUES (1);
ALTER TABLE orders ADD COLUMN note text;
