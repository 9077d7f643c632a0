/*! DELETE FROM users */;
SELECT 1;
